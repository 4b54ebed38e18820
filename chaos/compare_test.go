package chaos_test

import (
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
	got, doubled := pipelinetest.ReadLedger(t, src, shop)
	m := pipelinetest.CompareLedger(want, got, currency)
	tl := tally{orders: len(want), lost: len(m.Lost), extra: len(m.Extra), doubled: doubled, money: len(m.Money)}
	note := func(s string) {
		if len(tl.examples) < 3 {
			tl.examples = append(tl.examples, src.Name()+" "+shop.Name+": "+s)
		}
	}
	for _, id := range m.Lost {
		note(id + ": lost")
	}
	for _, d := range m.Money {
		note(d[0])
	}
	for _, id := range m.Extra {
		note(id + ": loaded, not in the shop")
	}
	return tl
}
