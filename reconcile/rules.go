package reconcile

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Payment statuses the rules read (SPEC §4's payment_status vocabulary).
const (
	paymentPartiallyRefunded = "partially_refunded"
	paymentRefunded          = "refunded"
)

// orderException is the first kind of Kinds an order shows by itself
// (all but refund_without_order and duplicate_payment_txn, which need
// other rows), with the detail a person acts on. hasPayment says whether
// a payment record of the order is loaded.
func orderException(o Order, hasPayment bool) (Kind, string, bool) {
	fixed := func(d decimal.Decimal) string { return d.StringFixed(4) }
	flagged := o.PaymentStatus == paymentPartiallyRefunded || o.PaymentStatus == paymentRefunded
	parts := o.Goods.Add(o.Shipping).Add(o.Fee).Sub(o.Discount)
	switch {
	case o.Refunded.GreaterThan(o.Paid):
		return RefundExceedsPaid, fmt.Sprintf("refunded %s > paid %s", fixed(o.Refunded), fixed(o.Paid)), true
	case flagged && o.Refunded.IsZero():
		return RefundFlagWithoutAmount, fmt.Sprintf("payment_status %s, refunded_amount 0", o.PaymentStatus), true
	case o.PaymentStatus == paymentRefunded && o.Refunded.IsPositive() && o.Refunded.LessThan(o.Paid):
		return StatusAmountMismatch, fmt.Sprintf("payment_status refunded, refunded %s < paid %s", fixed(o.Refunded), fixed(o.Paid)), true
	case o.PaymentStatus != paymentRefunded && o.Refunded.IsPositive() && o.Refunded.Equal(o.Paid):
		return StatusAmountMismatch, fmt.Sprintf("payment_status %s, refunded %s = paid", o.PaymentStatus, fixed(o.Refunded)), true
	case o.Paid.IsPositive() && !hasPayment:
		return PaidWithoutPaymentRecord, fmt.Sprintf("paid %s, no payment record", fixed(o.Paid)), true
	case !o.Total.Equal(parts):
		return TotalMismatch, fmt.Sprintf("total %s ≠ goods %s + shipping %s + fee %s − discount %s = %s",
			fixed(o.Total), fixed(o.Goods), fixed(o.Shipping), fixed(o.Fee), fixed(o.Discount), fixed(parts)), true
	}
	return "", "", false
}
