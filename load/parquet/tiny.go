package parquet

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// Most files of a backfill hold a row or two (tinyFileRows), written
// without compression, dictionaries or statistics. For such a file
// pqarrow's machinery was nearly all of the cost: per column a column
// writer with its page buffers, encoders and level builders, a thrift
// serializer with a 4 KiB buffer for the column metadata it repeats after
// the chunk, and per file the Arrow to Parquet schema conversion.
// writeTiny writes the same columns directly: one PLAIN data page (v1) per
// column, the levels RLE-encoded, and the footer built by arrow-go's own
// metadata builders from the schema pqarrow converts once per table. The
// Parquet schema, the stored Arrow schema, and so the types read back,
// are pqarrow's. Files of any other shape, or a column type it does not
// know, go through pqarrow.

// tinyLayout is what writeTiny needs of a table's schema.
type tinyLayout struct {
	pq     *schema.Schema
	leaves []tinyLeaf // one per field: every supported field has one leaf
}

// tinyLeaf is how one field is written.
type tinyLeaf struct {
	kind           tinyKind
	maxDef, maxRep int16
	size           int // a fixed-length byte array's length
}

type tinyKind int

const (
	tinyString     tinyKind = iota // BYTE_ARRAY
	tinyUint32                     // INT32
	tinyUint64                     // INT64
	tinyDecimal                    // FIXED_LEN_BYTE_ARRAY, big-endian
	tinyTimeMillis                 // timestamp[s] as INT64 milliseconds
	tinyStringList                 // a required list of optional strings
)

// newTinyLayout returns the layout of schema, or nil if a field is of a
// type writeTiny does not write.
func newTinyLayout(sc *arrow.Schema, props *parquet.WriterProperties) (*tinyLayout, error) {
	pqs, err := pqarrow.ToParquet(sc, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		return nil, err
	}
	if pqs.NumColumns() != sc.NumFields() {
		return nil, nil
	}
	l := &tinyLayout{pq: pqs, leaves: make([]tinyLeaf, sc.NumFields())}
	for i, f := range sc.Fields() {
		col := pqs.Column(i)
		leaf := tinyLeaf{maxDef: col.MaxDefinitionLevel(), maxRep: col.MaxRepetitionLevel(), size: col.TypeLength()}
		phys := col.PhysicalType()
		flat := leaf.maxRep == 0 && leaf.maxDef <= 1 && (leaf.maxDef == 1) == f.Nullable
		switch dt := f.Type.(type) {
		case *arrow.StringType:
			leaf.kind = tinyString
			flat = flat && phys == parquet.Types.ByteArray
		case *arrow.Uint32Type:
			leaf.kind = tinyUint32
			flat = flat && phys == parquet.Types.Int32
		case *arrow.Uint64Type:
			leaf.kind = tinyUint64
			flat = flat && phys == parquet.Types.Int64
		case *arrow.Decimal128Type:
			leaf.kind = tinyDecimal
			flat = flat && phys == parquet.Types.FixedLenByteArray && leaf.size > 0 && leaf.size <= 16
		case *arrow.TimestampType:
			lt, ok := col.LogicalType().(schema.TimestampLogicalType)
			leaf.kind = tinyTimeMillis
			flat = flat && dt.Unit == arrow.Second && phys == parquet.Types.Int64 && ok && lt.TimeUnit() == schema.TimeUnitMillis
		case *arrow.ListType:
			_, str := dt.Elem().(*arrow.StringType)
			leaf.kind = tinyStringList
			flat = str && !f.Nullable && dt.ElemField().Nullable && phys == parquet.Types.ByteArray &&
				leaf.maxRep == 1 && leaf.maxDef == 2
		default:
			flat = false
		}
		if !flat {
			return nil, nil
		}
		l.leaves[i] = leaf
	}
	return l, nil
}

