package clickhouse

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	chproto "github.com/ClickHouse/clickhouse-go/v2/lib/proto"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/shopetl/shopetl/table"
)

// Strings, integers and decimals reach the driver's columns in ClickHouse's
// native encoding, written from the Arrow buffers and read in with the
// column's Decode, instead of through Append (issue 18). Append took a
// []string per column (the slice headers alone were 20% of an insert's
// allocations), grew each String column's row positions one row at a time
// (ColStr.Append: 30%), and turned every decimal through two big.Ints
// (Decimal.append). Decode sizes a column once for all its rows, and a
// Decimal(18,4) is the int64 Arrow already holds. The bytes decoded are
// the bytes the driver encodes again for the server, so what is stored is
// what Append stored.
//
// A driver column is filled this way only when its Go type is the one this
// encoding is for (a LowCardinality(String) column, from 19.x on, is not a
// *column.String); any other column takes convert and Append. ch-go's
// ColStr.DecodeColumn replaces what the column holds rather than adding to
// it, so each column is decoded once, from every batch of the insert; the
// columns of an insert are one stream, read by one proto.Reader (whose
// buffer is 128 KiB).

// The encoded columns then go to the server as they are: fill puts each
// in the insert's block in place of the driver's column, and the block's
// encoding appends its bytes to the connection's buffer in one copy. The
// driver's own columns would take them in with Decode (a ColStr a string
// and a position at a time) and write them out again with EncodeColumn (a
// string at a time, into a buffer doubling its way up): a third of an
// insert's CPU on the peer job of issue 18, each string copied four times
// between the transform and the socket. clickhouse-go offers no way to
// hand it a column but through its unexported batch's block, so blockOf
// finds it by name and type through reflect; should a driver release
// name or type it otherwise, fill decodes into the driver's columns as
// before. TestNativeFillEncodesAsAppend holds either path to Append's
// bytes, and says which was taken.

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

// encoded is a column whose rows are already in ClickHouse's native
// encoding: the driver's column gives its name and type and holds
// nothing. Rows cannot be added to it.
type encoded struct {
	column.Interface
	rows int
	data []byte
}

func (e *encoded) Rows() int                       { return e.rows }
func (e *encoded) Encode(b *proto.Buffer)          { b.Buf = append(b.Buf, e.data...) }
func (e *encoded) Reset()                          { e.rows, e.data = 0, nil }
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
		if s, ok := a.(*array.String); ok {
			n += len(s.ValueBytes())
		}
	}
	return n
}

// encodeNative appends to buf column c of arrays, one after the other, in
// ClickHouse's native encoding of the type native accepted: a String is
// its length as a uvarint and its bytes; UInt32 and UInt64 little-endian;
// a Decimal(18,4) its scaled integer as a little-endian int64; a Nullable
// one byte per row, 1 for null, then every row's value, zero for a null.
// It refuses what convert refuses.
func encodeNative(c table.Column, arrays []arrow.Array, buf []byte) ([]byte, error) {
	for _, a := range arrays {
		if err := checkNulls(c, a); err != nil {
			return nil, err
		}
	}
	bad := func(a arrow.Array) error {
		return fmt.Errorf("column %s: Arrow type %s does not match table type", c.Name, a.DataType())
	}
	switch c.Type {
	case table.String:
		for _, a := range arrays {
			arr, ok := a.(*array.String)
			if !ok {
				return nil, bad(a)
			}
			for i := range arr.Len() {
				s := arr.Value(i)
				buf = binary.AppendUvarint(buf, uint64(len(s)))
				buf = append(buf, s...)
			}
		}
	case table.UInt32:
		for _, a := range arrays {
			arr, ok := a.(*array.Uint32)
			if !ok {
				return nil, bad(a)
			}
			for _, v := range arr.Uint32Values() {
				buf = binary.LittleEndian.AppendUint32(buf, v)
			}
		}
	case table.UInt64:
		for _, a := range arrays {
			arr, ok := a.(*array.Uint64)
			if !ok {
				return nil, bad(a)
			}
			for _, v := range arr.Uint64Values() {
				buf = binary.LittleEndian.AppendUint64(buf, v)
			}
		}
	case table.Decimal, table.NullableDecimal:
		decs := make([]*array.Decimal128, len(arrays))
		for k, a := range arrays {
			arr, ok := a.(*array.Decimal128)
			if !ok {
				return nil, bad(a)
			}
			if err := checkScale(c, arr); err != nil {
				return nil, err
			}
			decs[k] = arr
		}
		if c.Type == table.NullableDecimal {
			for _, arr := range decs {
				for i := range arr.Len() {
					buf = append(buf, b2u8(arr.IsNull(i)))
				}
			}
		}
		for _, arr := range decs {
			for i := range arr.Len() {
				v := int64(0)
				if arr.IsValid(i) {
					var ok bool
					if v, ok = table.ScaledInt64(arr.Value(i)); !ok {
						return nil, fmt.Errorf("column %s: %s does not fit %s", c.Name,
							table.FromDecimal128(arr.Value(i)), decimalType())
					}
				}
				buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
			}
		}
	default:
		return nil, fmt.Errorf("column %s: no native encoding for type %d", c.Name, c.Type)
	}
	return buf, nil
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
