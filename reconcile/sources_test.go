package reconcile_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/shopetl/shopetl/extract/all"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/reconcile"
	"github.com/shopetl/shopetl/sim"
	_ "github.com/shopetl/shopetl/sim/all"
)

// loadedShops is one simulated shop of each platform, with every
// exception kind its API can show injected 3 times, run into ClickHouse
// and Parquet by one job: a first run, a run over a window that overlaps
// it, and a backfill of the whole range, so every order is read three
// times and every refund re-read.
type loadedShops struct {
	spec     *pipeline.Spec
	shops    map[string]sim.Shop // by job shop name
	from, to string              // the report's period: every order's day
}

func loadShops(t *testing.T) loadedShops {
	t.Helper()
	addr, db := pipelinetest.ClickHouse(t)
	now := time.Now().UTC()
	start, end := now.AddDate(0, 0, -25), now.Add(-time.Hour)
	l := loadedShops{shops: map[string]sim.Shop{},
		from: start.AddDate(0, 0, -1).Format(reconcile.DayLayout), to: now.AddDate(0, 0, 1).Format(reconcile.DayLayout)}
	var shopsYAML strings.Builder
	for i, p := range sim.Platforms() {
		shop, err := p.New(sim.Options{Orders: 300, Seed: int64(170 + i), Start: start, End: end, Exceptions: 3})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(shop.Handler())
		t.Cleanup(srv.Close)
		shopsYAML.WriteString(p.Spec(srv.URL, ""))
		l.shops["sim-"+p.Name] = shop
	}
	dir := t.TempDir()
	l.spec = pipelinetest.Job(t, dir, fmt.Sprintf(`version: 1
name: finance
state: {backend: file, path: ./state}
defaults:
  start: %s
  rate_limit: 1000/s
  concurrency: 4
  retries: {max: 8, min_backoff: 1ms, max_backoff: 5ms}
  timeout: 5s
shops:
%ssinks:
  clickhouse: {addr: [%q], database: %s}
  parquet: {dir: ./parquet}
`, start.AddDate(0, 0, -1).Format(time.RFC3339), shopsYAML.String(), addr, db))
	for _, opt := range []pipeline.RunOptions{{}, {Since: now.AddDate(0, 0, -12).Format(time.RFC3339)},
		{Since: start.AddDate(0, 0, -1).Format(time.RFC3339)}} {
		pipelinetest.RequireOK(t, pipelinetest.Run(t, l.spec, opt))
	}
	return l
}

func (l loadedShops) reconcileShops() []reconcile.Shop {
	var out []reconcile.Shop
	for _, s := range l.spec.Shops {
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
		src, err = reconcile.OpenClickHouse(ctx, pipeline.ClickHouseConfig(l.spec))
	} else {
		src, err = reconcile.OpenParquet(l.spec.ResolvePath(l.spec.Sinks.Parquet.Dir))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	r, notes, err := reconcile.Build(ctx, src, l.spec.Name, l.reconcileShops(), l.from, l.to)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) > 0 {
		t.Errorf("%s: notes %v, want none: every refund is dated", source, notes)
	}
	return r
}

// TestReportListsExactlyTheShopsExceptionsFromEitherStore: after
// overlapping runs and a backfill, the report of each store lists, for
// every shop and kind, exactly the orders the simulator's ground truth
// lists (sim.Exceptional), and both stores print the same bytes in every
// format.
func TestReportListsExactlyTheShopsExceptionsFromEitherStore(t *testing.T) {
	l := loadShops(t)
	reports := map[string]*reconcile.Report{"clickhouse": l.report(t, "clickhouse"), "parquet": l.report(t, "parquet")}
	for _, f := range reconcile.Formats {
		var out [2]bytes.Buffer
		for i, s := range []string{"clickhouse", "parquet"} {
			if err := reconcile.Write(&out[i], reports[s], f); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(out[0].Bytes(), out[1].Bytes()) {
			t.Errorf("%s: ClickHouse and Parquet print different reports:\n%s\n---\n%s", f, out[0].Bytes(), out[1].Bytes())
		}
	}
	r := reports["clickhouse"]
	for name, shop := range l.shops {
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
