package parquet

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"strings"
	"testing"

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
