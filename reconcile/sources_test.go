package reconcile_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	_ "github.com/shopetl/shopetl/platform/all"
	"github.com/shopetl/shopetl/reconcile"
	"github.com/shopetl/shopetl/sim"
)

// loadedShops is one simulated shop of each platform, with every
// exception kind its API can show injected 3 times, run into ClickHouse
// and Parquet by one job: a first run, a run over a window that overlaps
// it, and a backfill of the whole range, so every order is read three
// times and every refund re-read.
type loadedShops struct {
	pipelinetest.SimJob
	from, to string // the report's period: every order's day
	// firstRun is when the first run started and ended: refunds with no
	// platform time are dated by then (first observation).
	firstRun [2]time.Time
}

func loadShops(t *testing.T) loadedShops {
	t.Helper()
	j := pipelinetest.NewSimJob(t, "finance", sim.Options{Orders: 300, Seed: 170, Exceptions: 3}, true)
	now := time.Now().UTC()
	l := loadedShops{SimJob: j, from: now.AddDate(0, 0, -27).Format(reconcile.DayLayout),
		to: now.AddDate(0, 0, 1).Format(reconcile.DayLayout)}
	for i, opt := range []pipeline.RunOptions{{}, {Since: now.AddDate(0, 0, -12).Format(time.RFC3339)}, {Since: j.Since}} {
		if i == 0 {
			l.firstRun[0] = time.Now()
		}
		j.Run(t, opt)
		if i == 0 {
			l.firstRun[1] = time.Now()
		}
	}
	return l
}

func (l loadedShops) reconcileShops() []reconcile.Shop {
	var out []reconcile.Shop
	for _, s := range l.Spec.Shops {
		out = append(out, reconcile.Shop{Name: s.Name, Platform: s.Platform, Location: s.Options.Location})
	}
	return out
}

// report builds the report of every shop from one store.
func (l loadedShops) report(t *testing.T, source string) *reconcile.Report {
	t.Helper()
	ctx := context.Background()
	var src reconcile.Source
	var err error
	if source == "clickhouse" {
		src, err = reconcile.OpenClickHouse(ctx, pipeline.ClickHouseConfig(l.Spec))
	} else {
		src, err = reconcile.OpenParquet(l.Spec.ResolvePath(l.Spec.Sinks.Parquet.Dir))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	r, notes, err := reconcile.Build(ctx, src, l.Spec.Name, l.reconcileShops(), l.from, l.to)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) > 0 {
		t.Errorf("%s: notes %v, want none: every refund is dated", source, notes)
	}
	return r
}

// TestReportIsTheShopsOwnFromEitherStore: one job's shops of every
// platform, after overlapping runs and a backfill, read from ClickHouse
// and from Parquet.
func TestReportIsTheShopsOwnFromEitherStore(t *testing.T) {
	l := loadShops(t)
	t.Run("exceptions", func(t *testing.T) { exceptionsAreTheShopsOwn(t, l) })
	t.Run("totals", func(t *testing.T) { totalsAreTheShopsOwn(t, l) })
}

