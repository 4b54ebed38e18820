package pipelinetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/shopetl/shopetl/reconcile"
	"github.com/shopetl/shopetl/sim"
	"github.com/shopspring/decimal"
)

// LedgerMismatch is what a store holds against a shop's ledger.
type LedgerMismatch struct {
	Lost  []string            // order ids in the ledger, not loaded
	Extra []string            // order ids loaded, not in the ledger
	Money map[string][]string // order id → how its row or refunds differ (LedgerDiffs)
}

// CompareLedger compares a shop's ledger (want) with what a store holds
// (got, as ReadLedger reads it); currency is the shop's configured one,
// which applies where the ledger states none. got is left as it was.
func CompareLedger(want []sim.LedgerOrder, got map[string]sim.LedgerOrder, currency string) LedgerMismatch {
	m := LedgerMismatch{Money: map[string][]string{}}
	seen := map[string]bool{}
	for _, w := range want {
		if w.Currency == "" {
			w.Currency = currency
		}
		seen[w.OrderID] = true
		g, ok := got[w.OrderID]
		if !ok {
			m.Lost = append(m.Lost, w.OrderID)
			continue
		}
		if d := LedgerDiffs(w, g); len(d) > 0 {
			m.Money[w.OrderID] = d
		}
	}
	for id := range got {
		if !seen[id] {
			m.Extra = append(m.Extra, id)
		}
	}
	slices.Sort(m.Lost)
	slices.Sort(m.Extra)
	return m
}

// LedgerDiffs compares one order's loaded row and refunds (got, its
// refunded_at in At, nil for null) with its ledger entry (want).
func LedgerDiffs(want, got sim.LedgerOrder) []string {
	var d []string
	add := func(field string, w, g any) {
		d = append(d, fmt.Sprintf("%s: %s loaded %v, the shop says %v", want.OrderID, field, g, w))
	}
	if !got.Created.Equal(want.Created) {
		add("created_at", want.Created, got.Created)
	}
	if got.Currency != want.Currency {
		add("currency", want.Currency, got.Currency)
	}
	if !got.Paid.Equal(want.Paid) {
		add("paid_amount", want.Paid, got.Paid)
	}
	if !got.Refunded.Equal(want.Refunded) {
		add("refunded_amount", want.Refunded, got.Refunded)
	}
	if len(got.Refunds) != len(want.Refunds) {
		add("refunds", refundIDs(want.Refunds), refundIDs(got.Refunds))
		return d
	}
	for i, w := range want.Refunds {
		g := got.Refunds[i]
		switch {
		case g.RefundID != w.RefundID:
			add("refunds", refundIDs(want.Refunds), refundIDs(got.Refunds))
		case (g.Amount == nil) != (w.Amount == nil) || w.Amount != nil && !g.Amount.Equal(*w.Amount):
			add("refund "+w.RefundID+" amount", orNone(w.Amount), orNone(g.Amount))
		case g.At == nil:
			add("refund "+w.RefundID+" refunded_at", "a time", "null")
		case w.At != nil && !g.At.Equal(*w.At):
			add("refund "+w.RefundID+" refunded_at", *w.At, *g.At)
		}
	}
	return d
}

func refundIDs(rs []sim.LedgerRefund) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.RefundID
	}
	return out
}

func orNone(d *decimal.Decimal) string {
	if d == nil {
		return "none"
	}
	return d.String()
}

// ReadLedger reads one shop's current orders and refunds from src (as
// reconcile reads them: orders FINAL and refunds_latest, or the Parquet
// files' current rows) into ledger entries by order id, the refunds
// sorted by id; doubled counts an order id read again as current.
func ReadLedger(t testing.TB, src reconcile.Source, shop reconcile.Shop) (orders map[string]sim.LedgerOrder, doubled int) {
	t.Helper()
	ctx := context.Background()
	out := map[string]sim.LedgerOrder{}
	err := src.Orders(ctx, shop, func(o reconcile.Order) error {
		if _, dup := out[o.OrderID]; dup {
			doubled++ // one current row per key: never, unless the store is broken
			return nil
		}
		out[o.OrderID] = sim.LedgerOrder{OrderID: o.OrderID, Created: o.CreatedAt, Currency: o.Currency, Paid: o.Paid, Refunded: o.Refunded}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %s orders: %v", src.Name(), shop.Name, err)
	}
	err = src.Refunds(ctx, shop, func(r reconcile.Refund) error {
		o := out[r.OrderID] // a refund of an order not loaded shows as that order's difference
		o.OrderID = r.OrderID
		o.Refunds = append(o.Refunds, sim.LedgerRefund{RefundID: r.RefundID, Amount: r.Amount, At: r.RefundedAt})
		out[r.OrderID] = o
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %s refunds: %v", src.Name(), shop.Name, err)
	}
	for id, o := range out {
		slices.SortFunc(o.Refunds, func(a, b sim.LedgerRefund) int { return strings.Compare(a.RefundID, b.RefundID) })
		out[id] = o
	}
	return out, doubled
}
