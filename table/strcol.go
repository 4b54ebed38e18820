package table

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// strColumn builds a String column, which is never null, as Arrow lays it
// out: each row's end among the bytes as an int32 after a first 0, and the
// rows' bytes one after the other, in two buffers of the builder's
// allocator. Arrow's StringBuilder did per row what a column without nulls
// does not need (a bit of the validity bitmap, a check of the room for
// rows and another of the room for bytes through three calls), zeroed
// every byte of room it grew before the string was copied over it, and
// was a fifth of a batch's build on the peer job of issue 18.
//
// The buffers are plain memory of the allocator until the column becomes
// an array: growing one frees the old at once, with no memory.Buffer made
// per growth.
type strColumn struct {
	offsets []byte  // nil until the first row or reserve
	ends    []int32 // offsets' memory: ends[i+1] is where row i ends
	bytes   []byte  // the rows' bytes; nil until the first row or reserve
	rows, n int     // rows, and bytes in them
}

// grow makes *buf, memory of mem, at least need bytes, doubling at least;
// its first keep bytes are kept. Its memory is not zeroed: the column
// writes every byte it reads (Arrow's memory.Buffer.Reserve zeroed it,
// and copied the whole old buffer).
func grow(mem memory.Allocator, buf *[]byte, need, keep int) {
	old := *buf
	if need <= len(old) && old != nil {
		return
	}
	b := allocateDirty(mem, (max(need, 2*len(old))+63)&^63)
	if old != nil {
		copy(b, old[:keep])
		mem.Free(old)
	}
	*buf = b
}

// reserve makes room for rows more rows of n more bytes.
func (c *strColumn) reserve(mem memory.Allocator, rows, n int) {
	if need := (c.rows + rows + 1) * arrow.Int32SizeBytes; need > len(c.offsets) {
		grow(mem, &c.offsets, need, (c.rows+1)*arrow.Int32SizeBytes)
		c.ends = arrow.Int32Traits.CastFromBytes(c.offsets)
		c.ends[0] = 0
	}
	if need := c.n + n; need > len(c.bytes) || c.bytes == nil {
		grow(mem, &c.bytes, need, c.n)
	}
}

func (c *strColumn) append(mem memory.Allocator, s string) {
	if c.rows+2 > len(c.ends) || c.n+len(s) > len(c.bytes) {
		c.reserve(mem, 1, len(s))
	}
	c.n += copy(c.bytes[c.n:], s)
	c.rows++
	c.ends[c.rows] = int32(c.n)
}

// newArray returns the rows so far as an array (the caller releases it)
// and empties c.
func (c *strColumn) newArray(mem memory.Allocator) arrow.Array {
	c.reserve(mem, 0, 0) // a column of no rows still has its first offset
	offsets := memory.NewBufferWithAllocator(c.offsets, mem)
	offsets.ResizeNoShrink((c.rows + 1) * arrow.Int32SizeBytes)
	data := memory.NewBufferWithAllocator(c.bytes, mem)
	data.ResizeNoShrink(c.n)
	d := array.NewData(arrow.BinaryTypes.String, c.rows, []*memory.Buffer{nil, offsets, data}, nil, 0, 0)
	offsets.Release() // d holds them
	data.Release()
	*c = strColumn{}
	a := array.MakeFromData(d)
	d.Release()
	return a
}

// release frees c's memory and empties it.
func (c *strColumn) release(mem memory.Allocator) {
	for _, b := range [][]byte{c.offsets, c.bytes} {
		if b != nil {
			mem.Free(b)
		}
	}
	*c = strColumn{}
}
