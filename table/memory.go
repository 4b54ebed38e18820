package table

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/shopetl/shopetl/headroom"
)

// Memory is the Arrow allocator of the pipeline's builders: it keeps the
// buffers of released batches for the batches that follow. Arrow's Go
// allocator makes a new slice for every buffer a builder reserves or grows,
// so each batch of each table took fresh memory from Go, zeroed it, and
// left the last batch's to the collector: on the peer job of issue 18 the
// builders' allocations, their zeroing and Arrow's own memset of them were
// a tenth of shopetl's CPU. A shop's batches of a table are alike, so the
// buffers of the batch just inserted fit the one being built.
//
// A buffer is reused only once every array holding it is released (Arrow
// counts the references): a sink that keeps a value of a batch past its
// Release, a string from array.String.Value say, must copy it, as with any
// Arrow allocator that reuses memory.
var Memory memory.Allocator = newRecycler()

// poisonByte fills freed buffers under the race detector (poison_race.go).
const poisonByte = 0xa5

// Buffers are kept by size class: multiples of 64 bytes up to 512, then
// eight classes from each power of two to the next, so that a buffer is
// at most an eighth larger than what was asked. Builders ask for the size
// of the last batch (Builder.room), not a power of two, which classes of
// powers of two rounded up to twice: on the peer job of issue 18 a batch
// of every table (5,040 orders) holds 9.2 MB in 10.2 MB of buffers.
// Buffers above maxPooled are Go's alone.
const (
	stepsPerDoubling = 8
	smallClasses     = 512 / 64
	maxPooled        = 64 << 20
	numClasses       = smallClasses + (26-9)*stepsPerDoubling
)

// maxKept bounds the bytes of freed buffers the recycler keeps; what is
// freed beyond it is left to the collector, so memory stays flat however
// long the run. A stream of ClickHouse inserts frees several batches of a
// table at once (load/clickhouse/stream.go), which the batches after it
// take one by one, but keeping them costs more than it saves: the soft
// memory limit already caps the heap's goal on the peer job of issue 18,
// so what the free lists hold is RSS on top. Three runs of each,
// alternated: 8 MiB 124-127 MB peak RSS, 16 MiB 127-131, 32 MiB 126-131,
// sync.Pool (before) 123-126, the same CPU within 3%. Within it the heap
// lends what it can spare (headroom.Heap): on a heap near its limit, next
// to nothing.
const maxKept = 8 << 20

// sizeClass is the index and size of the smallest class holding size
// bytes; size must be at most maxPooled.
func sizeClass(size int) (int, int) {
	if size <= 512 {
		n := max(1, (size+63)/64)
		return n - 1, n * 64
	}
	e := bits.Len(uint(size-1)) - 1 // 1<<e < size <= 2<<e
	step := 1 << (e - 3)
	j := (size - 1 - 1<<e) / step
	return smallClasses + (e-9)*stepsPerDoubling + j, 1<<e + (j+1)*step
}

// recycler is an Arrow allocator whose freed buffers wait in a free list
// of their size class for the next Allocate of that class. Unlike a
// sync.Pool, which the collector empties every second cycle (every 100 ms
// or so on the peer job, so that buffers waiting for the next batch were
// lost, taken anew and zeroed), the free lists keep up to maxKept bytes,
// the oldest buffers going first. Like Arrow's Go allocator it hands out
// memory zeroed (but see allocateDirty) and aligned to 64 bytes.
type recycler struct {
	lender headroom.Lender     // lends the bytes in free
	mu     sync.Mutex          // guards the fields below
	free   [numClasses][]freed // each class's buffers, oldest first
	kept   int                 // bytes in free
	ticks  uint64              // Frees so far: the age of a freed buffer
}

type freed struct {
	buf []byte // len 0, cap its class's size
	at  uint64 // recycler.ticks when freed
}

func newRecycler() *recycler { return &recycler{lender: headroom.Heap} }

// take returns a buffer of size bytes whose bytes from start on are zero:
// from size on, none need clearing.
func (r *recycler) take(size, start int) []byte {
	if size > maxPooled {
		return aligned(size)
	}
	k, c := sizeClass(size)
	// A buffer of the next class up is at most a quarter too large, and
	// takes what a batch a little longer than its predecessor freed.
	if b := r.pop(k, k+1); b != nil {
		b = b[:size]
		clear(b[start:])
		return b
	}
	return aligned(c)[:size]
}

// pop takes the newest buffer of class k, else of class up.
func (r *recycler) pop(k, up int) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range []int{k, min(up, numClasses-1)} {
		if n := len(r.free[k]); n > 0 {
			b := r.free[k][n-1].buf
			r.free[k][n-1] = freed{}
			r.free[k] = r.free[k][:n-1]
			r.kept -= cap(b)
			r.lender.Return(cap(b))
			return b
		}
	}
	return nil
}

// aligned is a new zeroed slice of size bytes at a multiple of 64.
func aligned(size int) []byte {
	const align = 64
	// Go places an object above 32 KiB at the start of its own pages (of 8
	// KiB): aligned already, where 64 bytes more took a page more, an
	// eighth of the smallest such buffer.
	if size > 32<<10 {
		if buf := make([]byte, size); uintptr(unsafe.Pointer(unsafe.SliceData(buf)))%align == 0 {
			return buf
		}
	}
	buf := make([]byte, size+align)
	shift := int(-uintptr(unsafe.Pointer(unsafe.SliceData(buf))) & (align - 1))
	return buf[shift : size+shift : size+shift]
}

func (r *recycler) Allocate(size int) []byte { return r.take(size, 0) }

func (r *recycler) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		if size > len(b) {
			clear(b[len(b):size])
		}
		return b[:size]
	}
	nb := r.take(size, len(b))
	copy(nb, b)
	r.Free(b)
	return nb
}

// Free keeps b for a later Allocate of its class, dropping the oldest
// buffers kept if it would exceed maxKept; a buffer not of a class
// (larger ones) is left to the collector, as is b and every buffer kept
// when the lender will not lend b's bytes.
func (r *recycler) Free(b []byte) {
	c := cap(b)
	if c == 0 || c > maxPooled {
		return
	}
	k, size := sizeClass(c)
	if size != c {
		return
	}
	if poisonFreed {
		full := b[:c]
		for i := range full {
			full[i] = poisonByte
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.kept+c > maxKept && r.dropOldest() {
	}
	if r.kept+c > maxKept {
		return
	}
	if !r.lender.Lend(c) {
		for r.dropOldest() {
		}
		return
	}
	r.ticks++
	r.free[k] = append(r.free[k], freed{b[:0], r.ticks})
	r.kept += c
}

// dropOldest leaves the buffer freed longest ago to the collector, and
// reports whether there was one.
func (r *recycler) dropOldest() bool {
	oldest := -1
	for k := range r.free {
		if len(r.free[k]) > 0 && (oldest < 0 || r.free[k][0].at < r.free[oldest][0].at) {
			oldest = k
		}
	}
	if oldest < 0 {
		return false
	}
	r.kept -= cap(r.free[oldest][0].buf)
	r.lender.Return(cap(r.free[oldest][0].buf))
	r.free[oldest] = append(r.free[oldest][:0], r.free[oldest][1:]...)
	return true
}

// allocateDirty is mem.Allocate(size) but for a buffer its caller writes
// whole before reading it: from a recycler, its bytes are not cleared.
func allocateDirty(mem memory.Allocator, size int) []byte {
	if r, ok := mem.(*recycler); ok {
		return r.take(size, size)
	}
	return mem.Allocate(size)
}
