// Package clickhouse is the ClickHouse sink: it creates shopetl's tables
// (SPEC §4) as ReplacingMergeTree tables with <table>_latest FINAL views, and
// inserts Arrow record batches over the native protocol.
//
// It is written for ClickHouse 18.16 and later. Facts of 18.16 it relies on:
// clickhouse-go/v2 works over the native (TCP) protocol only, an INSERT must
// name its columns, LowCardinality and DateTime64 do not exist (LowCardinality
// is used from 19.x on, see Version), and FINAL is accepted in a view.
package clickhouse

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cenkalti/backoff/v5"
	"github.com/shopspring/decimal"
	concpool "github.com/sourcegraph/conc/pool"

	"github.com/shopetl/shopetl/secret"
	"github.com/shopetl/shopetl/table"
)

// Config says where the server is and how hard to try.
type Config struct {
	Addr     []string // host:port of the native protocol, e.g. 127.0.0.1:9000
	Database string
	Username string
	Password secret.Value // revealed only to the driver's dial
	TLS      bool
	// TLSCAFile names PEM certificates to trust instead of the system's.
	TLSCAFile string
	// TLSSkipVerify accepts any server certificate: for testing only.
	TLSSkipVerify bool
	DialTimeout   time.Duration
	// Cluster, when set, makes every table a Distributed table over
	// ReplicatedReplacingMergeTree local tables on that cluster (ClusterDDL).
	Cluster string
	Retry   Retry        // of a batch's insert on transient errors; zero fields: DefaultRetry
	Logger  *slog.Logger // hears of retried inserts; nil: none
	// PoolRows, when above 0, pools the batches of every shop per table
	// and inserts them together once this many rows are pending (see
	// pool.go); 0: each Write is an insert of its own.
	PoolRows int64
	// StreamRows, with PoolRows, streams a table's pooled inserts as
	// blocks of one INSERT that ends once it holds this many rows (see
	// stream.go); 0: DefaultStreamRows.
	StreamRows int64
}

// DefaultStreamRows is Config.StreamRows unless set: the rows a stream
// keeps until its INSERT ends, per table.
const DefaultStreamRows = 15000

// String describes cfg in one line; the password prints masked.
func (c Config) String() string {
	return fmt.Sprintf("clickhouse{addr=%s db=%s user=%s password=%s tls=%t cluster=%s}",
		strings.Join(c.Addr, ","), c.Database, c.Username, c.Password, c.TLS, c.Cluster)
}

// Sink writes batches to ClickHouse. It is safe for concurrent use: the
// driver's connection pool serves concurrent inserts.
type Sink struct {
	conn    driver.Conn
	db      string
	version Version
	cluster string
	retry   Retry
	log     *slog.Logger

	mu      sync.Mutex       // guards retries and failed
	retries map[string]int64 // retried inserts per shop
	failed  map[string]error // shops whose pooled rows another shop's insert failed to store

	pools          map[*table.Table]*pool // when cfg.PoolRows > 0
	poolRows       int64
	streams        map[*table.Table]*stream // beside pools
	streamRows     int64
	background     sync.WaitGroup // full pools' inserts (see pooled)
	backgroundSlot chan struct{}  // held by the one running
	// inserting, when set (by tests), is called as a background insert
	// starts.
	inserting func(context.Context)
}

// New connects, checks the server answers, reads its version, and creates the
// database and every table of table.All with its _latest view, each only if
// it does not exist yet, so New can run any number of times. An existing
// table of table.All in another shape than shopetl creates it (engine,
// sorting key, a column's type) is refused before anything is changed;
// columns it lacks are added.
func New(ctx context.Context, cfg Config) (*Sink, error) {
	s, err := connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := s.setup(ctx); err != nil {
		_ = s.conn.Close()
		return nil, err
	}
	return s, nil
}

