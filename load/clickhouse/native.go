package clickhouse

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"slices"
	"time"
	"unsafe"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	chproto "github.com/ClickHouse/clickhouse-go/v2/lib/proto"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/shopetl/shopetl/table"
)

// Every column type of the tables (strings, integers, decimals, times and
// lists of strings) reaches the server in ClickHouse's native encoding,
// written once from the Arrow buffers, instead of through Append (issue
// 18). Append took a []string per column (the slice headers alone were 20%
// of an insert's allocations), grew each String column's row positions one
// row at a time (ColStr.Append: 30%), turned every decimal through two
// big.Ints and every time through a time.Time; a Decimal(18,4) is the
// int64 Arrow already holds, a DateTime its seconds. The bytes are the
// bytes Append would have had the driver send, so what is stored is what
// Append stored.
//
// fill puts encoded columns in the insert's block in place of the
// driver's columns, and the block's encoding writes each from its Arrow
// arrays straight into the connection's buffer. fill first encoded every
// column into a buffer of the insert's own, which Encode copied into the
// connection's: that buffer's allocation, zeroed by Go, and the copy were
// a fifth of an insert's CPU on the peer job. Decoding them into the driver's columns
// (as shopetl did first) cost a ColStr a string and a position at a time,
// and the driver's EncodeColumn wrote them out again a string at a time
// into a buffer doubling its way up: a third of an insert's CPU on the peer
// job, each string copied four times between the transform and the
// socket. clickhouse-go offers no way to hand it a column but through its
// unexported batch's block, so blockOf finds the block by name and type
// through reflect; should a driver release name or type it otherwise, fill
// decodes into the driver's columns as before (ch-go's DecodeColumn
// replaces what a column holds, so each is decoded once, from every batch
// of the insert). TestNativeFillEncodesAsAppend holds either path to
// Append's bytes, and says which was taken.
//
// A driver column takes the native encoding only when its Go type is the
// one the encoding is for (a LowCardinality(String) column, from 19.x on,
// is not a *column.String); any other column takes convert and Append.

// blockOf is the block of rows batch sends, or nil when it cannot be
// reached.
func blockOf(batch driver.Batch) *chproto.Block {
	v := reflect.ValueOf(batch)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("block")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*chproto.Block]() {
		return nil
	}
	return *(**chproto.Block)(unsafe.Pointer(f.UnsafeAddr()))
}

// encoded is a column that encodes its rows, Arrow arrays, straight into
// the connection's buffer as the block is sent: the driver's column gives
// its name and type and holds nothing. Rows cannot be added to it. fill
// checked the arrays (checkNative), so encoding them cannot fail, and the
// insert's caller keeps them until Send has returned.
type encoded struct {
	column.Interface
	col    table.Column
	arrays []arrow.Array
	rows   int
	// size bounds the bytes of the column (nativeSize): reserved at once,
	// rather than the buffer doubling its way up as rows are appended.
	size int
	// room, in the block's first encoded column, is what the block needs
	// of the connection's buffer (blockRoom), reserved at once: a new
	// connection's buffer grew a column at a time, nine times over on
	// its first insert of the peer job.
	room int
}

func (e *encoded) Rows() int { return e.rows }

func (e *encoded) Encode(b *proto.Buffer) {
	b.Buf = encodeNative(e.col, e.arrays, slices.Grow(b.Buf, max(e.size, e.room)))
}

// blockRoom is what a block of columns of sizes (bounds of their bytes)
// needs of the connection's buffer as the driver sends it in sendChunks:
// the whole block if smaller, else a chunk and the largest column (the
// buffer holds less than a chunk before each column).
func blockRoom(sizes []int) int {
	all, largest := 0, 0
	for _, n := range sizes {
		all += n
		largest = max(largest, n)
	}
	return min(all, sendChunk+largest)
}

func (e *encoded) Reset()                          { e.rows, e.arrays = 0, nil }
func (e *encoded) Append(any) ([]uint8, error)     { return nil, e.refuse() }
func (e *encoded) AppendRow(any) error             { return e.refuse() }
func (e *encoded) Decode(*proto.Reader, int) error { return e.refuse() }

func (e *encoded) refuse() error {
	return fmt.Errorf("column %s: encoded by shopetl, takes no more rows", e.Name())
}

