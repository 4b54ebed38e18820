package clickhouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/shopetl/shopetl/state"
	"github.com/shopetl/shopetl/table"
)

// StateTable keeps each job's shops' watermarks (state.backend
// clickhouse): one row per save, the latest (highest version) current. A
// reset is a row with reset = 1.
var StateTable = &table.Table{
	Name: "etl_state",
	Columns: []table.Column{
		{Name: "job", Type: table.String}, {Name: "shop", Type: table.String},
		{Name: "watermark", Type: table.DateTime}, {Name: "watermark_nanos", Type: table.UInt32},
		{Name: "run_id", Type: table.String}, {Name: "committed_at", Type: table.DateTime},
		{Name: "reset", Type: table.UInt32}, {Name: "version", Type: table.UInt64},
	},
	Key:           []string{"job", "shop"},
	Version:       "version",
	PartitionTime: "committed_at",
	Shard:         []string{"job", "shop"},
}

// StateStore keeps a job's state in the sink's database (StateTable,
// LeaseTable): workers keep nothing local. Safe for concurrent use.
type StateStore struct {
	sink    *Sink // its connection, database and cluster; it writes no batches
	job     string
	run     string        // the run's ID
	holder  string        // this process's lease holder, "<run id>/<random>"
	lease   time.Duration // a lease's life without renewal
	log     *slog.Logger
	now     func() time.Time
	backoff time.Duration // between two tries of a contested claim
}

// StateOptions configure OpenState.
type StateOptions struct {
	Job   string
	RunID string        // names this run in its leases
	Lease time.Duration // a lease's life without renewal, renewed every third of it; 0: DefaultLease
	Log   *slog.Logger  // hears of renewals that failed; nil: none
}

// DefaultLease is a lease's life when StateOptions gives none: the job
// spec's default (state.lease).
const DefaultLease = time.Minute

// OpenState connects to cfg's server and creates the database and the
// state tables where missing (on cfg.Cluster, replicated and
// Distributed, like the data tables).
func OpenState(ctx context.Context, cfg Config, o StateOptions) (*StateStore, error) {
	cfg.PoolRows = 0
	s, err := connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := s.createStateTables(ctx); err != nil {
		_ = s.conn.Close()
		return nil, err
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	return &StateStore{sink: s, job: o.Job, run: o.RunID, holder: o.RunID + "/" + randomHex(4), lease: o.Lease,
		log: o.Log, now: time.Now, backoff: 200 * time.Millisecond}, nil
}

func (s *Sink) createStateTables(ctx context.Context) error {
	if err := s.createDatabase(ctx); err != nil {
		return err
	}
	for _, t := range []*table.Table{StateTable, LeaseTable} {
		if err := s.createTable(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the connection.
func (st *StateStore) Close() error { return st.sink.conn.Close() }

// Load reads the shop's latest state row.
func (st *StateStore) Load(ctx context.Context, shop string) (state.Shop, bool, error) {
	var (
		wm, committed time.Time
		nanos, reset  uint32
		runID         string
	)
	err := st.sink.conn.QueryRow(ctx, "SELECT `watermark`, `watermark_nanos`, `run_id`, `committed_at`, `reset` FROM "+
		qualified(st.sink.db, StateTable.Name)+" WHERE `job` = ? AND `shop` = ? ORDER BY `version` DESC LIMIT 1",
		st.job, shop).Scan(&wm, &nanos, &runID, &committed, &reset)
	if errors.Is(err, sql.ErrNoRows) {
		return state.Shop{}, false, nil
	}
	if err != nil {
		return state.Shop{}, false, st.sink.wrap(err, "state: shop %s: read %s.%s", shop, st.sink.db, StateTable.Name)
	}
	if reset != 0 {
		return state.Shop{}, false, nil
	}
	return state.Shop{Watermark: wm.Add(time.Duration(nanos)).UTC(), RunID: runID, Committed: committed.UTC()}, true, nil
}

// Save adds the shop's state as its latest row.
func (st *StateStore) Save(ctx context.Context, shop string, s state.Shop) error {
	return st.write(ctx, shop, s, 0)
}

// Reset adds a row that forgets the shop's watermark.
func (st *StateStore) Reset(ctx context.Context, shop string) error {
	return st.write(ctx, shop, state.Shop{Committed: st.now().UTC()}, 1)
}

func (st *StateStore) write(ctx context.Context, shop string, s state.Shop, reset uint32) error {
	wm := s.Watermark.UTC()
	whole := wm.Truncate(time.Second)
	err := st.insert(ctx, StateTable, st.job, shop, whole, uint32(wm.Sub(whole)), s.RunID, s.Committed.UTC(), reset,
		uint64(st.now().UnixNano()))
	if err != nil {
		return fmt.Errorf("state: shop %s: %w", shop, err)
	}
	return nil
}

// insert writes one row of t, its times as Unix seconds. On a cluster it
// waits until the row is on its shard (insert_distributed_sync, set on
// every connection by connect): the next read, from any node, sees it. The row is an INSERT ... SELECT of bound
// values, not a batch: a batch's connection is closed when its context
// ends, which may be after it went back to the pool (see newTestSink), and
// a lease's writes end their contexts often. (INSERT ... VALUES through
// the driver's Exec waits for data 18.16 never asks for.)
func (st *StateStore) insert(ctx context.Context, t *table.Table, row ...any) error {
	s := st.sink
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(row)), ", ")
	for i, v := range row {
		if tm, ok := v.(time.Time); ok {
			row[i] = uint32(tm.Unix())
		}
	}
	return s.wrap(s.conn.Exec(ctx, InsertSQL(s.db, t)+" SELECT "+marks, row...), "insert into %s.%s", s.db, t.Name)
}