// exceptionsAreTheShopsOwn: the report of each store lists, for every
// shop and kind, exactly the orders the simulator's ground truth lists
// (sim.Exceptional), and both stores print the same bytes in every
// format.
func exceptionsAreTheShopsOwn(t *testing.T, l loadedShops) {
	reports := map[string]*reconcile.Report{"clickhouse": l.report(t, "clickhouse"), "parquet": l.report(t, "parquet")}
	for _, f := range append(reconcile.Formats, "html") {
		var out [2]bytes.Buffer
		for i, s := range []string{"clickhouse", "parquet"} {
			write := func() error { return reconcile.Write(&out[i], reports[s], f) }
			if f == "html" {
				write = func() error { return reconcile.WriteHTML(&out[i], reports[s]) }
			}
			if err := write(); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(out[0].Bytes(), out[1].Bytes()) {
			t.Errorf("%s: ClickHouse and Parquet print different reports:\n%s\n---\n%s", f, out[0].Bytes(), out[1].Bytes())
		}
	}
	r := reports["clickhouse"]
	for name, shop := range l.Shops {
		got := map[reconcile.Kind][]string{}
		for _, e := range r.Exceptions {
			if e.Shop == name {
				got[e.Kind] = append(got[e.Kind], e.OrderID)
			}
		}
		truth := shop.(sim.Exceptional).Exceptions()
		n := 0
		for _, kind := range reconcile.Kinds {
			n += len(truth[kind])
			if !slices.Equal(got[kind], truth[kind]) && len(got[kind])+len(truth[kind]) > 0 {
				t.Errorf("%s %s: the report lists %v, the shop has %v", name, kind, got[kind], truth[kind])
			}
		}
		if n < 3*len(truth) {
			t.Errorf("%s: %d exceptions in the ground truth of %d kinds, want at least 3 each", name, n, len(truth))
		}
	}
}

// totalsAreTheShopsOwn: the report's totals per shop, currency and day,
// and its refunds by day, equal those worked out independently from each
// simulator's state (sim.Ledgered), to the last digit, for all four
// platforms, from either store.
func totalsAreTheShopsOwn(t *testing.T, l loadedShops) {
	for _, s := range l.Spec.Shops {
		if loc := s.Options.Location; l.firstRun[0].In(loc).YearDay() != l.firstRun[1].In(loc).YearDay() {
			t.Skipf("the first run crossed midnight in %s: refunds first observed then have no one day", loc)
		}
	}
	for _, source := range []string{"clickhouse", "parquet"} {
		r := l.report(t, source)
		for _, s := range l.Spec.Shops {
			wantT, wantR := l.ledgerTotals(s)
			gotT, gotR := map[string]string{}, map[string]string{}
			for _, x := range r.Totals {
				if x.Shop == s.Name {
					gotT[x.Currency+" "+x.Day] = fmt.Sprintf("%d %s %s %s %s", x.Orders, x.GrossPaid.StringFixed(4),
						x.Refunded.StringFixed(4), x.Net.StringFixed(4), rate(x.Refunded, x.GrossPaid))
				}
			}
			for _, x := range r.RefundsByDay {
				if x.Shop == s.Name {
					gotR[x.Currency+" "+x.Day] = fmt.Sprintf("%d %s", x.Refunds, x.Amount.StringFixed(4))
				}
			}
			if len(wantT) == 0 || len(wantR) == 0 && s.Platform != "ymcart" {
				t.Fatalf("%s: the ledger has %d days of orders and %d of refunds", s.Name, len(wantT), len(wantR))
			}
			compareDays(t, source+" "+s.Name+" totals", gotT, wantT)
			compareDays(t, source+" "+s.Name+" refunds by day", gotR, wantR)
		}
	}
}

func rate(refunded, paid decimal.Decimal) string {
	if paid.IsZero() {
		return "-"
	}
	return refunded.DivRound(paid, 4).StringFixed(4)
}

func compareDays(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s %s: the report says %q, the shop %q", what, k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s %s: the report says %q, the shop has nothing", what, k, g)
		}
	}
}

// ledgerTotals works out a shop's totals and refunds by day from its
// ledger, keyed "currency day", as the report formats them: orders,
// gross paid, refunded, net, rate; refunds, amount.
func (l loadedShops) ledgerTotals(s jobspec.Shop) (totals, refunds map[string]string) {
	type sums struct {
		n                  int
		paid, refunded, rf decimal.Decimal
	}
	day := func(at time.Time) string { return at.In(s.Options.Location).Format(reconcile.DayLayout) }
	observed := day(l.firstRun[0]) // the day of first observation, of refunds without a time
	byDay, byRefundDay := map[string]*sums{}, map[string]*sums{}
	add := func(m map[string]*sums, k string) *sums {
		if m[k] == nil {
			m[k] = &sums{}
		}
		return m[k]
	}
	for _, o := range l.Shops[s.Name].(sim.Ledgered).Ledger() {
		cur := o.Currency
		if cur == "" {
			cur = s.Currency
		}
		x := add(byDay, cur+" "+day(o.Created))
		x.n++
		x.paid, x.refunded = x.paid.Add(o.Paid), x.refunded.Add(o.Refunded)
		for _, f := range o.Refunds {
			d := observed
			if f.At != nil {
				d = day(*f.At)
			}
			y := add(byRefundDay, cur+" "+d)
			y.n++
			if f.Amount != nil {
				y.rf = y.rf.Add(*f.Amount)
			}
		}
	}
	totals, refunds = map[string]string{}, map[string]string{}
	for k, x := range byDay {
		totals[k] = fmt.Sprintf("%d %s %s %s %s", x.n, x.paid.StringFixed(4), x.refunded.StringFixed(4),
			x.paid.Sub(x.refunded).StringFixed(4), rate(x.refunded, x.paid))
	}
	for k, y := range byRefundDay {
		refunds[k] = fmt.Sprintf("%d %s", y.n, y.rf.StringFixed(4))
	}
	return totals, refunds
}
