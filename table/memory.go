package table

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
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

// Buffers are kept by size class, powers of two from 64 bytes to 64 MiB;
// larger ones are Go's alone.
const (
	minClass = 6
	maxClass = 26
)

// recycler is an Arrow allocator whose freed buffers wait in a sync.Pool of
// their size class for the next Allocate of that class: the garbage
// collector still frees those that wait through two collections. Like
// Arrow's Go allocator it hands out memory zeroed and aligned to 64 bytes.
type recycler struct {
	classes [maxClass + 1]sync.Pool // of *[]byte, len 0, cap 1<<class
}

func newRecycler() *recycler { return &recycler{} }

// class is the size class holding size bytes.
func class(size int) int {
	return max(minClass, bits.Len(uint(size-1)))
}

// take returns a buffer of size bytes whose bytes from start on are zero.
func (r *recycler) take(size, start int) []byte {
	k := class(size)
	if k > maxClass {
		return aligned(size)
	}
	if p, ok := r.classes[k].Get().(*[]byte); ok {
		b := (*p)[:size]
		clear(b[start:])
		return b
	}
	return aligned(1 << k)[:size]
}

// aligned is a new zeroed slice of size bytes at a multiple of 64.
func aligned(size int) []byte {
	const align = 64
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

// Free keeps b for a later Allocate of its class; a buffer not of a class
// (larger ones) is left to the collector.
func (r *recycler) Free(b []byte) {
	c := cap(b)
	k := class(c)
	if c == 0 || k > maxClass || 1<<k != c {
		return
	}
	if poisonFreed {
		full := b[:c]
		for i := range full {
			full[i] = poisonByte
		}
	}
	b = b[:0]
	r.classes[k].Put(&b)
}
