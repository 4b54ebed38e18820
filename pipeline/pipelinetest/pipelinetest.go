// Package pipelinetest runs jobs end to end in tests: a job spec written to
// a temporary folder, the real runner and sinks, and a fresh ClickHouse
// database read back with FINAL. It is for tests only, like net/http/httptest.
package pipelinetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/internal/testenv"
	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/platform"
	_ "github.com/shopetl/shopetl/platform/all" // every platform a job may name
)

// ClickHouse returns the test server's address and a fresh database name,
// dropped when the test ends. Without CLICKHOUSE_ADDR the test is skipped
// (make test starts a server and sets it).
func ClickHouse(t testing.TB) (addr, database string) {
	t.Helper()
	addr = testenv.ClickHouse(t)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	database = "it_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		conn := Conn(t, addr)
		defer conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+database); err != nil {
			t.Errorf("drop %s: %v", database, err)
		}
	})
	return addr, database
}

// Conn opens a connection to the test server at addr, with the
// environment's credentials; the caller closes it.
func Conn(t testing.TB, addr string) clickhouse.Conn {
	t.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr},
		Auth: clickhouse.Auth{Username: os.Getenv("CLICKHOUSE_USER"), Password: os.Getenv("CLICKHOUSE_PASSWORD")}})
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// PIIKey is the PII hash key jobs written by Job get when the environment
// has none (jobspec.PIIKeyEnv), as a user's environment would give one.
const PIIKey = "pipelinetest-pii-key"

// Job writes a job spec into dir and loads it, for every registered
// platform. Paths in it are relative to dir.
func Job(t testing.TB, dir, yaml string) *jobspec.Spec {
	t.Helper()
	if os.Getenv(jobspec.PIIKeyEnv) == "" {
		os.Setenv(jobspec.PIIKeyEnv, PIIKey) // guarded by the os package's lock
	}
	path := filepath.Join(dir, "job.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	spec, err := jobspec.Load(path, platform.Registered)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// Run runs spec once with file state, as `shopetl run` does, and returns
// the result. It fails the test only when the run could not start; shop
// failures are in the result.
func Run(t testing.TB, spec *jobspec.Spec, opt pipeline.RunOptions) pipeline.Result {
	t.Helper()
	runID := pipeline.NewRunID(time.Now())
	sinks, err := pipeline.OpenSinks(context.Background(), spec, runID, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pipeline.CloseSinks(sinks)
	state, closeState, err := pipeline.OpenState(context.Background(), spec, runID, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeState()
	r := &pipeline.Runner{Spec: spec, Sinks: sinks, State: state, RunID: runID}
	res, err := r.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// RequireOK fails the test unless every shop of res succeeded.
func RequireOK(t testing.TB, res pipeline.Result) {
	t.Helper()
	for _, s := range res.Shops {
		if s.Status != pipeline.ShopOK {
			t.Fatalf("shop %s: %s: %v", s.Shop, s.Status, s.Err)
		}
	}
}

// Order is an orders row as ClickHouse holds it under FINAL, the fields
// tests compare with a simulator's truth.
type Order struct {
	Status, PaymentStatus, ShippingStatus, RefundStatus string
	RawStatus                                           string
	Total, Paid, Refunded                               decimal.Decimal
	ItemCount                                           uint32
	CreatedAt                                           time.Time
}

// Orders reads the current row of every order of one shop, by order_id.
func Orders(t testing.TB, addr, database, shop string) map[string]Order {
	t.Helper()
	conn := Conn(t, addr)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rows, err := conn.Query(ctx, `SELECT order_id, status, payment_status, shipping_status, refund_status, raw_status,
		total_amount, paid_amount, refunded_amount, item_count, created_at
		FROM `+database+`.orders FINAL WHERE shop = ?`, shop)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]Order{}
	for rows.Next() {
		var id string
		var o Order
		if err := rows.Scan(&id, &o.Status, &o.PaymentStatus, &o.ShippingStatus, &o.RefundStatus, &o.RawStatus,
			&o.Total, &o.Paid, &o.Refunded, &o.ItemCount, &o.CreatedAt); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[id]; dup {
			t.Fatalf("order %s has two current rows under FINAL", id)
		}
		out[id] = o
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// RawRows counts the rows of a table before merging (FINAL not applied),
// to show that re-reads happened and FINAL folded them.
func RawRows(t testing.TB, addr, database, table, shop string) uint64 {
	t.Helper()
	conn := Conn(t, addr)
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM "+database+"."+table+" WHERE shop = ?", shop).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// FinalRows counts the current rows of a table for one shop, as queries
// see them (FINAL: one row per key).
func FinalRows(t testing.TB, addr, database, table, shop string) uint64 {
	t.Helper()
	conn := Conn(t, addr)
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM "+database+"."+table+" FINAL WHERE shop = ?", shop).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Count runs a SELECT count() query on the test server, for checks the
// helpers above do not cover.
func Count(t testing.TB, addr, query string, args ...any) uint64 {
	t.Helper()
	conn := Conn(t, addr)
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
