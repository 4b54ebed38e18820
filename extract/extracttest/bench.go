// Package extracttest holds what the extractors' benchmarks share: a
// simulated shop's response read without a network, and the loop that
// decodes a page and transforms its records, as a run does (issue 18).
package extracttest

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/transform"
)

// Serve returns the body a handler answers req with; anything but 200
// fails the benchmark.
func Serve(tb testing.TB, h http.Handler, req *http.Request) []byte {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("%s %s: %d %s", req.Method, req.URL, rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes()
}

// BenchPage measures decode on each body and the platform's transform on
// every record it yields, allocations reported. It fails when a record
// does not transform (the simulators send none such unless asked) or a
// body yields none, and reports records/op.
func BenchPage(b *testing.B, platform string, tf transform.Func, currency string, bodies [][]byte, decode func(body []byte) ([]extract.Raw, error)) {
	b.Helper()
	c := &transform.Context{
		Meta:     model.Meta{Platform: platform, Shop: "bench", RunID: "bench", Version: 1},
		Currency: currency, Location: time.UTC,
	}
	size, records := 0, 0
	for _, body := range bodies {
		size += len(body)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		records = 0
		for _, body := range bodies {
			raws, err := decode(body)
			if err != nil {
				b.Fatal(err)
			}
			if len(raws) == 0 {
				b.Fatal("a page without records")
			}
			for _, r := range raws {
				if _, err := tf(c, r); err != nil {
					b.Fatalf("%s: %v", r.Body, err)
				}
			}
			records += len(raws)
		}
	}
	b.ReportMetric(float64(records), "records/op")
}
