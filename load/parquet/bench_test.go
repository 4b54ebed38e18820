package parquet_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/shopetl/shopetl/extract/extracttest"
	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/table"
)

// BenchmarkWrite writes the batches of a 2,400-order shoptima shop (its
// 2,221 records that list without is_refund) as zstd Parquet, partitioned
// by day, and commits them: the Parquet sink's whole work for them.
func BenchmarkWrite(b *testing.B) {
	benchWrite(b, parquet.Config{}, 1, 0)
}

// BenchmarkWriteSpilling writes the same batches for four shops, in
// slices of 100 rows taking turns, under a 256 KiB budget: every shop's
// streams spill several times over their months of days before the shops
// commit one after the other, as a long backfill of many shops does.
func BenchmarkWriteSpilling(b *testing.B) {
	benchWrite(b, parquet.Config{BufferBytes: 256 << 10}, 4, 100)
}

// BenchmarkWriteDailyFiles deals the same batches, in slices of 10 rows,
// to 16 shops in turn: each shop's daily files hold a row or a few, as in
// a backfill of many shops (the throughput job's 34,153 files of 50,000
// orders).
func BenchmarkWriteDailyFiles(b *testing.B) {
	benchWriteTo(b, parquet.Config{}, 16, 10, true)
}

// benchWrite writes batches for shops shops, in slices of step rows (0:
// whole) taking turns, then commits each shop.
func benchWrite(b *testing.B, cfg parquet.Config, shops int, step int64) {
	benchWriteTo(b, cfg, shops, step, false)
}

// benchWriteTo is benchWrite; with deal, each slice goes to one shop in
// turn instead of to every shop.
func benchWriteTo(b *testing.B, cfg parquet.Config, shops int, step int64, deal bool) {
	batches := extracttest.Batches(b, 2400)
	type piece struct {
		t   *table.Table
		rec arrow.RecordBatch
	}
	var pieces []piece
	for _, t := range table.All { // a fixed order
		rec, ok := batches[t]
		if !ok {
			continue
		}
		n := rec.NumRows()
		if step == 0 {
			step = n
		}
		for off := int64(0); off < n; off += step {
			s := rec.NewSlice(off, min(off+step, n))
			b.Cleanup(s.Release)
			pieces = append(pieces, piece{t, s})
		}
	}
	dir, ctx, n, spills := b.TempDir(), context.Background(), 0, int64(0)
	b.ReportAllocs()
	for b.Loop() {
		n++
		cfg.Dir = filepath.Join(dir, strconv.Itoa(n))
		s, err := parquet.New(cfg, "bench")
		if err != nil {
			b.Fatal(err)
		}
		for j, p := range pieces {
			for i := range shops {
				if deal && i != j%shops {
					continue
				}
				if err := s.Write(ctx, "bench"+strconv.Itoa(i), p.t, p.rec); err != nil {
					b.Fatal(err)
				}
			}
		}
		spills += parquet.Spilled(s)
		for i := range shops {
			if err := s.Commit(ctx, "bench"+strconv.Itoa(i)); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(spills)/float64(n), "spills/op")
}

// BenchmarkFileWriter writes one file of the first 17 to 1,024 rows of
// the shop's orders and order_items, zstd-compressed, three ways: by hand
// (writeTiny: one PLAIN page per column, no statistics), and by pqarrow
// without dictionaries (the sink's files of at most 1,000 rows) and with
// them (its larger files), with statistics. bytes/file is the file's
// size: where pqarrow's dictionaries and statistics start to pay for
// their CPU.
func BenchmarkFileWriter(b *testing.B) {
	batches := extracttest.Batches(b, 2400)
	s, err := parquet.New(parquet.Config{Dir: b.TempDir()}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, t := range []*table.Table{table.Orders, table.OrderItems} {
		for _, rows := range []int64{17, 64, 256, 1024, 2048} {
			rec := batches[t].NewSlice(0, rows)
			b.Cleanup(rec.Release)
			for _, how := range []string{"hand", "small", "dict"} {
				b.Run(t.Name+"/"+strconv.FormatInt(rows, 10)+"/"+how, func(b *testing.B) {
					var w countWriter
					b.ReportAllocs()
					for b.Loop() {
						w = 0
						if err := parquet.WriteFile(&w, s, t.Name, rec, how); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(w), "bytes/file")
				})
			}
		}
	}
}

// countWriter counts what is written to it.
type countWriter int64

func (w *countWriter) Write(p []byte) (int, error) {
	*w += countWriter(len(p))
	return len(p), nil
}
