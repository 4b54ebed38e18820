package table_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/shopetl/shopetl/extract/extracttest"
	"github.com/shopetl/shopetl/table"
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

// BenchmarkBuildBatches batches the same shop's orders and their lines
// 500 orders at a time through one builder per table, flushing between,
// as the pipeline does a shop's batches: each batch starts with the room
// its predecessor reserved (Builder.room). On Arrow's Go allocator each
// batch takes new buffers; on table.Memory (the pipeline's) those of the
// batch released before.
func BenchmarkBuildBatches(b *testing.B) {
	recs := extracttest.Records(b, 2400)
	for _, alloc := range []struct {
		name string
		mem  memory.Allocator
	}{{"go", memory.DefaultAllocator}, {"table.Memory", table.Memory}} {
		b.Run("alloc="+alloc.name, func(b *testing.B) {
			orders := table.NewBuilder(alloc.mem, table.Orders)
			defer orders.Release()
			items := table.NewBuilder(alloc.mem, table.OrderItems)
			defer items.Release()
			flush := func() {
				for _, tb := range []*table.Builder{orders, items} {
					if rec := tb.Flush(); rec != nil {
						rec.Release()
					}
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				for i := range recs {
					err := orders.AppendOrder(&recs[i].Order)
					for j := 0; err == nil && j < len(recs[i].Items); j++ {
						err = items.AppendItem(&recs[i].Items[j])
					}
					if err != nil {
						b.Fatal(err)
					}
					if (i+1)%500 == 0 {
						flush()
					}
				}
				flush()
			}
		})
	}
}
