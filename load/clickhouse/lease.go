package clickhouse

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/shopetl/shopetl/state"
	"github.com/shopetl/shopetl/table"
)

// LeaseTable holds the leases on a job's shops: a row per claim, renewal
// and release by a holder (one process's run). ClickHouse has no
// compare-and-set, so a claim is written, then read back with every other
// live claim: a claimant that sees another withdraws (see Lock). A
// holder's rows never move its expiry back, and its release keeps the
// expiry, so its latest row among those not yet expired is its latest.
var LeaseTable = &table.Table{
	Name: "etl_leases",
	Columns: []table.Column{
		{Name: "job", Type: table.String}, {Name: "shop", Type: table.String},
		{Name: "holder", Type: table.String}, {Name: "run_id", Type: table.String}, {Name: "host", Type: table.String},
		{Name: "written_at", Type: table.DateTime}, {Name: "expires_at", Type: table.DateTime},
		{Name: "expires_ns", Type: table.UInt64}, {Name: "released", Type: table.UInt32},
		{Name: "version", Type: table.UInt64},
	},
	Key:           []string{"job", "shop", "holder"},
	Version:       "version",
	PartitionTime: "written_at",
	Shard:         []string{"job", "shop"},
}

// claim is a holder's live lease as read back.
type claim struct {
	holder, runID, host string
	expires             time.Time
}

func (c claim) String() string {
	return fmt.Sprintf("run %s on %s holds it until %s", c.runID, c.host, c.expires.UTC().Format(time.RFC3339))
}

// Lock claims the shop's lease. It fails with ErrLocked at once when
// another holder's lease is live; when two claim at the same moment,
// each sees the other's claim after writing its own (a write is on its
// shard before the insert returns), both withdraw and try again after a
// random wait, three times at most.
func (st *StateStore) Lock(ctx context.Context, shop string) (state.Lease, error) {
	for attempt := 1; ; attempt++ {
		others, err := st.others(ctx, shop)
		if err != nil {
			return nil, err
		}
		if len(others) > 0 {
			return nil, fmt.Errorf("shop %s: %w: %s", shop, state.ErrLocked, others[0])
		}
		expires := st.now().Add(st.lease)
		if err := st.writeLease(ctx, shop, expires, false); err != nil {
			return nil, err
		}
		if others, err = st.others(ctx, shop); err != nil {
			st.withdraw(shop, expires)
			return nil, err
		}
		if len(others) == 0 {
			l := &lease{st: st, shop: shop, expires: expires, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
			go l.renew()
			return l, nil
		}
		st.withdraw(shop, expires)
		if attempt == 3 {
			return nil, fmt.Errorf("shop %s: %w: claimed at the same moment, %s", shop, state.ErrLocked, others[0])
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(st.backoff/2 + rand.N(st.backoff)):
		}
	}
}

// others reads the live leases on shop of every holder but this one.
func (st *StateStore) others(ctx context.Context, shop string) ([]claim, error) {
	rows, err := st.sink.conn.Query(ctx, "SELECT `holder`, argMax(`run_id`, `version`), argMax(`host`, `version`), max(`expires_ns`), "+
		"argMax(`released`, `version`) AS `rel` FROM "+qualified(st.sink.db, LeaseTable.Name)+
		" WHERE `job` = ? AND `shop` = ? AND `expires_ns` > ? GROUP BY `holder` HAVING `rel` = 0 ORDER BY `holder`",
		st.job, shop, uint64(st.now().UnixNano()))
	if err != nil {
		return nil, st.sink.wrap(err, "state: shop %s: read leases", shop)
	}
	defer rows.Close()
	var out []claim
	for rows.Next() {
		var (
			c       claim
			ns      uint64
			release uint32
		)
		if err := rows.Scan(&c.holder, &c.runID, &c.host, &ns, &release); err != nil {
			return nil, st.sink.wrap(err, "state: shop %s: read leases", shop)
		}
		if c.holder != st.holder {
			c.expires = time.Unix(0, int64(ns))
			out = append(out, c)
		}
	}
	return out, st.sink.wrap(rows.Err(), "state: shop %s: read leases", shop)
}

// writeLease adds this holder's row: a claim or renewal until expires, or
// its release (which keeps the expiry, see LeaseTable).
func (st *StateStore) writeLease(ctx context.Context, shop string, expires time.Time, released bool) error {
	now := st.now().UTC()
	rel := uint32(0)
	if released {
		rel = 1
	}
	err := st.insert(ctx, LeaseTable, st.job, shop, st.holder, st.run, hostname(), now, expires.UTC(),
		uint64(expires.UnixNano()), rel, uint64(now.UnixNano()))
	if err != nil {
		return fmt.Errorf("state: shop %s: lease: %w", shop, err)
	}
	return nil
}

// withdraw releases a claim, even when the run is being cancelled; one
// that cannot be written expires.
func (st *StateStore) withdraw(shop string, expires time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := st.writeLease(ctx, shop, expires, true); err != nil {
		st.log.Warn("could not release a lease; it expires", slog.String("shop", shop),
			slog.Time("expires", expires), slog.String("error", err.Error()))
	}
}

// lease is a held claim, renewed every third of its life until released
// or lost.
type lease struct {
	st   *StateStore
	shop string

	mu      sync.Mutex
	expires time.Time
	err     error // why it was lost; nil while held

	lost, stop, done chan struct{}
}

func (l *lease) Lost() <-chan struct{} { return l.lost }

// Check reads the leases back: nil while this one is live and no other is.
func (l *lease) Check(ctx context.Context) error {
	if err := l.lostErr(); err != nil {
		return err
	}
	if now := l.st.now(); !now.Before(l.expiry()) {
		return l.lose("it expired at %s", l.expiry().UTC().Format(time.RFC3339))
	}
	others, err := l.st.others(ctx, l.shop)
	if err != nil {
		return err
	}
	if len(others) > 0 {
		return l.lose("%s", others[0])
	}
	return nil
}

func (l *lease) Release() {
	close(l.stop)
	<-l.done
	if l.lostErr() == nil {
		l.st.withdraw(l.shop, l.expiry())
	}
}

func (l *lease) renew() {
	defer close(l.done)
	t := time.NewTicker(l.st.lease / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		now := l.st.now()
		if !now.Before(l.expiry()) {
			l.lose("it expired at %s before it could be renewed", l.expiry().UTC().Format(time.RFC3339))
			return
		}
		ctx, cancel := context.WithDeadline(context.Background(), l.expiry())
		expires := now.Add(l.st.lease)
		err := l.st.writeLease(ctx, l.shop, expires, false)
		var others []claim
		if err == nil {
			others, err = l.st.others(ctx, l.shop)
		}
		cancel()
		if err != nil {
			// Tried again at the next tick, while the lease lasts.
			l.st.log.Warn("could not renew a lease", slog.String("shop", l.shop), slog.String("error", err.Error()))
			continue
		}
		l.mu.Lock()
		l.expires = expires
		l.mu.Unlock()
		if len(others) > 0 {
			l.lose("%s", others[0])
			return
		}
	}
}

func (l *lease) expiry() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.expires
}

func (l *lease) lostErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// lose records why the lease was lost, once, and says so on Lost.
func (l *lease) lose(format string, args ...any) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err = fmt.Errorf("shop %s: %w: %s", l.shop, state.ErrLeaseLost, fmt.Sprintf(format, args...))
		close(l.lost)
	}
	return l.err
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return h
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = crand.Read(b)
	return hex.EncodeToString(b)
}