// connect opens cfg's server, checks it answers and reads its version.
func connect(ctx context.Context, cfg Config) (*Sink, error) {
	if len(cfg.Addr) == 0 {
		return nil, errors.New("clickhouse: no address")
	}
	if cfg.Database == "" {
		return nil, errors.New("clickhouse: no database")
	}
	s := &Sink{db: cfg.Database, cluster: cfg.Cluster,
		retry: cfg.Retry.withDefaults(), log: cfg.Logger, retries: map[string]int64{},
		failed: map[string]error{}, poolRows: cfg.PoolRows, backgroundSlot: make(chan struct{}, 1)}
	if s.poolRows > 0 {
		s.pools = make(map[*table.Table]*pool, len(table.All))
		s.streams = make(map[*table.Table]*stream, len(table.All))
		for _, t := range table.All {
			s.pools[t], s.streams[t] = &pool{}, &stream{}
		}
		s.streamRows = cmp.Or(cfg.StreamRows, DefaultStreamRows)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	opts := &clickhouse.Options{
		Protocol: clickhouse.Native,
		Addr:     cfg.Addr,
		// The database may not exist yet: connect to default and qualify
		// every name with the database instead.
		Auth:        clickhouse.Auth{Database: "default", Username: cfg.Username, Password: cfg.Password.Reveal()},
		DialTimeout: cfg.DialTimeout,
		// The driver writes an insert's block to the server once its
		// buffer holds this much after a column, and keeps the buffer
		// for the connection's next insert (see encoded).
		MaxCompressionBuffer: sendChunk,
		// Each table's stream holds a connection while its INSERT is
		// open, beside the commits' inserts and the queries.
		MaxOpenConns: 2*len(table.All) + 5,
		MaxIdleConns: len(table.All) + 5,
	}
	if cfg.Cluster != "" {
		// Inserts into a Distributed table are queued on the node and sent
		// to the shards later, unless this is set: a commit must mean the
		// rows are on their shards, where any node's reads find them.
		// Without it, right after the commits of
		// TestClusterLoadsThroughDistributedTables a third to five sixths
		// of the orders were missing from FINAL (16 runs of 16).
		opts.Settings = clickhouse.Settings{"insert_distributed_sync": 1}
	}
	if cfg.TLS {
		opts.TLS = &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.TLSSkipVerify}
		if cfg.TLSCAFile != "" {
			pem, err := os.ReadFile(cfg.TLSCAFile)
			if err != nil {
				return nil, fmt.Errorf("clickhouse: tls_ca_file: %w", err)
			}
			opts.TLS.RootCAs = x509.NewCertPool()
			if !opts.TLS.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("clickhouse: tls_ca_file %s: no PEM certificate in it", cfg.TLSCAFile)
			}
		}
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, s.wrap(err, "clickhouse: open %s", strings.Join(cfg.Addr, ","))
	}
	s.conn = conn
	if err := s.handshake(ctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return s, nil
}

func (s *Sink) handshake(ctx context.Context) error {
	if err := s.conn.Ping(ctx); err != nil {
		return s.wrap(err, "clickhouse: ping")
	}
	var raw string
	if err := s.conn.QueryRow(ctx, "SELECT version()").Scan(&raw); err != nil {
		return s.wrap(err, "clickhouse: read server version")
	}
	v, err := ParseVersion(raw)
	if err != nil {
		return err
	}
	s.version = v
	return nil
}

