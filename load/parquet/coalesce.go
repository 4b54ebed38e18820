package parquet

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/shopetl/shopetl/table"
)

// A partition's rows wait in memory until its shop commits (buffer.go),
// unless the sink's budget made it spill some of them to temporary files.
// Commit then writes each partition as one file: its buffer alone, or its
// spilled files streamed back, in the order they were written, followed by
// its buffer, into one new file; the spilled files are then removed. Each
// file is read one record batch at a time, so memory stays one batch plus
// the new file's open row group, however many files and partitions there
// are. A run therefore publishes at most one file per partition and shop
// commit, and only that file is fsynced (finish does not fsync; publish
// does).

// coalesce returns one finished writer per partition of ws and bufs:
// a partition's spilled files (ws, finished and not published) and its
// buffer are written into a new file, and the spilled files removed; a
// partition with one spilled file and no buffer keeps that file. On error the writers returned are every one that may
// still hold a temporary file, for the caller to abort.
func (s *Sink) coalesce(ws []*writer, bufs []*partBuf) ([]*writer, error) {
	parts := make(map[partKey][]*writer)
	bufOf := make(map[partKey]*partBuf, len(bufs))
	var order []partKey
	for _, w := range ws {
		if parts[w.key] == nil {
			order = append(order, w.key)
		}
		parts[w.key] = append(parts[w.key], w)
	}
	for _, b := range bufs {
		if parts[b.key] == nil {
			order = append(order, b.key)
		}
		bufOf[b.key] = b
	}
	out := make([]*writer, 0, len(order))
	for i, k := range order {
		group, b := parts[k], bufOf[k]
		if len(group) == 1 && b == nil {
			out = append(out, group[0])
			continue
		}
		m, err := s.merge(k, group, b)
		if err != nil {
			all := append(out, m)
			for _, rest := range order[i:] {
				all = append(all, parts[rest]...)
			}
			return all, err
		}
		out = append(out, m)
	}
	return out, nil
}

// merge writes the rows of group's finished files, in order, then those
// of b (which may be nil), into a new finished file of partition k, and
// removes group's files. The new writer is returned even on error,
// to be aborted.
func (s *Sink) merge(k partKey, group []*writer, b *partBuf) (*writer, error) {
	m := s.newWriter(k)
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(group) > 0 {
		// Spilled files are read back as their table's rows.
		t := tableNamed(k.table)
		if t == nil {
			return m, m.setErr(fmt.Errorf("no table %s", k.table))
		}
		if err := m.create(s, t.Schema()); err != nil {
			return m, err
		}
		if err := copyFiles(m, t, tmpNames(group)); err != nil {
			return m, err
		}
	}
	if b != nil {
		if err := s.writeBuf(m, b); err != nil {
			return m, err
		}
	}
	if err := m.finish(); err != nil {
		return m, err
	}
	for _, w := range group {
		w.mu.Lock()
		err := w.abort() // removes its temporary file
		w.mu.Unlock()
		if err != nil {
			return m, err
		}
	}
	return m, nil
}

func tmpNames(ws []*writer) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.tmp
	}
	return out
}

// copyFiles appends every row of files, read one batch at a time, to w;
// w.mu must be held.
func copyFiles(w *writer, t *table.Table, files []string) error {
	schema := t.Schema()
	for _, path := range files {
		err := readFile(path, t, nil, func(rec arrow.RecordBatch) error {
			c, err := conform(rec, schema)
			if err != nil {
				return err
			}
			defer c.Release()
			return w.write(c)
		})
		if err != nil {
			return w.setErr(err)
		}
	}
	return nil
}

// tableNamed is the table of package table called name, or nil.
func tableNamed(name string) *table.Table {
	for _, t := range table.All {
		if t.Name == name {
			return t
		}
	}
	return nil
}
