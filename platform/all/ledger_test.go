package all

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/sim"
)

// ledger returns a new shop's ledger, failing when the shop has none.
func ledger(t *testing.T, p sim.Platform, o sim.Options) (sim.Shop, []sim.LedgerOrder) {
	t.Helper()
	shop, err := p.New(o)
	if err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
	l, ok := shop.(sim.Ledgered)
	if !ok {
		t.Fatalf("%s: the shop keeps no ledger", p.Name)
	}
	return shop, l.Ledger()
}

// Every platform's Ledger has one entry per order, sorted by unique order
// id, each with a UTC creation time in the shop's range and money that
// adds up (refunded and paid never negative); the same seed gives the same
// ledger, another seed another one. With Exceptions 3 some orders have
// refunds (but on ymcart, whose document has none).
func TestLedgerListsEveryOrderOnce(t *testing.T) {
	for _, p := range platform.Sims() {
		t.Run(p.Name, func(t *testing.T) {
			o := base
			o.Orders, o.Exceptions = 300, 3
			shop, got := ledger(t, p, o)
			if len(got) != shop.Count() || len(got) != o.Orders {
				t.Fatalf("%d ledger orders, the shop has %d, want %d", len(got), shop.Count(), o.Orders)
			}
			refunds := 0
			for i, l := range got {
				if i > 0 && strings.Compare(got[i-1].OrderID, l.OrderID) >= 0 {
					t.Errorf("order %d: id %q after %q: not sorted or not unique", i, l.OrderID, got[i-1].OrderID)
				}
				if l.Created.Location() != time.UTC || l.Created.Before(o.Start) || !l.Created.Before(o.End) {
					t.Errorf("%s: created %v, want UTC in [%v, %v)", l.OrderID, l.Created, o.Start, o.End)
				}
				if l.Paid.IsNegative() || l.Refunded.IsNegative() {
					t.Errorf("%s: paid %s refunded %s: negative", l.OrderID, l.Paid, l.Refunded)
				}
				refunds += len(l.Refunds)
			}
			if (refunds == 0) != (p.Name == "ymcart") {
				t.Errorf("%d refunds in the ledger", refunds)
			}
			if _, again := ledger(t, p, o); !reflect.DeepEqual(again, got) {
				t.Errorf("the same options gave another ledger")
			}
			o.Seed++
			if _, other := ledger(t, p, o); reflect.DeepEqual(other, got) {
				t.Errorf("seeds %d and %d gave the same ledger", o.Seed-1, o.Seed)
			}
		})
	}
}
