package pipeline_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/internal/testenv"
	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	_ "github.com/shopetl/shopetl/platform/all"
	"github.com/shopetl/shopetl/sim/fault"
	"github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/state"
	"github.com/shopetl/shopetl/table"
)

// newShop serves a simulated shoptima shop over real HTTP.
func newShop(t *testing.T, opts shoptima.Options) (*shoptima.Store, string) {
	t.Helper()
	st, err := shoptima.NewStore(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(st.Handler())
	t.Cleanup(srv.Close)
	return st, srv.URL
}

const jobTemplate = `version: 1
name: it
state: {backend: file, path: ./state}
defaults:
  start: 2020-01-01
  rate_limit: 1000/s
  retries: {max: 8, min_backoff: 1ms, max_backoff: 5ms}
  timeout: 5s
shops:
  - name: st
    platform: shoptima
    base_url: %s
    auth: {token: "${IT_TOKEN}"}
    currency: USD
sinks:
  parquet: {dir: ./parquet}
%s`

// TestRunLoadsEveryOrderOnceThroughFaults: with 5xx, 429 and truncated
// pages injected, one run loads exactly the simulator's orders, and a second
// run leaves the current rows unchanged.
func TestRunLoadsEveryOrderOnceThroughFaults(t *testing.T) {
	t.Setenv("IT_TOKEN", "s3cret-token")
	store, url := newShop(t, shoptima.Options{
		Orders: 700, Seed: 11, Token: "s3cret-token",
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 7, 1, 0, 0, 0, 0, time.UTC),
		Faults: fault.Options{Rate: 0.2, Kinds: []fault.Kind{fault.ServerError, fault.RateLimited, fault.RateLimitedRetry, fault.Truncated, fault.Malformed}},
	})
	dir := t.TempDir()
	extra := ""
	if os.Getenv("CLICKHOUSE_ADDR") != "" || testenv.CI() {
		addr, db := pipelinetest.ClickHouse(t) // dropped at the end
		extra = fmt.Sprintf("  clickhouse: {addr: [%q], database: %s}\n", addr, db)
	}
	spec := pipelinetest.Job(t, dir, fmt.Sprintf(jobTemplate, url, extra))

	for run := 1; run <= 2; run++ {
		// A fixed clock: the window's end is in the requests, and the
		// faults are drawn from a hash of the request, so with the real
		// clock some hours drew none (a flaky "nothing was retried").
		res := pipelinetest.Run(t, spec, pipeline.RunOptions{BatchRows: 128, Now: func() time.Time { return time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC) }})
		s := res.Shops[0]
		if s.Status != pipeline.ShopOK {
			t.Fatalf("run %d: shop failed: %v", run, s.Err)
		}
		if run == 1 && s.Retries == 0 {
			t.Fatalf("run 1: faults were on but nothing was retried")
		}
		got, err := parquet.CountLatest(spec.ResolvePath("./parquet"), table.Orders, "st")
		if err != nil {
			t.Fatal(err)
		}
		if got != store.Count() {
			t.Fatalf("run %d: parquet holds %d current orders, simulator has %d", run, got, store.Count())
		}
		if s.Quarantined != 0 {
			t.Fatalf("run %d: %d quarantined", run, s.Quarantined)
		}
	}
}

// TestWatermarkStaysWhenShopFails: a shop whose API keeps failing fails the
// run for that shop only and leaves its watermark where it was.
func TestWatermarkStaysWhenShopFails(t *testing.T) {
	t.Setenv("IT_TOKEN", "wrong")
	_, url := newShop(t, shoptima.Options{Orders: 10, Seed: 1, Token: "right"})
	dir := t.TempDir()
	spec := pipelinetest.Job(t, dir, fmt.Sprintf(jobTemplate, url, ""))
	res := pipelinetest.Run(t, spec, pipeline.RunOptions{})
	if res.Failed() != 1 {
		t.Fatalf("want the shop to fail on 401, got %+v", res.Shops[0])
	}
	if msg := res.Shops[0].Err.Error(); contains(msg, "wrong") {
		t.Fatalf("error leaks the token: %s", msg)
	}
	state, _ := state.NewFile(spec.ResolvePath("./state"), "it")
	if _, has, _ := state.Load(context.Background(), "st"); has {
		t.Fatal("a failed shop must not get a watermark")
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestSinkFailureSaysEachThingOnce: a Parquet write that fails mid-run (a
// file where a table's directory should be, which the up-front check of
// the sink's directory cannot see) fails the shop with an error that
// names the shop, the sink and the table once each, then the cause.
func TestSinkFailureSaysEachThingOnce(t *testing.T) {
	t.Setenv("IT_TOKEN", "s3cret-token")
	_, url := newShop(t, shoptima.Options{Orders: 20, Seed: 2, Token: "s3cret-token",
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)})
	dir := t.TempDir()
	spec := pipelinetest.Job(t, dir, fmt.Sprintf(jobTemplate, url, ""))
	blocker := spec.ResolvePath("./parquet/orders")
	if err := os.MkdirAll(spec.ResolvePath("./parquet"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	res := pipelinetest.Run(t, spec, pipeline.RunOptions{})
	if res.Failed() != 1 {
		t.Fatalf("want the shop to fail, got %+v", res.Shops[0])
	}
	msg := res.Shops[0].Err.Error()
	want := "shop st: sink parquet: table orders: mkdir " + blocker + ": not a directory"
	if msg != want {
		t.Fatalf("error\n  %s\nwant\n  %s", msg, want)
	}
}
