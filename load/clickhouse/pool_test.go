package clickhouse_test

import (
	"context"
	"errors"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/shopetl/shopetl/load/clickhouse"
	"github.com/shopetl/shopetl/table"
)

// TestPooledWritesShareInserts: with PoolRows, batches of several shops
// wait until together they fill the pool, then go in one insert; a shop's
// Commit inserts what waits with its rows, and only then; a failed pooled
// insert fails the Write that filled the pool and, once, the Commit of
// every other shop in it.
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
	if n := finalCount(t, s, db); n != 150 {
		t.Fatalf("a full pool: %d stored, want 150", n)
	}
	if err := write("d", 150, 10); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, "a"); err != nil || finalCount(t, s, db) != 150 {
		t.Fatalf("commit of a shop with nothing pooled: %v, %d stored, want 150", err, finalCount(t, s, db))
	}
	if err := s.Commit(ctx, "d"); err != nil || finalCount(t, s, db) != 160 {
		t.Fatalf("commit of d: %v, %d stored, want 160", err, finalCount(t, s, db))
	}

	if err := write("e", 160, 50); err != nil {
		t.Fatal(err)
	}
	proxy.Cut()
	if err := write("f", 210, 100); err == nil || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("the write that filled the pool while the server was away: %v, want connection refused", err)
	}
	proxy.Restore()
	if err := s.Commit(ctx, "e"); err == nil || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("commit of e, whose rows were in the failed insert: %v, want its error", err)
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
