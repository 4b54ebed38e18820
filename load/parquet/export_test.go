package parquet

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Spilled is how many streams s has spilled, for benchmarks.
func Spilled(s *Sink) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spilled
}

// WriteFile writes rec as one file of s's table tbl to w, for benchmarks:
// by writeTiny with the compression of s's small files (how "hand"), or
// by pqarrow with the properties of s's small files (no dictionaries,
// "small") or of its large ones ("dict").
func WriteFile(w io.Writer, s *Sink, tbl string, rec arrow.RecordBatch, how string) error {
	props := s.small
	if how == "dict" {
		props = s.props
	}
	stored, tiny, err := s.schemas.of(tbl, rec.Schema(), props)
	if err != nil {
		return err
	}
	if how == "hand" {
		return writeTiny(w, tiny, props, []arrow.RecordBatch{rec})
	}
	fw, err := pqarrow.NewFileWriter(rec.Schema(), w, props, pqarrow.NewArrowWriterProperties())
	if err == nil {
		err = fw.AppendKeyValueMetadata(arrowSchemaKey, stored)
	}
	if err != nil {
		return err
	}
	t := array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
	defer t.Release()
	if err := fw.WriteTable(t, rec.NumRows()); err != nil {
		return err
	}
	return fw.Close()
}
