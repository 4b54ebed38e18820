package chaos_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/reconcile"
	"github.com/shopetl/shopetl/sim"
)

// tally is what one sink holds against the shops' own ledgers.
type tally struct {
	orders, lost, extra, doubled, money int
	examples                            []string // a few differences, for the log
}

func (a *tally) add(b tally) {
	a.orders += b.orders
	a.lost += b.lost
	a.extra += b.extra
	a.doubled += b.doubled
	a.money += b.money
	if len(a.examples) < 6 {
		a.examples = append(a.examples, b.examples...)
	}
}

func (a tally) clean() bool { return a.lost+a.extra+a.doubled+a.money == 0 }

// compare reads one shop's current orders and refunds from src and
// compares them with the shop's ledger: lost (in the ledger, not loaded),
// extra (loaded, not in the ledger), doubled (an order read twice as
// current) and money (any amount, date, currency or refund that differs).
func compare(t *testing.T, src reconcile.Source, shop reconcile.Shop, currency string, want []sim.LedgerOrder) tally {
	t.Helper()
	ctx := context.Background()
	got := map[string]sim.LedgerOrder{}
	var tl tally
	err := src.Orders(ctx, shop, func(o reconcile.Order) error {
		if _, dup := got[o.OrderID]; dup {
			tl.doubled++
			return nil
		}
		got[o.OrderID] = sim.LedgerOrder{OrderID: o.OrderID, Created: o.CreatedAt, Currency: o.Currency, Paid: o.Paid, Refunded: o.Refunded}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %s orders: %v", src.Name(), shop.Name, err)
	}
	err = src.Refunds(ctx, shop, func(r reconcile.Refund) error {
		o := got[r.OrderID]
		o.OrderID = r.OrderID
		o.Refunds = append(o.Refunds, sim.LedgerRefund{RefundID: r.RefundID, Amount: r.Amount, At: r.RefundedAt})
		got[r.OrderID] = o
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %s refunds: %v", src.Name(), shop.Name, err)
	}
	for id, o := range got {
		slices.SortFunc(o.Refunds, func(a, b sim.LedgerRefund) int { return strings.Compare(a.RefundID, b.RefundID) })
		got[id] = o
	}
	tl.orders = len(want)
	note := func(s string) {
		if len(tl.examples) < 3 {
			tl.examples = append(tl.examples, src.Name()+" "+shop.Name+": "+s)
		}
	}
	for _, w := range want {
		if w.Currency == "" {
			w.Currency = currency
		}
		g, ok := got[w.OrderID]
		delete(got, w.OrderID)
		if !ok {
			tl.lost++
			note(w.OrderID + ": lost")
			continue
		}
		if d := pipelinetest.LedgerDiffs(w, g); len(d) > 0 {
			tl.money++
			note(d[0])
		}
	}
	for id := range got {
		tl.extra++
		note(id + ": loaded, not in the shop")
	}
	return tl
}