func (s *Sink) setup(ctx context.Context) error {
	// Before anything is created or altered, so that a table in a shape
	// shopetl cannot use is reported as it is.
	exist, err := s.checkExisting(ctx)
	if err != nil {
		return err
	}
	if err := s.createDatabase(ctx); err != nil {
		return err
	}
	schema := qualified(s.db, SchemaTable)
	if err := s.conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+schema+onCluster(s.cluster)+
		" (`version` UInt32, `applied_at` DateTime) ENGINE = MergeTree ORDER BY `version`"); err != nil {
		return s.wrap(err, "clickhouse: create table %s.%s", s.db, SchemaTable)
	}
	var have uint32
	if err := s.conn.QueryRow(ctx, "SELECT max(`version`) FROM "+schema).Scan(&have); err != nil {
		return s.wrap(err, "clickhouse: read %s.%s", s.db, SchemaTable)
	}
	if have > table.SchemaVersion {
		return fmt.Errorf("clickhouse: database %s has schema version %d, newer than this shopetl's %d: upgrade shopetl",
			s.db, have, table.SchemaVersion)
	}
	// Tables first, views after: refunds_latest reads refund_history.
	// Only what is missing is created, from what checkExisting read, and
	// the tables at once: a first run's setup was some forty round trips
	// one after the other, 0.4 s before its first request. On a cluster
	// every statement is sent (ON CLUSTER reaches servers this one's
	// tables say nothing about).
	missing := func(name string) bool { return s.cluster != "" || exist[name] == nil }
	recreate := make([]bool, len(table.All))
	err = s.eachTable(ctx, func(ctx context.Context, i int, t *table.Table) error {
		if missing(t.Name) {
			if err := s.createTable(ctx, t); err != nil {
				return err
			}
		}
		added, err := s.addMissingColumns(ctx, t, exist[t.Name])
		recreate[i] = added
		return err
	})
	if err != nil {
		return err
	}
	err = s.eachTable(ctx, func(ctx context.Context, i int, t *table.Table) error {
		if recreate[i] {
			// A view's column list is fixed when it is created.
			if err := s.conn.Exec(ctx, "DROP TABLE IF EXISTS "+qualified(s.db, LatestViewName(t))+onCluster(s.cluster)); err != nil {
				return s.wrap(err, "clickhouse: drop view %s.%s", s.db, LatestViewName(t))
			}
		} else if !missing(LatestViewName(t)) {
			return nil
		}
		if err := s.conn.Exec(ctx, ClusterViewDDL(s.db, s.cluster, t)); err != nil {
			return s.wrap(err, "clickhouse: create view %s.%s", s.db, LatestViewName(t))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if have < table.SchemaVersion {
		b, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+schema+" (`version`, `applied_at`)")
		if err == nil {
			if err = b.Append(uint32(table.SchemaVersion), time.Now().UTC()); err == nil {
				err = b.Send()
			}
		}
		if err != nil {
			return s.wrap(err, "clickhouse: record schema version %d in %s.%s", table.SchemaVersion, s.db, SchemaTable)
		}
	}
	return nil
}

// createDatabase creates the sink's database where it is missing, on
// every node of the cluster.
func (s *Sink) createDatabase(ctx context.Context) error {
	if err := s.conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+Quote(s.db)+onCluster(s.cluster)); err != nil {
		return s.wrap(err, "clickhouse: create database %s", s.db)
	}
	return nil
}

// createTable creates t where it is missing: a ReplacingMergeTree, or on
// a cluster the replicated local tables and the Distributed table
// (ClusterDDL).
func (s *Sink) createTable(ctx context.Context, t *table.Table) error {
	ddl := []string{DDL(s.db, t, s.version)}
	if s.cluster != "" {
		ddl = ClusterDDL(s.db, s.cluster, t, s.version)
	}
	for _, sql := range ddl {
		if err := s.conn.Exec(ctx, sql); err != nil {
			return s.wrap(err, "clickhouse: create table %s.%s", s.db, t.Name)
		}
	}
	return nil
}

// SchemaTable records each table.SchemaVersion a database was brought to,
// with when: the migration history.
const SchemaTable = "etl_schema"

// addMissingColumns adds the columns of t a table made by an earlier
// shopetl lacks, in t's order, and reports whether it added any; e is the
// table as checkExisting read it, nil when it did not exist (and so was
// made whole). Additive only: a column shopetl no longer writes is left
// alone.
func (s *Sink) addMissingColumns(ctx context.Context, t *table.Table, e *existing) (bool, error) {
	if e == nil {
		return false, nil
	}
	have := e.columns
	added := false
	for i, c := range t.Columns {
		if _, ok := have[c.Name]; ok {
			continue
		}
		sqls := []string{AddColumnSQL(s.db, t, i, s.version)}
		if s.cluster != "" {
			sqls = ClusterAddColumnSQL(s.db, s.cluster, t, i, s.version)
		}
		for _, sql := range sqls {
			if err := s.conn.Exec(ctx, sql); err != nil {
				return added, s.wrap(err, "clickhouse: add column %s.%s.%s", s.db, t.Name, c.Name)
			}
		}
		added = true
	}
	return added, nil
}

// eachTable runs f for every table of table.All, a few at once (each on
// its own connection of the driver's pool), and returns the first error.
func (s *Sink) eachTable(ctx context.Context, f func(ctx context.Context, i int, t *table.Table) error) error {
	p := concpool.New().WithContext(ctx).WithFirstError().WithMaxGoroutines(4)
	for i, t := range table.All {
		p.Go(func(ctx context.Context) error { return f(ctx, i, t) })
	}
	return p.Wait()
}

