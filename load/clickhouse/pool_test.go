package clickhouse_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shopetl/shopetl/load/clickhouse"
	"github.com/shopetl/shopetl/table"
)

// TestPooledWritesShareInserts: with PoolRows, batches of several shops
// wait until together they fill the pool, then go in one insert; a shop's
// Commit inserts what waits with its rows, and only then; a failed pooled
// insert fails, once, the next Write or Commit of every shop in it.
func TestPooledWritesShareInserts(t *testing.T) {
	s, proxy, db := outageSink(t, clickhouse.Config{PoolRows: 150, Retry: clickhouse.Retry{MaxAttempts: 2,
		MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxElapsed: time.Minute}})
	ctx := context.Background()
	write := func(shop string, first, n int) error { return s.Write(ctx, shop, table.Orders, orders(t, first, n)) }
	for _, shop := range []string{"a", "b"} {
		if err := write(shop, map[string]int{"a": 0, "b": 50}[shop], 50); err != nil {
			t.Fatal(err)
		}
		if n := finalCount(t, s, db); n != 0 {
			t.Fatalf("after shop %s's 50 rows: %d stored, want 0 (pooled)", shop, n)
		}
	}
	if err := write("c", 100, 50); err != nil {
		t.Fatal(err)
	}
	// The full pool's insert runs in the background; a's Commit waits for
	// it, its rows being in it.
	if err := s.Commit(ctx, "a"); err != nil || finalCount(t, s, db) != 150 {
		t.Fatalf("a full pool, after a's commit: %v, %d stored, want 150", err, finalCount(t, s, db))
	}
	if err := write("d", 150, 10); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, "b"); err != nil || finalCount(t, s, db) != 150 {
		t.Fatalf("commit of a shop with nothing pooled: %v, %d stored, want 150", err, finalCount(t, s, db))
	}
	if err := s.Commit(ctx, "d"); err != nil || finalCount(t, s, db) != 160 {
		t.Fatalf("commit of d: %v, %d stored, want 160", err, finalCount(t, s, db))
	}

	if err := write("e", 160, 50); err != nil {
		t.Fatal(err)
	}
	proxy.Cut()
	if err := write("f", 210, 100); err != nil {
		t.Fatalf("the write that filled the pool while the server was away: %v, want nil (its insert runs in the background)", err)
	}
	if err := s.Commit(ctx, "e"); err == nil || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("commit of e, whose rows were in the failed insert: %v, want its error", err)
	}
	proxy.Restore()
	if err := write("f", 310, 1); err == nil || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("f's next write, after the insert its write started failed: %v, want that insert's error", err)
	}
	for _, shop := range []string{"e", "f"} {
		if err := s.Commit(ctx, shop); err != nil {
			t.Fatalf("a later commit of %s: %v, want nil (a failure is reported once)", shop, err)
		}
	}
	if n := finalCount(t, s, db); n != 160 {
		t.Fatalf("%d stored, want 160", n)
	}
}

// TestCommitWaitsForTheInsertCarryingItsRows: shop b fills the pool,
// which takes a's pooled rows into b's insert; the server is away, so the
// insert retries. a's Commit, made then, returns only once that insert has
// stored a's rows, after the server is back.
func TestCommitWaitsForTheInsertCarryingItsRows(t *testing.T) {
	signal := make(retrySignal)
	s, proxy, db := outageSink(t, clickhouse.Config{PoolRows: 150, Logger: slog.New(signal), Retry: clickhouse.Retry{
		MaxAttempts: 1000, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxElapsed: 10 * time.Minute}})
	ctx := context.Background()
	if err := s.Write(ctx, "a", table.Orders, orders(t, 0, 50)); err != nil {
		t.Fatal(err)
	}
	proxy.Cut()
	wrote := make(chan error, 1)
	go func() { wrote <- s.Write(ctx, "b", table.Orders, orders(t, 50, 100)) }()
	<-signal // b's insert, with a's rows, is in flight
	committed := make(chan error, 1)
	go func() { committed <- s.Commit(ctx, "a") }()
	select {
	case err := <-committed:
		t.Fatalf("a's commit returned (%v) while the insert of its rows was failing", err)
	case <-signal: // still retrying, a's commit still waiting
	}
	proxy.Restore()
	if err := <-committed; err != nil {
		t.Fatal(err)
	}
	if n := finalCount(t, s, db); n != 150 {
		t.Fatalf("a's commit returned with %d orders stored, want 150", n)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
}

// poolLog hears the pool's story: the shops of each retried insert and of
// each commit that waits, and the shops of every pooled insert, in order.
type poolLog struct {
	retried, waits chan string
	mu             sync.Mutex // guards inserts
	inserts        []string
}

func newPoolLog() *poolLog {
	return &poolLog{retried: make(chan string, 1), waits: make(chan string, 100)}
}

func (l *poolLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *poolLog) Handle(_ context.Context, r slog.Record) error {
	attrs := map[string]string{}
	r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.String(); return true })
	send := func(c chan string, v string) {
		select {
		case c <- v:
		default: // nobody waiting: the test has seen enough
		}
	}
	switch r.Message {
	case "retrying insert":
		send(l.retried, attrs["shop"])
	case "commit waits for the insert in flight":
		send(l.waits, attrs["shop"])
	case "pooled insert":
		l.mu.Lock()
		l.inserts = append(l.inserts, attrs["shops"])
		l.mu.Unlock()
	}
	return nil
}
func (l *poolLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *poolLog) WithGroup(string) slog.Handler      { return l }

