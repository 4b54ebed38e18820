package parquet_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/shopetl/shopetl/extract/extracttest"
	"github.com/shopetl/shopetl/load/parquet"
)

// BenchmarkWrite writes the batches of a 2,400-order shoptima shop (its
// 2,221 records that list without is_refund) as zstd Parquet, partitioned
// by day, and commits them: the Parquet sink's whole work for them.
func BenchmarkWrite(b *testing.B) {
	batches := extracttest.Batches(b, 2400)
	dir, ctx, n := b.TempDir(), context.Background(), 0
	b.ReportAllocs()
	for b.Loop() {
		n++
		s, err := parquet.New(parquet.Config{Dir: filepath.Join(dir, strconv.Itoa(n))}, "bench")
		if err != nil {
			b.Fatal(err)
		}
		for t, rec := range batches {
			if err := s.Write(ctx, "bench", t, rec); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Commit(ctx, "bench"); err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
