package parquet

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/table"
)

var compactTables = []*table.Table{table.Orders, table.OrderItems, table.Refunds}

// commitRun writes fx for shop s1 in a run of its own and commits it.
func commitRun(t *testing.T, dir, runID string, version uint64) {
	t.Helper()
	s, err := New(Config{Dir: dir}, runID)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	writeShop(t, s, "s1", makeFixture("shopex", "s1", runID, version))
	if err := s.Commit(context.Background(), "s1"); err != nil {
		t.Fatal(err)
	}
}

// currentRows is, per table, each key's highest version as a reader
// keeps it (latestVersions, the reader of CountLatest).
func currentRows(t *testing.T, dir string) map[string]map[string]uint64 {
	t.Helper()
	out := map[string]map[string]uint64{}
	for _, tb := range compactTables {
		v, err := latestVersions(dir, tb, "s1")
		if err != nil {
			t.Fatal(err)
		}
		out[tb.Name] = v
	}
	return out
}

// filesPerPartition counts the part files of each partition directory.
func filesPerPartition(t *testing.T, dir string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range compactTables {
		n, err := PartitionFiles(dir, tb)
		if err != nil {
			t.Fatal(err)
		}
		for p, k := range n {
			rel, _ := filepath.Rel(dir, p)
			out[rel] = k
		}
	}
	return out
}

func sameRows(t *testing.T, what string, got, want map[string]map[string]uint64) {
	t.Helper()
	for name, w := range want {
		if !maps.Equal(got[name], w) {
			t.Errorf("%s: %s: current rows %v, want %v", what, name, got[name], w)
		}
	}
}

// TestCompactCrashBetweenPublishAndRemove: a compaction that stops after
// publishing a partition's new file and before removing the old ones (a
// crash) leaves a directory whose readers still get each key once, at its
// highest version; the next compaction finishes: one file per partition,
// the same rows.
func TestCompactCrashBetweenPublishAndRemove(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	commitRun(t, dir, "r1", 1)
	commitRun(t, dir, "r2", 2)
	want := currentRows(t, dir)
	for p, n := range filesPerPartition(t, dir) {
		if n != 2 {
			t.Fatalf("%s: %d files before compaction, want 2", p, n)
		}
	}
	crash := errors.New("crash")
	_, err := Compact(context.Background(), dir, CompactOptions{RunID: "c1",
		afterPublish: func(string) error { return crash }})
	if !errors.Is(err, crash) {
		t.Fatalf("Compact = %v, want the crash", err)
	}
	crashed := 0
	for p, n := range filesPerPartition(t, dir) {
		if n == 3 {
			crashed++
		} else if n != 2 {
			t.Errorf("%s: %d files after the crash", p, n)
		}
	}
	if crashed != 1 {
		t.Fatalf("%d partitions with the new file beside the old ones, want 1", crashed)
	}
	sameRows(t, "after the crash", currentRows(t, dir), want)

	st, err := Compact(context.Background(), dir, CompactOptions{RunID: "c2"})
	if err != nil {
		t.Fatal(err)
	}
	for p, n := range filesPerPartition(t, dir) {
		if n != 1 {
			t.Errorf("%s: %d files after the second compaction, want 1", p, n)
		}
	}
	sameRows(t, "after the second compaction", currentRows(t, dir), want)
	parts := len(filesPerPartition(t, dir))
	if st.Partitions != parts || st.FilesAfter != parts || st.FilesBefore != 2*parts+1 || st.RowsDropped <= 0 {
		t.Errorf("stats %+v for %d partitions", st, parts)
	}
	// A partition of one file is left alone.
	if st, err := Compact(context.Background(), dir, CompactOptions{RunID: "c3"}); err != nil || st.Partitions != 0 || st.Untouched != parts {
		t.Errorf("third compaction: %+v, %v", st, err)
	}
}

