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
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// Most files of a backfill hold a row or two, and nearly all of them at
// most smallFileRows, written without dictionaries. For such a file
// pqarrow's machinery was nearly all of the cost: per column a column
// writer with its page buffers, encoders, statistics and level builders,
// a thrift serializer with a 4 KiB buffer for the column metadata it
// repeats after the chunk, and per file the Arrow to Parquet schema
// conversion. writeTiny writes the same columns directly: one PLAIN data
// page (v1) per column, the levels RLE-encoded, compressed as the job says
// (files of at most tinyFileRows rows are not), without statistics, and
// the footer of tinyFooter (footer.go), arrow-go's own bytes for what a
// table's files share. The Parquet schema, the stored Arrow schema, and
// so the types read back, are pqarrow's. Files of any other shape, or a
// column type it does not know, go through pqarrow.
//
// BenchmarkFileWriter chose the limit, smallFileRows: zstd files of the
// shoptima shop's orders and order_items of 17 to 1,024 rows cost pqarrow
// without dictionaries 2 to 10 times writeTiny's CPU, and are 3 to 22%
// larger (their pages hold statistics too); with dictionaries, pqarrow's
// files are larger up to 256 rows, 2 to 5% smaller at 1,024 and 10 to 11%
// at 2,048, for 4 to 8 times the CPU at 1,024 and 4 at 2,048. A reader
// that would skip a file of at most a thousand rows by its statistics
// reads its values in about the same time.

// tinyLayout is what writeTiny needs of a table's schema.
type tinyLayout struct {
	pq     *schema.Schema
	leaves []tinyLeaf // one per field: every supported field has one leaf
	footer *tinyFooter
}

// tinyLeaf is how one field is written.
type tinyLeaf struct {
	kind           tinyKind
	maxDef, maxRep int16
	size           int    // a fixed-length byte array's length
	path           string // the column's, for its compression
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

// newTinyLayout returns the layout of schema, whose files' footers store
// stored, or nil if a field is of a type writeTiny does not write.
func newTinyLayout(sc *arrow.Schema, props *parquet.WriterProperties, stored string) (*tinyLayout, error) {
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
		leaf := tinyLeaf{maxDef: col.MaxDefinitionLevel(), maxRep: col.MaxRepetitionLevel(), size: col.TypeLength(), path: col.Path()}
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
	if l.footer, err = newTinyFooter(pqs, props, stored); err != nil {
		return nil, err
	}
	return l, nil
}

// tinyBuffers holds a file's pages, levels, values and footer, reused
// from file to file.
type tinyBuffers struct {
	rep, def []int16
	values   bytes.Buffer
	page     bytes.Buffer
	packed   []byte // the compressed page
	chunks   []chunkInfo
	footer   []byte
}

var tinyPool = sync.Pool{New: func() any { return new(tinyBuffers) }}

const tinyPoolMax = 1 << 20

var magic = []byte("PAR1")

// writeTiny writes recs, of l's schema, to w as a Parquet file of one row
// group, one page per column compressed as props say, and l's footer.
func writeTiny(w io.Writer, l *tinyLayout, props *parquet.WriterProperties, recs []arrow.RecordBatch) error {
	b := tinyPool.Get().(*tinyBuffers)
	defer func() {
		// A quarantine row's payload can be a whole response body: such
		// buffers are left to the garbage collector.
		if b.page.Cap() <= tinyPoolMax && cap(b.packed) <= tinyPoolMax {
			tinyPool.Put(b)
		}
	}()
	rows, err := writeTinyPages(w, l, props, recs, b)
	if err != nil {
		return err
	}
	b.footer = l.footer.appendTo(b.footer[:0], rows, b.chunks)
	b.footer = binary.LittleEndian.AppendUint32(b.footer, uint32(len(b.footer)))
	b.footer = append(b.footer, magic...)
	_, err = w.Write(b.footer)
	return err
}

// writeTinyPages writes the magic and recs' pages, and leaves in b.chunks
// what the footer says of them; it returns the rows written.
func writeTinyPages(w io.Writer, l *tinyLayout, props *parquet.WriterProperties, recs []arrow.RecordBatch, b *tinyBuffers) (int64, error) {
	var rows int64
	for _, r := range recs {
		rows += r.NumRows()
	}
	if _, err := w.Write(magic); err != nil {
		return 0, err
	}
	pos := int64(len(magic))
	b.chunks = b.chunks[:0]
	for i, leaf := range l.leaves {
		b.rep, b.def = b.rep[:0], b.def[:0]
		b.values.Reset()
		for _, r := range recs {
			if err := leaf.encode(b, r.Column(i)); err != nil {
				return 0, fmt.Errorf("column %s: %w", r.Schema().Field(i).Name, err)
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
		page, codec := b.page.Bytes(), props.CompressionFor(leaf.path)
		if codec != compress.Codecs.Uncompressed {
			c, err := compress.GetCodec(codec)
			if err != nil {
				return 0, err
			}
			if bound := int(c.CompressBound(int64(len(page)))); cap(b.packed) < bound {
				b.packed = make([]byte, bound)
			}
			b.packed = c.EncodeLevel(b.packed[:cap(b.packed)], page, props.CompressionLevelFor(leaf.path))
			page = b.packed
		}
		hdr := pageHeader(int32(n), int32(b.page.Len()), int32(len(page)))
		if _, err := w.Write(hdr); err != nil {
			return 0, err
		}
		if _, err := w.Write(page); err != nil {
			return 0, err
		}
		c := chunkInfo{codec: codec, values: n, offset: pos,
			compressed: int64(len(hdr) + len(page)), uncompress: int64(len(hdr) + b.page.Len())}
		b.chunks = append(b.chunks, c)
		pos += c.compressed
	}
	return rows, nil
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
// DATA_PAGE of n values, size bytes and packed compressed, PLAIN-encoded
// with RLE levels.
func pageHeader(n, size, packed int32) []byte {
	h := make([]byte, 0, 32)
	h = appendField(h, 1, tI32) // type
	h = appendZigzag(h, 0)      // DATA_PAGE
	h = appendField(h, 1, tI32) // uncompressed_page_size
	h = appendZigzag(h, int64(size))
	h = appendField(h, 1, tI32) // compressed_page_size
	h = appendZigzag(h, int64(packed))
	h = appendField(h, 2, tStruct) // data_page_header (field 5)
	h = appendField(h, 1, tI32)    // num_values
	h = appendZigzag(h, int64(n))
	h = appendField(h, 1, tI32) // encoding
	h = appendZigzag(h, int64(parquet.Encodings.Plain))
	h = appendField(h, 1, tI32) // definition_level_encoding
	h = appendZigzag(h, int64(parquet.Encodings.RLE))
	h = appendField(h, 1, tI32) // repetition_level_encoding
	h = appendZigzag(h, int64(parquet.Encodings.RLE))
	return append(h, 0, 0) // the end of data_page_header, of the header
}