// Name is "clickhouse".
func (s *Sink) Name() string { return "clickhouse" }

// ServerVersion is the server's version() as read by New.
func (s *Sink) ServerVersion() string { return s.version.Raw }

// Version is the parsed server version.
func (s *Sink) Version() Version { return s.version }

// Database is the database the sink writes to.
func (s *Sink) Database() string { return s.db }

// Conn is the underlying connection, for tests and queries.
func (s *Sink) Conn() driver.Conn { return s.conn }

// Write inserts rec, a batch of t's rows for shop, in one INSERT. Without
// pooling the insert is synchronous: when Write returns nil the server has
// stored the rows. With Config.PoolRows the rows wait in t's pool, whose
// insert runs in the background once it is full (see pooled), and Commit
// says when they are stored.
//
// An insert that fails on a transient error (see Transient) is retried
// whole, a fresh PrepareBatch each time (the driver's batch of a failed
// insert is dropped, never sent again), with exponential backoff and jitter
// within cfg.Retry. A permanent error fails at once.
//
// A failed attempt may still have been stored: the connection can break
// after the server wrote the block but before its answer arrived. The
// retry then stores the rows a second time with the same key and version,
// which only adds raw duplicates: ReplacingMergeTree folds them in merges,
// and FINAL and the _latest views never show them (SPEC §5, nothing
// doubled). Delivery to ClickHouse is at least once, as pipeline.Sink says.
func (s *Sink) Write(ctx context.Context, shop string, t *table.Table, rec arrow.RecordBatch) error {
	if rec == nil || rec.NumRows() == 0 {
		return nil
	}
	if err := check(t, rec); err != nil {
		return fmt.Errorf("clickhouse: write %s for shop %s: %w", t.Name, shop, err)
	}
	if s.pools != nil {
		return s.pooled(ctx, shop, t, rec)
	}
	return s.send(ctx, []string{shop}, t, []arrow.RecordBatch{rec})
}

// check reports a batch whose columns are not t's.
func check(t *table.Table, rec arrow.RecordBatch) error {
	if int(rec.NumCols()) != len(t.Columns) {
		return fmt.Errorf("batch has %d columns, table has %d", rec.NumCols(), len(t.Columns))
	}
	for i, c := range t.Columns {
		if name := rec.ColumnName(i); name != c.Name {
			return fmt.Errorf("column %d is %q, want %q", i, name, c.Name)
		}
	}
	return nil
}

// send inserts recs, batches of t's rows for shops, in one INSERT, with
// Write's retries.
func (s *Sink) send(ctx context.Context, shops []string, t *table.Table, recs []arrow.RecordBatch) error {
	who := "shop " + shops[0]
	if len(shops) > 1 {
		who = "shops " + strings.Join(shops, ", ")
	}
	rows := int64(0)
	for _, rec := range recs {
		rows += rec.NumRows()
	}
	attempts, start := 0, time.Now()
	var last error // of the latest attempt
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		attempts++
		last = s.insert(ctx, t, recs, rows)
		if last != nil && (ctx.Err() != nil || !Transient(last)) {
			return struct{}{}, backoff.Permanent(last)
		}
		return struct{}{}, last
	},
		backoff.WithBackOff(s.retry.backOff()),
		backoff.WithMaxTries(uint(s.retry.MaxAttempts)),
		backoff.WithMaxElapsedTime(s.retry.MaxElapsed),
		backoff.WithNotify(func(err error, wait time.Duration) {
			s.countRetry(shops)
			s.log.LogAttrs(ctx, slog.LevelWarn, "retrying insert",
				slog.String("shop", strings.Join(shops, ",")), slog.String("table", t.Name), slog.Int("attempt", attempts),
				slog.Duration("wait", wait), slog.String("error", err.Error()))
		}))
	if err == nil {
		return nil
	}
	what := fmt.Sprintf("clickhouse: write %s for %s: %d rows", t.Name, who, rows)
	switch {
	case last == nil || !errors.Is(err, last):
		// The context ended during a wait: say so, and what failed before.
		return s.wrap(fmt.Errorf("stopped after %d attempts: %w; last attempt: %w", attempts, err, last), "%s", what)
	case attempts > 1:
		return s.wrap(last, "%s: %d attempts in %s", what, attempts, time.Since(start).Round(time.Millisecond))
	}
	return s.wrap(last, "%s", what)
}

