package all

import (
	"slices"
	"testing"

	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/reconcile"
	"github.com/shopetl/shopetl/sim"
)

// possible is the table of sim's doc: the exception kinds each platform's
// API can show.
var possible = map[string][]reconcile.Kind{
	"shopex":   {reconcile.RefundFlagWithoutAmount, reconcile.StatusAmountMismatch, reconcile.PaidWithoutPaymentRecord, reconcile.TotalMismatch},
	"ymcart":   {reconcile.PaidWithoutPaymentRecord, reconcile.TotalMismatch, reconcile.DuplicatePaymentTxn},
	"shoptima": {reconcile.RefundExceedsPaid, reconcile.RefundFlagWithoutAmount, reconcile.StatusAmountMismatch, reconcile.TotalMismatch, reconcile.DuplicatePaymentTxn},
	"dage":     {reconcile.RefundFlagWithoutAmount, reconcile.TotalMismatch},
}

// exceptions returns the shop's ground truth, failing when the shop has none.
func exceptions(t *testing.T, p sim.Platform, o sim.Options) map[reconcile.Kind][]string {
	t.Helper()
	shop, err := p.New(o)
	if err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
	e, ok := shop.(sim.Exceptional)
	if !ok {
		t.Fatalf("%s: the shop does not list its exceptions", p.Name)
	}
	return e.Exceptions()
}

// Every platform lists exactly the kinds its API can show; with Exceptions
// 0 its generated orders are none of them (but on dage, where every
// refunded line is a refund without an amount), and with Exceptions n each
// kind has n more orders, no order two kinds, the same for the same seed.
func TestExceptionsInjectedPerKind(t *testing.T) {
	for _, p := range platform.Sims() {
		t.Run(p.Name, func(t *testing.T) {
			for _, seed := range []int64{1, 7, 42} {
				o := base
				o.Orders, o.Seed = 400, seed
				clean := exceptions(t, p, o)
				if got := sim.SortedKinds(clean); !slices.Equal(got, possible[p.Name]) {
					t.Fatalf("seed %d: kinds %v, want %v", seed, got, possible[p.Name])
				}
				o.Exceptions = 3
				got := exceptions(t, p, o)
				owner := map[string]reconcile.Kind{}
				for _, k := range possible[p.Name] {
					want := 3
					if p.Name == "dage" && k == reconcile.RefundFlagWithoutAmount {
						want += len(clean[k])
					} else if len(clean[k]) != 0 {
						t.Errorf("seed %d: %s without injection: %v", seed, k, clean[k])
					}
					if len(got[k]) != want {
						t.Errorf("seed %d: %s: %d orders %v, want %d", seed, k, len(got[k]), got[k], want)
					}
					if !slices.IsSorted(got[k]) {
						t.Errorf("seed %d: %s not sorted: %v", seed, k, got[k])
					}
					for _, id := range got[k] {
						if prev, dup := owner[id]; dup {
							t.Errorf("seed %d: order %s is both %s and %s", seed, id, prev, k)
						}
						owner[id] = k
					}
				}
				if again := exceptions(t, p, o); !mapsEqual(again, got) {
					t.Errorf("seed %d: the same options gave other exceptions", seed)
				}
			}
		})
	}
}

func mapsEqual(a, b map[reconcile.Kind][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}