// native reports whether driver column d takes c's native encoding.
func native(c table.Column, d column.Interface) bool {
	switch c.Type {
	case table.String:
		_, ok := d.(*column.String)
		return ok
	case table.UInt32:
		_, ok := d.(*column.UInt32)
		return ok
	case table.UInt64:
		_, ok := d.(*column.UInt64)
		return ok
	case table.Decimal:
		return decimal64(d)
	case table.NullableDecimal:
		n, ok := d.(*column.Nullable)
		return ok && decimal64(n.Base())
	case table.DateTime:
		_, ok := d.(*column.DateTime)
		return ok
	case table.StringArray:
		// Array(String) only: an Array's Base is its innermost column.
		a, ok := d.(*column.Array)
		if !ok || a.Type() != "Array(String)" {
			return false
		}
		_, ok = a.Base().(*column.String)
		return ok
	case table.NullableDateTime:
		n, ok := d.(*column.Nullable)
		if !ok {
			return false
		}
		_, ok = n.Base().(*column.DateTime)
		return ok
	}
	return false
}

// decimal64 reports whether d is a Decimal of shopetl's precision and
// scale: a ColDecimal64 of the scaled integer in the driver.
func decimal64(d column.Interface) bool {
	dc, ok := d.(*column.Decimal)
	return ok && dc.Precision() == table.DecimalPrecision && dc.Scale() == table.DecimalScale
}

// nativeSize bounds encodeNative's bytes for arrays: at most 9 a row
// (a null byte and 8, or a string's length as a uvarint), and strings' bytes.
func nativeSize(arrays []arrow.Array) int {
	n := 0
	for _, a := range arrays {
		n += 9 * a.Len()
		switch a := a.(type) {
		case *array.String:
			n += len(a.ValueBytes())
		case *array.List:
			n += nativeSize([]arrow.Array{a.ListValues()})
		}
	}
	return n
}

// checkNative refuses arrays that column c cannot take in the native
// encoding: what convert refuses (an Arrow type that is not c's, nulls in a
// column without them, decimals of another scale) and amounts beyond
// Decimal(18,4). Arrays it accepts, encodeNative encodes without fail.
func checkNative(c table.Column, arrays []arrow.Array) error {
	for _, a := range arrays {
		if err := checkNulls(c, a); err != nil {
			return err
		}
		ok := false
		switch c.Type {
		case table.String:
			_, ok = a.(*array.String)
		case table.StringArray:
			var arr *array.List
			if arr, ok = a.(*array.List); ok {
				_, ok = arr.ListValues().(*array.String)
			}
		case table.UInt32:
			_, ok = a.(*array.Uint32)
		case table.UInt64:
			_, ok = a.(*array.Uint64)
		case table.Decimal, table.NullableDecimal:
			var arr *array.Decimal128
			if arr, ok = a.(*array.Decimal128); ok {
				if err := checkDecimals(c, arr); err != nil {
					return err
				}
			}
		case table.DateTime, table.NullableDateTime:
			var arr *array.Timestamp
			arr, ok = a.(*array.Timestamp)
			ok = ok && arr.DataType().(*arrow.TimestampType).Unit == arrow.Second
		default:
			return fmt.Errorf("column %s: no native encoding for type %d", c.Name, c.Type)
		}
		if !ok {
			return fmt.Errorf("column %s: Arrow type %s does not match table type", c.Name, a.DataType())
		}
	}
	return nil
}

// checkDecimals refuses a decimal column of another scale than the
// tables', or holding a value Decimal(18,4) cannot.
func checkDecimals(c table.Column, arr *array.Decimal128) error {
	if err := checkScale(c, arr); err != nil {
		return err
	}
	for i := range arr.Len() {
		if _, ok := table.ScaledInt64(arr.Value(i)); arr.IsValid(i) && !ok {
			return fmt.Errorf("column %s: %s does not fit %s", c.Name,
				table.FromDecimal128(arr.Value(i)), decimalType())
		}
	}
	return nil
}

