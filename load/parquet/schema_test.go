package parquet

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// The sink stores each file's Arrow schema itself (schema.go), once per
// table, instead of letting pqarrow serialize it for every file: its files
// must still be byte for byte what pqarrow writes of the same rows with
// WithStoreSchema, whether the rows were buffered or spilled (a spill file
// gives the schema under another pointer).
func TestFilesAreWhatPqarrowWritesWithStoredSchema(t *testing.T) {
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
			// Each partition's rows, in the order written.
			rows := map[string][]arrow.RecordBatch{}
			for tb, rec := range makeFixture("shopex", "s1", "r1", 1).batches(t) {
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
			if len(files) != len(rows) || len(files) != 9 {
				t.Fatalf("%d files, want one for each of %d partitions", len(files), len(rows))
			}
			for _, f := range files {
				path := filepath.Join(dir, f)
				got, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				in := rows[filepath.Dir(path)]
				tbl := array.NewTableFromRecords(in[0].Schema(), in)
				var want bytes.Buffer
				err = pqarrow.WriteTable(tbl, &want, s.groupMax.rows, s.propsFor(tbl.NumRows()),
					pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
				tbl.Release()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want.Bytes()) {
					t.Errorf("%s: %d bytes, not the %d pqarrow writes with its stored schema", f, len(got), want.Len())
				}
			}
		})
	}
}
