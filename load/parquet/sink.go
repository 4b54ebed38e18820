package parquet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/shopetl/shopetl/table"
)

// Config configures the Parquet sink.
type Config struct {
	// Dir is the root directory of the layout.
	Dir string
	// Compression is zstd (the default), snappy, gzip or none.
	Compression string
	// RowGroupRows caps the rows of a row group (default 128*1024).
	RowGroupRows int64
	// RowGroupBytes caps a row group's estimated uncompressed size (default
	// 64 MiB); a row larger than it gets a row group of its own. With
	// RowGroupRows it bounds what an open writer buffers. See rowgroup.go.
	RowGroupBytes int64
	// BufferBytes is the memory the sink may use for rows written and not
	// yet committed, across every shop and table (default 32 MiB); the
	// largest partitions are spilled to temporary files beyond it. See
	// buffer.go.
	BufferBytes int64
}

// A file of at most smallFileRows rows is written without dictionaries
// (smallProps): for a row or a few, the dictionary page of each column, its
// hash table and its compression cost more than the values (BenchmarkWrite,
// whose daily files hold a few rows: about 30% fewer allocations and 20%
// less CPU). Larger files, where repeated statuses, currencies and shops
// pay for their dictionary, keep it. writeTiny writes the small files,
// without statistics either (see tiny.go).
const smallFileRows = 1000

var smallProps = []parquet.WriterProperty{parquet.WithDictionaryDefault(false)}

// A file of at most tinyFileRows rows, most files of a backfill of daily
// partitions, is also written without compression: for a row or two a
// compressed page is no smaller (zstd adds its frame to a few bytes).
const tinyFileRows = 16

var tinyProps = []parquet.WriterProperty{parquet.WithCompression(compress.Codecs.Uncompressed), parquet.WithStats(false)}

const (
	defaultRowGroupRows  = 128 * 1024
	defaultRowGroupBytes = 64 << 20
)

// Sink writes record batches as partitioned Parquet files. It is safe for
// concurrent use; Write and Commit for different shops run in parallel and
// only take the sink-wide lock for bookkeeping, never for file I/O.
type Sink struct {
	dir      string
	runID    string
	budget   int64
	groupMax groupLimits
	props    *parquet.WriterProperties
	small    *parquet.WriterProperties                      // props for files of few rows
	tiny     *parquet.WriterProperties                      // props for files of a handful of rows
	openSync func(dir string) (func() error, func(), error) // openSyncFS; tests wrap it
	schemas  storedSchemas                                  // the Arrow schema each file's footer stores
	seq      atomic.Int64                                   // last part number handed out
	spillSeq atomic.Int64                                   // last spill file number handed out

	// mu guards streams, buffered, spilling, spilled, pending, failed,
	// published, commits, dirs and closed. It is never held during file
	// I/O.
	mu sync.Mutex
	// dirs holds the partition directories this sink made or found: each
	// is made once per run, not once per stream, spill and file.
	dirs map[string]bool
	// streams holds the rows of each shop and table not yet in a file.
	streams map[streamKey]*stream
	// buffered is the memory of streams and of those being spilled;
	// spilling is the part of it being spilled.
	buffered, spilling int64
	// spilled counts the streams spilled to temporary files, for tests.
	spilled int64
	// pending holds, per shop, its spill files, which wait for the shop's
	// Commit, in the order they were spilled.
	pending map[string][]*spillFile
	// failed remembers, per shop, the first error that lost rows, so that
	// Commit cannot report success for incomplete data.
	failed map[string]error
	// published holds, per shop, every file its commits published in this
	// run: what the shop's manifest lists.
	published map[string][]ManifestFile
	// commits holds a mutex per shop that serializes its Commits, so that
	// the manifest renamed last lists every file.
	commits map[string]*sync.Mutex
	closed  bool
}

// groupLimits cap a row group.
type groupLimits struct{ rows, bytes int64 }

// partKey identifies one partition's rows. shop is the shop the caller
// wrote for (Commit's argument); rowShop is the shop column of the rows.
type partKey struct {
	shop     string
	table    string
	platform string
	rowShop  string
	day      int64 // days since the Unix epoch, UTC
}

