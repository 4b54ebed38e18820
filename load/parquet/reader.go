package parquet

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/shopetl/shopetl/table"
)

// readBatchRows is the size of the record batches ReadTable returns.
const readBatchRows = 64 * 1024

// isPartFile reports whether a file name is a final part file; temporary
// files (.part-….parquet.tmp) and anything else are not.
func isPartFile(name string) bool {
	return strings.HasPrefix(name, "part-") && strings.HasSuffix(name, ".parquet")
}

// Files lists t's final part files under dir, sorted. A missing table
// directory means no files.
func Files(dir string, t *table.Table) ([]string, error) {
	root := filepath.Join(dir, t.Name)
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if d.Type().IsRegular() && isPartFile(d.Name()) {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("parquet: list %s: %w", root, err)
	}
	slices.Sort(out)
	return out, nil
}

// PartitionFiles counts t's final part files under dir per partition
// directory: after a run or a compaction, one each.
func PartitionFiles(dir string, t *table.Table) (map[string]int, error) {
	files, err := Files(dir, t)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, f := range files {
		out[filepath.Dir(f)]++
	}
	return out, nil
}

// ReadTable reads every final file of t under dir with the Arrow reader and
// returns its rows as record batches of t.Schema() in file order. The caller
// releases the batches. A file whose columns are not t's is an error.
func ReadTable(dir string, t *table.Table) ([]arrow.RecordBatch, error) {
	var out []arrow.RecordBatch
	err := relisting(func() error {
		files, err := Files(dir, t)
		if err != nil {
			return err
		}
		out, err = readFiles(files, t)
		return err
	})
	return out, err
}

