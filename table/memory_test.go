package table

import (
	"fmt"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/shopetl/shopetl/headroom"
	"github.com/shopetl/shopetl/model"
)

// Memory hands out what Arrow's Go allocator does, zeroed memory aligned
// to 64 bytes, also when it is a freed buffer that was written to; and a
// grown buffer keeps its bytes and is zero past them.
func TestMemoryZeroedAndAligned(t *testing.T) {
	r := newRecycler()
	dirty := func(b []byte) {
		for i := range b {
			b[i] = 0xA5
		}
	}
	for _, size := range []int{1, 64, 100, 4096, 5000, 1 << 20} {
		a := r.Allocate(size)
		dirty(a)
		r.Free(a)
		b := r.Allocate(size)
		if len(b) != size || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%64 != 0 {
			t.Fatalf("Allocate(%d): %d bytes at %p", size, len(b), unsafe.SliceData(b))
		}
		for i, c := range b {
			if c != 0 {
				t.Fatalf("Allocate(%d): byte %d is %#x", size, i, c)
			}
		}
		dirty(b)
		c := r.Reallocate(3*size+1, b)
		for i, v := range c {
			if want := byte(0xA5 * b2i(i < size)); v != want {
				t.Fatalf("Reallocate(%d) of %d bytes: byte %d is %#x, want %#x", 3*size+1, size, i, v, want)
			}
		}
		r.Free(c)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// A builder on Memory builds its next batch in the buffers of the batch
// it flushed once that batch is released, rather than in new memory; and
// each batch holds exactly its own rows, whatever the buffers held before.
// The first batch grows its buffers from nothing, the second takes them at
// the first's size (Builder.room), so it is from the third on that batches
// are alike.
func TestBuilderReusesReleasedBatches(t *testing.T) {
	r := newRecycler()
	r.lender = headroom.Unlimited // the heap's share is TestRecyclerKeepsWhatTheHeapLends's
	b := NewBuilder(r, Orders)
	defer b.Release()
	order := func(batch, i int) *model.Order {
		paid := time.Unix(int64(i), 0).UTC()
		o := &model.Order{
			Meta:      model.Meta{Platform: "shoptima", Shop: "st", RunID: "r1", Version: uint64(batch)},
			OrderID:   fmt.Sprintf("order-%d-%04d", batch, i),
			CreatedAt: paid,
			Anomalies: []string{fmt.Sprint("a", batch)},
		}
		if (i+batch)%2 == 0 {
			o.PaidAt = &paid // every other row null, alternating between batches
		}
		return o
	}
	const rows = 500
	var last map[uintptr]bool // the buffers of the batch before
	for batch := range 4 {
		for i := range rows {
			if err := b.AppendOrder(order(batch, i)); err != nil {
				t.Fatal(err)
			}
		}
		rec := b.Flush()
		buffers := map[uintptr]bool{}
		reused := 0
		for _, col := range rec.Columns() {
			for _, d := range append([]arrow.ArrayData{col.Data()}, col.Data().Children()...) {
				for _, buf := range d.Buffers() {
					if buf == nil || buf.Len() == 0 {
						continue
					}
					p := uintptr(unsafe.Pointer(unsafe.SliceData(buf.Bytes())))
					buffers[p] = true
					if last[p] {
						reused++
					}
				}
			}
		}
		if batch > 1 && reused < len(buffers)*9/10 {
			t.Errorf("batch %d: %d of its %d buffers were the last batch's, want most", batch, reused, len(buffers))
		}
		ids := rec.Column(Orders.ColumnIndex("order_id")).(*array.String)
		paid := rec.Column(Orders.ColumnIndex("paid_at")).(*array.Timestamp)
		an := rec.Column(Orders.ColumnIndex("anomalies")).(*array.List)
		for i := range rows {
			want := order(batch, i)
			start, end := an.ValueOffsets(i)
			if ids.Value(i) != want.OrderID || paid.IsNull(i) != (want.PaidAt == nil) || end-start != 1 ||
				an.ListValues().(*array.String).Value(int(start)) != want.Anomalies[0] {
				t.Fatalf("batch %d row %d: %s, paid null %t, %d anomalies; want %s, %t",
					batch, i, ids.Value(i), paid.IsNull(i), end-start, want.OrderID, want.PaidAt == nil)
			}
		}
		rec.Release()
		last = buffers
	}
}

var _ memory.Allocator = Memory

// A buffer's size class is at most an eighth larger than what was asked
// (64 bytes for small ones), and a buffer of a class's size is of that
// class: builders ask for their last batch's size, and power-of-two
// classes held up to twice that.
func TestSizeClassesFitClosely(t *testing.T) {
	last := -1
	for _, size := range []int{1, 63, 64, 65, 511, 512, 513, 1000, 1024, 1025, 80_000, 5_000_016, 1 << 25, maxPooled - 1, maxPooled} {
		k, c := sizeClass(size)
		if c < size || c > size+max(64, size/8) {
			t.Errorf("sizeClass(%d) is %d bytes, want at least it and at most an eighth more", size, c)
		}
		if k2, c2 := sizeClass(c); k2 != k || c2 != c {
			t.Errorf("sizeClass(%d) = %d, %d; a buffer of class %d's size is of class %d, %d", size, k, c, k, k2, c2)
		}
		if k < last || k >= numClasses {
			t.Errorf("sizeClass(%d) = class %d after %d, of %d", size, k, last, numClasses)
		}
		last = k
	}
}

// Freed buffers wait for the next batch through garbage collections (a
// sync.Pool loses what waits through two, and a batch's buffers waited
// through several), and no more than maxKept bytes of them are kept: the
// oldest are dropped first.
func TestRecyclerKeepsFreedBuffersWithinBound(t *testing.T) {
	r := newRecycler()
	r.lender = headroom.Unlimited
	const size = 1 << 20
	b := r.Allocate(size)
	r.Free(b)
	runtime.GC()
	runtime.GC()
	runtime.GC()
	if c := r.Allocate(size); unsafe.SliceData(c) != unsafe.SliceData(b) {
		t.Fatal("a buffer freed before three collections was not taken again")
	}
	var bufs [][]byte
	for range 2 * maxKept / size {
		bufs = append(bufs, r.Allocate(size))
	}
	for _, b := range bufs {
		r.Free(b)
	}
	if r.kept > maxKept {
		t.Fatalf("%d bytes kept, over the bound of %d", r.kept, maxKept)
	}
	if c := r.Allocate(size); unsafe.SliceData(c) != unsafe.SliceData(bufs[len(bufs)-1]) {
		t.Fatal("the newest freed buffer was not the one taken: the oldest should be dropped")
	}
}

// A new buffer above 32 KiB takes its own pages and no more: Go aligns
// such an object to its page already, and 64 bytes of room to align it
// took a page of 8 KiB more.
func TestLargeBuffersTakeNoExtraPage(t *testing.T) {
	const size, n = 64 << 10, 16
	var before, after runtime.MemStats
	bufs := make([][]byte, 0, n)
	runtime.ReadMemStats(&before)
	for range n {
		bufs = append(bufs, aligned(size))
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > n*size+size {
		t.Errorf("%d buffers of %d bytes took %d bytes of heap, want about %d", n, size, got, n*size)
	}
	for _, b := range bufs {
		if len(b) != size || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%64 != 0 {
			t.Fatalf("aligned(%d): %d bytes at %p", size, len(b), unsafe.SliceData(b))
		}
	}
}

// refusing lends until told otherwise, and counts what it has lent.
type refusing struct {
	lend bool
	lent int
}

func (l *refusing) Lend(n int) bool {
	if l.lend {
		l.lent += n
	}
	return l.lend
}
func (l *refusing) Return(n int) { l.lent -= n }

// A buffer is kept only with the lender's consent; refused once, the
// recycler lets go of every buffer it keeps, and gives their bytes back.
func TestRecyclerKeepsWhatTheHeapLends(t *testing.T) {
	l := &refusing{lend: true}
	r := newRecycler()
	r.lender = l
	const size = 1 << 16
	bufs := [][]byte{r.Allocate(size), r.Allocate(size), r.Allocate(size)}
	r.Free(bufs[0])
	r.Free(bufs[1])
	if r.kept != 2*size || l.lent != 2*size {
		t.Fatalf("kept %d, lent %d, want %d each", r.kept, l.lent, 2*size)
	}
	l.lend = false
	r.Free(bufs[2])
	if r.kept != 0 || l.lent != 0 {
		t.Fatalf("refused: kept %d, lent %d, want 0 each", r.kept, l.lent)
	}
	l.lend = true
	r.Free(r.Allocate(size))
	if c := r.Allocate(size); r.kept != 0 || l.lent != 0 {
		t.Fatalf("taken again: kept %d, lent %d (%d bytes), want 0 each", r.kept, l.lent, len(c))
	}
}
