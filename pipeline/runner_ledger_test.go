package pipeline_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/reconcile"
	"github.com/shopetl/shopetl/sim"
	"github.com/shopetl/shopetl/sim/dage"
	"github.com/shopetl/shopetl/sim/shopex"
	"github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/sim/ymcart"
)

// TestLoadedMoneyIsTheShopsLedger: one simulated shop of each platform,
// with Exceptions 3 beside the generator's refunds, unpaid and cancelled
// orders, is run into ClickHouse. For every order the current row (orders
// FINAL) and its refunds (refunds_latest) are exactly what the shop's own
// ledger (sim.Ledgered) says shopetl must load: the same order ids;
// created_at, currency (the shop's configured one where the platform
// states none), paid_amount and refunded_amount to the last digit; one
// refunds row per ledger refund with its amount, refunded_at the
// platform's own time where it gives one and set otherwise. Then every
// shop changes (a refund, a payment of an older order) and a later run
// must load the shops' new ledgers alike. A reconcile report's totals sum
// exactly these columns, so they equal the shops' own totals.
func TestLoadedMoneyIsTheShopsLedger(t *testing.T) {
	j := pipelinetest.NewSimJob(t, "ledger", sim.Options{Orders: 300, Seed: 90, Exceptions: 3}, false)
	j.Run(t, pipeline.RunOptions{})
	before := checkLedgers(t, j)

	for name, shop := range j.Shops {
		change(t, shop)
		if now := shop.(sim.Ledgered).Ledger(); reflect.DeepEqual(now, before[name]) {
			t.Fatalf("%s: the changes left the shop's ledger as it was", name)
		}
	}
	// The next scheduled run, after the changes (a run's window ends a
	// safety lag before its now).
	later := time.Now().Add(5 * time.Minute)
	j.Run(t, pipeline.RunOptions{Now: func() time.Time { return later }})
	checkLedgers(t, j)
}

// checkLedgers compares every shop of j's loaded orders and refunds with its
// ledger, reporting at most a few differences per shop, and returns the
// ledgers by shop.
func checkLedgers(t *testing.T, j pipelinetest.SimJob) map[string][]sim.LedgerOrder {
	t.Helper()
	src, err := reconcile.OpenClickHouse(context.Background(), pipeline.ClickHouseConfig(j.Spec))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	out := map[string][]sim.LedgerOrder{}
	for _, sh := range j.Spec.Shops {
		want := j.Shops[sh.Name].(sim.Ledgered).Ledger()
		out[sh.Name] = want
		got, doubled := pipelinetest.ReadLedger(t, src, reconcile.Shop{Name: sh.Name, Platform: sh.Platform, Location: sh.Options.Location})
		if doubled > 0 {
			t.Errorf("%s: %d orders have two current rows", sh.Name, doubled)
		}
		m := pipelinetest.CompareLedger(want, got, sh.Currency)
		var diffs []string
		for _, id := range m.Lost {
			diffs = append(diffs, id+": not loaded")
		}
		for _, d := range m.Money {
			diffs = append(diffs, d...)
		}
		for _, id := range m.Extra {
			diffs = append(diffs, id+": loaded, not in the shop's ledger")
		}
		refunds := 0
		for _, w := range want {
			refunds += len(w.Refunds)
		}
		slices.Sort(diffs)
		for i, d := range diffs {
			if i == 8 {
				t.Errorf("%s: ... %d differences in all", sh.Name, len(diffs))
				break
			}
			t.Errorf("%s: %s", sh.Name, d)
		}
		t.Logf("%s: %d orders, %d refunds as the ledger says", sh.Name, len(want), refunds)
	}
	return out
}

// change makes a shop's money move after the first run: a refund of an
// older paid order, and a payment of an older unpaid one where the
// platform can take one, each through the simulator's own state machine.
func change(t *testing.T, shop sim.Shop) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	switch s := shop.(type) {
	case *shopex.Store:
		refund, pay := first(t, s.OrderIDs(), func(id string) bool {
			o, _ := s.Snapshot(id)
			return o.Status == "active" && o.PayStatus == 1 && !o.COD
		}), first(t, s.OrderIDs(), func(id string) bool {
			o, _ := s.Snapshot(id)
			return o.Status == "active" && o.PayStatus == 0 && !o.COD
		})
		r, _ := s.Snapshot(refund)
		must(s.Refund(refund, r.PaidFee.Div(decimal.NewFromInt(3)).Round(2)))
		p, _ := s.Snapshot(pay)
		must(s.Pay(pay, p.TotalFee))
	case *ymcart.Store:
		must(s.SetStatus(first(t, s.OrderIDs(), func(id string) bool {
			o, _ := s.Snapshot(id)
			return o.PaymentStatus == 100 && o.OrderStatus < 200
		}), 200))
	case *shoptima.Store:
		paid := func(id string) bool { o, _ := s.Snapshot(id); return o.Status == 1 && o.IsRefund == 0 }
		must(s.Refund(first(t, s.OrderNums(), paid), 2, "1.50"))
		must(s.Refund(first(t, s.OrderNums(), paid), 1, "2.00")) // in progress: not refunded yet
	case *dage.Store:
		var o dage.Order
		first(t, s.OrderIDs(), func(id string) bool {
			o, _ = s.Snapshot(id)
			return o.Status == 1 && o.OrderType == 1 && o.Lines[0].BackID == 0
		})
		back, err := s.ApplyRefund(dage.RefundRequest{BuyerID: o.MemberID, LineID: o.Lines[0].ID, Amount: decimal.New(1, -2)})
		must(err)
		must(s.AgreeRefund(back, o.SupplierID, 0))
		first(t, s.OrderIDs(), func(id string) bool { o, _ = s.Snapshot(id); return o.Status == 0 })
		must(s.Pay(o.ID, o.MemberID, o.OrderMoney.Sub(o.Discount).Add(o.ShippingCosts)))
	default:
		t.Fatalf("no change written for %T", shop)
	}
}

// first returns the first id that passes ok, failing the test when none does.
func first(t *testing.T, ids []string, ok func(string) bool) string {
	t.Helper()
	if i := slices.IndexFunc(ids, ok); i >= 0 {
		return ids[i]
	}
	t.Fatal("no order fits the change")
	return ""
}
