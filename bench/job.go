package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/platform"
	_ "github.com/shopetl/shopetl/platform/all"
	"github.com/shopetl/shopetl/sim"
)

// simToken is the simulated shops' credential: not a secret.
const simToken = "bench-token-not-a-secret"

// shopOpts are the per-shop settings a section chooses.
type shopOpts struct {
	concurrency int
	rateLimit   string // e.g. "10000/s": high enough that the limit is not what is measured
}

// shopsOf returns the job-spec lines of one shop per platform s serves,
// each named prefix-platform, written by the platform's own sim.Platform.Spec.
func shopsOf(s *simProc, prefix string, o shopOpts) string {
	var b strings.Builder
	for _, p := range platform.Sims() {
		url, ok := s.URLs[p.Name]
		if !ok {
			continue
		}
		spec := strings.Replace(p.Spec(url, "BENCH_SIM_TOKEN"), "name: sim-"+p.Name, "name: "+prefix+"-"+p.Name, 1)
		b.WriteString(spec)
		fmt.Fprintf(&b, "    concurrency: %d\n    rate_limit: %s\n", o.concurrency, o.rateLimit)
	}
	return b.String()
}

// writeJob writes a job spec of shops into dir/job.yaml: state under dir,
// ClickHouse database db, Parquet under dir/parquet when parquet is set.
func writeJob(dir, db, chAddr, shops string, maxShops int, parquet bool) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	sinks := fmt.Sprintf("  clickhouse: {addr: [%q], database: %s, username: default}\n", chAddr, db)
	if parquet {
		sinks += "  parquet: {dir: ./parquet, compression: zstd}\n"
	}
	job := fmt.Sprintf(`version: 1
name: bench
state: {backend: file, path: ./state}
defaults: {start: 2024-01-01, timezone: UTC, max_shops: %d}
shops:
%ssinks:
%s`, maxShops, shops, sinks)
	path := filepath.Join(dir, "job.yaml")
	return path, os.WriteFile(path, []byte(job), 0o644)
}

var runIDLine = regexp.MustCompile(`(?m)^run (\S+)$`)

// shopetlRun runs `shopetl run job` and returns its measure and run id.
// jobEnv is the environment the bench's job specs read their secrets from.
var jobEnv = []string{"BENCH_SIM_TOKEN=" + simToken, "SHOPETL_PII_KEY=bench-pii-key-not-a-secret"}

func (b *bench) shopetlRun(ctx context.Context, job, logName string) (Measure, string, error) {
	m, out, err := run(ctx, filepath.Join(b.work, logName), jobEnv, b.shopetl, "run", job)
	if err != nil {
		return m, "", err
	}
	id := runIDLine.FindStringSubmatch(out)
	if id == nil {
		return m, "", fmt.Errorf("shopetl run %s: no run id in its summary", job)
	}
	return m, id[1], nil
}

// ch is the benchmark's ClickHouse connection, for set-up and counts.
type ch struct{ conn clickhouse.Conn }

func openCH(ctx context.Context, addr string) (*ch, error) {
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}})
	if err != nil {
		return nil, err
	}
	if err := conn.Ping(ctx); err != nil {
		return nil, fmt.Errorf("clickhouse at %s: %w", addr, err)
	}
	return &ch{conn}, nil
}

// fresh drops and creates database db.
func (c *ch) fresh(ctx context.Context, db string) error {
	if err := c.conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db); err != nil {
		return err
	}
	return c.conn.Exec(ctx, "CREATE DATABASE "+db)
}

// Load is what a run left in ClickHouse: rows and money sums.
type Load struct {
	Rows  uint64          `json:"rows"`
	Total decimal.Decimal `json:"total_amount_sum"`
	Paid  decimal.Decimal `json:"paid_amount_sum,omitempty"`
}

// orders counts db.orders under FINAL.
func (c *ch) orders(ctx context.Context, db string) (Load, error) {
	return c.load(ctx, "SELECT count(), toString(sum(total_amount)), toString(sum(paid_amount)) FROM "+db+".orders FINAL")
}

// peerOrders counts the peer's table.
func (c *ch) peerOrders(ctx context.Context, db string) (Load, error) {
	return c.load(ctx, "SELECT count(), toString(sum(total_amount)), '0' FROM "+db+".peer_orders")
}

func (c *ch) load(ctx context.Context, q string) (Load, error) {
	var l Load
	var total, paid string
	if err := c.conn.QueryRow(ctx, q).Scan(&l.Rows, &total, &paid); err != nil {
		return l, fmt.Errorf("%s: %w", q, err)
	}
	var err1, err2 error
	l.Total, err1 = decimal.NewFromString(total)
	l.Paid, err2 = decimal.NewFromString(paid)
	if err1 != nil || err2 != nil {
		return l, fmt.Errorf("%s: sums %q %q", q, total, paid)
	}
	return l, nil
}

// ShopPages is one shop's requests in one run, from etl_runs.
type ShopPages struct {
	Shop  string `json:"shop"`
	Pages uint64 `json:"pages"`
}

func (c *ch) pages(ctx context.Context, db, runID string) ([]ShopPages, error) {
	rows, err := c.conn.Query(ctx, "SELECT shop, pages FROM "+db+".etl_runs FINAL WHERE run_id = ? ORDER BY shop", runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ShopPages
	for rows.Next() {
		var s ShopPages
		if err := rows.Scan(&s.Shop, &s.Pages); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ledger is the exact money of a simulated shop, worked out in-process
// from a shop built with the same options as the one served (the same
// seed serves the same orders): the simulator's own Ledger, never
// shopetl's transform.
func ledger(platform string, o sim.Options) ([]sim.LedgerOrder, error) {
	shop, err := simShop(platform, o)
	if err != nil {
		return nil, err
	}
	l, ok := shop.(sim.Ledgered)
	if !ok {
		return nil, fmt.Errorf("sim %s keeps no ledger", platform)
	}
	return l.Ledger(), nil
}

// simShop builds a simulated shop of platform in-process.
func simShop(name string, o sim.Options) (sim.Shop, error) {
	if p, ok := platform.Lookup(name); ok && p.Sim.New != nil {
		return p.Sim.New(o)
	}
	return nil, fmt.Errorf("no simulator %s", name)
}

// window is the window a shop's run read, as etl_runs records it.
func (c *ch) window(ctx context.Context, db, runID string) (from, to time.Time, err error) {
	err = c.conn.QueryRow(ctx, "SELECT window_from, window_to FROM "+db+".etl_runs FINAL WHERE run_id = ? LIMIT 1", runID).Scan(&from, &to)
	return from.UTC(), to.UTC(), err
}
