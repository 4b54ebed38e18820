package pipelinetest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/sim/fault"
)

// ContractFaults is the fault mix of the extractors' contract tests (issue
// 4): transient failures on a third of the list requests, and drift three
// times over (about 3 of 8 faults, so it surely fires) while drifting holds.
func ContractFaults(seed int64, drifting *atomic.Bool) fault.Options {
	return fault.Options{Rate: 0.35, Seed: seed, Latency: time.Millisecond,
		Kinds: []fault.Kind{fault.ServerError, fault.RateLimitedRetry, fault.Truncated, fault.Malformed,
			fault.Drift, fault.Drift, fault.Drift, fault.Duplicate},
		Allow: func(k fault.Kind) bool { return k != fault.Drift || drifting.Load() }}
}

// Shop is the one shop of a contract test's job.
type Shop struct {
	Name, Platform, BaseURL, Currency string
	Timezone                          string // "" for none
	TokenEnv                          string // the variable auth.token reads; "" for no token
	PageSize                          int
	Start                             time.Time
}

// ContractJob writes and loads the job of a contract test: one shop, small
// pages, fast retries, ClickHouse at addr in database.
func ContractJob(t testing.TB, s Shop, addr, database string) *jobspec.Spec {
	t.Helper()
	shop := fmt.Sprintf("  - name: %s\n    platform: %s\n    base_url: %s\n    currency: %s\n", s.Name, s.Platform, s.BaseURL, s.Currency)
	if s.Timezone != "" {
		shop += fmt.Sprintf("    timezone: %s\n", s.Timezone)
	}
	if s.TokenEnv != "" {
		shop += fmt.Sprintf("    auth: {token: \"${%s}\"}\n", s.TokenEnv)
	}
	return Job(t, t.TempDir(), fmt.Sprintf(`version: 1
name: it
state: {backend: file, path: ./state}
defaults:
  start: %s
  rate_limit: 1000/s
  concurrency: 4
  retries: {max: 10, min_backoff: 1ms, max_backoff: 5ms}
  timeout: 5s
  page_size: %d
shops:
%ssinks:
  clickhouse: {addr: [%q], database: %s}
`, s.Start.Format(time.RFC3339), s.PageSize, shop, addr, database))
}

// RunWhileDrifting runs the job until the shop's drift fault has fired
// (faults returns the shop's counts), at most five times, each run
// succeeding: which requests fail is drawn from each request, whose times
// follow the clock, and a first run reads each page once, so one run may
// meet no drift.
func RunWhileDrifting(t testing.TB, spec *jobspec.Spec, faults func() map[fault.Kind]int) {
	t.Helper()
	for runs := 1; ; runs++ {
		RequireOK(t, Run(t, spec, pipeline.RunOptions{}))
		if faults()[fault.Drift] > 0 {
			return
		}
		if runs == 5 {
			t.Fatalf("no drift fired in %d runs: %v", runs, faults())
		}
	}
}
