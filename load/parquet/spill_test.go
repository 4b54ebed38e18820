package parquet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/table"
)

// TestSpillsPublishOneFilePerPartition: three shops write the same orders
// over 30 days in six rounds, each round a higher version, under a budget
// so small that every shop's stream spills in most rounds. Commit must
// publish exactly one file per partition holding every row written to
// it, in the order written (so that readers keep the highest version, and
// the first row read on a tie, as before); Commit, Abort and Close must
// each leave no spill file behind.
func TestSpillsPublishOneFilePerPartition(t *testing.T) {
	t.Parallel()
	const days, rounds = 30, 6
	dir := t.TempDir()
	s, err := New(Config{Dir: dir, BufferBytes: 16 << 10, Compression: "snappy"}, "r1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	shops := []string{"s1", "s2", "s3"}
	// want[shop][date]: "order_id/version" in the order written.
	want := map[string]map[string][]string{}
	write := func(shop string, version uint64) {
		t.Helper()
		var orders []model.Order
		for d := range days {
			day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d)
			for i := 0; i <= d%3; i++ {
				id := fmt.Sprintf("o%d-%d", d, i)
				orders = append(orders, model.Order{
					Meta:        model.Meta{Platform: "ymcart", Shop: shop, RunID: "r1", Version: version},
					OrderID:     id,
					TotalAmount: dec(fmt.Sprintf("%d.0001", version)),
					CreatedAt:   day.Add(time.Duration(i) * time.Hour),
				})
				if want[shop] == nil {
					want[shop] = map[string][]string{}
				}
				date := "date=" + day.Format(time.DateOnly)
				want[shop][date] = append(want[shop][date], fmt.Sprintf("%s/%d", id, version))
			}
		}
		rec := build(t, table.Orders, len(orders), func(b *table.Builder, i int) error { return b.AppendOrder(&orders[i]) })
		defer rec.Release()
		if err := s.Write(context.Background(), shop, table.Orders, rec); err != nil {
			t.Fatal(err)
		}
	}
	for round := range rounds {
		for _, shop := range shops {
			write(shop, uint64(round+1))
		}
	}
	spillsOf := func(shop string) []string {
		s.mu.Lock()
		defer s.mu.Unlock()
		var out []string
		for _, f := range s.pending[shop] {
			out = append(out, f.path)
		}
		return out
	}
	for _, shop := range shops {
		if n := len(spillsOf(shop)); n < 3 {
			t.Fatalf("shop %s spilled %d times, want several", shop, n)
		}
	}
	gone := func(what string, paths []string) {
		t.Helper()
		for _, p := range paths {
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Fatalf("%s left spill file %s (%v)", what, p, err)
			}
		}
	}

	s1 := spillsOf("s1")
	if err := s.Commit(context.Background(), "s1"); err != nil {
		t.Fatal(err)
	}
	gone("Commit", s1)
	var files []string // s2's and s3's spill files are there too
	for _, f := range partFiles(t, dir) {
		if strings.HasPrefix(f, "orders/") {
			files = append(files, f)
		}
	}
	if len(files) != days {
		t.Fatalf("%d files, want one per day (%d):\n%s", len(files), days, strings.Join(files, "\n"))
	}
	for _, f := range files {
		date := strings.Split(f, "/")[3]
		var got []string
		err := readFile(filepath.Join(dir, f), table.Orders, nil, func(rec arrow.RecordBatch) error {
			ids := rec.Column(table.Orders.ColumnIndex("order_id")).(*array.String)
			vs := rec.Column(table.Orders.ColumnIndex("version")).(*array.Uint64)
			for i := range ids.Len() {
				got = append(got, fmt.Sprintf("%s/%d", ids.Value(i), vs.Value(i)))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want["s1"][date]) {
			t.Fatalf("%s holds %v, wrote %v", f, got, want["s1"][date])
		}
		if n := len(readPQ(t, filepath.Join(dir, f)).rows); n != len(got) {
			t.Fatalf("%s: parquet-go reads %d rows, arrow %d", f, n, len(got))
		}
	}
	keys := 0
	for d := range days {
		keys += d%3 + 1
	}
	var latest []uint64
	err = Latest(dir, table.Orders, "s1", func(r Row) error {
		latest = append(latest, r.Uint64("version"))
		return nil
	})
	if err != nil || len(latest) != keys || slices.Min(latest) != rounds {
		t.Fatalf("Latest: %d keys (want %d), lowest version %v (want %d), %v", len(latest), keys, slices.Min(latest), rounds, err)
	}

	s2 := spillsOf("s2")
	if err := s.Abort(context.Background(), "s2"); err != nil {
		t.Fatal(err)
	}
	gone("Abort", s2)
	write("s2", rounds+1) // spills again
	s2, s3 := spillsOf("s2"), spillsOf("s3")
	if len(s2) == 0 {
		t.Fatal("s2 did not spill after Abort")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	gone("Close", append(s2, s3...))
	if left := allFiles(t, dir); len(left) != days+1 { // s1's and its manifest
		t.Fatalf("left behind:\n%s", strings.Join(left, "\n"))
	}
}

// TestSmallFilesHaveNoDictionary: a partition of a few rows is written
// without dictionary pages and statistics (writeTiny), one of more than
// smallFileRows rows with them (pqarrow); one of at most tinyFileRows rows
// also without compression, the others with it; all read back whole with
// both readers.
func TestSmallFilesHaveNoDictionary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := newSink(t, dir)
	var orders []model.Order
	// 2 rows on day 2, tinyFileRows+1 on day 3, the rest (more than
	// smallFileRows) on day 1.
	for i := range smallFileRows + tinyFileRows + 4 {
		day := 1
		if i < 2 {
			day = 2
		} else if i < tinyFileRows+3 {
			day = 3
		}
		orders = append(orders, model.Order{
			Meta:        model.Meta{Platform: "ymcart", Shop: "y1", RunID: "r1", Version: 1},
			OrderID:     fmt.Sprintf("o%d", i),
			Status:      "paid",
			TotalAmount: dec("1.0001"),
			CreatedAt:   time.Date(2024, 1, day, 0, 0, 0, 0, time.UTC),
		})
	}
	rec := build(t, table.Orders, len(orders), func(b *table.Builder, i int) error { return b.AppendOrder(&orders[i]) })
	defer rec.Release()
	if err := s.Write(context.Background(), "y1", table.Orders, rec); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(context.Background(), "y1"); err != nil {
		t.Fatal(err)
	}
	for _, f := range partFiles(t, dir) {
		path := filepath.Join(dir, f)
		rows, cc := firstChunk(t, path, table.Orders.ColumnIndex("status"))
		hasDict := cc.HasDictionaryPage()
		if want := rows > smallFileRows; hasDict != want {
			t.Errorf("%s: %d rows, dictionary %v, want %v", f, rows, hasDict, want)
		}
		stats, _ := cc.StatsSet()
		tiny := rows <= tinyFileRows
		if stats != hasDict || (cc.Compression() == compress.Codecs.Uncompressed) != tiny {
			t.Errorf("%s: %d rows, statistics %v, compression %v; want statistics above %d rows only, zstd above %d",
				f, rows, stats, cc.Compression(), smallFileRows, tinyFileRows)
		}
		if n := len(readPQ(t, path).rows); int64(n) != rows {
			t.Errorf("%s: parquet-go reads %d rows of %d", f, n, rows)
		}
	}
}

// firstChunk returns the rows of the file at path and the metadata of its
// first row group's column col.
func firstChunk(t *testing.T, path string, col int) (int64, *metadata.ColumnChunkMetaData) {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	cc, err := rdr.MetaData().RowGroup(0).ColumnChunk(col)
	if err != nil {
		t.Fatal(err)
	}
	return rdr.NumRows(), cc
}

// TestCommitSyncsTheFilesystemTwice: where syncfs reports errors, Commit
// syncs the filesystem once before its renames and once after, not each
// file; without it, it fsyncs each file. Either way the files are there.
func TestCommitSyncsTheFilesystemTwice(t *testing.T) {
	t.Parallel()
	for _, bulk := range []bool{true, false} {
		dir := t.TempDir()
		s, err := New(Config{Dir: dir}, "r1")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var calls []int // files visible at each syncfs
		opened := -1    // files, temporary or not, when Dir was opened for it
		if bulk {
			if s.openSync == nil {
				t.Skip("no syncfs here")
			}
			open := s.openSync
			s.openSync = func(d string) (func() error, func(), error) {
				// Before any file is written, so that syncfs reports
				// their write errors.
				opened = len(partFiles(t, dir))
				sync, done, err := open(d)
				return func() error {
					n := 0
					for _, f := range partFiles(t, dir) {
						if isPartFile(filepath.Base(f)) {
							n++
						}
					}
					calls = append(calls, n)
					return sync()
				}, done, err
			}
		} else {
			s.openSync = nil
		}
		writeShop(t, s, "s1", makeFixture("shopex", "s1", "r1", 1))
		if err := s.Commit(context.Background(), "s1"); err != nil {
			t.Fatal(err)
		}
		if files := partFiles(t, dir); len(files) != 9 {
			t.Fatalf("%d files, want 9", len(files))
		}
		if want := []int{0, 9}; bulk && (!slices.Equal(calls, want) || opened != 0) {
			t.Fatalf("syncfs with %v files visible, want %v; %d files when opened for it", calls, want, opened)
		}
	}
}

// TestSmallFileRowGroups: a small file's rows come from spill files and
// from the buffer, a few at a time, and are written at Commit in one go.
// Its row groups still end at RowGroupRows, and both readers read every
// row, in the order written, group by group.
func TestSmallFileRowGroups(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A budget of a byte spills every batch but the last, which stays in
	// the buffer.
	s, err := New(Config{Dir: dir, BufferBytes: 1, RowGroupRows: 3}, "r1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var want []string
	for b, n := range []int{2, 1, 3, 2} { // 8 rows: groups of 3, 3 and 2
		var orders []model.Order
		for i := range n {
			id := fmt.Sprintf("o%d-%d", b, i)
			want = append(want, id)
			orders = append(orders, model.Order{
				Meta:        model.Meta{Platform: "ymcart", Shop: "y1", RunID: "r1", Version: 1},
				OrderID:     id,
				TotalAmount: dec("1.0001"),
				CreatedAt:   time.Date(2024, 1, 1, b, i, 0, 0, time.UTC),
			})
		}
		rec := build(t, table.Orders, n, func(bl *table.Builder, i int) error { return bl.AppendOrder(&orders[i]) })
		if err := s.Write(context.Background(), "y1", table.Orders, rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if Spilled(s) == 0 {
		t.Fatal("nothing spilled")
	}
	if err := s.Commit(context.Background(), "y1"); err != nil {
		t.Fatal(err)
	}
	files := partFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("files %v, want one", files)
	}
	path := filepath.Join(dir, files[0])
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	var groups []int64
	for g := range rdr.NumRowGroups() {
		groups = append(groups, rdr.MetaData().RowGroup(g).NumRows())
	}
	if !slices.Equal(groups, []int64{3, 3, 2}) {
		t.Errorf("rows per group %v, want [3 3 2]", groups)
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	var arrowIDs []string
	for _, c := range tbl.Column(table.Orders.ColumnIndex("order_id")).Data().Chunks() {
		for i := range c.Len() {
			arrowIDs = append(arrowIDs, c.(*array.String).Value(i))
		}
	}
	p := readPQ(t, path)
	var goIDs []string
	for _, row := range p.rows {
		goIDs = append(goIDs, p.value(t, row, "order_id").String())
	}
	if !slices.Equal(arrowIDs, want) || !slices.Equal(goIDs, want) {
		t.Errorf("order ids read back:\narrow-go   %v\nparquet-go %v\nwant       %v", arrowIDs, goIDs, want)
	}
}

// TestRemovedPartitionDirectoryIsMadeAgain: Write makes each partition's
// directory once per run; one removed before Commit is made again.
func TestRemovedPartitionDirectoryIsMadeAgain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := newSink(t, dir)
	bs := makeFixture("ymcart", "y1", "r1", 1).batches(t)
	for _, rec := range bs {
		defer rec.Release()
	}
	ctx := context.Background()
	if err := s.Write(ctx, "y1", table.Orders, bs[table.Orders]); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "orders")); err != nil {
		t.Fatal(err)
	}
	// The same partitions again: the sink made their directories already.
	if err := s.Write(ctx, "y1", table.Orders, bs[table.Orders]); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, "y1"); err != nil {
		t.Fatal(err)
	}
	if n, err := CountLatest(dir, table.Orders, "y1"); err != nil || n != int(bs[table.Orders].NumRows()) {
		t.Fatalf("CountLatest = %d, %v; want %d", n, err, bs[table.Orders].NumRows())
	}
}
