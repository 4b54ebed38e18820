package history

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/model"
)

func TestLaterObservationsLose(t *testing.T) {
	t.Parallel()
	first := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if Version(first) <= Version(first.Add(time.Nanosecond)) {
		t.Fatal("a later observation must get a lower version")
	}
}

func TestStateHashIsStable(t *testing.T) {
	t.Parallel()
	o := model.Order{Status: "paid", PaymentStatus: "partially_refunded", ShippingStatus: "unshipped", RefundStatus: "partial",
		PaidAmount: decimal.RequireFromString("22.54"), RefundedAmount: decimal.RequireFromString("1.5"),
		TotalAmount: decimal.RequireFromString("22.5400")}
	// Pinned: the hash is a key in stored tables, so it must never change
	// between builds or machines.
	const want = uint64(0xfb0d88344e736446)
	got := OrderState(&o)
	if got != want {
		t.Fatalf("OrderState = %#x, want %#x", got, want)
	}
	o2 := o
	o2.RefundedAmount = decimal.RequireFromString("1.5000") // same amount, other scale
	if OrderState(&o2) != got {
		t.Fatal("the same amount at another scale hashed differently")
	}
	o2.RefundStatus = "full"
	if OrderState(&o2) == got {
		t.Fatal("a changed axis hashed the same")
	}
	one := decimal.RequireFromString("1")
	if RefundState("full", nil) == RefundState("full", &one) || RefundState("full", &one) == RefundState("partial", &one) {
		t.Fatal("refund states collide")
	}
	// Pinned too: FNV-64a of "full\x001.0000\x00" and of "full\x00\x01null\x00".
	if got, got2 := RefundState("full", &one), RefundState("full", nil); got != 0x1bd75f735ff70bc9 || got2 != 0x65e4dae747e3ab66 {
		t.Fatalf("RefundState = %#x and %#x (nil), want 0x1bd75f735ff70bc9 and 0x65e4dae747e3ab66", got, got2)
	}
}

func TestFillRefundedAt(t *testing.T) {
	t.Parallel()
	ten := decimal.RequireFromString("10")
	five := decimal.RequireFromString("5")
	given := time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)
	seen1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	seen2 := seen1.Add(48 * time.Hour)
	m := model.Meta{Platform: "shoptima", Shop: "st"}
	refunds := []model.Refund{
		{Meta: m, OrderID: "a", RefundID: "order", Status: "full", Amount: &ten},
		{Meta: m, OrderID: "b", RefundID: "order", Status: "partial", Amount: &five, RefundedAt: &given},
		{Meta: m, OrderID: "c", RefundID: "order", Status: "partial", Amount: &five},
	}
	seen := []model.RefundObservation{
		// a was first seen partial at 5, then full at 10: its date is
		// when it became full, the earliest sighting of that state.
		Refund(&model.Refund{Meta: m, OrderID: "a", RefundID: "order", Status: "partial", Amount: &five}, seen1),
		Refund(&refunds[0], seen2.Add(time.Hour)),
		Refund(&refunds[0], seen2),
		Refund(&refunds[1], seen1),
	}
	FillRefundedAt(refunds, seen)
	if r := refunds[0].RefundedAt; r == nil || !r.Equal(seen2) {
		t.Errorf("a: refunded_at %v, want %v", r, seen2)
	}
	if r := refunds[1].RefundedAt; r == nil || !r.Equal(given) {
		t.Errorf("b: refunded_at %v, want the platform's %v", r, given)
	}
	if r := refunds[2].RefundedAt; r != nil {
		t.Errorf("c: never observed, refunded_at %v, want none", r)
	}
}