// writer is one part file. mu serializes its I/O; it is held while rows
// are written and while the file is finished, renamed or removed.
type writer struct {
	key   partKey
	tmp   string
	final string
	file  ManifestFile // its manifest entry; Rows and Bytes are set under mu

	mu    sync.Mutex
	ready bool // the file exists, and the FileWriter unless tiny is set
	f     *countingFile
	fw    *pqarrow.FileWriter
	// schema, props and stored (the Arrow schema its footer stores) are
	// what the FileWriter is made of; tiny is set while the file is to be
	// written by writeTiny, and fw is then made only if the rows turn
	// out too large to hold (see write).
	schema *arrow.Schema
	props  *parquet.WriterProperties
	stored string
	tiny   *tinyLayout
	max    groupLimits
	rows   int64 // rows in the open row group
	bytes  int64 // estimated uncompressed bytes of the open row group
	// held is a small file's rows, kept until finish writes them at once
	// (see writeHeld); nil once the file is written row group by row group.
	held     []arrow.RecordBatch
	small    bool  // rows are held (the file has at most smallFileRows rows)
	finished bool  // the file is complete (fsynced and closed) under tmp
	renamed  bool  // the file has its final name
	err      error // the first error of this file; it is then unusable

	// compacted is set for compaction's files, which keep pqarrow's
	// statistics above tinyFileRows rows: they are the ones read for
	// years, and few.
	compacted bool
}

// New returns a sink writing under cfg.Dir with runID in file names. It
// creates cfg.Dir if need be and checks that a file can be written in it.
func New(cfg Config, runID string) (*Sink, error) {
	if cfg.Dir == "" {
		return nil, errors.New("parquet sink: no directory")
	}
	if err := checkPathValue("run id", runID); err != nil {
		return nil, fmt.Errorf("parquet sink: %w", err)
	}
	codec, err := codecOf(cfg.Compression)
	if err != nil {
		return nil, fmt.Errorf("parquet sink: %w", err)
	}
	if err := checkWritable(cfg.Dir); err != nil {
		return nil, fmt.Errorf("parquet sink: directory %s: %w", cfg.Dir, err)
	}
	if cfg.RowGroupRows <= 0 {
		cfg.RowGroupRows = defaultRowGroupRows
	}
	if cfg.RowGroupBytes <= 0 {
		cfg.RowGroupBytes = defaultRowGroupBytes
	}
	if cfg.BufferBytes <= 0 {
		cfg.BufferBytes = defaultBufferBytes
	}
	props := []parquet.WriterProperty{
		parquet.WithCompression(codec),
		parquet.WithMaxRowGroupLength(cfg.RowGroupRows),
		parquet.WithCreatedBy("shopetl"),
	}
	return &Sink{
		dir:       cfg.Dir,
		runID:     runID,
		budget:    cfg.BufferBytes,
		groupMax:  groupLimits{rows: cfg.RowGroupRows, bytes: cfg.RowGroupBytes},
		props:     parquet.NewWriterProperties(props...),
		small:     parquet.NewWriterProperties(append(props, smallProps...)...),
		tiny:      parquet.NewWriterProperties(append(append(props, smallProps...), tinyProps...)...),
		openSync:  openSyncFS,
		streams:   make(map[streamKey]*stream),
		pending:   make(map[string][]*spillFile),
		failed:    make(map[string]error),
		published: make(map[string][]ManifestFile),
		commits:   make(map[string]*sync.Mutex),
		dirs:      make(map[string]bool),
	}, nil
}

// checkWritable creates dir if need be and a file in it, removed at once:
// a directory that cannot be written (a file in its place, no permission)
// is then found before any shop is read, not after every order was.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err // "mkdir <the path that failed>: <reason>"
	}
	f, err := os.CreateTemp(dir, ".shopetl-probe-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot create a file in it: %w", err)
	}
	f.Close()
	return os.Remove(f.Name())
}

