package clickhouse_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/shopetl/shopetl/load/clickhouse"
	"github.com/shopetl/shopetl/table"
)

// insertedParts counts the parts inserts made in db's orders table,
// merged away or not (level 0: not made by a merge; a merged part stays
// listed, inactive, for minutes).
func insertedParts(t *testing.T, s *clickhouse.Sink, db string) uint64 {
	t.Helper()
	var n uint64
	err := s.Conn().QueryRow(context.Background(),
		"SELECT count() FROM system.parts WHERE database = ? AND table = 'orders' AND level = 0", db).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// writeThreeAndCommit writes three batches of 100 orders for shop a, each
// filling a pool of 100 rows, and commits a.
func writeThreeAndCommit(t *testing.T, s *clickhouse.Sink) {
	t.Helper()
	ctx := context.Background()
	for i := range 3 {
		if err := s.Write(ctx, "a", table.Orders, orders(t, 100*i, 100)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(ctx, "a"); err != nil {
		t.Fatal(err)
	}
}

// TestStreamMakesOnePart: three full pools of one shop go to the server as
// blocks of one INSERT, which the commit ends: one part, where an insert
// per pool made three (as a stream of one pool's rows still does).
func TestStreamMakesOnePart(t *testing.T) {
	for _, tc := range []struct {
		streamRows int64
		parts      uint64
	}{{1000, 1}, {100, 3}} {
		s, _, db := outageSink(t, clickhouse.Config{PoolRows: 100, StreamRows: tc.streamRows})
		writeThreeAndCommit(t, s)
		if n := finalCount(t, s, db); n != 300 {
			t.Fatalf("StreamRows %d: %d stored after the commit, want 300", tc.streamRows, n)
		}
		if n := insertedParts(t, s, db); n != tc.parts {
			t.Errorf("StreamRows %d: %d parts inserted, want %d", tc.streamRows, n, tc.parts)
		}
	}
}

// TestBrokenStreamIsSentAgain: the connection of an open stream breaks
// after its first block was sent; the stream's rows, the first block's
// too, are inserted again, and the commit finds every row stored. (The
// server may have kept what it had of the broken INSERT: 18.16 stores the
// first block as the connection closes, so its rows are stored twice,
// which the FINAL count folds, SPEC §5.)
func TestBrokenStreamIsSentAgain(t *testing.T) {
	signal := make(retrySignal)
	s, proxy, db := outageSink(t, clickhouse.Config{PoolRows: 100, StreamRows: 1000, Logger: slog.New(signal),
		Retry: clickhouse.Retry{MaxAttempts: 1000, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxElapsed: 10 * time.Minute}})
	inserts := 0
	clickhouse.SetInserting(s, func(context.Context) {
		// The background inserts run one at a time, each after the
		// previous one of its table has ended: the first block is sent.
		if inserts++; inserts == 2 {
			proxy.Cut()
			proxy.Restore()
		}
	})
	writeThreeAndCommit(t, s)
	if n := finalCount(t, s, db); n != 300 {
		t.Fatalf("%d stored after the commit, want 300", n)
	}
	if s.Retries("a") == 0 {
		t.Fatal("no retry counted: the broken stream was not inserted again")
	}
}
