package reconcile

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// rows is a Source over rows held in memory, for the rules that join
// rows; the stores themselves are tested in sources_test.go.
type rows struct {
	orders   []Order
	refunds  []Refund
	payments []Payment
}

func (r rows) Name() string { return "memory" }
func (r rows) Close() error { return nil }

func each[T any](list []T, fn func(T) error) error {
	for _, x := range list {
		if err := fn(x); err != nil {
			return err
		}
	}
	return nil
}

func (r rows) Orders(_ context.Context, _ Shop, fn func(Order) error) error {
	return each(r.orders, fn)
}
func (r rows) Refunds(_ context.Context, _ Shop, fn func(Refund) error) error {
	return each(r.refunds, fn)
}
func (r rows) Payments(_ context.Context, _ Shop, fn func(Payment) error) error {
	return each(r.payments, fn)
}

// TestBuildJoinsRows: the kinds that need other rows than the order's,
// and days counted in the shop's timezone.
func TestBuildJoinsRows(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	d := decimal.RequireFromString
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	ptr := func(t time.Time) *time.Time { return &t }
	dp := func(s string) *decimal.Decimal { v := d(s); return &v }
	order := func(id, created string) Order {
		return Order{OrderID: id, PaymentStatus: "paid", Currency: "CNY", Goods: d("10"), Total: d("10"), Paid: d("10"),
			CreatedAt: at(created)}
	}
	src := rows{
		orders: []Order{
			order("A", "2026-10-31T15:59:59Z"), // 23:59:59 on Oct 31 in Shanghai: before the period
			order("B", "2026-10-31T16:00:00Z"), // 00:00 on Nov 1 in Shanghai
			order("C", "2026-11-02T08:00:00Z"), // shares B's transaction id, created later
			order("D", "2026-11-01T08:00:00Z"), // shares A's (created before the period), created later
			order("E", "2026-11-03T08:00:00Z"), // shares B's too, but a total mismatch comes first
			order("F", "2026-11-30T16:00:00Z"), // Dec 1 in Shanghai: after the period
		},
		payments: []Payment{
			{OrderID: "A", TransactionID: "T1"}, {OrderID: "B", TransactionID: "T2"}, {OrderID: "C", TransactionID: "T2"},
			{OrderID: "D", TransactionID: "T1"}, {OrderID: "E", TransactionID: "T2"}, {OrderID: "F"},
			{OrderID: "GONE", TransactionID: "T3"}, {OrderID: "B2", TransactionID: "T3"},
		},
		refunds: []Refund{
			{OrderID: "B", RefundID: "1", Currency: "CNY", Amount: dp("2"), RefundedAt: ptr(at("2026-11-05T00:00:00Z"))},
			{OrderID: "X", RefundID: "1", Currency: "CNY", Amount: dp("1.5"), RefundedAt: ptr(at("2026-11-05T00:00:00Z"))},
			{OrderID: "X", RefundID: "2", Currency: "CNY", RefundedAt: ptr(at("2026-11-06T00:00:00Z"))},
			{OrderID: "X", RefundID: "3", Currency: "CNY", Amount: dp("1"), RefundedAt: ptr(at("2026-12-06T00:00:00Z"))},
			{OrderID: "Y", RefundID: "1", Currency: "CNY", Amount: dp("9"), RefundedAt: ptr(at("2026-10-06T00:00:00Z"))},
			{OrderID: "B", RefundID: "2", Currency: "CNY", Amount: dp("9")},
		},
	}
	src.orders[4].Total = d("11")
	r, notes, err := Build(context.Background(), src, "job", []Shop{{Name: "s", Platform: "p", Location: shanghai}}, "2026-11-01", "2026-11-30")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range r.Exceptions {
		got = append(got, string(e.Kind)+" "+e.OrderID+" "+e.Detail)
	}
	want := []string{
		"refund_without_order X 1.5000 of refunds of an order that is not loaded",
		"total_mismatch E total 11.0000 ≠ goods 10.0000 + shipping 0.0000 + fee 0.0000 − discount 0.0000 = 10.0000",
		"duplicate_payment_txn C transaction_id T2 is also on order B, created earlier",
		"duplicate_payment_txn D transaction_id T1 is also on order A, created earlier",
	}
	if !slices.Equal(got, want) {
		t.Errorf("exceptions\n got %q\nwant %q", got, want)
	}
	var days []string
	for _, x := range r.Totals {
		days = append(days, x.Day)
	}
	if want := []string{"2026-11-01", "2026-11-02", "2026-11-03"}; !slices.Equal(days, want) {
		t.Errorf("totals on days %v, want %v (Shanghai's days)", days, want)
	}
	var refundDays []string
	for _, x := range r.RefundsByDay {
		refundDays = append(refundDays, x.Day+" "+x.Amount.StringFixed(4))
	}
	if want := []string{"2026-11-05 3.5000", "2026-11-06 0.0000"}; !slices.Equal(refundDays, want) {
		t.Errorf("refunds by day %v, want %v", refundDays, want)
	}
	if len(notes) != 1 {
		t.Errorf("notes %q, want one about the refund without a date", notes)
	}
}
