package parquet

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/gofrs/flock"

	"github.com/shopetl/shopetl/table"
)

// ErrCompacting means another compaction of the same directory is running.
var ErrCompacting = errors.New("another compaction of this directory is running")

// CompactOptions says which partitions Compact rewrites and how.
type CompactOptions struct {
	// Before: only partitions of dates before this UTC day are compacted;
	// zero compacts every date.
	Before time.Time
	// Shops, when not empty, limits compaction to these shops' partitions.
	Shops []string
	// Compression of the new files, as Config's.
	Compression string
	// RunID names the new files, part-<RunID>-<n>.parquet.
	RunID string

	// afterPublish, for tests, runs once a partition's new file is
	// published and before its old files are removed; an error stops
	// Compact there, as a crash would.
	afterPublish func(partDir string) error
}

// CompactStats is what Compact did.
type CompactStats struct {
	Partitions  int   // partitions rewritten
	Untouched   int   // partitions of one file, left alone
	FilesBefore int   // part files of the partitions rewritten
	FilesAfter  int   // their new files, one each
	RowsKept    int64 // rows in the new files: one per key
	RowsDropped int64 // older versions and duplicates left out
}

// Compact rewrites each partition under dir that holds more than one part
// file into one file holding each key's row of the highest version (the
// first read on a tie, as Latest keeps), then removes the files it read.
//
// A reader sees each key exactly once, after its usual highest-version
// dedup, at any moment: the new file is published (fsync, rename, fsync of
// the directory) before any old file is removed, and it holds exactly the
// rows a reader keeps from the old ones. A crash between the two leaves
// both, which dedup to the same rows; the next Compact merges them.
//
// It needs no lock against a running `shopetl run` of the same job: the
// sink never reads, rewrites or removes a published file, and Compact
// removes only the files it listed and read, so a file a run publishes
// meanwhile stays beside the new one with its own versions. Two
// compactions of one dir would only waste work; a lock file,
// <dir>/.compact.lock, keeps the second out (ErrCompacting).
//
// Memory is one partition's rows at a time (one shop, table and day).
func Compact(ctx context.Context, dir string, opt CompactOptions) (CompactStats, error) {
	var st CompactStats
	lock := flock.New(filepath.Join(dir, ".compact.lock"))
	ok, err := lock.TryLock()
	if err != nil {
		return st, fmt.Errorf("parquet: compact: lock: %w", err)
	}
	if !ok {
		return st, fmt.Errorf("parquet: compact %s: %w", dir, ErrCompacting)
	}
	defer lock.Unlock()
	s, err := New(Config{Dir: dir, Compression: opt.Compression}, opt.RunID)
	if err != nil {
		return st, err
	}
	defer s.Close()
	for _, t := range table.All {
		parts, err := filepath.Glob(filepath.Join(dir, t.Name, "platform=*", "shop=*", "date=*"))
		if err != nil {
			return st, err
		}
		for _, pdir := range parts {
			if err := ctx.Err(); err != nil {
				return st, err
			}
			k, ok := partitionOf(pdir, t)
			if !ok || (len(opt.Shops) > 0 && !slices.Contains(opt.Shops, k.rowShop)) ||
				(!opt.Before.IsZero() && k.day >= dayOf(arrow.Timestamp(opt.Before.Unix()), arrow.Second)) {
				continue
			}
			files, err := partFilesIn(pdir)
			if err != nil {
				return st, err
			}
			if len(files) < 2 {
				st.Untouched += len(files)
				continue
			}
			if err := s.compactPartition(t, k, pdir, files, &st, opt.afterPublish); err != nil {
				return st, fmt.Errorf("parquet: compact %s: %w", pdir, err)
			}
		}
	}
	return st, nil
}

// partitionOf reads a partition directory's key from its path,
// .../<table>/platform=<p>/shop=<s>/date=<YYYY-MM-DD>.
func partitionOf(pdir string, t *table.Table) (partKey, bool) {
	date, ok1 := strings.CutPrefix(filepath.Base(pdir), "date=")
	shop, ok2 := strings.CutPrefix(filepath.Base(filepath.Dir(pdir)), "shop=")
	platform, ok3 := strings.CutPrefix(filepath.Base(filepath.Dir(filepath.Dir(pdir))), "platform=")
	day, err := time.Parse(time.DateOnly, date)
	if !ok1 || !ok2 || !ok3 || err != nil {
		return partKey{}, false
	}
	return partKey{shop: shop, table: t.Name, platform: platform, rowShop: shop, day: day.Unix() / 86400}, true
}

// partFilesIn lists a partition directory's final part files, sorted, as
// Files orders them.
func partFilesIn(pdir string) ([]string, error) {
	es, err := os.ReadDir(pdir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range es {
		if e.Type().IsRegular() && isPartFile(e.Name()) {
			out = append(out, filepath.Join(pdir, e.Name()))
		}
	}
	slices.Sort(out)
	return out, nil
}

// compactPartition writes the latest row of each key of files into one new
// published file, then removes files.
func (s *Sink) compactPartition(t *table.Table, k partKey, pdir string, files []string, st *CompactStats, afterPublish func(string) error) error {
	recs, err := readFiles(files, t)
	if err != nil {
		return err
	}
	defer func() { releaseAll(recs) }()
	keep := make(map[arrow.RecordBatch][]bool, len(recs))
	for _, r := range recs {
		keep[r] = make([]bool, r.NumRows())
	}
	var total int64
	for _, r := range recs {
		total += r.NumRows()
	}
	latest := latestRows(recs, t)
	for _, kr := range latest {
		keep[kr.rec][kr.i] = true
	}
	w := s.newWriter(k)
	w.compacted = true
	w.mu.Lock()
	defer w.mu.Unlock()
	err = w.create(s, t.Schema(), int64(len(latest)))
	// The kept rows in their files' order, as runs of consecutive rows.
	for _, r := range recs {
		for i, n := 0, int(r.NumRows()); i < n && err == nil; {
			if !keep[r][i] {
				i++
				continue
			}
			j := i
			for j < n && keep[r][j] {
				j++
			}
			slice := r.NewSlice(int64(i), int64(j))
			err = w.write(slice)
			slice.Release()
			i = j
		}
	}
	if err == nil {
		err = w.publish(true)
	}
	if err == nil {
		// The partition's directory exists already: its own fsync makes
		// the rename durable; its parents need none.
		err = syncDir(pdir)
	}
	if err != nil {
		w.abort()
		return err
	}
	if afterPublish != nil {
		if err := afterPublish(pdir); err != nil {
			return err
		}
	}
	// Removals are not fsynced: files a crash brings back dedup to the
	// same rows, and the next compaction removes them.
	for _, f := range files {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	st.Partitions++
	st.FilesBefore += len(files)
	st.FilesAfter++
	st.RowsKept += int64(len(latest))
	st.RowsDropped += total - int64(len(latest))
	return nil
}
