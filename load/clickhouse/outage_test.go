package clickhouse_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/load/clickhouse"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/table"
)

// retrySignal is a slog.Handler that sends on c each time the sink
// announces a retry, so that a test waits for retries instead of time.
type retrySignal chan struct{}

func (c retrySignal) Enabled(context.Context, slog.Level) bool { return true }
func (c retrySignal) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "retrying insert" {
		select {
		case c <- struct{}{}:
		default: // nobody waiting: the test has seen enough
		}
	}
	return nil
}
func (c retrySignal) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c retrySignal) WithGroup(string) slog.Handler      { return c }

// orders is a batch of n orders numbered from first, released at the end.
func orders(t *testing.T, first, n int) arrow.RecordBatch {
	t.Helper()
	b := table.NewBuilder(memory.DefaultAllocator, table.Orders)
	defer b.Release()
	for i := first; i < first+n; i++ {
		o := model.Order{
			Meta:    model.Meta{Platform: "shoptima", Shop: "st", RunID: "run-1", Version: 1},
			OrderID: fmt.Sprintf("o-%05d", i), Status: model.StatusPaid, PaymentStatus: model.PaymentPaid,
			ShippingStatus: model.ShippingUnshipped, RefundStatus: model.RefundNone, Currency: "EUR",
			TotalAmount: decimal.New(int64(i), -2), PaidAmount: decimal.New(int64(i), -2),
			CreatedAt: time.Date(2020, 5, 1, 0, 0, i, 0, time.UTC), ItemCount: 1, Quantity: 1,
		}
		if err := b.AppendOrder(&o); err != nil {
			t.Fatal(err)
		}
	}
	rec := b.Flush()
	t.Cleanup(rec.Release)
	return rec
}

// outageSink opens a sink of cfg on a fresh database through a proxy to
// the test server.
func outageSink(t *testing.T, cfg clickhouse.Config) (*clickhouse.Sink, *pipelinetest.Proxy, string) {
	t.Helper()
	addr, db := pipelinetest.ClickHouse(t)
	proxy := pipelinetest.NewProxy(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg.Addr, cfg.Database, cfg.DialTimeout = []string{proxy.Addr()}, db, 5*time.Second
	s, err := clickhouse.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, proxy, db
}

func finalCount(t *testing.T, s *clickhouse.Sink, db string) uint64 {
	t.Helper()
	var n uint64
	if err := s.Conn().QueryRow(context.Background(), "SELECT count() FROM "+db+".orders FINAL").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWriteRidesOutAnOutage: the server goes away between two writes (the
// pool's connections closed, new ones refused) and comes back while the
// second write retries; the write succeeds and every row is there once.
func TestWriteRidesOutAnOutage(t *testing.T) {
	signal := make(retrySignal)
	s, proxy, db := outageSink(t, clickhouse.Config{Retry: clickhouse.Retry{MaxAttempts: 1000, MinBackoff: time.Millisecond,
		MaxBackoff: 10 * time.Millisecond, MaxElapsed: 10 * time.Minute}, Logger: slog.New(signal)})
	ctx := context.Background()
	if err := s.Write(ctx, "st", table.Orders, orders(t, 0, 100)); err != nil {
		t.Fatal(err)
	}
	proxy.Cut()
	done := make(chan error, 1)
	go func() { done <- s.Write(ctx, "st", table.Orders, orders(t, 100, 100)) }()
	// Two failed attempts while cut, then the server is back.
	for range 2 {
		select {
		case <-signal:
		case err := <-done:
			t.Fatalf("the write ended during the outage without retrying: %v", err)
		}
	}
	proxy.Restore()
	if err := <-done; err != nil {
		t.Fatalf("write after the outage: %v", err)
	}
	if n := s.Retries("st"); n < 2 {
		t.Errorf("Retries = %d, want at least 2", n)
	}
	if n := finalCount(t, s, db); n != 200 {
		t.Fatalf("FINAL holds %d orders, want 200", n)
	}
}

// TestWriteOutlastedFailsThenRecovers: an outage longer than the budget
// fails the write with the cause; once the server is back, the same sink
// (its pool emptied by the outage) writes again.
func TestWriteOutlastedFailsThenRecovers(t *testing.T) {
	s, proxy, db := outageSink(t, clickhouse.Config{Retry: clickhouse.Retry{MaxAttempts: 3, MinBackoff: time.Millisecond,
		MaxBackoff: 2 * time.Millisecond, MaxElapsed: time.Minute}})
	ctx := context.Background()
	if err := s.Write(ctx, "st", table.Orders, orders(t, 0, 100)); err != nil {
		t.Fatal(err)
	}
	proxy.Cut()
	err := s.Write(ctx, "st", table.Orders, orders(t, 100, 100))
	if err == nil || !errors.Is(err, syscall.ECONNREFUSED) || !clickhouse.Transient(err) {
		t.Fatalf("err = %v, want connection refused after the retries", err)
	}
	t.Logf("error: %v", err)
	if n := s.Retries("st"); n != 2 {
		t.Errorf("Retries = %d, want 2", n)
	}
	proxy.Restore()
	if err := s.Write(ctx, "st", table.Orders, orders(t, 100, 100)); err != nil {
		t.Fatalf("write after the outage: %v", err)
	}
	if n := finalCount(t, s, db); n != 200 {
		t.Fatalf("FINAL holds %d orders, want 200", n)
	}
}
