package parquet

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/shopetl/shopetl/table"
)

// writeTiny's footer is arrow-go's, written by hand: for every table, and
// files of random rows, nulls, lists and codecs, it is byte for byte the
// footer arrow-go's metadata builders write of the same pages
// (builderFooter, what writeTiny called before). And the file reads back,
// with arrow-go and with parquet-go, as pqarrow's own file of the rows.
func TestFooterIsTheBuildersOwn(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(18, 1))
	dir := t.TempDir()
	for _, tb := range table.All {
		sc := tb.Schema()
		for _, codec := range []compress.Compression{compress.Codecs.Uncompressed, compress.Codecs.Zstd, compress.Codecs.Snappy} {
			props := parquet.NewWriterProperties(parquet.WithCompression(codec), parquet.WithCreatedBy("shopetl"),
				parquet.WithDictionaryDefault(false), parquet.WithStats(false))
			stored, err := storedSchemaOf(sc, props)
			if err != nil {
				t.Fatal(err)
			}
			l, err := newTinyLayout(sc, props, stored)
			if err != nil || l == nil {
				t.Fatalf("%s: no layout (%v)", tb.Name, err)
			}
			for _, rows := range []int{1, 2, 1 + rng.IntN(16), 17 + rng.IntN(1000)} {
				rec := randomRecord(rng, sc, rows)
				var file bytes.Buffer
				b := new(tinyBuffers)
				n, err := writeTinyPages(&file, l, props, []arrow.RecordBatch{rec}, b)
				if err != nil {
					t.Fatal(err)
				}
				got := l.footer.appendTo(nil, n, b.chunks)
				want := builderFooter(t, l, props, stored, n, b.chunks)
				if !bytes.Equal(got, want) {
					at := 0
					for at < min(len(got), len(want)) && got[at] == want[at] {
						at++
					}
					t.Errorf("%s, %s, %d rows: footer of %d bytes differs from the builders' (%d bytes) at byte %d",
						tb.Name, codec, rows, len(got), len(want), at)
				}
				// The whole file, as writeTiny writes it, reads back.
				file.Reset()
				if err := writeTiny(&file, l, props, []arrow.RecordBatch{rec}); err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%s-%s-%d.parquet", tb.Name, codec, rows)
				path := filepath.Join(dir, name)
				if err := os.WriteFile(path, file.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				tbl := array.NewTableFromRecords(sc, []arrow.RecordBatch{rec})
				readsAsPqarrows(t, name, path, tbl, int64(rows), props)
				tbl.Release()
				rec.Release()
			}
		}
	}
}

// builderFooter is the footer arrow-go's metadata builders write of a file
// of rows rows in one row group of chunks.
func builderFooter(t testing.TB, l *tinyLayout, props *parquet.WriterProperties, stored string, rows int64, chunks []chunkInfo) []byte {
	t.Helper()
	fmb := metadata.NewFileMetadataBuilder(l.pq, props, nil)
	if err := fmb.AppendKeyValueMetadata(arrowSchemaKey, stored); err != nil {
		t.Fatal(err)
	}
	rg := fmb.AppendRowGroup()
	rg.SetNumRows(int(rows))
	plainPage := metadata.EncodingStats{DataEncodingStats: map[parquet.Encoding]int32{parquet.Encodings.Plain: 1}}
	for _, c := range chunks {
		err := rg.NextColumnChunk().Finish(metadata.ChunkMetaInfo{
			NumValues: c.values, IndexPageOffset: -1, DataPageOffset: c.offset,
			CompressedSize: c.compressed, UncompressedSize: c.uncompress,
		}, false, false, plainPage)
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := rg.Finish(0, 0); err != nil {
		t.Fatal(err)
	}
	fm, err := fmb.Finish()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := fm.WriteTo(&buf, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// randomRecord returns rows rows of sc: strings of 0 to 40 bytes, amounts
// of either sign, times, lists of 0 to 3 strings, each nullable column
// null never, always or at random.
func randomRecord(rng *rand.Rand, sc *arrow.Schema, rows int) arrow.RecordBatch {
	rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer rb.Release()
	str := func() string { return strings.Repeat(fmt.Sprint(rng.IntN(10)), rng.IntN(41)) }
	for i, f := range sc.Fields() {
		nulls := rng.IntN(3) // 0: none, 1: all, 2: at random
		for range rows {
			if f.Nullable && (nulls == 1 || nulls == 2 && rng.IntN(2) == 0) {
				rb.Field(i).AppendNull()
				continue
			}
			switch fb := rb.Field(i).(type) {
			case *array.StringBuilder:
				fb.Append(str())
			case *array.Uint32Builder:
				fb.Append(rng.Uint32())
			case *array.Uint64Builder:
				fb.Append(rng.Uint64())
			case *array.Decimal128Builder:
				fb.Append(decimal128.FromI64(rng.Int64N(1e15) - 5e14))
			case *array.TimestampBuilder:
				fb.Append(arrow.Timestamp(946684800 + rng.Int64N(1e9)))
			case *array.ListBuilder:
				fb.Append(true)
				vb := fb.ValueBuilder().(*array.StringBuilder)
				for range rng.IntN(4) {
					if rng.IntN(4) == 0 {
						vb.AppendNull()
					} else {
						vb.Append(str())
					}
				}
			default:
				panic(fmt.Sprintf("randomRecord: no values of %T", fb))
			}
		}
	}
	return rb.NewRecordBatch()
}

// BenchmarkFooter encodes the footer of a one-row orders file, by
// arrow-go's builders and serializer (what writeTiny did) and by
// tinyFooter.
func BenchmarkFooter(b *testing.B) {
	sc := table.Orders.Schema()
	props := parquet.NewWriterProperties(parquet.WithCreatedBy("shopetl"), parquet.WithDictionaryDefault(false))
	stored, err := storedSchemaOf(sc, props)
	if err != nil {
		b.Fatal(err)
	}
	l, err := newTinyLayout(sc, props, stored)
	if err != nil {
		b.Fatal(err)
	}
	rec := randomRecord(rand.New(rand.NewPCG(18, 2)), sc, 1)
	defer rec.Release()
	var file bytes.Buffer
	tb := new(tinyBuffers)
	rows, err := writeTinyPages(&file, l, props, []arrow.RecordBatch{rec}, tb)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("builders", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			builderFooter(b, l, props, stored, rows, tb.chunks)
		}
	})
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = l.footer.appendTo(buf[:0], rows, tb.chunks)
		}
	})
}
