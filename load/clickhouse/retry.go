package clickhouse

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/cenkalti/backoff/v5"
	"github.com/shopetl/shopetl/setting"
)

// Retry bounds how a failed insert is retried (SPEC §5: transient failures
// are retried with backoff and jitter). Zero fields take the defaults of
// DefaultRetry.
type Retry struct {
	// MaxAttempts counts every attempt of one batch's insert, the first
	// included; 1 means no retry.
	MaxAttempts int
	// MinBackoff is the first wait; each further wait doubles, ±50 % jitter.
	MinBackoff time.Duration
	// MaxBackoff caps one wait.
	MaxBackoff time.Duration
	// MaxElapsed is the budget of one batch: no attempt starts later than
	// this after the first began.
	MaxElapsed time.Duration
}

// DefaultRetry rides out a server restart or a burst of "too many parts"
// (about two minutes: waits of 0.5, 1, 2, 4, 8, 16, 30, 30 … seconds)
// without holding a shop much longer than that.
// Its figures are the defaults of sinks.clickhouse.retries (Settings).
var DefaultRetry = setting.Defaults(Settings).Retry

// withDefaults fills the zero fields of r from DefaultRetry.
func (r Retry) withDefaults() Retry {
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = DefaultRetry.MaxAttempts
	}
	if r.MinBackoff <= 0 {
		r.MinBackoff = DefaultRetry.MinBackoff
	}
	if r.MaxBackoff <= 0 {
		r.MaxBackoff = DefaultRetry.MaxBackoff
	}
	if r.MaxBackoff < r.MinBackoff {
		r.MaxBackoff = r.MinBackoff
	}
	if r.MaxElapsed <= 0 {
		r.MaxElapsed = DefaultRetry.MaxElapsed
	}
	return r
}

func (r Retry) backOff() backoff.BackOff {
	return &backoff.ExponentialBackOff{
		InitialInterval:     r.MinBackoff,
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         r.MaxBackoff,
	}
}

// Server exception codes worth another attempt: the server or its
// replication is busy, restarting or briefly unreachable, and the same
// insert can succeed a little later. The names are ClickHouse's
// (src/Common/ErrorCodes.cpp; github.com/ClickHouse/ch-go/proto lists them
// as Err* constants, a module shopetl does not import directly). Every
// other code — a missing column (16, NO_SUCH_COLUMN_IN_TABLE), a type
// mismatch (53), a syntax error (62), a value out of range, an unknown
// table, bad credentials, TOO_MANY_PARTITIONS (565: the batch itself spans
// too many months) — would fail the same way again, so it fails at once.
var transientCodes = map[int32]string{
	32:  "ATTEMPT_TO_READ_AFTER_EOF", // the server saw our insert cut short
	95:  "CANNOT_READ_FROM_SOCKET",
	96:  "CANNOT_WRITE_TO_SOCKET",
	159: "TIMEOUT_EXCEEDED",
	202: "TOO_MANY_SIMULTANEOUS_QUERIES",
	203: "NO_FREE_CONNECTION",
	209: "SOCKET_TIMEOUT",
	210: "NETWORK_ERROR",
	241: "MEMORY_LIMIT_EXCEEDED", // usually the server's total, shared with other queries
	242: "TABLE_IS_READ_ONLY",    // a replica lost its ZooKeeper session
	244: "UNEXPECTED_ZOOKEEPER_ERROR",
	252: "TOO_MANY_PARTS", // merges catch up if inserts pause
	285: "TOO_FEW_LIVE_REPLICAS",
	286: "UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE",
	289: "REPLICA_IS_NOT_IN_QUORUM",
	319: "UNKNOWN_STATUS_OF_INSERT",
	394: "QUERY_WAS_CANCELLED", // a server shutting down cancels running queries
	473: "DEADLOCK_AVOIDED",
	733: "TABLE_IS_BEING_RESTARTED",
	745: "SERVER_OVERLOADED",
	999: "KEEPER_EXCEPTION",
}

// Transient reports whether err, from an insert, is worth another attempt
// of the same insert: the connection was refused, reset or cut (EOF), an
// I/O or dial timeout, no connection free in time, or a server exception
// of transientCodes. Everything else is permanent, context cancellation
// included. A deadline counts as a timeout; Write stops retrying anyway
// once its own context is done.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		_, ok := transientCodes[ex.Code]
		return ok
	}
	switch {
	case errors.Is(err, clickhouse.ErrBatchInvalid), errors.Is(err, clickhouse.ErrConnectionClosed):
		// Data the driver could not encode; a pool the sink itself closed.
		return false
	case errors.Is(err, clickhouse.ErrAcquireConnTimeout),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ETIMEDOUT), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, net.ErrClosed),
		errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return true
	}
	// Any other failure to dial, read or write the socket.
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