func codecOf(name string) (compress.Compression, error) {
	switch strings.ToLower(name) {
	case "", "zstd":
		return compress.Codecs.Zstd, nil
	case "snappy":
		return compress.Codecs.Snappy, nil
	case "gzip":
		return compress.Codecs.Gzip, nil
	case "none", "uncompressed":
		return compress.Codecs.Uncompressed, nil
	}
	return compress.Codecs.Uncompressed, fmt.Errorf("unknown compression %q (want zstd, snappy, gzip or none)", name)
}

// checkPathValue refuses a value that cannot be one path element as is.
func checkPathValue(what, v string) error {
	if v == "" || v == "." || v == ".." || strings.ContainsAny(v, "/\\\x00") {
		return fmt.Errorf("%s %q cannot be used in a file path", what, v)
	}
	return nil
}

// Name implements the pipeline's Sink.
func (s *Sink) Name() string { return "parquet" }

// span is a contiguous run of rows of one partition.
type span struct {
	key        partKey
	start, end int64
}

// Write adds rec's rows, which belong to shop, to their partitions' files.
// shop is what Commit takes; the directories are named after the rows'
// own platform and shop columns.
//
// The errors of Write, Commit and Abort say what failed (the step, the
// file) but not the sink, shop or table: the caller knows those and says
// them once (the pipeline: "shop S: sink parquet: table T: ...").
// The batch is copied (buffer.go), so the caller keeps ownership of rec,
// and split into runs of consecutive rows of one partition.
func (s *Sink) Write(ctx context.Context, shop string, t *table.Table, rec arrow.RecordBatch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if rec == nil || rec.NumRows() == 0 {
		return nil
	}
	spans, err := partition(shop, t, rec)
	if err != nil {
		return err
	}
	schema := t.Schema()
	if !rec.Schema().Equal(schema) {
		return fmt.Errorf("batch schema %s is not the table's", rec.Schema())
	}
	// Once a span is written the batch must be written whole (or the shop
	// fails), so the context is not checked between spans.
	c, err := copyBatch(rec)
	if err == nil {
		err = s.buffer(streamKey{shop, t.Name}, c, spans)
	}
	if err != nil {
		s.fail(shop, err)
		return err
	}
	return nil
}

// buffer adds c, a copy which it then owns, to its stream and its spans
// to their partitions, spilling the largest streams if the budget is
// exceeded. A partition's directory is created with its buffer, so that
// a layout that cannot be written fails the first Write rather than the
// Commit after every order was read.
func (s *Sink) buffer(sk streamKey, c arrow.RecordBatch, spans []span) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Release()
		return errors.New("write after Close")
	}
	st := s.streams[sk]
	if st == nil {
		st = &stream{key: sk, parts: make(map[partKey]*partBuf)}
		s.streams[sk] = st
	}
	st.copies = append(st.copies, c)
	// The copy, and each partition's and run's bookkeeping: a backfill
	// has many partitions of a row or two.
	n := batchBytes(c)
	var created []partKey
	for _, sp := range spans {
		b := st.parts[sp.key]
		if b == nil {
			b = &partBuf{key: sp.key}
			st.parts[sp.key] = b
			created = append(created, sp.key)
			n += partOverhead
		}
		b.runs = append(b.runs, rowRun{rec: c, start: sp.start, end: sp.end})
		n += runOverhead
	}
	st.bytes += n
	s.buffered += n
	sts := s.overBudget()
	s.mu.Unlock()
	s.spillAll(sts)
	for _, k := range created {
		_, dir := s.partDir(k)
		if err := s.makeDir(dir); err != nil {
			return err
		}
	}
	return nil
}

// makeDir makes a partition's directory unless this sink made it
// already. A backfill makes tens of thousands: one mkdir each, where
// MkdirAll first stats the directory and, if it is new, its parent.
func (s *Sink) makeDir(dir string) error {
	s.mu.Lock()
	made := s.dirs[dir]
	s.mu.Unlock()
	if made {
		return nil
	}
	// The shop's directory usually exists; if not, or if dir exists
	// (an earlier run's), MkdirAll makes the parents or checks that it is
	// a directory.
	if err := os.Mkdir(dir, 0o755); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err // "mkdir <path>: <reason>"
		}
	}
	s.mu.Lock()
	s.dirs[dir] = true
	s.mu.Unlock()
	return nil
}