// relisting runs read, which lists files and reads them, again when a file
// it listed was gone when it opened it: compaction (Compact) removes a
// partition's old files after publishing their replacement, so listing
// again finds the new file. A reader listing and reading at any moment
// thus sees every key.
func relisting(read func() error) error {
	var err error
	for range 5 {
		if err = read(); !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return err
}

// readFiles reads files of t as ReadTable does.
func readFiles(files []string, t *table.Table) ([]arrow.RecordBatch, error) {
	schema := t.Schema()
	var out []arrow.RecordBatch
	err := byPartition(files, func(part []string) error {
		mark := len(out)
		for _, path := range part {
			err := readFile(path, t, nil, func(rec arrow.RecordBatch) error {
				c, err := conform(rec, schema)
				if err != nil {
					return err
				}
				out = append(out, c)
				return nil
			})
			if err != nil {
				releaseAll(out[mark:])
				out = out[:mark]
				return err
			}
		}
		return nil
	})
	if err != nil {
		releaseAll(out)
		return nil, err
	}
	return out, nil
}

// partitionRereads bounds how often byPartition lists and reads one
// partition again.
const partitionRereads = 20

// byPartition calls read with the files of each partition directory in
// turn (files sorted, as Files returns them). When one of them was gone,
// compaction replaced the partition's files: it is listed and read again
// on its own, and read must have dropped what it took of it. relisting
// reads everything again instead; a reader of many files beside a busy
// compaction could miss every time (TestCompactBesideARun did, in CI).
func byPartition(files []string, read func(part []string) error) error {
	for len(files) > 0 {
		dir := filepath.Dir(files[0])
		n := 1
		for n < len(files) && filepath.Dir(files[n]) == dir {
			n++
		}
		part := files[:n]
		files = files[n:]
		err := read(part)
		for try := 0; errors.Is(err, fs.ErrNotExist) && try < partitionRereads; try++ {
			if part, err = partFilesIn(dir); err == nil {
				err = read(part)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// olderColumns reports whether a file's columns are the table's or those of
// an older declaration of it: the table's columns in order, some left out.
// Schema changes are additive (table.SchemaVersion), so files written
// before a column was added stay readable.
func olderColumns(file, table []string) bool {
	j := 0
	for _, c := range file {
		for j < len(table) && table[j] != c {
			j++
		}
		if j == len(table) {
			return false
		}
		j++
	}
	return len(file) > 0
}

// emptyColumn is n rows of f's empty value: null for a nullable field,
// else "", 0, or an empty list.
func emptyColumn(f arrow.Field, n int) arrow.Array {
	b := array.NewBuilder(memory.DefaultAllocator, f.Type)
	defer b.Release()
	if f.Nullable {
		b.AppendNulls(n)
	} else {
		b.AppendEmptyValues(n)
	}
	return b.NewArray()
}

// readFile streams a file's batches to fn, which must Retain what it
// keeps. columns selects top-level primitive columns by name (nil: all).
func readFile(path string, t *table.Table, columns []string, fn func(arrow.RecordBatch) error) error {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return fmt.Errorf("parquet: open %s: %w", path, err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: readBatchRows}, memory.DefaultAllocator)
	if err != nil {
		return fmt.Errorf("parquet: read %s: %w", path, err)
	}
	sc, err := fr.Schema()
	if err != nil {
		return fmt.Errorf("parquet: schema of %s: %w", path, err)
	}
	var names []string
	for _, f := range sc.Fields() {
		names = append(names, f.Name)
	}
	if !olderColumns(names, t.ColumnNames()) {
		return fmt.Errorf("parquet: %s has columns %v, table %s has %v", path, names, t.Name, t.ColumnNames())
	}
	var leaves []int
	for _, c := range columns {
		i := rdr.MetaData().Schema.ColumnIndexByName(c)
		if i < 0 {
			return fmt.Errorf("parquet: %s has no primitive column %s", path, c)
		}
		leaves = append(leaves, i)
	}
	rr, err := fr.GetRecordReader(context.Background(), leaves, nil)
	if err != nil {
		return fmt.Errorf("parquet: read %s: %w", path, err)
	}
	defer rr.Release()
	for rr.Next() {
		if err := fn(rr.RecordBatch()); err != nil {
			return fmt.Errorf("parquet: %s: %w", path, err)
		}
	}
	if err := rr.Err(); err != nil {
		return fmt.Errorf("parquet: read %s: %w", path, err)
	}
	return nil
}

// CountLatest counts the current rows of shop in t under dir: the distinct
// keys (t.Key) once every key keeps only its highest version (t.Version),
// which is what ClickHouse's FINAL gives.
func CountLatest(dir string, t *table.Table, shop string) (int, error) {
	latest, err := latestVersions(dir, t, shop)
	if err != nil {
		return 0, err
	}
	return len(latest), nil
}

// ShopFiles lists the final files of t under dir that hold shop's rows,
// sorted.
func ShopFiles(dir string, t *table.Table, shop string) ([]string, error) {
	files, err := Files(dir, t)
	if err != nil {
		return nil, err
	}
	root := filepath.Join(dir, t.Name)
	out := files[:0]
	for _, path := range files {
		// <table>/platform=<p>/shop=<s>/date=<d>/part-…: skip other shops.
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return nil, err
		}
		if parts := strings.Split(filepath.ToSlash(rel), "/"); len(parts) == 4 && parts[1] == "shop="+shop {
			out = append(out, path)
		}
	}
	return out, nil
}

// latestVersions maps each key of shop's rows to its highest version.
func latestVersions(dir string, t *table.Table, shop string) (map[string]uint64, error) {
	var cols []string
	for _, c := range append([]string{"shop", t.Version}, t.Key...) {
		if !slices.Contains(cols, c) {
			cols = append(cols, c)
		}
	}
	var latest map[string]uint64
	err := relisting(func() error {
		files, err := ShopFiles(dir, t, shop)
		if err != nil {
			return err
		}
		latest = make(map[string]uint64)
		// A partition read again adds its rows again: a key's highest
		// version is the same.
		return byPartition(files, func(part []string) error {
			for _, path := range part {
				err := readFile(path, t, cols, func(rec arrow.RecordBatch) error {
					return addLatest(latest, rec, t, shop)
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	})
	return latest, err
}

func addLatest(latest map[string]uint64, rec arrow.RecordBatch, t *table.Table, shop string) error {
	idx := func(name string) int {
		return slices.IndexFunc(rec.Schema().Fields(), func(f arrow.Field) bool { return f.Name == name })
	}
	shops, ok := rec.Column(idx("shop")).(*array.String)
	if !ok {
		return errors.New("shop is not a string column")
	}
	var version func(i int) uint64
	switch v := rec.Column(idx(t.Version)).(type) {
	case *array.Uint64:
		version = func(i int) uint64 { return v.Value(i) }
	case *array.Uint32:
		version = func(i int) uint64 { return uint64(v.Value(i)) }
	default:
		return fmt.Errorf("version column %s is %s", t.Version, v.DataType())
	}
	keys := make([]arrow.Array, len(t.Key))
	for j, k := range t.Key {
		keys[j] = rec.Column(idx(k))
	}
	var b []byte
	for i := 0; i < int(rec.NumRows()); i++ {
		if shops.IsNull(i) || shops.Value(i) != shop {
			continue
		}
		b = appendKey(b[:0], keys, i)
		v := version(i)
		if old, ok := latest[string(b)]; !ok || v > old {
			latest[string(b)] = v
		}
	}
	return nil
}

// appendKey appends row i's key, the values of keys, to b, each
// length-prefixed so that no two keys encode alike.
func appendKey(b []byte, keys []arrow.Array, i int) []byte {
	for _, k := range keys {
		s := "\x00null"
		if !k.IsNull(i) {
			s = k.ValueStr(i)
		}
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
	}
	return b
}

// conform returns rec with t's exact schema. arrow-go's reader does not
// restore what Parquet cannot hold even with the stored Arrow schema:
// timestamp[s] comes back as timestamp[ms] (Parquet has no seconds unit),
// and a list's element field may be named "element" instead of "item".
func conform(rec arrow.RecordBatch, schema *arrow.Schema) (arrow.RecordBatch, error) {
	if rec.Schema().Equal(schema) {
		rec.Retain()
		return rec, nil
	}
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, f := range schema.Fields() {
		idx := rec.Schema().FieldIndices(f.Name)
		if len(idx) == 0 {
			// A file written before the column was added (olderColumns):
			// the column's empty value, null where it may be null.
			cols[i] = emptyColumn(f, int(rec.NumRows()))
			continue
		}
		col := rec.Column(idx[0])
		want := f.Type
		got := col.DataType()
		switch {
		case arrow.TypeEqual(got, want):
			col.Retain()
			cols[i] = col
		case got.ID() == arrow.TIMESTAMP && want.ID() == arrow.TIMESTAMP:
			c, err := convertTimestamps(col.(*array.Timestamp), want.(*arrow.TimestampType))
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", f.Name, err)
			}
			cols[i] = c
		case got.ID() == arrow.LIST && want.ID() == arrow.LIST &&
			arrow.TypeEqual(got.(*arrow.ListType).Elem(), want.(*arrow.ListType).Elem()):
			// Same layout, only the element field's name or nullability
			// differs: reinterpret the data.
			d := col.Data()
			nd := array.NewData(want, d.Len(), d.Buffers(), d.Children(), d.NullN(), d.Offset())
			cols[i] = array.MakeFromData(nd)
			nd.Release()
		default:
			return nil, fmt.Errorf("column %s is %s, want %s", f.Name, got, want)
		}
	}
	return array.NewRecordBatch(schema, cols, rec.NumRows()), nil
}

// convertTimestamps converts to a coarser or finer unit, refusing to lose
// precision.
func convertTimestamps(a *array.Timestamp, to *arrow.TimestampType) (arrow.Array, error) {
	from := a.DataType().(*arrow.TimestampType).Unit.Multiplier()
	unit := to.Unit.Multiplier()
	b := array.NewTimestampBuilder(memory.DefaultAllocator, to)
	defer b.Release()
	b.Reserve(a.Len())
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			b.AppendNull()
			continue
		}
		v := int64(a.Value(i))
		switch {
		case from < unit: // e.g. ms to s
			f := int64(unit / from)
			if v%f != 0 {
				return nil, fmt.Errorf("timestamp %d %s is not a whole %s", v, a.DataType(), to)
			}
			v /= f
		case from > unit:
			v *= int64(from / unit)
		}
		b.Append(arrow.Timestamp(v))
	}
	return b.NewArray(), nil
}