// TestCompactKeepsFilesPublishedMeanwhile: a run that commits into a
// partition while it is being compacted (here: after its files were listed
// and read) keeps its files; the readers then get that run's versions.
func TestCompactKeepsFilesPublishedMeanwhile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	commitRun(t, dir, "r1", 1)
	commitRun(t, dir, "r2", 2)
	during := "" // the partition whose compaction the run met
	_, err := Compact(context.Background(), dir, CompactOptions{RunID: "c1",
		afterPublish: func(pdir string) error {
			if during == "" {
				during, _ = filepath.Rel(dir, pdir)
				commitRun(t, dir, "r3", 3)
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	got := currentRows(t, dir)
	for name, rows := range got {
		if len(rows) == 0 {
			t.Fatalf("%s: no rows", name)
		}
		for k, v := range rows {
			if v != 3 {
				t.Errorf("%s %s: version %d, want the last run's 3", name, k, v)
			}
		}
	}
	// The partitions compacted after the run hold its rows in their one
	// new file; the one it met keeps the run's file beside its new one.
	for p, n := range filesPerPartition(t, dir) {
		if want := map[bool]int{true: 2, false: 1}[filepath.ToSlash(p) == filepath.ToSlash(during)]; n != want {
			t.Errorf("%s: %d files, want %d", p, n, want)
		}
	}
}

// TestCompactBeforeAndShops: only partitions of the selected shops and of
// dates before Before are rewritten.
func TestCompactBeforeAndShops(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	commitRun(t, dir, "r1", 1)
	commitRun(t, dir, "r2", 2)
	if st, err := Compact(context.Background(), dir, CompactOptions{RunID: "c1", Shops: []string{"other"}}); err != nil || st.Partitions != 0 {
		t.Fatalf("another shop: %+v, %v", st, err)
	}
	// creations fall on 2024-03-01..03: only 03-01 is before 03-02.
	st, err := Compact(context.Background(), dir, CompactOptions{RunID: "c2", Shops: []string{"s1"},
		Before: creations[0].AddDate(0, 0, 1).Truncate(24 * 60 * 60 * 1e9)})
	if err != nil {
		t.Fatal(err)
	}
	for p, n := range filesPerPartition(t, dir) {
		want := 2
		if strings.HasSuffix(p, "date=2024-03-01") {
			want = 1
		}
		if n != want {
			t.Errorf("%s: %d files, want %d", p, n, want)
		}
	}
	if st.Partitions != len(compactTables) {
		t.Errorf("%d partitions compacted, want %d", st.Partitions, len(compactTables))
	}
}

// TestCompactedFilesKeepStatistics: compaction writes a partition of more
// than tinyFileRows rows with pqarrow's min/max statistics, which a run's
// files of up to smallFileRows rows (writeTiny's) go without.
func TestCompactedFilesKeepStatistics(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var orders []model.Order
	for i := range tinyFileRows + 1 {
		orders = append(orders, model.Order{
			Meta:    model.Meta{Platform: "ymcart", Shop: "s1", RunID: "r1", Version: 1},
			OrderID: fmt.Sprintf("o%d", i), Status: "paid", TotalAmount: dec("1.0001"),
			CreatedAt: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC),
		})
	}
	rec := build(t, table.Orders, len(orders), func(b *table.Builder, i int) error { return b.AppendOrder(&orders[i]) })
	defer rec.Release()
	for _, run := range []string{"r1", "r2"} {
		s, err := New(Config{Dir: dir}, run)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Write(context.Background(), "s1", table.Orders, rec); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(context.Background(), "s1"); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	stats := func() map[string]bool {
		out := map[string]bool{}
		for _, f := range partFiles(t, dir) {
			if !strings.HasSuffix(f, ".parquet") {
				continue
			}
			_, cc := firstChunk(t, filepath.Join(dir, f), table.Orders.ColumnIndex("order_id"))
			out[f], _ = cc.StatsSet()
		}
		return out
	}
	for f, set := range stats() {
		if set {
			t.Errorf("%s: a run's file of %d rows has statistics", f, len(orders))
		}
	}
	if _, err := Compact(context.Background(), dir, CompactOptions{RunID: "c1"}); err != nil {
		t.Fatal(err)
	}
	after := stats()
	if len(after) != 1 {
		t.Fatalf("compacted into %v, want one file", after)
	}
	for f, set := range after {
		if !set {
			t.Errorf("%s: compacted file of %d rows without statistics", f, len(orders))
		}
	}
}