// partition splits rec into runs of rows with the same partition.
func partition(shop string, t *table.Table, rec arrow.RecordBatch) ([]span, error) {
	col := func(name string) (arrow.Array, error) {
		i := t.ColumnIndex(name)
		if i < 0 || i >= int(rec.NumCols()) {
			return nil, fmt.Errorf("no column %s", name)
		}
		return rec.Column(i), nil
	}
	pc, err := col("platform")
	if err != nil {
		return nil, err
	}
	sc, err := col("shop")
	if err != nil {
		return nil, err
	}
	tc, err := col(t.PartitionTime)
	if err != nil {
		return nil, err
	}
	platforms, ok1 := pc.(*array.String)
	shops, ok2 := sc.(*array.String)
	times, ok3 := tc.(*array.Timestamp)
	if !ok1 || !ok2 || !ok3 {
		return nil, errors.New("platform and shop must be strings and the partition time a timestamp")
	}
	unit := times.DataType().(*arrow.TimestampType).Unit
	var spans []span
	for i := 0; i < int(rec.NumRows()); i++ {
		if platforms.IsNull(i) || shops.IsNull(i) || times.IsNull(i) {
			return nil, fmt.Errorf("row %d: null platform, shop or %s", i, t.PartitionTime)
		}
		k := partKey{
			shop:     shop,
			table:    t.Name,
			platform: platforms.Value(i),
			rowShop:  shops.Value(i),
			day:      dayOf(times.Value(i), unit),
		}
		if n := len(spans); n > 0 && spans[n-1].key == k {
			spans[n-1].end++
			continue
		}
		if err := checkPathValue("platform", k.platform); err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
		if err := checkPathValue("shop", k.rowShop); err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
		// Value aliases the batch's buffer; a key outlives the batch (in
		// writers kept until commit), so it must not pin that buffer.
		k.platform, k.rowShop = strings.Clone(k.platform), strings.Clone(k.rowShop)
		spans = append(spans, span{key: k, start: int64(i), end: int64(i + 1)})
	}
	return spans, nil
}

// dayOf is the UTC day (since the epoch) of a timestamp.
func dayOf(ts arrow.Timestamp, unit arrow.TimeUnit) int64 {
	perDay := int64(86400) * int64(time.Second/unit.Multiplier())
	d := int64(ts) / perDay
	if int64(ts)%perDay < 0 {
		d--
	}
	return d
}

func dateOf(day int64) string {
	return time.Unix(day*86400, 0).UTC().Format(time.DateOnly)
}

// partDir is k's partition, as a manifest names it, and its directory.
func (s *Sink) partDir(k partKey) (partition, dir string) {
	partition = "platform=" + k.platform + "/shop=" + k.rowShop + "/date=" + dateOf(k.day)
	return partition, filepath.Join(s.dir, k.table, filepath.FromSlash(partition))
}

// newWriter names a new part file of k's partition, under the next part
// number; it creates nothing.
func (s *Sink) newWriter(k partKey) *writer {
	n := s.seq.Add(1)
	name := "part-" + s.runID + "-" + strconv.FormatInt(n, 10) + ".parquet"
	partition, dir := s.partDir(k)
	return &writer{
		key: k, tmp: filepath.Join(dir, "."+name+".tmp"), final: filepath.Join(dir, name), max: s.groupMax,
		file: ManifestFile{Table: k.table, Partition: partition, File: name, Path: k.table + "/" + partition + "/" + name},
	}
}

func (s *Sink) fail(shop string, err error) {
	s.mu.Lock()
	if s.failed[shop] == nil {
		s.failed[shop] = err
	}
	s.mu.Unlock()
}

// countingFile buffers the writes to a file and counts its bytes, for its
// manifest entry. pqarrow writes each page header, page and footer part
// separately, about ten writes per column, which for a file of a row or
// two were ten system calls per column; buffered, a small file is one
// write. The buffers are reused from file to file. It hides the file's
// Close from pqarrow.FileWriter.Close, which would otherwise close it
// before the buffer is flushed.
type countingFile struct {
	f   *os.File
	buf *bufio.Writer
	n   int64
}

var fileBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

func newCountingFile(f *os.File) *countingFile {
	buf := fileBuffers.Get().(*bufio.Writer)
	buf.Reset(f)
	return &countingFile{f: f, buf: buf}
}

func (c *countingFile) Write(p []byte) (int, error) {
	if c.buf == nil {
		return 0, os.ErrClosed
	}
	n, err := c.buf.Write(p)
	c.n += int64(n)
	return n, err
}

// close writes out what is buffered and closes the file; discard closes it
// without writing. Either gives the buffer back.
func (c *countingFile) close() error {
	err := c.buf.Flush()
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	c.release()
	return err
}

func (c *countingFile) discard() {
	c.f.Close()
	c.release()
}

func (c *countingFile) release() {
	if c.buf != nil {
		c.buf.Reset(nil)
		fileBuffers.Put(c.buf)
		c.buf = nil
	}
}

// writeOnly is what pqarrow sees of a countingFile: Write and nothing else.
type writeOnly struct{ c *countingFile }

func (w writeOnly) Write(p []byte) (int, error) { return w.c.Write(p) }

// create opens the temporary file and its FileWriter; w.mu must be held.
func (w *writer) create(s *Sink, schema *arrow.Schema, rows int64) error {
	// Write made the directory; it is made again only if it was removed
	// since.
	f, err := createNew(w.tmp)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(w.tmp), 0o755); err != nil {
			return w.setErr(err) // "mkdir <path>: <reason>"
		}
		f, err = createNew(w.tmp)
	}
	if err != nil {
		return w.setErr(err) // "open <path>: <reason>"
	}
	cf := newCountingFile(f)
	props := s.propsFor(rows)
	stored, tiny, err := s.schemas.of(w.key.table, schema, props)
	if err != nil {
		cf.discard()
		return w.setErr(fmt.Errorf("file %s: %w", w.tmp, err))
	}
	w.f, w.schema, w.props, w.stored = cf, schema, props, stored
	// writeTiny writes one row group, and only of held rows (a file
	// without rows is pqarrow's, footer only).
	hand := int64(smallFileRows)
	if w.compacted {
		hand = tinyFileRows
	}
	if rows < 1 || rows > hand || rows > w.max.rows || tiny == nil {
		if err := w.newFileWriter(); err != nil {
			cf.discard()
			return err
		}
		tiny = nil
	}
	w.tiny, w.ready, w.small = tiny, true, rows <= smallFileRows
	return nil
}

// newFileWriter makes the file's pqarrow FileWriter; w.mu must be held.
func (w *writer) newFileWriter() error {
	fw, err := pqarrow.NewFileWriter(w.schema, writeOnly{w.f}, w.props, pqarrow.NewArrowWriterProperties())
	if err == nil {
		err = fw.AppendKeyValueMetadata(arrowSchemaKey, w.stored)
	}
	if err != nil {
		return w.setErr(fmt.Errorf("file %s: %w", w.tmp, err))
	}
	w.fw, w.tiny = fw, nil
	return nil
}

// propsFor returns the writer properties of a file of rows rows.
func (s *Sink) propsFor(rows int64) *parquet.WriterProperties {
	switch {
	case rows <= tinyFileRows:
		return s.tiny
	case rows <= smallFileRows:
		return s.small
	}
	return s.props
}

func (w *writer) setErr(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}

// write appends rows; w.mu must be held. Rows go into the open row group
// until it holds max.rows rows or max.bytes estimated bytes; then a new
// one starts, so a batch may be split, and small batches do not make small
// row groups. pqarrow buffers the open row group and writes it out when
// the next one starts or the file is finished.
func (w *writer) write(rows arrow.RecordBatch) error {
	if w.err != nil {
		return w.err
	}
	if w.small {
		b := newRowSizer(rows).bytes(0, rows.NumRows())
		if w.bytes+b <= w.max.bytes {
			rows.Retain()
			w.held = append(w.held, rows)
			w.bytes += b
			w.file.Rows += rows.NumRows()
			return nil
		}
		// Too large for one row group after all (quarantine payloads):
		// write what is held, and the rest, row group by row group.
		if err := w.unhold(); err != nil {
			return err
		}
	}
	return w.writeBuffered(rows)
}

