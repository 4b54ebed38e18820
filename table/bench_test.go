package table_test

import (
	"testing"

	"github.com/shopetl/shopetl/extract/extracttest"
)

// BenchmarkBuild batches the records of a 2,400-order shoptima shop that
// list without is_refund (2,221: orders, lines, refunds, payments,
// shipments) into Arrow, as the pipeline does before a flush.
func BenchmarkBuild(b *testing.B) {
	recs := extracttest.Records(b, 2400)
	b.ReportAllocs()
	for b.Loop() {
		batches, err := extracttest.Build(recs)
		if err != nil {
			b.Fatal(err)
		}
		for _, rec := range batches {
			rec.Release()
		}
	}
	b.ReportMetric(float64(len(recs)), "orders/op")
}