// TestCommitsThatWaitShareAnInsert: while shop a's commit inserts (the
// server away, so it retries), shops b, c and d pool their rows and commit
// one after the other. None of them starts an insert of its own: each
// waits, and once a's insert has stored its rows, one insert stores the
// rows of all three (issue 18: shops that end together).
func TestCommitsThatWaitShareAnInsert(t *testing.T) {
	log := newPoolLog()
	s, proxy, db := outageSink(t, clickhouse.Config{PoolRows: 1 << 20, Logger: slog.New(log), Retry: clickhouse.Retry{
		MaxAttempts: 1000, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxElapsed: 10 * time.Minute}})
	ctx := context.Background()
	if err := s.Write(ctx, "a", table.Orders, orders(t, 0, 50)); err != nil {
		t.Fatal(err)
	}
	proxy.Cut()
	committed := make(chan error, 4)
	go func() { committed <- s.Commit(ctx, "a") }()
	if shop := <-log.retried; shop != "a" {
		t.Fatalf("retried insert of %q, want a's", shop)
	}
	for i, shop := range []string{"b", "c", "d"} {
		if err := s.Write(ctx, shop, table.Orders, orders(t, 50*(i+1), 50)); err != nil {
			t.Fatal(err)
		}
		go func() { committed <- s.Commit(ctx, shop) }()
	wait:
		for {
			select {
			case w := <-log.waits:
				if w == shop {
					break wait
				}
			case r := <-log.retried:
				if r != "a" {
					t.Fatalf("%s's commit inserted on its own while a's insert was in flight: retried insert of %q", shop, r)
				}
			}
		}
	}
	proxy.Restore()
	for range 4 {
		if err := <-committed; err != nil {
			t.Fatal(err)
		}
	}
	if n := finalCount(t, s, db); n != 200 {
		t.Fatalf("every commit returned with %d orders stored, want 200", n)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if want := []string{"a", "b,c,d"}; !slices.Equal(log.inserts, want) {
		t.Fatalf("inserts of the shops %q, want %q", log.inserts, want)
	}
}

// TestFullPoolInsertsInTheBackground: the Write that fills a pool returns
// while the pool's insert runs, so the shop goes on with its pages; its
// Commit waits for the insert, and the rows are stored. The Write's
// context ending then (the page loop's, which ends with the loop, before
// the commit) does not stop the insert.
func TestFullPoolInsertsInTheBackground(t *testing.T) {
	s, _, db := outageSink(t, clickhouse.Config{PoolRows: 100})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	written := make(chan struct{})
	var afterWrite atomic.Bool
	clickhouse.SetInserting(s, func(context.Context) {
		select {
		case <-written:
			afterWrite.Store(true)
		case <-ctx.Done(): // a Write that waits for its insert never returns
		}
	})
	loop, endLoop := context.WithTimeout(ctx, 20*time.Second)
	if err := s.Write(loop, "a", table.Orders, orders(t, 0, 100)); err != nil {
		t.Fatal(err)
	}
	endLoop()
	close(written)
	if err := s.Commit(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if !afterWrite.Load() {
		t.Fatal("the full pool's insert ran before its Write returned: the shop waited for the server")
	}
	if n := finalCount(t, s, db); n != 100 {
		t.Fatalf("%d stored after the commit, want 100", n)
	}
}
