package parquet

import (
	"fmt"
	"maps"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/shopetl/shopetl/table"
)

// A partition's rows wait in memory until its shop commits (buffer.go),
// unless the sink's budget made its stream spill to temporary files
// (spill.go). Commit then writes each partition as one file: its rows in
// each spill file, in the order they were spilled, followed by its
// buffered rows. A table's spill files are read side by side, one chunk
// of each at a time, and partitions are written one writer at a time, so
// memory stays bounded however many partitions and spills there are. A
// run therefore publishes at most one file per partition and shop commit.

// assemble writes one finished, unpublished file per partition of a
// shop's spill files (in the order they were spilled) and streams. On
// error the writers returned are every one that may hold a temporary
// file, for the caller to abort; the spill files are the caller's.
func (s *Sink) assemble(spills []*spillFile, sts []*stream) ([]*writer, error) {
	type group struct {
		spills []*spillFile
		st     *stream
	}
	groups := make(map[string]*group)
	of := func(name string) *group {
		g := groups[name]
		if g == nil {
			g = &group{}
			groups[name] = g
		}
		return g
	}
	for _, f := range spills {
		of(f.key.table).spills = append(of(f.key.table).spills, f)
	}
	for _, st := range sts {
		of(st.key.table).st = st
	}
	var out []*writer
	for _, t := range table.All { // a fixed order
		g := groups[t.Name]
		if g == nil {
			continue
		}
		delete(groups, t.Name)
		ws, err := s.assembleTable(g.spills, g.st)
		out = append(out, ws...)
		if err != nil {
			return out, err
		}
	}
	if len(groups) > 0 { // Write takes package table's tables only
		return out, fmt.Errorf("no table %s", slices.Sorted(maps.Keys(groups))[0])
	}
	return out, nil
}

// assembleTable writes one file per partition of one table's spill files
// and stream (which may be nil).
func (s *Sink) assembleTable(spills []*spillFile, st *stream) (out []*writer, err error) {
	var keys []partKey
	var bufs map[partKey]*partBuf
	var schema *arrow.Schema // the rows' own: Write checked it is their table's
	if st != nil {
		bufs = st.parts
		schema = st.copies[0].Schema()
		for k := range bufs {
			keys = append(keys, k)
		}
	}
	readers := make([]*spillReader, 0, len(spills))
	defer func() {
		for _, r := range readers {
			r.close()
		}
	}()
	for _, f := range spills {
		f.mu.Lock() // waits for the spill to be written
		ferr := f.err
		f.mu.Unlock()
		if ferr != nil {
			return nil, ferr
		}
		if len(f.parts) == 0 { // nothing was written, no file made
			continue
		}
		r, err := openSpill(f)
		if err != nil {
			return nil, err
		}
		readers = append(readers, r)
		schema = r.r.Schema()
		for _, p := range f.parts {
			keys = append(keys, p.key)
		}
	}
	slices.SortFunc(keys, partCmp)
	keys = slices.Compact(keys)
	for _, k := range keys {
		w := s.newWriter(k)
		out = append(out, w)
		if err := s.writePart(w, schema, readers, bufs[k]); err != nil {
			return out, err
		}
	}
	return out, nil
}

// writePart writes partition w.key's rows in readers, then b's (which
// may be nil), into w and finishes it.
func (s *Sink) writePart(w *writer, schema *arrow.Schema, readers []*spillReader, b *partBuf) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var rows int64
	for _, r := range readers {
		rows += r.rowsOf(w.key)
	}
	if b != nil {
		for _, r := range b.runs {
			rows += r.end - r.start
		}
	}
	if err := w.create(s, schema, rows); err != nil {
		return err
	}
	for _, r := range readers {
		if err := r.copyPart(w, w.key); err != nil {
			return err
		}
	}
	if b != nil {
		if err := s.writeBuf(w, b); err != nil {
			return err
		}
	}
	return w.finish()
}
