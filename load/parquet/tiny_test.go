package parquet

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Files of at most smallFileRows rows are written by writeTiny, the others
// by pqarrow with the Arrow schema the sink stores once per table
// (schema.go). Either way a file must read back, with arrow-go and with
// parquet-go, exactly as the file pqarrow writes of the same rows with
// WithStoreSchema: the same stored Arrow schema, the same values and
// nulls, the same Parquet schema. The rows are
// buffered or spilled (a spill file gives the schema under another
// pointer); the partitions hold 1 to 4 rows (uncompressed), 40 (zstd)
// and smallFileRows+1 (pqarrow's).
func TestFilesReadBackAsPqarrowsOwn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		budget int64
	}{{"buffered", 0}, {"spilled", 1}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			s, err := New(Config{Dir: dir, BufferBytes: tc.budget}, "r1")
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			fx := makeFixture("shopex", "s1", "r1", 1)
			// 40 more orders on 2024-03-05 and smallFileRows+1 on
			// 2024-03-06, some with anomalies.
			for i := range 40 + smallFileRows + 1 {
				o := fx.orders[i%len(fx.orders)]
				o.OrderID = fmt.Sprintf("big-%d", i)
				o.CreatedAt = time.Date(2024, 3, 5+min(i/40, 1), i%24, 0, 0, 0, time.UTC)
				if i%3 == 0 {
					o.Anomalies = []string{"a", "", "c"}
				}
				fx.orders = append(fx.orders, o)
			}
			// Each partition's rows, in the order written.
			rows := map[string][]arrow.RecordBatch{}
			for tb, rec := range fx.batches(t) {
				defer rec.Release()
				if err := s.Write(ctx, "s1", tb, rec); err != nil {
					t.Fatal(err)
				}
				spans, err := partition("s1", tb, rec)
				if err != nil {
					t.Fatal(err)
				}
				for _, sp := range spans {
					_, d := s.partDir(sp.key)
					r := rec.NewSlice(sp.start, sp.end)
					defer r.Release()
					rows[d] = append(rows[d], r)
				}
			}
			if err := s.Commit(ctx, "s1"); err != nil {
				t.Fatal(err)
			}
			if tc.budget > 0 && Spilled(s) == 0 {
				t.Fatal("nothing spilled")
			}
			files := partFiles(t, dir)
			if len(files) != len(rows) || len(files) != 11 {
				t.Fatalf("%d files, want one for each of %d partitions", len(files), len(rows))
			}
			sizes := map[bool]int{} // by writeTiny or not
			for _, f := range files {
				path := filepath.Join(dir, f)
				in := rows[filepath.Dir(path)]
				tbl := array.NewTableFromRecords(in[0].Schema(), in)
				sizes[tbl.NumRows() <= smallFileRows]++
				readsAsPqarrows(t, f, path, tbl, s.groupMax.rows, s.propsFor(tbl.NumRows()))
				tbl.Release()
			}
			if sizes[true] != 10 || sizes[false] != 1 {
				t.Fatalf("files by tiny: %v", sizes)
			}
		})
	}
}

// readsAsPqarrows fails unless the file at path reads back, with arrow-go
// and with parquet-go, as the file pqarrow writes of tbl with props and
// WithStoreSchema.
func readsAsPqarrows(t *testing.T, name, path string, tbl arrow.Table, groupRows int64, props *parquet.WriterProperties) {
	t.Helper()
	var ours bytes.Buffer
	err := pqarrow.WriteTable(tbl, &ours, groupRows, props,
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	ref := filepath.Join(t.TempDir(), "want.parquet")
	if err := os.WriteFile(ref, ours.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sameArrow(t, name, path, ref)
	got, want := readPQ(t, path), readPQ(t, ref)
	if got.schema.String() != want.schema.String() {
		t.Errorf("%s: parquet-go reads schema\n%s\nwant\n%s", name, got.schema, want.schema)
	}
	if len(got.rows) != len(want.rows) {
		t.Fatalf("%s: parquet-go reads %d rows, want %d", name, len(got.rows), len(want.rows))
	}
	for i := range got.rows {
		if !got.rows[i].Equal(want.rows[i]) {
			t.Errorf("%s: parquet-go reads row %d\n%v\nwant\n%v", name, i, got.rows[i], want.rows[i])
		}
	}
}

// sameArrow fails unless arrow-go reads the files at path and ref as the
// same table, and store the same Arrow schema.
func sameArrow(t *testing.T, name, path, ref string) {
	t.Helper()
	var stored []*string
	read := func(p string) arrow.Table {
		rdr, err := file.OpenParquetFile(p, false)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer rdr.Close()
		// pqarrow reads timestamp[s] back as timestamp[ms] either way:
		// the stored schema is compared as written.
		stored = append(stored, rdr.MetaData().KeyValueMetadata().FindValue(arrowSchemaKey))
		fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tbl, err := fr.ReadTable(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return tbl
	}
	got, want := read(path), read(ref)
	defer got.Release()
	defer want.Release()
	if stored[0] == nil || stored[1] == nil || *stored[0] != *stored[1] {
		t.Errorf("%s: stored Arrow schema %v, want pqarrow's", name, stored[0])
	}
	if !got.Schema().Equal(want.Schema()) {
		t.Errorf("%s: arrow-go reads schema\n%s\nwant\n%s", name, got.Schema(), want.Schema())
	}
	if !array.TableEqual(got, want) {
		t.Errorf("%s: arrow-go reads other values than in pqarrow's file", name)
	}
}
