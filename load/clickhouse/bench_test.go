package clickhouse_test

import (
	"testing"

	"github.com/shopetl/shopetl/extract/extracttest"
	"github.com/shopetl/shopetl/load/clickhouse"
)

// BenchmarkConvert turns every column of the batches of a 2,400-order
// shoptima shop (its 2,221 records that list without is_refund) into the
// slices clickhouse-go sends: what Write does before each insert, without
// a server.
func BenchmarkConvert(b *testing.B) {
	batches := extracttest.Batches(b, 2400)
	b.ReportAllocs()
	for b.Loop() {
		for t, rec := range batches {
			for i, c := range t.Columns {
				if _, err := clickhouse.Convert(c, rec.Column(i)); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}