// encodeNative appends to buf column c of arrays, one after the other, in
// ClickHouse's native encoding of the type native accepted: a String is
// its length as a uvarint and its bytes; UInt32 and UInt64 little-endian;
// a Decimal(18,4) its scaled integer as a little-endian int64; a DateTime
// its seconds as a little-endian uint32; an Array(String) each row's end
// among the values as a little-endian uint64, then the values as Strings;
// a Nullable one byte per row, 1 for null, then every row's value, zero
// for a null.
// The arrays are those checkNative accepted.
func encodeNative(c table.Column, arrays []arrow.Array, buf []byte) []byte {
	switch c.Type {
	case table.String:
		for _, a := range arrays {
			arr := a.(*array.String)
			for i := range arr.Len() {
				buf = appendString(buf, arr.Value(i))
			}
		}
	case table.StringArray:
		// Each row's end among all rows' values, then the values.
		end := uint64(0)
		for _, a := range arrays {
			arr := a.(*array.List)
			for i := range arr.Len() {
				start, stop := arr.ValueOffsets(i)
				end += uint64(stop - start)
				buf = binary.LittleEndian.AppendUint64(buf, end)
			}
		}
		for _, a := range arrays {
			arr := a.(*array.List)
			vals := arr.ListValues().(*array.String)
			for i := range arr.Len() {
				start, stop := arr.ValueOffsets(i)
				for j := start; j < stop; j++ {
					buf = appendString(buf, vals.Value(int(j)))
				}
			}
		}
	case table.UInt32:
		for _, a := range arrays {
			for _, v := range a.(*array.Uint32).Uint32Values() {
				buf = binary.LittleEndian.AppendUint32(buf, v)
			}
		}
	case table.UInt64:
		for _, a := range arrays {
			for _, v := range a.(*array.Uint64).Uint64Values() {
				buf = binary.LittleEndian.AppendUint64(buf, v)
			}
		}
	case table.Decimal, table.NullableDecimal:
		if c.Type == table.NullableDecimal {
			buf = appendNulls(buf, arrays)
		}
		for _, a := range arrays {
			arr := a.(*array.Decimal128)
			for i := range arr.Len() {
				v := int64(0)
				if arr.IsValid(i) {
					v, _ = table.ScaledInt64(arr.Value(i))
				}
				buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
			}
		}
	case table.DateTime, table.NullableDateTime:
		if c.Type == table.NullableDateTime {
			buf = appendNulls(buf, arrays)
		}
		for _, a := range arrays {
			arr := a.(*array.Timestamp)
			for i, v := range arr.TimestampValues() {
				d := uint32(0)
				if arr.IsValid(i) {
					d = dateTime(int64(v))
				}
				buf = binary.LittleEndian.AppendUint32(buf, d)
			}
		}
	}
	return buf
}

// appendString appends s as a String: its length as a uvarint, its bytes.
func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// appendNulls appends a Nullable column's null map: a byte a row, 1 for null.
func appendNulls(buf []byte, arrays []arrow.Array) []byte {
	for _, a := range arrays {
		for i := range a.Len() {
			buf = append(buf, b2u8(a.IsNull(i)))
		}
	}
	return buf
}

// zeroTimeUnix is the zero time.Time in Unix seconds.
var zeroTimeUnix = time.Time{}.Unix()

// dateTime is ClickHouse's DateTime of sec, a time in Unix seconds, as
// the driver appends a time.Time (ch-go's ToDateTime): the zero time.Time
// as 0, any other its Unix seconds cut to 32 bits.
func dateTime(sec int64) uint32 {
	if sec == zeroTimeUnix {
		return 0
	}
	return uint32(sec)
}

func b2u8(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// checkNulls refuses nulls in a column that cannot hold them.
func checkNulls(c table.Column, a arrow.Array) error {
	if !c.Type.Nullable() && a.NullN() > 0 {
		return fmt.Errorf("column %s: %d nulls in a non-nullable column", c.Name, a.NullN())
	}
	return nil
}

// checkScale refuses decimals of another scale than the tables'.
func checkScale(c table.Column, arr *array.Decimal128) error {
	if dt := arr.DataType().(*arrow.Decimal128Type); dt.Scale != table.DecimalScale {
		return fmt.Errorf("column %s: decimal scale %d, want %d", c.Name, dt.Scale, table.DecimalScale)
	}
	return nil
}

// sendChunk is how much of an insert's block the driver's connection
// buffers before writing it to the server (its MaxCompressionBuffer, the
// bytes compressed at once where compression is on, 10 MiB by default).
// Each connection keeps its buffer from one insert to the next, and the
// driver's pool hands out its idle connections in turn, so each grew, and
// had Go allocate and zero a larger copy, until it had held the largest
// block of any insert: on the peer job, most inserts. Cut into chunks of
// about a megabyte, a block needs a buffer of a chunk and a column, which
// each connection reaches at its first inserts.
const sendChunk = 1 << 20
