package pipeline_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/platform"
	_ "github.com/shopetl/shopetl/platform/all"
	"github.com/shopetl/shopetl/sim"
)

// TestRequestsNearTheMinimum counts the requests each platform's
// simulator answers for a first run, a backfill and an incremental run
// with nothing changed since the last (issue 18): each at most 1.2× the
// fewest the run's windows need (pipelinetest.MinRequests). A first run
// or a backfill that reads a page twice (a pay-time or act_time scan
// listing again the orders its creation scan read) is about 2× over.
func TestRequestsNearTheMinimum(t *testing.T) {
	const (
		rescan, refundRescan = 30 * 24 * time.Hour, 90 * 24 * time.Hour
		lookback, lag        = 15 * time.Minute, time.Minute
	)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC)
	since, until := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 5, 11, 0, 0, 0, 0, time.UTC)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range platform.Sims() {
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			shop, err := p.New(sim.Options{Orders: 1500, Seed: 31 + int64(i), Start: start, End: now.Add(-time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			url, answered := pipelinetest.CountingServer(t, shop.Handler())
			addr, db := pipelinetest.ClickHouse(t)
			spec := pipelinetest.Job(t, t.TempDir(), fmt.Sprintf(`version: 1
name: requests
state: {backend: file, path: ./state}
defaults:
  start: %s
  rate_limit: 1000/s
  retries: {max: 2, min_backoff: 1ms, max_backoff: 5ms}
  lookback: 15m
  safety_lag: 1m
  rescan: 30d
  refund_rescan: 90d
shops:
%ssinks:
  clickhouse: {addr: [%q], database: %s}
`, start.Format(time.RFC3339), p.Spec(url, ""), addr, db))
			n := pipelinetest.Needs{PageSize: spec.Shops[0].Options.PageSize, Rescan: rescan, RefundRescan: refundRescan, Location: shanghai}
			// run runs the job and checks its requests against the
			// minimum of the window w it must have read.
			run := func(name string, at time.Time, opt pipeline.RunOptions, w extract.Window) {
				t.Helper()
				answered.Store(0)
				opt.Now = func() time.Time { return at }
				pipelinetest.RequireOK(t, pipelinetest.Run(t, spec, opt))
				got, least := answered.Load(), pipelinetest.MinRequests(t, p.Name, shop, w, n)
				t.Logf("%s %s: %d requests, minimum %d", p.Name, name, got, least)
				if float64(got) > 1.2*float64(least) {
					t.Errorf("%s %s: %d requests, more than 1.2× the minimum %d", p.Name, name, got, least)
				}
			}
			to := now.Add(-lag)
			run("first run", now, pipeline.RunOptions{}, extract.Window{From: start, To: to, First: true})
			later := now.Add(10 * time.Minute)
			run("no-op incremental run", later, pipeline.RunOptions{}, extract.Window{From: to.Add(-lookback), To: later.Add(-lag)})
			run("backfill", later, pipeline.RunOptions{Since: since.Format(time.RFC3339), Until: until.Format(time.RFC3339)},
				extract.Window{From: since, To: until, ByCreation: true, ScanTo: later.Add(-lag)})
		})
	}
}
