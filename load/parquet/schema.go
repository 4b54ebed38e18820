package parquet

import (
	"fmt"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// arrowSchemaKey is the footer key under which pqarrow stores a file's
// Arrow schema (pqarrow.WithStoreSchema), for readers that restore Arrow
// types from it. arrow-go's own reader still reads timestamp[s] back as
// timestamp[ms] (Parquet has no seconds unit): see conform in reader.go.
const arrowSchemaKey = "ARROW:schema"

// storedSchemas keeps, per table, the value pqarrow stores under
// arrowSchemaKey. pqarrow computes it for every file (the schema
// normalized, serialized as Arrow IPC, base64-encoded): 4% of the CPU of
// a backfill whose daily files hold a row or two. The sink's files are
// written without WithStoreSchema and get the same value from here, so
// their footers are the same bytes.
type storedSchemas struct {
	mu sync.Mutex // guards byTable
	// byTable holds the last schema seen for each table and its value;
	// a table has one schema, so the entry is replaced at most when a
	// spill file gives an equal schema under another pointer.
	byTable map[string]storedSchema
}

type storedSchema struct {
	schema *arrow.Schema
	value  string
	tiny   *tinyLayout
}

// of returns the stored-schema value of table's schema, and its layout
// for writeTiny (nil if it cannot write it).
func (c *storedSchemas) of(table string, schema *arrow.Schema, props *parquet.WriterProperties) (string, *tinyLayout, error) {
	c.mu.Lock()
	e, ok := c.byTable[table]
	c.mu.Unlock()
	if ok && (e.schema == schema || e.schema.Equal(schema)) {
		return e.value, e.tiny, nil
	}
	v, err := storedSchemaOf(schema, props)
	if err != nil {
		return "", nil, err
	}
	tiny, err := newTinyLayout(schema, props, v)
	if err != nil {
		return "", nil, err
	}
	c.mu.Lock()
	if c.byTable == nil {
		c.byTable = make(map[string]storedSchema)
	}
	c.byTable[table] = storedSchema{schema, v, tiny}
	c.mu.Unlock()
	return v, tiny, nil
}

// storedSchemaOf asks pqarrow itself what it would store for schema, from
// the footer of a file written to nowhere.
func storedSchemaOf(schema *arrow.Schema, props *parquet.WriterProperties) (string, error) {
	fw, err := pqarrow.NewFileWriter(schema, io.Discard, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return "", err
	}
	defer fw.Close()
	md, err := fw.FileMetadata()
	if err != nil {
		return "", err
	}
	v := md.KeyValueMetadata().FindValue(arrowSchemaKey)
	if v == nil {
		return "", fmt.Errorf("pqarrow stored no %s", arrowSchemaKey)
	}
	return *v, nil
}
