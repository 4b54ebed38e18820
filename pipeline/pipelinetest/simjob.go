package pipelinetest

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/sim"
)

// SimJob is one simulated shop of every platform, served over real HTTP,
// and a job that runs them all into a fresh ClickHouse database (and a
// Parquet directory, ./parquet beside the job, when asked).
type SimJob struct {
	Spec     *jobspec.Spec
	Shops    map[string]sim.Shop // by shop name, sim-<platform>
	Addr, DB string
	Since    string // RFC 3339: the job's start, before every order (a whole-range backfill)
}

// NewSimJob starts one shop of each platform with o, the i-th platform's
// seed o.Seed+i, their orders created over the 25 days up to an hour ago,
// and writes a job named name that reads them all fast, from a day before.
func NewSimJob(t testing.TB, name string, o sim.Options, withParquet bool) SimJob {
	t.Helper()
	addr, db := ClickHouse(t)
	now := time.Now().UTC()
	o.Start, o.End = now.AddDate(0, 0, -25), now.Add(-time.Hour)
	j := SimJob{Shops: map[string]sim.Shop{}, Addr: addr, DB: db, Since: now.AddDate(0, 0, -26).Format(time.RFC3339)}
	seed := o.Seed
	var shopsYAML strings.Builder
	for i, p := range platform.Sims() {
		o.Seed = seed + int64(i)
		shop, err := p.New(o)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(shop.Handler())
		t.Cleanup(srv.Close)
		shopsYAML.WriteString(p.Spec(srv.URL, ""))
		j.Shops["sim-"+p.Name] = shop
	}
	parquet := ""
	if withParquet {
		parquet = "  parquet: {dir: ./parquet}\n"
	}
	j.Spec = Job(t, t.TempDir(), fmt.Sprintf(`version: 1
name: %s
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
%s`, name, j.Since, shopsYAML.String(), addr, db, parquet))
	return j
}

// Run runs the job with opt; every shop must succeed with nothing
// quarantined.
func (j SimJob) Run(t testing.TB, opt pipeline.RunOptions) {
	t.Helper()
	res := Run(t, j.Spec, opt)
	RequireOK(t, res)
	for _, s := range res.Shops {
		if s.Quarantined != 0 {
			t.Errorf("%s: %d records quarantined, want none", s.Shop, s.Quarantined)
		}
	}
}
