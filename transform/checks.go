package transform

import (
	"fmt"
	"math"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/model"
)

// The checks every platform's transform shares. Two kinds of wrong
// amounts are told apart:
//
//   - An amount that cannot be: SPEC §5, "Bad input (malformed JSON, wrong
//     types, unknown codes, impossible amounts) never crashes a run and is
//     never dropped silently: the record goes to etl_quarantine". Not a
//     number, a negative price, fee or payment (no field of the documents
//     is signed), a quantity no count holds, or a value Decimal(18,4)
//     cannot store exactly (table.CheckRecord): the record is quarantined
//     with the reason, never loaded with it nor silently clamped.
//   - Amounts that disagree with each other, each one possible: SPEC §6,
//     "Amounts that disagree are loaded and reported here, never
//     quarantined". A total that does not add up, a refund above what was
//     paid, a line discount above its line: the record is loaded as sent
//     and the order carries an anomaly naming the disagreement (SPEC §4:
//     "kept as data, never silently fixed").
//
// A refund, payment or shipment id listed twice with different contents
// is neither: it is a contradiction of identity (the tables' keys would
// keep one of the two at random), and is quarantined.

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

// lineTotal is price × qty − discount, as the platform's numbers make it.
// A discount above what the line is worth is amounts that disagree, not an
// impossible amount: the total is kept as the arithmetic gives it, below
// zero, and exceeds reports it so the caller flags the order with
// lineDiscountExceeds. It is not clamped to 0: the line's price, quantity
// and discount are loaded as sent, and its total stays what they make.
func lineTotal(price Money, qty uint32, discount Money) (total decimal.Decimal, exceeds bool) {
	gross := price.Decimal
	if qty != 1 {
		gross = price.Mul(decimal.NewFromInt(int64(qty)))
	}
	return sub(gross, discount.Decimal), discount.GreaterThan(gross)
}

// expectedTotal is what o's parts add up to: goods + shipping + fees -
// discounts.
func expectedTotal(o *model.Order) decimal.Decimal {
	return sub(add(add(o.GoodsAmount, o.ShippingAmount), o.FeeAmount), o.DiscountAmount)
}

// add is a + b, and sub a - b, without the arithmetic (and its big.Int
// allocations, most of a record's, issue 18) when an amount is zero, as
// most discounts and fees are. The result is the same number; its
// exponent may differ ("5.5" for 5.5 + 0.00, where Add gives "5.50"),
// which nothing written shows: the tables hold amounts at Decimal(18,4).
func add(a, b decimal.Decimal) decimal.Decimal {
	switch {
	case b.IsZero():
		return a
	case a.IsZero():
		return b
	}
	return a.Add(b)
}

func sub(a, b decimal.Decimal) decimal.Decimal {
	if b.IsZero() {
		return a
	}
	return a.Sub(b)
}

// lineDiscountExceeds is the anomaly of line lineNo (as loaded) whose
// discount is more than its price × quantity.
func lineDiscountExceeds(lineNo uint32) string {
	return fmt.Sprintf("line_discount_exceeds_line:%d", lineNo)
}

// refundExceedsPaid is the anomaly of an order whose refunded amount is
// more than it was paid (SPEC §6's refund_exceeds_paid).
const refundExceedsPaid = "refund_exceeds_paid"

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
