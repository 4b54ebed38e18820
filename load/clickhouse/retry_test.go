package clickhouse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/table"
)

func TestTransient(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"connection refused", refused, true},
		{"connection reset, wrapped", fmt.Errorf("insert: %w", reset), true},
		{"broken pipe", fmt.Errorf("insert: %w", syscall.EPIPE), true},
		{"EOF", fmt.Errorf("prepare: %w", io.EOF), true},
		{"unexpected EOF", io.ErrUnexpectedEOF, true},
		{"read deadline", fmt.Errorf("insert: %w", os.ErrDeadlineExceeded), true},
		{"no connection in time", fmt.Errorf("prepare: %w", clickhouse.ErrAcquireConnTimeout), true},
		{"closed socket", net.ErrClosed, true},
		{"too many parts", &clickhouse.Exception{Code: 252, Name: "DB::Exception"}, true},
		{"too many simultaneous queries", fmt.Errorf("prepare: %w", &clickhouse.Exception{Code: 202}), true},
		{"timeout exceeded", &clickhouse.Exception{Code: 159}, true},
		{"memory limit", &clickhouse.Exception{Code: 241}, true},
		{"unknown status of insert", &clickhouse.Exception{Code: 319}, true},
		{"no such column", fmt.Errorf("prepare: %w", &clickhouse.Exception{Code: 16}), false},
		{"type mismatch", &clickhouse.Exception{Code: 53}, false},
		{"syntax error", &clickhouse.Exception{Code: 62}, false},
		{"unknown table", &clickhouse.Exception{Code: 60}, false},
		{"wrong password", &clickhouse.Exception{Code: 193}, false},
		{"too many partitions in one insert", &clickhouse.Exception{Code: 565}, false},
		{"batch the driver could not encode", fmt.Errorf("column x: %w", clickhouse.ErrBatchInvalid), false},
		{"our own pool closed", clickhouse.ErrConnectionClosed, false},
		{"cancelled", fmt.Errorf("insert: %w", context.Canceled), false},
		{"plain error", errors.New("column order_id: Arrow type int64 does not match table type"), false},
	} {
		if got := Transient(tc.err); got != tc.want {
			t.Errorf("%s: Transient(%v) = %t, want %t", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestRetryDefaults(t *testing.T) {
	t.Parallel()
	if got := (Retry{}).withDefaults(); got != DefaultRetry {
		t.Errorf("zero Retry = %+v, want %+v", got, DefaultRetry)
	}
	got := Retry{MaxAttempts: 1, MinBackoff: time.Second, MaxBackoff: time.Millisecond}.withDefaults()
	if got.MaxAttempts != 1 || got.MaxBackoff != time.Second || got.MaxElapsed != DefaultRetry.MaxElapsed {
		t.Errorf("got %+v: want MaxAttempts kept, MaxBackoff raised to MinBackoff, MaxElapsed defaulted", got)
	}
}

// unreachableSink is a sink whose server refuses connections (a port
// nobody listens on), with retry r, logging to log.
func unreachableSink(t *testing.T, r Retry, log *slog.Logger) (*Sink, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &Sink{conn: conn, db: "shop", retry: r.withDefaults(), log: log, retries: map[string]int64{}}, addr
}

var fastRetry = Retry{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxElapsed: time.Minute}

// TestWriteGivesUpAfterMaxAttempts: a refused connection is retried, and
// after MaxAttempts the error says how many attempts were made and keeps
// the cause for errors.Is.
func TestWriteGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s, _ := unreachableSink(t, fastRetry, slog.New(slog.NewTextHandler(&logs, nil)))
	err := s.Write(context.Background(), "st", table.Orders, ordersBatch(t, testOrders(1, model.StatusPaid)))
	if err == nil {
		t.Fatal("a write to a refusing server succeeded")
	}
	t.Logf("error: %v", err)
	for _, want := range []string{"write orders for shop st", "3 rows", "3 attempts"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error %q does not wrap ECONNREFUSED", err)
	}
	if n := s.Retries("st"); n != 2 {
		t.Errorf("Retries = %d, want 2 (3 attempts)", n)
	}
	if n := strings.Count(logs.String(), "retrying insert"); n != 2 {
		t.Errorf("%d retries logged, want 2:\n%s", n, logs.String())
	}
}

// logFunc is a slog.Handler that calls f with every record.
type logFunc func(slog.Record)

func (f logFunc) Enabled(context.Context, slog.Level) bool      { return true }
func (f logFunc) Handle(_ context.Context, r slog.Record) error { f(r); return nil }
func (f logFunc) WithAttrs([]slog.Attr) slog.Handler            { return f }
func (f logFunc) WithGroup(string) slog.Handler                 { return f }

// TestWriteStopsWhenCancelledDuringBackoff: a context cancelled while Write
// waits to retry ends the wait; the error wraps context.Canceled and says
// what failed before.
func TestWriteStopsWhenCancelledDuringBackoff(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// An hour's wait, cancelled as the first retry is announced.
	s, _ := unreachableSink(t, Retry{MaxAttempts: 5, MinBackoff: time.Hour, MaxElapsed: 10 * time.Hour},
		slog.New(logFunc(func(slog.Record) { cancel() })))
	err := s.Write(ctx, "st", table.Orders, ordersBatch(t, testOrders(1, model.StatusPaid)))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !strings.Contains(err.Error(), "stopped after 1 attempts") || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error %q does not tell the attempt and its cause", err)
	}
}

// TestWriteFailsAtOnceOnPermanentError: an insert the server rejects for
// what it is (here a column the table lacks) is not retried.
func TestWriteFailsAtOnceOnPermanentError(t *testing.T) {
	s, cfg := newTestSink(t)
	ctx := testCtx(t)
	if err := s.Conn().Exec(ctx, "ALTER TABLE "+qualified(cfg.Database, "orders")+" DROP COLUMN tracking_number"); err != nil {
		t.Fatal(err)
	}
	err := s.Write(ctx, "st", table.Orders, ordersBatch(t, testOrders(1, model.StatusPaid)))
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) {
		t.Fatalf("err = %v, want the server's exception", err)
	}
	t.Logf("error: %v", err)
	if Transient(err) || s.Retries("st") != 0 || strings.Contains(err.Error(), "attempts") {
		t.Fatalf("a permanent error (code %d) was retried: %v, %d retries", ex.Code, err, s.Retries("st"))
	}
}
