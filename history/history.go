package history

import (
	"hash/fnv"
	"math"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/money"
)

// Version is the version of an observation made at observed: later
// observations get lower versions, so the sinks keep the earliest.
func Version(observed time.Time) uint64 {
	return math.MaxUint64 - uint64(observed.UnixNano())
}

// stateHash is FNV-64a of the fields, each followed by a NUL byte so that
// no two lists of fields hash the same input; amounts in their canonical
// form: four decimal places, as the tables hold them, so a value read back
// from a sink hashes alike.
func stateHash(texts []string, amounts ...decimal.Decimal) uint64 {
	var buf [256]byte
	b := buf[:0]
	for _, f := range texts {
		b = append(append(b, f...), 0)
	}
	for _, a := range amounts {
		b = append(money.AppendFixed(b, a), 0)
	}
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

// OrderState hashes an order's four status axes and its paid, refunded
// and total amounts. It is the same on every run and machine.
func OrderState(o *model.Order) uint64 {
	return stateHash([]string{o.Status, o.PaymentStatus, o.ShippingStatus, o.RefundStatus},
		o.PaidAmount, o.RefundedAmount, o.TotalAmount)
}

// RefundState hashes a refund's status and amount (an unknown amount
// hashes apart from every number).
func RefundState(status string, amt *decimal.Decimal) uint64 {
	if amt == nil {
		return stateHash([]string{status, "\x01null"})
	}
	return stateHash([]string{status}, *amt)
}

// Order is o's observation at observed (a page's fetch time).
func Order(o *model.Order, observed time.Time) model.OrderObservation {
	m := o.Meta
	m.Version = Version(observed)
	return model.OrderObservation{
		Meta: m, OrderID: o.OrderID, StateHash: OrderState(o),
		Status: o.Status, PaymentStatus: o.PaymentStatus, ShippingStatus: o.ShippingStatus, RefundStatus: o.RefundStatus,
		PaidAmount: o.PaidAmount, RefundedAmount: o.RefundedAmount, TotalAmount: o.TotalAmount,
		Currency: o.Currency, ObservedAt: observed.UTC().Truncate(time.Second),
		PlatformTime: o.UpdatedAt, CreatedAt: o.CreatedAt,
	}
}

// Refund is r's observation at observed (a page's fetch time).
func Refund(r *model.Refund, observed time.Time) model.RefundObservation {
	m := r.Meta
	m.Version = Version(observed)
	return model.RefundObservation{
		Meta: m, OrderID: r.OrderID, RefundID: r.RefundID, StateHash: RefundState(r.Status, r.Amount),
		Status: r.Status, Amount: r.Amount, Currency: r.Currency,
		ObservedAt: observed.UTC().Truncate(time.Second), CreatedAt: r.CreatedAt,
	}
}

// refundKey identifies a refund's state across tables.
type refundKey struct {
	platform, shop, order, refund string
	state                         uint64
}

// FillRefundedAt gives every refund without the platform's own time the
// time its current status and amount were first observed, from seen,
// the refund_history rows as the sinks keep them (one per state, the
// earliest; if several are given for one state, the earliest counts). A
// refund whose state was never observed (rows written before
// refund_history existed) keeps a nil RefundedAt. It is the rule the
// ClickHouse view refunds_latest applies.
func FillRefundedAt(refunds []model.Refund, seen []model.RefundObservation) {
	first := make(map[refundKey]time.Time, len(seen))
	for _, o := range seen {
		k := refundKey{o.Platform, o.Shop, o.OrderID, o.RefundID, o.StateHash}
		if t, ok := first[k]; !ok || o.ObservedAt.Before(t) {
			first[k] = o.ObservedAt
		}
	}
	for i := range refunds {
		r := &refunds[i]
		if r.RefundedAt != nil {
			continue
		}
		if t, ok := first[refundKey{r.Platform, r.Shop, r.OrderID, r.RefundID, RefundState(r.Status, r.Amount)}]; ok {
			t := t
			r.RefundedAt = &t
		}
	}
}