// plainPage is the encoding stats of a column chunk of one PLAIN data
// page; Finish only reads it.
var plainPage = metadata.EncodingStats{DataEncodingStats: map[parquet.Encoding]int32{parquet.Encodings.Plain: 1}}

// tinyBuffers holds a page's levels and values, reused from file to file.
type tinyBuffers struct {
	rep, def []int16
	values   bytes.Buffer
	page     bytes.Buffer
}

var tinyPool = sync.Pool{New: func() any { return new(tinyBuffers) }}

const tinyPoolMax = 1 << 20

var magic = []byte("PAR1")

// writeTiny writes recs, of l's schema, to w as a Parquet file of one row
// group, storing stored under arrowSchemaKey.
func writeTiny(w io.Writer, l *tinyLayout, props *parquet.WriterProperties, stored string, recs []arrow.RecordBatch) error {
	b := tinyPool.Get().(*tinyBuffers)
	defer func() {
		// A quarantine row's payload can be a whole response body: such
		// buffers are left to the garbage collector.
		if b.page.Cap() <= tinyPoolMax {
			tinyPool.Put(b)
		}
	}()
	fmb := metadata.NewFileMetadataBuilder(l.pq, props, nil)
	if err := fmb.AppendKeyValueMetadata(arrowSchemaKey, stored); err != nil {
		return err
	}
	rg := fmb.AppendRowGroup()
	var rows int64
	for _, r := range recs {
		rows += r.NumRows()
	}
	rg.SetNumRows(int(rows))
	if _, err := w.Write(magic); err != nil {
		return err
	}
	pos := int64(len(magic))
	for i, leaf := range l.leaves {
		b.rep, b.def = b.rep[:0], b.def[:0]
		b.values.Reset()
		for _, r := range recs {
			if err := leaf.encode(b, r.Column(i)); err != nil {
				return fmt.Errorf("column %s: %w", r.Schema().Field(i).Name, err)
			}
		}
		b.page.Reset()
		n := int64(max(len(b.def), len(b.rep)))
		if leaf.maxDef == 0 {
			n = rows
		}
		if leaf.maxRep > 0 {
			putLevels(&b.page, b.rep, leaf.maxRep)
		}
		if leaf.maxDef > 0 {
			putLevels(&b.page, b.def, leaf.maxDef)
		}
		b.page.Write(b.values.Bytes())
		hdr := pageHeader(int32(n), int32(b.page.Len()))
		if _, err := w.Write(hdr); err != nil {
			return err
		}
		if _, err := w.Write(b.page.Bytes()); err != nil {
			return err
		}
		size := int64(len(hdr) + b.page.Len())
		err := rg.NextColumnChunk().Finish(metadata.ChunkMetaInfo{
			NumValues: n, IndexPageOffset: -1, DataPageOffset: pos,
			CompressedSize: size, UncompressedSize: size,
		}, false, false, plainPage)
		if err != nil {
			return err
		}
		pos += size
	}
	if err := rg.Finish(pos-int64(len(magic)), 0); err != nil {
		return err
	}
	fm, err := fmb.Finish()
	if err != nil {
		return err
	}
	n, err := fm.WriteTo(w, nil)
	if err != nil {
		return err
	}
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:4], uint32(n))
	copy(tail[4:], magic)
	_, err = w.Write(tail[:])
	return err
}

