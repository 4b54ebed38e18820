package pipeline_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/sim"
	_ "github.com/shopetl/shopetl/sim/all"
)

// TestPagesGiveTheirBodiesBack: a run gives each page's body back once the
// page is loaded (extract.Page.Release), so that the next responses are
// read into it: new buffers are about the pages held at once, not one a
// page (issue 18: each new body cost the zeroing and page faults of its
// size). shopex is not asked: its pages are one order's detail each, a few
// KB, whose bodies its extractor does not hand over.
//
// Not parallel: the counts are the process's (extract.BodyReuse), and no
// parallel test runs beside a sequential one.
func TestPagesGiveTheirBodiesBack(t *testing.T) {
	start := time.Now().UTC().AddDate(0, 0, -20)
	for i, p := range sim.Platforms() {
		if p.Name == "shopex" {
			continue
		}
		t.Run(p.Name, func(t *testing.T) {
			shop, err := p.New(sim.Options{Orders: 600, Seed: 41 + int64(i), Start: start, End: time.Now().Add(-time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			url, answered := pipelinetest.CountingServer(t, shop.Handler())
			addr, db := pipelinetest.ClickHouse(t)
			spec := pipelinetest.Job(t, t.TempDir(), fmt.Sprintf(`version: 1
name: bodies
state: {backend: file, path: ./state}
defaults:
  start: %s
  rate_limit: 1000/s
  concurrency: 2
  retries: {max: 2, min_backoff: 1ms, max_backoff: 5ms}
shops:
%ssinks:
  clickhouse: {addr: [%q], database: %s}
`, start.AddDate(0, 0, -1).Format(time.RFC3339), p.Spec(url, ""), addr, db))
			spec.Shops[0].Options.PageSize = 10
			reused0, made0 := extract.BodyReuse()
			pipelinetest.RequireOK(t, pipelinetest.Run(t, spec, pipeline.RunOptions{}))
			reused1, made1 := extract.BodyReuse()
			reused, made := reused1-reused0, made1-made0
			t.Logf("%d requests: %d bodies read into a released page's, %d new", answered.Load(), reused, made)
			if reused+made < answered.Load()*9/10 {
				t.Fatalf("%d of %d responses read as bodies of an announced size, want them all", reused+made, answered.Load())
			}
			if made > reused/2 {
				t.Errorf("%d responses read into a new buffer and %d into a released one, want at least two reused for one new", made, reused)
			}
		})
	}
}
