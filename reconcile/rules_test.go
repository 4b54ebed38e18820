package reconcile

import (
	"testing"

	"github.com/shopspring/decimal"
)

// TestOrderException: each kind an order shows by itself, the first of
// Kinds when it shows two, and none for an order that adds up.
func TestOrderException(t *testing.T) {
	d := decimal.RequireFromString
	clean := Order{OrderID: "A", PaymentStatus: "paid", Goods: d("90"), Shipping: d("10"), Fee: d("2"),
		Discount: d("5"), Total: d("97"), Paid: d("97")}
	with := func(f func(*Order)) Order { o := clean; f(&o); return o }
	for _, c := range []struct {
		name       string
		o          Order
		hasPayment bool
		want       Kind
		detail     string
	}{
		{"clean", clean, true, "", ""},
		{"unpaid without payment", with(func(o *Order) { o.PaymentStatus, o.Paid = "unpaid", decimal.Zero }), false, "", ""},
		{"refund above paid", with(func(o *Order) { o.PaymentStatus, o.Refunded = "refunded", d("120") }), true,
			RefundExceedsPaid, "refunded 120.0000 > paid 97.0000"},
		{"refunded, no amount", with(func(o *Order) { o.PaymentStatus = "refunded" }), true,
			RefundFlagWithoutAmount, "payment_status refunded, refunded_amount 0"},
		{"partly refunded, no amount", with(func(o *Order) { o.PaymentStatus = "partially_refunded" }), true,
			RefundFlagWithoutAmount, "payment_status partially_refunded, refunded_amount 0"},
		{"refunded, half the amount", with(func(o *Order) { o.PaymentStatus, o.Refunded = "refunded", d("48.5") }), true,
			StatusAmountMismatch, "payment_status refunded, refunded 48.5000 < paid 97.0000"},
		{"partly refunded, all of it", with(func(o *Order) { o.PaymentStatus, o.Refunded = "partially_refunded", d("97") }), true,
			StatusAmountMismatch, "payment_status partially_refunded, refunded 97.0000 = paid"},
		{"partly refunded, part", with(func(o *Order) { o.PaymentStatus, o.Refunded = "partially_refunded", d("10") }), true, "", ""},
		{"refunded in full", with(func(o *Order) { o.PaymentStatus, o.Refunded = "refunded", d("97") }), true, "", ""},
		{"paid, no payment record", clean, false, PaidWithoutPaymentRecord, "paid 97.0000, no payment record"},
		{"total off by one", with(func(o *Order) { o.Total, o.Paid = d("98"), d("98") }), true,
			TotalMismatch, "total 98.0000 ≠ goods 90.0000 + shipping 10.0000 + fee 2.0000 − discount 5.0000 = 97.0000"},
		{"first kind wins", with(func(o *Order) { o.Total, o.Refunded, o.PaymentStatus = d("98"), d("120"), "refunded" }), false,
			RefundExceedsPaid, "refunded 120.0000 > paid 97.0000"},
	} {
		kind, detail, ok := orderException(c.o, c.hasPayment)
		if kind != c.want || detail != c.detail || ok != (c.want != "") {
			t.Errorf("%s: got %q %q %v, want %q %q", c.name, kind, detail, ok, c.want, c.detail)
		}
	}
}
