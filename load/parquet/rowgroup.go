package parquet

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Row groups are cut by rows (Config.RowGroupRows) and by an estimate of
// their uncompressed bytes (Config.RowGroupBytes), whichever comes first.
// Rows alone do not bound a row group for these tables: an orders row is
// a few hundred bytes, but an etl_quarantine row carries a raw payload,
// up to a whole response body kept after failed retries, so 128k rows
// could be gigabytes to buffer while writing and to decode while reading.
//
// pqarrow's FileWriter buffers a row group in memory (WriteBuffered) and
// lets the caller end it (NewBufferedRowGroupChecked). Its own byte
// counters (RowGroupTotalBytesWritten) count only encoded, finished pages,
// not the open page nor the dictionary, so they lag behind by up to a page
// and a dictionary per column; the estimate below is computed from the
// Arrow data instead, before it is written, so a batch can be split at the
// row where the group is full.

// rowSizer estimates the uncompressed size of row ranges of a batch, as
// Parquet's PLAIN encoding would store the values: fixed-width values at
// their width, strings at their length plus a 4-byte length, lists as
// their strings. Levels, page headers and statistics are left out; they
// are small next to the values.
type rowSizer struct {
	fixed   int64           // bytes per row of the fixed-width columns
	strings []*array.String // string columns
	lists   []*array.List   // list<string> columns
	average int64           // bytes per row of columns of any other type
}

func newRowSizer(rec arrow.RecordBatch) *rowSizer {
	z := &rowSizer{}
	n := rec.NumRows()
	for _, col := range rec.Columns() {
		switch a := col.(type) {
		case *array.String:
			z.strings = append(z.strings, a)
			continue
		case *array.List:
			if _, ok := a.ListValues().(*array.String); ok {
				z.lists = append(z.lists, a)
				continue
			}
		}
		if fw, ok := col.DataType().(arrow.FixedWidthDataType); ok && fw.Bytes() > 0 {
			z.fixed += int64(fw.Bytes())
			continue
		}
		// No column of package table gets here; a future type is counted
		// at the average size of its buffers (an upper bound for slices).
		if n > 0 {
			z.average += int64(col.Data().SizeInBytes())/n + 1
		}
	}
	return z
}

// bytes estimates rows [i, j).
func (z *rowSizer) bytes(i, j int64) int64 {
	rows := j - i
	b := rows * (z.fixed + z.average)
	for _, a := range z.strings {
		off := a.ValueOffsets()
		b += int64(off[j]-off[i]) + 4*rows
	}
	for _, a := range z.lists {
		off := a.Offsets()[a.Data().Offset():]
		lo, hi := off[i], off[j]
		vo := a.ListValues().(*array.String).ValueOffsets()
		b += int64(vo[hi]-vo[lo]) + 4*int64(hi-lo)
	}
	return b
}
