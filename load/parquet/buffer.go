package parquet

import (
	"fmt"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Rows come scattered: a batch of orders spans months of daily partitions
// in every table, a platform's second scan reads the same days again, and
// shops run concurrently. Writing each batch's pieces straight to files
// meant a writer per partition, and with a bounded number of writers open
// (each costs about 620 KB of column page buffers) a year of days was
// evicted and reopened all the time: tens of thousands of tiny temporary
// files, each read back at Commit to merge them.
//
// So Write copies each partition's rows into memory (partBuf) and files
// are written only at Commit, one per partition, by one writer at a time.
// All buffers share one byte budget (Config.BufferBytes); when it is
// exceeded the largest buffers are spilled, each to a temporary part file
// that waits in Sink.pending like any other, until half the budget is
// left, so spills are rare and big. Commit merges a partition's spilled
// files and its buffer into one file (coalesce.go). Memory is then the
// budget, plus the open row group of the one writer that spills or
// commits, plus the batches being copied.

const (
	defaultBufferBytes = 64 << 20
	// A partition's copies are merged while they are smaller than this,
	// so that a partition written a few rows at a time does not keep
	// thousands of tiny batches, each with its own buffers per column.
	mergeRows = 4096
	// arrayOverhead approximates what an array costs beyond its buffers'
	// capacity (its Data, buffer headers, the Array itself).
	arrayOverhead = 256
)

// partBuf holds the rows written to one partition since its shop last
// committed and not yet spilled: copies, in the order they were written.
// It is guarded by Sink.mu.
type partBuf struct {
	key    partKey
	seq    int64 // order of creation
	chunks []arrow.RecordBatch
	bytes  int64 // estimated memory of chunks
}

// add appends c, which the buffer then owns, and merges its small chunks
// like a binary counter (the last two while the last has as many rows as
// the one before), so that each row is copied a few times at most and a
// partition keeps a few chunks.
func (b *partBuf) add(c arrow.RecordBatch) error {
	b.chunks = append(b.chunks, c)
	b.bytes += batchBytes(c)
	for n := len(b.chunks); n >= 2; n = len(b.chunks) {
		prev, last := b.chunks[n-2], b.chunks[n-1]
		if prev.NumRows() >= mergeRows || last.NumRows() < prev.NumRows() {
			break
		}
		m, err := concatBatches(prev, last)
		if err != nil {
			return err
		}
		b.bytes += batchBytes(m) - batchBytes(prev) - batchBytes(last)
		prev.Release()
		last.Release()
		b.chunks = append(b.chunks[:n-2], m)
	}
	return nil
}

// release frees the chunks; it is idempotent.
func (b *partBuf) release() {
	for _, c := range b.chunks {
		c.Release()
	}
	b.chunks = nil
}

// copyBatch returns a copy of rec that shares no buffer with it: a slice
// of the caller's batch would keep the whole batch in memory.
func copyBatch(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	return concatBatches(rec)
}

// concatBatches copies the rows of recs, which have one schema, into one
// new batch.
func concatBatches(recs ...arrow.RecordBatch) (arrow.RecordBatch, error) {
	schema := recs[0].Schema()
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	var rows int64
	for _, r := range recs {
		rows += r.NumRows()
	}
	in := make([]arrow.Array, len(recs))
	for i := range cols {
		for j, r := range recs {
			in[j] = r.Column(i)
		}
		c, err := array.Concatenate(in, memory.DefaultAllocator)
		if err != nil {
			return nil, fmt.Errorf("copy column %s: %w", schema.Field(i).Name, err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(schema, cols, rows), nil
}

// batchBytes estimates the memory of a batch that owns its buffers.
func batchBytes(rec arrow.RecordBatch) int64 {
	var n int64
	for _, c := range rec.Columns() {
		n += dataBytes(c.Data())
	}
	return n
}

func dataBytes(d arrow.ArrayData) int64 {
	n := int64(arrayOverhead)
	for _, b := range d.Buffers() {
		if b != nil {
			n += int64(b.Cap())
		}
	}
	for _, c := range d.Children() {
		n += dataBytes(c)
	}
	// Dictionary returns a typed nil (*array.Data) when there is none.
	if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
		n += dataBytes(dict)
	}
	return n
}

// spill is a buffer taken out of Sink.bufs to be written to w, a new
// temporary file already in its shop's pending list with w.mu held, so
// that the shop's Commit waits for it.
type spill struct {
	buf *partBuf
	w   *writer
}

// overBudget picks the buffers to spill when the budget is exceeded: the
// largest, until what is buffered and not already being spilled is at
// most half the budget. s.mu must be held.
func (s *Sink) overBudget() []spill {
	if s.buffered <= s.budget {
		return nil
	}
	bufs := make([]*partBuf, 0, len(s.bufs))
	for _, b := range s.bufs {
		bufs = append(bufs, b)
	}
	sort.Slice(bufs, func(i, j int) bool { return bufs[i].bytes > bufs[j].bytes })
	var out []spill
	for _, b := range bufs {
		if s.buffered-s.spilling <= s.budget/2 {
			break
		}
		delete(s.bufs, b.key)
		s.spilling += b.bytes
		w := s.newWriter(b.key)
		w.mu.Lock() // nobody else has w yet
		s.pending[b.key.shop] = append(s.pending[b.key.shop], w)
		out = append(out, spill{buf: b, w: w})
	}
	s.spilled += int64(len(out))
	return out
}

// spillAll writes each spill's rows to its file, finishes it (it keeps its
// temporary name until the shop commits) and frees the buffer. A failure
// loses the rows, so it fails their shop.
func (s *Sink) spillAll(sp []spill) {
	for _, x := range sp {
		err := s.writeBuf(x.w, x.buf)
		if err == nil {
			err = x.w.finish()
		}
		x.w.mu.Unlock()
		s.unbuffer(x.buf, true)
		if err != nil {
			s.fail(x.buf.key.shop, err)
		}
	}
}

// writeBuf creates w's file if need be and writes b's rows to it; w.mu
// must be held.
func (s *Sink) writeBuf(w *writer, b *partBuf) error {
	if !w.ready {
		// The rows' own schema: Write checked it is their table's.
		if err := w.create(s, b.chunks[0].Schema()); err != nil {
			return err
		}
	}
	for _, c := range b.chunks {
		if err := w.write(c); err != nil {
			return err
		}
	}
	return nil
}

// unbuffer frees b, which was taken out of s.bufs, and its share of the
// budget; spilling says it was counted in s.spilling. It is idempotent.
func (s *Sink) unbuffer(b *partBuf, spilling bool) {
	s.mu.Lock()
	s.buffered -= b.bytes
	if spilling {
		s.spilling -= b.bytes
	}
	b.bytes = 0
	s.mu.Unlock()
	b.release()
}
