package parquet

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"
	"github.com/apache/thrift/lib/go/thrift"
)

// A footer (FileMetaData, thrift compact protocol) is mostly the same
// bytes for every file of a table: the schema elements, the stored Arrow
// schema, created_by, the column orders, each column's type and path.
// Built per file by arrow-go's metadata builders and serialized by its
// thrift serializer, that was nine tenths of writeTiny's CPU (issue
// 18's quarter job: 1.9 of 2.2 s). tinyFooter keeps what is shared as
// bytes serialized once by arrow-go itself, and appends only what a file
// has of its own: its row count and its one row group. What it writes is
// byte for byte what the builders write (TestFooterIsTheBuildersOwn).

// thrift compact protocol type ids.
const (
	tI16    = 4
	tI32    = 5
	tI64    = 6
	tBinary = 8
	tList   = 9
	tStruct = 12
)

// tinyFooter is the part of a table's footers that every file shares.
type tinyFooter struct {
	// head is FileMetaData's fields before num_rows (version, schema);
	// tail its fields after row_groups (key_value_metadata, created_by,
	// column_orders) and its end.
	head, tail []byte
	// columns holds, per column, its ColumnMetaData's type, encodings
	// and path_in_schema.
	columns [][]byte
}

// chunkInfo is what a file's footer says of one column chunk of its one
// data page.
type chunkInfo struct {
	codec                  compress.Compression
	values                 int64
	offset                 int64 // of the page header
	compressed, uncompress int64 // header and page
}

// newTinyFooter serializes, with arrow-go's builders, the footer of a file
// of pq's schema with no row group, and keeps what lies around num_rows
// and row_groups.
func newTinyFooter(pq *schema.Schema, props *parquet.WriterProperties, stored string) (*tinyFooter, error) {
	fmb := metadata.NewFileMetadataBuilder(pq, props, nil)
	if err := fmb.AppendKeyValueMetadata(arrowSchemaKey, stored); err != nil {
		return nil, err
	}
	fm, err := fmb.Finish()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := fm.WriteTo(&buf, nil); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	numRows, rowGroups, err := fieldOffsets(b, 3, 5)
	if err != nil {
		return nil, fmt.Errorf("footer template: %w", err)
	}
	f := &tinyFooter{head: b[:numRows], tail: b[rowGroups:]}
	for i := range pq.NumColumns() {
		col := pq.Column(i)
		c := appendField(nil, 1, tI32) // type
		c = appendZigzag(c, int64(col.PhysicalType()))
		// encodings: the values', then the levels'; see
		// ColumnChunkMetaDataBuilder.Finish.
		c = appendField(c, 1, tList)
		c = appendListHeader(c, 2, tI32)
		c = appendZigzag(c, int64(props.EncodingFor(col.Path())))
		c = appendZigzag(c, int64(parquet.Encodings.RLE))
		path := col.ColumnPath()
		c = appendField(c, 1, tList) // path_in_schema
		c = appendListHeader(c, len(path), tBinary)
		for _, p := range path {
			c = binary.AppendUvarint(c, uint64(len(p)))
			c = append(c, p...)
		}
		f.columns = append(f.columns, c)
	}
	return f, nil
}

// fieldOffsets returns where, in the serialized struct b, the headers of
// its top-level fields first and next start; next's offset is b's end
// field (its stop byte) if no field from next on is set.
func fieldOffsets(b []byte, first, next int16) (int, int, error) {
	mem := &thrift.TMemoryBuffer{Buffer: bytes.NewBuffer(b)}
	p := thrift.NewTCompactProtocolConf(mem, &thrift.TConfiguration{})
	ctx := context.Background()
	if _, err := p.ReadStructBegin(ctx); err != nil {
		return 0, 0, err
	}
	at, from := -1, -1
	for {
		pos := len(b) - mem.Len()
		_, typ, id, err := p.ReadFieldBegin(ctx)
		if err != nil {
			return 0, 0, err
		}
		if id == first && at < 0 {
			at = pos
		}
		if typ == thrift.STOP || id >= next {
			from = pos
			break
		}
		if err := p.Skip(ctx, typ); err != nil {
			return 0, 0, err
		}
	}
	if at < 0 {
		return 0, 0, fmt.Errorf("no field %d", first)
	}
	return at, from, nil
}