// encode appends a's levels to b.rep and b.def (when the leaf has them)
// and its values, PLAIN-encoded, to b.values.
func (leaf tinyLeaf) encode(b *tinyBuffers, a arrow.Array) error {
	var scratch [16]byte
	for i := 0; i < a.Len(); i++ {
		if leaf.maxDef == 1 {
			if a.IsNull(i) {
				b.def = append(b.def, 0)
				continue
			}
			b.def = append(b.def, 1)
		} else if leaf.maxRep == 0 && a.IsNull(i) {
			return fmt.Errorf("row %d: null in a required column", i)
		}
		switch leaf.kind {
		case tinyString:
			putBytes(&b.values, a.(*array.String).Value(i))
		case tinyUint32:
			b.values.Write(binary.LittleEndian.AppendUint32(scratch[:0], a.(*array.Uint32).Value(i)))
		case tinyUint64:
			b.values.Write(binary.LittleEndian.AppendUint64(scratch[:0], a.(*array.Uint64).Value(i)))
		case tinyTimeMillis:
			ms := int64(a.(*array.Timestamp).Value(i)) * 1000
			b.values.Write(binary.LittleEndian.AppendUint64(scratch[:0], uint64(ms)))
		case tinyDecimal:
			v := a.(*array.Decimal128).Value(i)
			binary.BigEndian.PutUint64(scratch[:8], uint64(v.HighBits()))
			binary.BigEndian.PutUint64(scratch[8:], v.LowBits())
			b.values.Write(scratch[16-leaf.size:])
		case tinyStringList:
			l := a.(*array.List)
			if l.IsNull(i) {
				return fmt.Errorf("row %d: null list in a required column", i)
			}
			start, end := l.ValueOffsets(i)
			if start == end {
				b.rep, b.def = append(b.rep, 0), append(b.def, 0)
				continue
			}
			elems := l.ListValues().(*array.String)
			for j := start; j < end; j++ {
				b.rep = append(b.rep, min(int16(j-start), 1))
				if elems.IsNull(int(j)) {
					b.def = append(b.def, 1)
					continue
				}
				b.def = append(b.def, 2)
				putBytes(&b.values, elems.Value(int(j)))
			}
		}
	}
	return nil
}

func putBytes(buf *bytes.Buffer, s string) {
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(s)))
	buf.Write(n[:])
	buf.WriteString(s)
}

// putLevels writes levels as a data page v1 does: their length (4 bytes,
// little-endian), then the RLE/bit-packed hybrid encoding, here only RLE
// runs (a run's length shifted left by one, then its value in whole bytes).
func putLevels(buf *bytes.Buffer, levels []int16, maxLevel int16) {
	width := (bits.Len16(uint16(maxLevel)) + 7) / 8
	at := buf.Len()
	buf.Write([]byte{0, 0, 0, 0})
	var tmp [binary.MaxVarintLen64 + 2]byte
	for i := 0; i < len(levels); {
		j := i + 1
		for j < len(levels) && levels[j] == levels[i] {
			j++
		}
		n := binary.PutUvarint(tmp[:], uint64(j-i)<<1)
		tmp[n] = byte(levels[i])
		if width == 2 {
			tmp[n+1] = byte(levels[i] >> 8)
		}
		buf.Write(tmp[:n+width])
		i = j
	}
	binary.LittleEndian.PutUint32(buf.Bytes()[at:], uint32(buf.Len()-at-4))
}

// pageHeader is the thrift compact encoding of a PageHeader of a
// DATA_PAGE of n values and size bytes, uncompressed, PLAIN-encoded with
// RLE levels.
func pageHeader(n, size int32) []byte {
	const i32, structType = 5, 12
	h := make([]byte, 0, 32)
	field := func(delta, typ byte) { h = append(h, delta<<4|typ) }
	i32v := func(v int32) { h = binary.AppendUvarint(h, uint64(uint32(v<<1)^uint32(v>>31))) }
	field(1, i32) // type
	i32v(0)       // DATA_PAGE
	field(1, i32) // uncompressed_page_size
	i32v(size)
	field(1, i32) // compressed_page_size
	i32v(size)
	field(2, structType) // data_page_header (field 5)
	field(1, i32)        // num_values
	i32v(n)
	field(1, i32) // encoding
	i32v(int32(parquet.Encodings.Plain))
	field(1, i32) // definition_level_encoding
	i32v(int32(parquet.Encodings.RLE))
	field(1, i32) // repetition_level_encoding
	i32v(int32(parquet.Encodings.RLE))
	h = append(h, 0, 0) // the end of data_page_header, of the header
	return h
}