// unhold writes the held rows through pqarrow's buffered row groups, and
// stops holding rows; w.mu must be held.
func (w *writer) unhold() error {
	held := w.held
	w.held, w.small, w.bytes = nil, false, 0
	defer releaseAll(held)
	if w.fw == nil {
		if err := w.newFileWriter(); err != nil {
			return err
		}
	}
	for _, r := range held {
		w.file.Rows -= r.NumRows() // counted again by writeBuffered
	}
	for _, r := range held {
		if err := w.writeBuffered(r); err != nil {
			return err
		}
	}
	return nil
}

func releaseAll(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

// A small file's rows are held until finish and written at once as a
// table, in row groups of at most max.rows rows (they are under max.bytes
// in all). pqarrow then writes a row group's columns one after another,
// each straight to the file, where buffered row groups keep a column
// writer, its page buffers and its statistics for every column until the
// row group ends: most files of a backfill hold a row or two, and that
// was half of each file's allocations.
func (w *writer) writeHeld() error {
	held := w.held
	w.held = nil
	defer releaseAll(held)
	if len(held) == 0 {
		return nil
	}
	if w.tiny != nil {
		if err := writeTiny(writeOnly{w.f}, w.tiny, w.props, held); err != nil {
			return w.setErr(fmt.Errorf("file %s: %w", w.tmp, err))
		}
		return nil
	}
	tbl := array.NewTableFromRecords(held[0].Schema(), held)
	defer tbl.Release()
	if err := w.fw.WriteTable(tbl, w.max.rows); err != nil {
		return w.setErr(fmt.Errorf("file %s: %w", w.tmp, err))
	}
	return nil
}

// writeBuffered appends rows to pqarrow's buffered row groups.
func (w *writer) writeBuffered(rows arrow.RecordBatch) error {
	wrap := func(err error) error {
		return w.setErr(fmt.Errorf("file %s: %w", w.tmp, err))
	}
	size := newRowSizer(rows)
	n := rows.NumRows()
	for off := int64(0); off < n; {
		k := min(n-off, w.max.rows-w.rows)
		b := size.bytes(off, off+k)
		if w.bytes+b > w.max.bytes {
			// The most rows that fit; a row larger than the cap alone
			// makes a row group of its own.
			k = int64(sort.Search(int(k), func(i int) bool {
				return w.bytes+size.bytes(off, off+int64(i)+1) > w.max.bytes
			}))
			if k == 0 && w.rows == 0 {
				k = 1
			}
			b = size.bytes(off, off+k)
		}
		if k == 0 {
			// The open row group is full.
			if err := w.fw.NewBufferedRowGroupChecked(); err != nil {
				return wrap(err)
			}
			w.rows, w.bytes = 0, 0
			continue
		}
		chunk := rows.NewSlice(off, off+k)
		err := w.fw.WriteBuffered(chunk)
		chunk.Release()
		if err != nil {
			return wrap(err)
		}
		w.rows += k
		w.bytes += b
		w.file.Rows += k
		off += k
	}
	return nil
}

// finish completes the file under its temporary name: footer, close. It
// is not fsynced here: a spilled file may yet be merged into another at
// Commit (coalesce) and removed, and only what is published must be
// durable, so publish fsyncs. It is idempotent; w.mu must be held.
func (w *writer) finish() error {
	if w.err != nil || w.finished {
		return w.err
	}
	if !w.ready {
		return w.setErr(fmt.Errorf("file %s was never opened", w.tmp))
	}
	wrap := func(step string, err error) error {
		return w.setErr(fmt.Errorf("%s file %s: %w", step, w.tmp, err))
	}
	if err := w.writeHeld(); err != nil {
		w.f.discard()
		w.closeFileWriter()
		return err
	}
	if w.fw != nil {
		if err := w.fw.Close(); err != nil {
			w.f.discard()
			return wrap("finish", err)
		}
	}
	if err := w.f.close(); err != nil {
		return wrap("close", err)
	}
	w.file.Bytes = w.f.n
	w.finished = true
	// A finished writer may wait in pending until its shop commits; drop
	// the FileWriter and file so that waiting costs a few bytes, not the
	// writer's buffers and metadata (a long backfill finishes thousands).
	w.fw, w.f, w.tiny, w.schema = nil, nil, nil, nil
	return nil
}

// publish finishes the file, fsyncs it unless the caller made it durable
// otherwise, and gives it its final name; w.mu must be held.
func (w *writer) publish(fsync bool) error {
	if w.renamed {
		return nil
	}
	if err := w.finish(); err != nil {
		return err
	}
	if fsync {
		if err := syncFile(w.tmp); err != nil {
			return w.setErr(err)
		}
	}
	if err := rename(w.tmp, w.final); err != nil {
		return w.setErr(err) // "rename <tmp> <final>: <reason>"
	}
	w.renamed = true
	return nil
}

// closeFileWriter releases the FileWriter's buffers, if the file has one,
// after its file was discarded: Close fails on the closed file, which is
// what we want.
func (w *writer) closeFileWriter() {
	if w.fw != nil {
		_ = w.fw.Close()
	}
}

// abort closes the file without completing it and removes it, unless it
// was published already; w.mu must be held.
func (w *writer) abort() error {
	if w.renamed {
		return nil
	}
	releaseAll(w.held)
	w.held = nil
	if w.ready && !w.finished {
		w.f.discard()
		w.closeFileWriter()
		w.finished = true
	}
	w.setErr(errors.New("file aborted"))
	if err := os.Remove(w.tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err // "remove <path>: <reason>"
	}
	return nil
}

// take removes and returns every spill file and stream of shop. The
// streams still count against the budget until dropped.
func (s *Sink) take(shop string) ([]*spillFile, []*stream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws := s.pending[shop]
	delete(s.pending, shop)
	var sts []*stream
	for k, st := range s.streams {
		if k.shop == shop {
			delete(s.streams, k)
			sts = append(sts, st)
		}
	}
	return ws, sts
}

// dropStreams frees streams taken out of s.streams.
func (s *Sink) dropStreams(sts []*stream) {
	for _, st := range sts {
		s.unbuffer(st, false)
	}
}

// Commit writes every partition written for shop (all tables) as one file,
// merged with its spilled files if any, fsyncs it and renames it to its
// final name, then fsyncs the directories and their
// parents up to Dir. Last, it writes the shop's manifest for this run
// (see Manifest), which lists every file its commits published: the
// manifest is what says the commit happened. If any rows of the shop were
// lost by an earlier error, Commit publishes nothing, removes the shop's
// temporary files and returns that error. Commits of one shop are
// serialized; commits of different shops run in parallel.
func (s *Sink) Commit(ctx context.Context, shop string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkPathValue("shop", shop); err != nil {
		// Its manifest could not be named: nothing of it may be published.
		s.fail(shop, err)
		spills, sts := s.take(shop)
		s.dropStreams(sts)
		removeSpills(spills)
		return err
	}
	mu := s.commitLock(shop)
	mu.Lock()
	defer mu.Unlock()
	s.mu.Lock()
	closed, failed := s.closed, s.failed[shop]
	s.mu.Unlock()
	if closed {
		return errors.New("commit after Close")
	}
	spills, sts := s.take(shop)
	defer s.dropStreams(sts) // written or not, they go
	if failed != nil {
		removeSpills(spills)
		return fmt.Errorf("not committed, rows were lost: %w", failed)
	}
	// Every file is made durable before any is renamed, and the renames
	// before the manifest: with syncfs (syncfs_linux.go), by one sync of
	// the filesystem before the renames and one after, instead of an
	// fsync of each file and of each directory and its parents. Dir is
	// opened for it before any file is written, so that syncfs reports
	// their write errors.
	var syncFS func() error
	if s.openSync != nil {
		sync, done, err := s.openSync(s.dir)
		if err != nil {
			s.fail(shop, err)
			removeSpills(spills)
			return err
		}
		defer done()
		syncFS = sync
	}
	// Write every partition's file first (the slow part), so that a
	// failure leaves nothing of the shop visible.
	ws, err := s.assemble(spills, sts)
	err = errors.Join(err, removeSpills(spills))
	if err != nil {
		s.fail(shop, err)
		s.abortAll(ws)
		return err
	}
	bulk := syncFS != nil && len(ws) > 0
	if bulk {
		if err := syncFS(); err != nil {
			s.fail(shop, err)
			s.abortAll(ws)
			return err
		}
	}
	var errs []error
	dirs := make(map[string]bool)
	files := make([]ManifestFile, 0, len(ws))
	for _, w := range ws {
		w.mu.Lock()
		if err := w.publish(!bulk); err != nil {
			errs = append(errs, err)
		} else {
			dirs[filepath.Dir(w.final)] = true
			files = append(files, w.file)
		}
		w.mu.Unlock()
	}
	sync := func() error { return syncDirs(s.dir, dirs) }
	if bulk {
		sync = syncFS
	}
	if err := sync(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		s.fail(shop, err)
		s.abortAll(ws) // removes what was not renamed
		return err
	}
	s.mu.Lock()
	s.published[shop] = append(s.published[shop], files...)
	m := Manifest{Format: ManifestFormat, RunID: s.runID, Shop: shop, CommittedAt: time.Now().UTC(),
		Files: append([]ManifestFile{}, s.published[shop]...)} // [] rather than null when empty
	s.mu.Unlock()
	// The files are published and complete whatever happens now; without
	// the manifest the commit is not recorded, so the shop fails (its
	// watermark stays) and a later Commit of it may still write it.
	if err := writeManifest(s.dir, m); err != nil {
		return err
	}
	return nil
}

// Abort removes every file written for shop since its last commit, none of
// which was visible, and forgets the shop's earlier errors: the shop
// starts again from its last commit.
func (s *Sink) Abort(ctx context.Context, shop string) error {
	spills, sts := s.take(shop)
	s.dropStreams(sts)
	s.mu.Lock()
	delete(s.failed, shop)
	s.mu.Unlock()
	return removeSpills(spills)
}

// commitLock returns the mutex that serializes shop's Commits.
func (s *Sink) commitLock(shop string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	mu := s.commits[shop]
	if mu == nil {
		mu = new(sync.Mutex)
		s.commits[shop] = mu
	}
	return mu
}

// syncDirs fsyncs every directory of dirs and each of its ancestors up to
// and including root, once each. A rename is durable when its directory is
// synced, but a directory that MkdirAll created (a new date, shop or
// table) is itself an entry of its parent: without syncing the parents, a
// crash could lose the new directory and the files renamed into it.
func syncDirs(root string, dirs map[string]bool) error {
	root = filepath.Clean(root)
	done := make(map[string]bool)
	var errs []error
	for d := range dirs {
		for d = filepath.Clean(d); !done[d]; d = filepath.Dir(d) {
			done[d] = true
			if err := syncDir(d); err != nil {
				errs = append(errs, err)
			}
			if d == root || d == filepath.Dir(d) || !strings.HasPrefix(d, root+string(filepath.Separator)) {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// syncFile fsyncs a closed file: on Linux, fsync through any descriptor
// of a file writes all of its data.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}

func (s *Sink) abortAll(ws []*writer) error {
	var errs []error
	for _, w := range ws {
		w.mu.Lock()
		if err := w.abort(); err != nil {
			errs = append(errs, err)
		}
		w.mu.Unlock()
	}
	return errors.Join(errs...)
}

// Close aborts the sink: whatever was written but not committed is
// discarded and its temporary files are removed, because a shop that did
// not commit failed and its watermark does not move; nothing half-done may
// look complete. Committed files stay. Close is idempotent; Write and
// Commit fail after it.
func (s *Sink) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	var spills []*spillFile
	for _, p := range s.pending {
		spills = append(spills, p...)
	}
	sts := make([]*stream, 0, len(s.streams))
	for _, st := range s.streams {
		sts = append(sts, st)
	}
	s.pending, s.streams = nil, nil
	s.mu.Unlock()
	s.dropStreams(sts)
	if err := removeSpills(spills); err != nil {
		return fmt.Errorf("parquet sink: close: %w", err)
	}
	return nil
}