// appendTo appends the footer of a file of rows rows in one row group of
// chunks, one per column, to dst.
func (f *tinyFooter) appendTo(dst []byte, rows int64, chunks []chunkInfo) []byte {
	dst = append(dst, f.head...)
	dst = appendField(dst, 1, tI64) // num_rows (3)
	dst = appendZigzag(dst, rows)
	dst = appendField(dst, 1, tList) // row_groups (4)
	dst = appendListHeader(dst, 1, tStruct)
	// RowGroup
	dst = appendField(dst, 1, tList) // columns
	dst = appendListHeader(dst, len(chunks), tStruct)
	var compressed, uncompressed int64
	for i, c := range chunks {
		compressed += c.compressed
		uncompressed += c.uncompress
		// ColumnChunk
		dst = appendField(dst, 2, tI64) // file_offset (2)
		dst = appendZigzag(dst, c.offset)
		dst = appendField(dst, 1, tStruct) // meta_data (3)
		// ColumnMetaData
		dst = append(dst, f.columns[i]...)
		dst = appendField(dst, 1, tI32) // codec (4)
		dst = appendZigzag(dst, int64(c.codec))
		dst = appendField(dst, 1, tI64) // num_values (5)
		dst = appendZigzag(dst, c.values)
		dst = appendField(dst, 1, tI64) // total_uncompressed_size (6)
		dst = appendZigzag(dst, c.uncompress)
		dst = appendField(dst, 1, tI64) // total_compressed_size (7)
		dst = appendZigzag(dst, c.compressed)
		dst = appendField(dst, 2, tI64) // data_page_offset (9)
		dst = appendZigzag(dst, c.offset)
		dst = appendField(dst, 4, tList) // encoding_stats (13)
		dst = appendListHeader(dst, 1, tStruct)
		// PageEncodingStats: one DATA_PAGE, PLAIN
		dst = appendField(dst, 1, tI32)
		dst = appendZigzag(dst, 0)
		dst = appendField(dst, 1, tI32)
		dst = appendZigzag(dst, int64(parquet.Encodings.Plain))
		dst = appendField(dst, 1, tI32)
		dst = appendZigzag(dst, 1)
		dst = append(dst, 0, 0, 0) // the ends of PageEncodingStats, ColumnMetaData, ColumnChunk
	}
	dst = appendField(dst, 1, tI64) // total_byte_size (2)
	dst = appendZigzag(dst, uncompressed)
	dst = appendField(dst, 1, tI64) // num_rows (3)
	dst = appendZigzag(dst, rows)
	var first int64
	if len(chunks) > 0 {
		first = chunks[0].offset
	}
	dst = appendField(dst, 2, tI64) // file_offset (5)
	dst = appendZigzag(dst, first)
	dst = appendField(dst, 1, tI64) // total_compressed_size (6)
	dst = appendZigzag(dst, compressed)
	dst = appendField(dst, 1, tI16) // ordinal (7)
	dst = appendZigzag(dst, 0)
	dst = append(dst, 0) // the end of RowGroup
	return append(dst, f.tail...)
}

// appendField appends a compact protocol field header: the field id's
// delta from the previous field's (1 to 15) and its type.
func appendField(dst []byte, delta, typ byte) []byte { return append(dst, delta<<4|typ) }

// appendZigzag appends an i16, i32 or i64 as the compact protocol does.
func appendZigzag(dst []byte, v int64) []byte {
	return binary.AppendUvarint(dst, uint64(v<<1)^uint64(v>>63))
}

// appendListHeader appends a list's size and element type.
func appendListHeader(dst []byte, n int, typ byte) []byte {
	if n < 15 {
		return append(dst, byte(n)<<4|typ)
	}
	return binary.AppendUvarint(append(dst, 0xf0|typ), uint64(n))
}
