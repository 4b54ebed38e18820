package transform

import (
	"fmt"
	"math"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/model"
)

// The checks every platform's transform shares. SPEC §5 counts impossible
// amounts as bad input: a record with one is quarantined with the reason,
// never loaded with a negative amount nor silently clamped.

// amount is one named money field of a record, named as the platform does.
type amount struct {
	name string
	v    Money
}

// notNegative returns an error naming the first negative amount, in the
// order given, so the reason is the same on every run.
func notNegative(amounts ...amount) error {
	for _, a := range amounts {
		if a.v.IsNegative() {
			return fmt.Errorf("negative %s %s", a.name, a.v.String())
		}
	}
	return nil
}

// pieces reads a line's quantity: a count of pieces, 0 to MaxUint32.
func pieces(name string, q Int) (uint32, error) {
	if q.V < 0 || q.V > math.MaxUint32 {
		return 0, fmt.Errorf("%s %d out of range", name, q.V)
	}
	return uint32(q.V), nil
}

// lineTotal is price × qty − discount, refused when the discount is more
// than the line is worth.
func lineTotal(price Money, qty uint32, discount Money) (decimal.Decimal, error) {
	gross := price.Mul(decimal.NewFromInt(int64(qty)))
	if discount.GreaterThan(gross) {
		return decimal.Zero, fmt.Errorf("discount %s exceeds the line's %s", discount.String(), gross.String())
	}
	return gross.Sub(discount.Decimal), nil
}

// mergeRefunds makes refund ids unique within one order, as the refunds
// table's key needs: rows sent twice alike are kept once, and one refund
// covering several lines becomes one row with line_no 0 ("not one line").
// The same id with different contents is a contradiction, refused.
func mergeRefunds(refunds []model.Refund) ([]model.Refund, error) {
	if len(refunds) < 2 {
		return refunds, nil
	}
	seen := make(map[string]int, len(refunds))
	out := refunds[:0:0]
	for _, r := range refunds {
		i, dup := seen[r.RefundID]
		if !dup {
			seen[r.RefundID] = len(out)
			out = append(out, r)
			continue
		}
		prev := out[i]
		if !sameRefund(prev, r) {
			return nil, fmt.Errorf("refund %s listed twice with different contents", r.RefundID)
		}
		if prev.LineNo != r.LineNo {
			out[i].LineNo = 0
		}
	}
	return out, nil
}

// sameRefund compares two rows of one refund id, lines aside.
func sameRefund(a, b model.Refund) bool {
	return sameAmount(a.Amount, b.Amount) && a.Status == b.Status && a.Currency == b.Currency
}

// uniqueRows keeps one row per id, as the payments and shipments keys
// need: an entry listed twice alike is kept once; the same id with
// different contents is a contradiction, refused. rows are a list's
// entries in order, so the error can number them (what 1-based).
func uniqueRows[T any](rows []T, what string, id func(T) string, same func(a, b T) bool) ([]T, error) {
	if len(rows) < 2 {
		return rows, nil
	}
	first := make(map[string]int, len(rows)) // id -> index in rows
	out := rows[:0:0]
	for i, r := range rows {
		k := id(r)
		j, dup := first[k]
		if !dup {
			first[k] = i
			out = append(out, r)
			continue
		}
		if !same(rows[j], r) {
			return nil, fmt.Errorf("%s %d: id %s already used by %s %d, with different contents", what, i+1, k, what, j+1)
		}
	}
	return out, nil
}

// samePayment and sameShipment compare two rows by value: "0.0000" and
// "0" are the same amount.
func samePayment(a, b model.Payment) bool {
	return a.PaymentID == b.PaymentID && a.OrderID == b.OrderID && a.TransactionID == b.TransactionID &&
		a.Method == b.Method && a.Status == b.Status && a.RawStatus == b.RawStatus && sameAmount(a.Amount, b.Amount) &&
		a.Currency == b.Currency && sameTime(a.PaidAt, b.PaidAt) && a.CreatedAt.Equal(b.CreatedAt)
}

func sameShipment(a, b model.Shipment) bool {
	return a.ShipmentID == b.ShipmentID && a.OrderID == b.OrderID && a.Kind == b.Kind && a.Carrier == b.Carrier &&
		a.TrackingNumber == b.TrackingNumber && a.Status == b.Status && sameAmount(a.Cost, b.Cost) &&
		a.Currency == b.Currency && sameTime(a.ShippedAt, b.ShippedAt) && a.CreatedAt.Equal(b.CreatedAt)
}

func sameAmount(a, b *decimal.Decimal) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}