// insert is one attempt at storing a batch: a new INSERT, its columns,
// and the send. Its errors name the stage and wrap the driver's error
// unchanged, for Transient; a batch that cannot be converted is refused
// (not Transient).
func (s *Sink) insert(ctx context.Context, t *table.Table, recs []arrow.RecordBatch, rows int64) error {
	batch, err := s.conn.PrepareBatch(ctx, InsertSQL(s.db, t))
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if err := fill(batch, t, recs, rows); err != nil {
		_ = batch.Abort()
		return err
	}
	if err := batch.Send(); err != nil {
		// Send has released the connection, closed because of the error.
		return fmt.Errorf("insert: %w", err)
	}
	return nil
}

// fill appends recs, rows in all, to batch's columns: in the native
// encoding where the driver's column takes it (native.go), as encoded
// columns in the batch's block or, should it not be reached, decoded into
// the driver's columns; through convert and Append where not. An encoded
// column reads recs as the batch is sent: they must outlive Send.
func fill(batch driver.Batch, t *table.Table, recs []arrow.RecordBatch, rows int64) error {
	return fillColumns(batch, batch.Columns(), t, recs, rows)
}

// fillColumns is fill for a batch whose columns PrepareBatch made as
// driverCols: a block sent with Flush leaves encoded columns in the
// block, which the next block's fill puts back.
func fillColumns(batch driver.Batch, driverCols []column.Interface, t *table.Table, recs []arrow.RecordBatch, rows int64) error {
	if len(driverCols) != len(t.Columns) {
		return fmt.Errorf("prepare: the server's insert has %d columns, table %s has %d", len(driverCols), t.Name, len(t.Columns))
	}
	block := blockOf(batch)
	if block != nil {
		copy(block.Columns, driverCols)
	}
	// One slice of every column's arrays, the recs' i-th columns at i*len(recs).
	all := make([]arrow.Array, len(t.Columns)*len(recs))
	var decoded proto.Buffer // without the block: one column at a time
	var first *encoded       // the block's first encoded column
	var sizes []int
	for i, c := range t.Columns {
		arrays := all[i*len(recs) : (i+1)*len(recs) : (i+1)*len(recs)]
		for r, rec := range recs {
			arrays[r] = rec.Column(i)
		}
		if !native(c, driverCols[i]) {
			for _, a := range arrays {
				v, err := convert(c, a)
				if err != nil {
					return err
				}
				if err := batch.Column(i).Append(v); err != nil {
					return fmt.Errorf("column %s: %w", c.Name, err)
				}
			}
			continue
		}
		if err := checkNative(c, arrays); err != nil {
			return err
		}
		e := &encoded{Interface: driverCols[i], col: c, arrays: arrays, rows: int(rows), size: nativeSize(arrays)}
		if block != nil {
			block.Columns[i] = e
			if first == nil {
				first = e
			}
			// The column's name and type come before its rows.
			sizes = append(sizes, e.size+len(e.Name())+len(e.Type())+2*binary.MaxVarintLen64)
			continue
		}
		decoded.Reset()
		e.Encode(&decoded)
		if err := driverCols[i].Decode(proto.NewReader(bytes.NewReader(decoded.Buf)), int(rows)); err != nil {
			return fmt.Errorf("column %s: %w", c.Name, err)
		}
	}
	if first != nil {
		first.room = blockRoom(sizes)
	}
	return nil
}

func (s *Sink) countRetry(shops []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, shop := range shops {
		s.retries[shop]++
	}
}

// Retries counts the inserts retried for shop since New.
func (s *Sink) Retries(shop string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.retries[shop]
}

