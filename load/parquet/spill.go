package parquet

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// A spilled stream used to become one temporary Parquet file per
// partition, each read back and rewritten at Commit: in a backfill of
// daily partitions of a row or two, every row was written as Parquet
// twice and read once, and 40% of a run's CPU went there. Now a stream
// spills as one temporary Arrow IPC file, its rows sorted by partition
// (stably: a partition's rows stay in the order written), with a small
// index in memory of how many rows each partition has in it. Commit
// reads a table's spill files side by side, partition after partition in
// the same order, so it holds one chunk of each spill file at a time, and
// writes each partition's one Parquet file from its rows in every spill
// file, in the order they were spilled, then its buffered rows.
//
// Spill files are named <dir>/.spill-<run_id>-<n>.arrow: hidden from
// readers (which read part-*.parquet only) and from Hive-style dataset
// readers. Commit, Abort and Close remove them; a crash leaves them, and
// nothing reads them.

// Spill chunks: rows are copied into record batches of at most this many
// rows or estimated bytes (a row larger than that gets a chunk of its
// own), which is what Commit holds of each spill file at a time.
const (
	spillChunkRows  = 4096
	spillChunkBytes = 256 << 10
)

// spillFile is a stream's rows spilled to a temporary Arrow IPC file.
type spillFile struct {
	key  streamKey
	path string

	// mu is held while the file is written (from the moment it is put in
	// Sink.pending), and while it is read or removed.
	mu    sync.Mutex
	parts []spillPart // partitions in partCmp order, with their rows
	err   error       // the spill failed: rows were lost
}

// spillPart is how many rows partition key has in a spill file.
type spillPart struct {
	key  partKey
	rows int64
}

// partCmp orders the partitions of one stream (one shop and table).
func partCmp(a, b partKey) int {
	return cmp.Or(cmp.Compare(a.table, b.table), cmp.Compare(a.platform, b.platform),
		cmp.Compare(a.rowShop, b.rowShop), cmp.Compare(a.day, b.day))
}

// newSpill names a new spill file of st; it creates nothing.
func (s *Sink) newSpill(st *stream) *spillFile {
	n := s.spillSeq.Add(1)
	return &spillFile{key: st.key, path: filepath.Join(s.dir, ".spill-"+s.runID+"-"+strconv.FormatInt(n, 10)+".arrow")}
}

// write writes st's rows to f, partition after partition in partCmp
// order, and records its error in f.err; f.mu must be held.
func (f *spillFile) write(st *stream) error {
	f.err = f.writeParts(sortedParts(st))
	return f.err
}

func (f *spillFile) writeParts(parts []*partBuf) (err error) {
	if len(parts) == 0 {
		return nil
	}
	file, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err // "open <path>: <reason>"
	}
	defer func() {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			err = fmt.Errorf("spill %s: %w", f.path, err)
		}
	}()
	bw := bufio.NewWriterSize(file, 256<<10)
	iw := ipc.NewWriter(bw, ipc.WithSchema(parts[0].runs[0].rec.Schema()))
	var (
		chunk       []arrow.RecordBatch
		rows, bytes int64
		sizers      = make(map[arrow.RecordBatch]*rowSizer)
	)
	flush := func() error {
		defer func() {
			for _, c := range chunk {
				c.Release()
			}
			chunk, rows, bytes = chunk[:0], 0, 0
		}()
		if len(chunk) == 0 {
			return nil
		}
		c, err := concatBatches(chunk...)
		if err != nil {
			return err
		}
		defer c.Release()
		return iw.Write(c)
	}
	for _, b := range parts {
		var n int64
		for _, r := range b.runs {
			z := sizers[r.rec]
			if z == nil {
				z = newRowSizer(r.rec)
				sizers[r.rec] = z
			}
			for off := r.start; off < r.end; {
				k := min(r.end-off, spillChunkRows-rows)
				chunk = append(chunk, r.rec.NewSlice(off, off+k))
				rows += k
				bytes += z.bytes(off, off+k)
				n += k
				off += k
				if rows >= spillChunkRows || bytes >= spillChunkBytes {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
		f.parts = append(f.parts, spillPart{key: b.key, rows: n})
	}
	if err := flush(); err != nil {
		return err
	}
	if err := iw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// remove removes f's file; it waits for a spill being written.
func (f *spillFile) remove() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.Remove(f.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err // "remove <path>: <reason>"
	}
	return nil
}

func removeSpills(fs []*spillFile) error {
	var errs []error
	for _, f := range fs {
		errs = append(errs, f.remove())
	}
	return errors.Join(errs...)
}

// spillReader reads a spill file's partitions in order, one chunk at a
// time.
type spillReader struct {
	f     *spillFile
	file  *os.File
	r     *ipc.Reader
	rec   arrow.RecordBatch // the current chunk, owned by r
	off   int64             // rows of rec already read
	parts []spillPart       // partitions not yet read
}

func openSpill(f *spillFile) (*spillReader, error) {
	file, err := os.Open(f.path)
	if err != nil {
		return nil, err
	}
	r, err := ipc.NewReader(bufio.NewReaderSize(file, 64<<10))
	if err != nil {
		file.Close()
		return nil, fmt.Errorf("spill %s: %w", f.path, err)
	}
	return &spillReader{f: f, file: file, r: r, parts: f.parts}, nil
}

func (c *spillReader) close() {
	c.r.Release()
	c.file.Close()
}

// rowsOf is how many rows partition k has in the spill file, if it is
// the next one.
func (c *spillReader) rowsOf(k partKey) int64 {
	if len(c.parts) == 0 || c.parts[0].key != k {
		return 0
	}
	return c.parts[0].rows
}

// copyPart writes the rows partition k has in the spill file, if it is
// the next one, to w; w.mu must be held.
func (c *spillReader) copyPart(w *writer, k partKey) error {
	n := c.rowsOf(k)
	if n == 0 {
		return nil
	}
	c.parts = c.parts[1:]
	for n > 0 {
		if c.rec == nil || c.off == c.rec.NumRows() {
			if !c.r.Next() {
				err := c.r.Err()
				if err == nil {
					err = errors.New("ends early")
				}
				return w.setErr(fmt.Errorf("spill %s: %w", c.f.path, err))
			}
			c.rec, c.off = c.r.RecordBatch(), 0
		}
		k := min(n, c.rec.NumRows()-c.off)
		rows := c.rec.NewSlice(c.off, c.off+k)
		err := w.write(rows)
		rows.Release()
		if err != nil {
			return err
		}
		c.off += k
		n -= k
	}
	return nil
}

// sortedParts returns st's partitions in partCmp order.
func sortedParts(st *stream) []*partBuf {
	out := make([]*partBuf, 0, len(st.parts))
	for _, b := range st.parts {
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b *partBuf) int { return partCmp(a.key, b.key) })
	return out
}
