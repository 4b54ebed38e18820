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
// So Write copies rows into memory and files are written only at Commit,
// one per partition, by one writer at a time. All buffers share one byte
// budget (Config.BufferBytes); when it is exceeded the largest are
// spilled, each to one temporary Arrow IPC file sorted by partition
// (spill.go) that waits in Sink.pending, until half the budget is left, so
// spills are rare and big. Commit writes each partition's file from its
// rows in the spill files and its buffer (coalesce.go). Memory is then the
// budget, plus one chunk of each spill file of the table being committed
// and the open row group of its one writer, plus the batches being copied.

const defaultBufferBytes = 32 << 20

// arrayOverhead approximates what an array costs beyond its buffers'
// capacity (its Data, buffer headers, the Array itself).
const arrayOverhead = 256

// partOverhead approximates a partition's bookkeeping in a stream (its
// partBuf, key strings and map entry); runOverhead a rowRun's.
const (
	partOverhead = 256
	runOverhead  = 32
)

// A partition of a long backfill holds a row or a few: columnar buffers
// per partition would cost more in per-array overhead (tens of columns,
// each with its buffers) than the rows themselves. So Write copies each
// incoming batch once, whole, into its shop and table's stream, and a
// partition's buffer is a list of row ranges of those copies. The unit
// of memory, and of spilling, is therefore the stream: spilling one
// writes all of its partitions to one temporary file.

// streamKey identifies the rows buffered for one shop (Commit's argument)
// and table.
type streamKey struct{ shop, table string }

// stream holds the copies of the batches written for one shop and table
// since the shop last committed and not yet spilled, and their partitions.
// It is guarded by Sink.mu.
type stream struct {
	key    streamKey
	copies []arrow.RecordBatch
	parts  map[partKey]*partBuf
	bytes  int64 // estimated memory of copies
}

// partBuf is one partition's rows in a stream, in the order written.
type partBuf struct {
	key  partKey
	runs []rowRun
}

// rowRun is rows [start, end) of a stream's copy.
type rowRun struct {
	rec        arrow.RecordBatch
	start, end int64
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

// spill is a stream taken out of Sink.streams and the file it goes to.
type spill struct {
	f  *spillFile
	st *stream
}

// overBudget picks the streams to spill when the budget is exceeded: the
// largest, until what is buffered and not already being spilled is at
// most half the budget. Each is taken out of s.streams and given a spill
// file, put in its shop's pending list with its mu held, so that the
// shop's Commit waits for it. s.mu must be held.
func (s *Sink) overBudget() []spill {
	if s.buffered <= s.budget {
		return nil
	}
	sts := make([]*stream, 0, len(s.streams))
	for _, st := range s.streams {
		sts = append(sts, st)
	}
	sort.Slice(sts, func(i, j int) bool { return sts[i].bytes > sts[j].bytes })
	var out []spill
	for _, st := range sts {
		if s.buffered-s.spilling <= s.budget/2 {
			break
		}
		delete(s.streams, st.key)
		s.spilling += st.bytes
		f := s.newSpill(st)
		f.mu.Lock() // nobody else has f yet
		s.pending[st.key.shop] = append(s.pending[st.key.shop], f)
		s.spilled++
		out = append(out, spill{f, st})
	}
	return out
}

// spillAll writes each stream to its spill file and frees it. A failure
// loses the rows, so it fails their shop.
func (s *Sink) spillAll(spills []spill) {
	for _, sp := range spills {
		err := sp.f.write(sp.st)
		sp.f.mu.Unlock()
		if err != nil {
			s.fail(sp.st.key.shop, err)
		}
		s.unbuffer(sp.st, true)
	}
}

// writeBuf writes b's rows to w, which is created; w.mu must be held.
func (s *Sink) writeBuf(w *writer, b *partBuf) error {
	for _, r := range b.runs {
		rows := r.rec.NewSlice(r.start, r.end)
		err := w.write(rows)
		rows.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// unbuffer frees st, which was taken out of s.streams, and its share of
// the budget; spilling says it was counted in s.spilling. It is
// idempotent.
func (s *Sink) unbuffer(st *stream, spilling bool) {
	s.mu.Lock()
	s.buffered -= st.bytes
	if spilling {
		s.spilling -= st.bytes
	}
	st.bytes = 0
	copies := st.copies
	st.copies = nil
	s.mu.Unlock()
	for _, c := range copies {
		c.Release()
	}
}
