package parquet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestPartitionReadAgainWhenCompacted: a partition whose file went between
// listing and reading (compaction replaced it) is listed and read again on
// its own; the partitions before it are not read again.
func TestPartitionReadAgainWhenCompacted(t *testing.T) {
	dir := t.TempDir()
	touch := func(p string) string {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	d1, d2 := filepath.Join(dir, "date=2024-01-01"), filepath.Join(dir, "date=2024-01-02")
	files := []string{touch(d1 + "/part-a.parquet"), touch(d2 + "/part-a.parquet"), touch(d2 + "/part-b.parquet")}
	touch(d2 + "/.part-c.parquet.tmp")

	var calls [][]string
	err := byPartition(files, func(part []string) error {
		calls = append(calls, part)
		if len(calls) == 2 {
			// Compaction publishes part-c and removes a and b, after the
			// listing and before b is opened.
			touch(d2 + "/part-c.parquet")
			os.Remove(d2 + "/part-a.parquet")
			os.Remove(d2 + "/part-b.parquet")
			return fmt.Errorf("open %s: %w", part[1], fs.ErrNotExist)
		}
		return nil
	})
	want := [][]string{{d1 + "/part-a.parquet"}, {d2 + "/part-a.parquet", d2 + "/part-b.parquet"}, {d2 + "/part-c.parquet"}}
	if err != nil || !slices.EqualFunc(calls, want, slices.Equal) {
		t.Errorf("reads %v (%v), want %v", calls, err, want)
	}

	other := errors.New("not a parquet file")
	if err := byPartition(files[:1], func([]string) error { return other }); !errors.Is(err, other) {
		t.Errorf("another error: %v, want %v", err, other)
	}
}
