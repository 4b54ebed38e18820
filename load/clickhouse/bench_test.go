package clickhouse_test

import (
	"context"
	"testing"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/apache/arrow-go/v18/arrow"

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

// BenchmarkFill builds the insert of each table of the same batches, as
// Write does, and encodes its columns for the server as Send does, without
// sending: shopetl's own work in an insert. The INSERT is prepared on a
// real ClickHouse (CLICKHOUSE_ADDR) outside the timer, and aborted.
func BenchmarkFill(b *testing.B) {
	s, _ := clickhouse.NewTestSink(b)
	batches := extracttest.Batches(b, 2400)
	ctx := context.Background()
	var buf proto.Buffer // the connection's, kept from one insert to the next
	b.ReportAllocs()
	for b.Loop() {
		for t, rec := range batches {
			b.StopTimer()
			batch, err := s.Conn().PrepareBatch(ctx, clickhouse.InsertSQL(s.Database(), t))
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := clickhouse.Fill(batch, t, []arrow.RecordBatch{rec}, rec.NumRows()); err != nil {
				b.Fatal(err)
			}
			buf.Reset()
			for _, c := range batch.Columns() {
				c.Encode(&buf)
			}
			b.StopTimer()
			_ = batch.Abort()
			b.StartTimer()
		}
	}
}

// BenchmarkWrite inserts the same batches into a real ClickHouse
// (CLICKHOUSE_ADDR), one INSERT per table: Convert, the driver's columns
// and their encoding, and the server's answer.
func BenchmarkWrite(b *testing.B) {
	s, _ := clickhouse.NewTestSink(b)
	batches := extracttest.Batches(b, 2400)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		for t, rec := range batches {
			if err := s.Write(ctx, "bench", t, rec); err != nil {
				b.Fatal(err)
			}
		}
	}
}
