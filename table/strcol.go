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
type strColumn struct {
	offsets, data *memory.Buffer // nil until the first row or reserve
	ends          []int32        // offsets' memory: ends[i+1] is where row i ends
	bytes         []byte         // data's memory
	rows, n       int            // rows, and bytes in them
}

// grow makes *buf, a buffer of mem, at least need bytes, doubling at
// least, and returns its memory; its first keep bytes are kept. Its memory
// is not zeroed: the column writes every byte it reads (Arrow's
// memory.Buffer.Reserve zeroed it, and copied the whole old buffer).
func grow(mem memory.Allocator, buf **memory.Buffer, need, keep int) []byte {
	old := *buf
	if old != nil && need <= old.Len() {
		return old.Buf()
	}
	size := need
	if old != nil {
		size = max(need, 2*old.Len())
	}
	b := allocateDirty(mem, (size+63)&^63)
	if old != nil {
		copy(b, old.Buf()[:keep])
		old.Release()
	}
	*buf = memory.NewBufferWithAllocator(b, mem)
	return b
}

// reserve makes room for rows more rows of n more bytes.
func (c *strColumn) reserve(mem memory.Allocator, rows, n int) {
	if need := (c.rows + rows + 1) * arrow.Int32SizeBytes; need > len(c.ends)*arrow.Int32SizeBytes {
		c.ends = arrow.Int32Traits.CastFromBytes(grow(mem, &c.offsets, need, (c.rows+1)*arrow.Int32SizeBytes))
		c.ends[0] = 0
	}
	if need := c.n + n; need > len(c.bytes) {
		c.bytes = grow(mem, &c.data, need, c.n)
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
	c.offsets.ResizeNoShrink((c.rows + 1) * arrow.Int32SizeBytes)
	if c.data == nil {
		grow(mem, &c.data, 0, 0)
	}
	c.data.ResizeNoShrink(c.n)
	d := array.NewData(arrow.BinaryTypes.String, c.rows, []*memory.Buffer{nil, c.offsets, c.data}, nil, 0, 0)
	c.release() // d holds the buffers
	a := array.MakeFromData(d)
	d.Release()
	return a
}

// release lets go of c's buffers and empties it.
func (c *strColumn) release() {
	for _, b := range []*memory.Buffer{c.offsets, c.data} {
		if b != nil {
			b.Release()
		}
	}
	*c = strColumn{}
}