// Commit inserts the pooled rows of every table that holds some of
// shop's (with other shops' rows pooled beside them), the tables at once,
// waits for inserts already carrying its rows, ends the streams holding
// its rows, and reports a failed insert of any of shop's rows. Without pooling it has nothing to do: every Write
// is a synchronous INSERT (no async_insert) that returns only once the
// server has written the rows to a part. Either way, when Commit returns
// nil what was written for shop is stored and visible (through FINAL or
// the _latest views).
func (s *Sink) Commit(ctx context.Context, shop string) error {
	if s.pools != nil {
		if err := s.commitPools(ctx, shop); err != nil {
			return err
		}
	}
	return s.takeFailed(shop)
}

// Abort cannot take back rows: every Write was a committed INSERT. They
// are rows of a failed shop's run, correct as far as they go, and a later
// run's rows replace them by version.
func (s *Sink) Abort(ctx context.Context, shop string) error { return nil }

// Close waits for the inserts running in the background, ends the open
// streams and closes the connection pool.
func (s *Sink) Close() error {
	s.background.Wait()
	s.endStreams(context.Background())
	for _, p := range s.pools {
		p.mu.Lock()
		release(p.recs)
		p.recs = nil
		p.mu.Unlock()
	}
	if s.conn == nil {
		return nil
	}
	return s.wrap(s.conn.Close(), "clickhouse: close")
}

// wrap adds context to err. The driver's errors never carry the password:
// clickhouse-go (v2.50.0) writes it only into the native handshake
// packet, and the server's exceptions do not quote it (TestErrorsHidePassword).
func (s *Sink) wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), err)
}

// convert turns one Arrow column into the slice clickhouse-go appends to a
// column of c's ClickHouse type.
func convert(c table.Column, a arrow.Array) (any, error) {
	if err := checkNulls(c, a); err != nil {
		return nil, err
	}
	n := a.Len()
	bad := func() error {
		return fmt.Errorf("column %s: Arrow type %s does not match table type", c.Name, a.DataType())
	}
	switch c.Type {
	case table.String:
		arr, ok := a.(*array.String)
		if !ok {
			return nil, bad()
		}
		out := make([]string, n)
		for i := range out {
			out[i] = arr.Value(i)
		}
		return out, nil
	case table.UInt32:
		arr, ok := a.(*array.Uint32)
		if !ok {
			return nil, bad()
		}
		return append([]uint32(nil), arr.Uint32Values()...), nil
	case table.UInt64:
		arr, ok := a.(*array.Uint64)
		if !ok {
			return nil, bad()
		}
		return append([]uint64(nil), arr.Uint64Values()...), nil
	case table.Decimal, table.NullableDecimal:
		arr, ok := a.(*array.Decimal128)
		if !ok {
			return nil, bad()
		}
		if err := checkScale(c, arr); err != nil {
			return nil, err
		}
		if c.Type == table.Decimal {
			out := make([]decimal.Decimal, n)
			for i := range out {
				out[i] = table.FromDecimal128(arr.Value(i))
			}
			return out, nil
		}
		out := make([]*decimal.Decimal, n)
		for i := range out {
			if arr.IsNull(i) {
				continue
			}
			d := table.FromDecimal128(arr.Value(i))
			out[i] = &d
		}
		return out, nil
	case table.DateTime, table.NullableDateTime:
		arr, ok := a.(*array.Timestamp)
		if !ok {
			return nil, bad()
		}
		toTime, err := arr.DataType().(*arrow.TimestampType).GetToTimeFunc()
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		if c.Type == table.DateTime {
			out := make([]time.Time, n)
			for i := range out {
				out[i] = toTime(arr.Value(i)).UTC()
			}
			return out, nil
		}
		out := make([]*time.Time, n)
		for i := range out {
			if arr.IsNull(i) {
				continue
			}
			t := toTime(arr.Value(i)).UTC()
			out[i] = &t
		}
		return out, nil
	case table.StringArray:
		arr, ok := a.(*array.List)
		if !ok {
			return nil, bad()
		}
		vals, ok := arr.ListValues().(*array.String)
		if !ok {
			return nil, bad()
		}
		out := make([][]string, n)
		for i := range out {
			start, end := arr.ValueOffsets(i)
			row := make([]string, 0, end-start)
			for j := start; j < end; j++ {
				row = append(row, vals.Value(int(j)))
			}
			out[i] = row
		}
		return out, nil
	}
	return nil, fmt.Errorf("column %s: unknown type %d", c.Name, c.Type)
}
