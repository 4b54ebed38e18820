package parquet

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/shopetl/shopetl/table"
)

// A run writes a partition's rows whenever they come, and they come
// scattered: a batch of 5,000 orders spans months of daily partitions in
// every table, a platform's second scan (pay time, act_time) reads the
// same days again, and shops run concurrently. Only MaxOpenFiles writers
// stay open, so a partition's writer is evicted and a later batch opens
// another file for it: a run used to publish several small, separately
// fsynced files per partition (two per day and table for one shop alone,
// thousands in the demo). Keeping a writer open per partition is not an
// option: a year of daily partitions in nine tables is thousands of
// writers, each with a file handle and column buffers.
//
// So eviction stays, and Commit merges: coalesce streams the finished
// temporary files of each partition, in the order they were written, into
// one new file, then removes them. Each file is read one record batch at
// a time, so memory stays one batch plus the new file's open row group,
// however many files and partitions there are. A run therefore publishes
// at most one file per partition and shop commit, and only that file is
// fsynced (finish does not fsync; publish does).

// coalesce returns ws with the writers of each partition that has more
// than one replaced by a single writer holding their rows; the replaced
// files are removed. Every writer of ws must be finished and not
// published. On error the writers returned are every one that may still
// hold a temporary file, for the caller to abort.
func (s *Sink) coalesce(ws []*writer) ([]*writer, error) {
	parts := make(map[partKey][]*writer)
	var order []partKey
	for _, w := range ws {
		if parts[w.key] == nil {
			order = append(order, w.key)
		}
		parts[w.key] = append(parts[w.key], w)
	}
	if len(order) == len(ws) {
		return ws, nil
	}
	out := make([]*writer, 0, len(order))
	for i, k := range order {
		group := parts[k]
		if len(group) == 1 {
			out = append(out, group[0])
			continue
		}
		m, err := s.merge(k, group)
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

// merge writes the rows of group's finished files, in order, into a new
// finished file of partition k and removes group's files. The new writer
// is returned even on error, to be aborted.
func (s *Sink) merge(k partKey, group []*writer) (*writer, error) {
	t := tableNamed(k.table)
	m := s.newWriter(k)
	m.mu.Lock()
	defer m.mu.Unlock()
	if t == nil {
		return m, m.setErr(fmt.Errorf("no table %s", k.table))
	}
	if err := m.create(s, t.Schema()); err != nil {
		return m, err
	}
	if err := copyFiles(m, t, tmpNames(group)); err != nil {
		return m, err
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
