package pipeline_test

import (
	"testing"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/sim"
)

// TestPagesGiveTheirBodiesBack: a run gives each page's body back once the
// page is loaded (extract.Page.Release), so that the next responses are
// read into it: new buffers are about the pages held at once, not one a
// page (issue 18: each new body cost the zeroing and page faults of its
// size). shopex is not asked: its pages are one order's detail each, a few
// KB, whose bodies its extractor does not hand over.
//
// The pages held at once (in flight, queued, being batched) are new
// buffers however the run goes; they grow with the CPUs (14 to 21 seen).
// 200 pages keep the reused ones well above twice that.
//
// Not parallel: the counts are the process's (extract.BodyReuse), and no
// parallel test runs beside a sequential one.
func TestPagesGiveTheirBodiesBack(t *testing.T) {
	j := pipelinetest.NewSimJob(t, "bodies", sim.Options{Orders: 2000, Seed: 41}, false)
	for _, shop := range j.Spec.Shops {
		if shop.Platform == "shopex" {
			continue
		}
		t.Run(shop.Platform, func(t *testing.T) {
			shop.Options.PageSize = 10 // pages of about 20 KB, 200 a scan
			j.Spec.Shops = []jobspec.Shop{shop}
			reused0, made0 := extract.BodyReuse()
			res := pipelinetest.Run(t, j.Spec, pipeline.RunOptions{})
			pipelinetest.RequireOK(t, res)
			reused1, made1 := extract.BodyReuse()
			reused, made, pages := reused1-reused0, made1-made0, res.Shops[0].Pages
			t.Logf("%d pages: %d bodies read into a released page's, %d new", pages, reused, made)
			if reused+made < pages*9/10 {
				t.Fatalf("%d of %d responses read as bodies of an announced size, want them all", reused+made, pages)
			}
			if made > reused/2 {
				t.Errorf("%d responses read into a new buffer and %d into a released one, want at least two reused for one new", made, reused)
			}
		})
	}
}
