package pipeline_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/table"
)

// TestRunsAreRecorded: every shop run leaves one etl_runs row in each sink,
// the failed shop's too, saying how it ended and what it wrote.
func TestRunsAreRecorded(t *testing.T) {
	addr, db := pipelinetest.ClickHouse(t)
	t.Setenv("IT_TOKEN", "tok")
	store, url := newShop(t, shoptima.Options{Orders: 60, Seed: 5, Token: "tok",
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)})
	dir := t.TempDir()
	spec := pipelinetest.Job(t, dir, fmt.Sprintf(`version: 1
name: runs
state: {backend: file, path: ./state}
defaults: {start: 2020-01-01, retries: {max: 0}, timeout: 2s}
shops:
  - {name: up, platform: shoptima, base_url: %q, auth: {token: "${IT_TOKEN}"}, currency: USD}
  - {name: down, platform: shoptima, base_url: "http://127.0.0.1:1", auth: {token: "${IT_TOKEN}"}}
sinks:
  clickhouse: {addr: [%q], database: %s}
  parquet: {dir: ./parquet}
`, url, addr, db))
	res := pipelinetest.Run(t, spec, pipeline.RunOptions{})
	if res.Failed() != 1 {
		t.Fatalf("want one failed shop, got %+v", res.Shops)
	}

	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var items, refunds uint64
	if err := conn.QueryRow(ctx, "SELECT (SELECT count() FROM "+db+".order_items FINAL), (SELECT count() FROM "+db+".refunds FINAL)").Scan(&items, &refunds); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, "SELECT shop, run_id, job, status, error, orders_read, rows_orders, rows_order_items, rows_refunds, window_from FROM "+db+".etl_runs FINAL ORDER BY shop")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type runRow struct {
		shop, runID, job, status, errText string
		read, orders, items, refunds      uint64
		from                              *time.Time
	}
	var got []runRow
	for rows.Next() {
		var r runRow
		if err := rows.Scan(&r.shop, &r.runID, &r.job, &r.status, &r.errText, &r.read, &r.orders, &r.items, &r.refunds, &r.from); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if len(got) != 2 {
		t.Fatalf("etl_runs holds %d rows, want one per shop: %+v", len(got), got)
	}
	down, up := got[0], got[1]
	if down.shop != "down" || down.status != pipeline.ShopFailed || down.errText == "" || down.orders != 0 || down.runID != res.RunID {
		t.Errorf("failed shop's row: %+v", down)
	}
	if up.shop != "up" || up.status != pipeline.ShopOK || up.errText != "" || up.job != "runs" || up.runID != res.RunID {
		t.Errorf("ok shop's row: %+v", up)
	}
	// What the simulator holds, counted from its store, not from the run.
	if up.orders != uint64(store.Count()) || up.read < up.orders || up.items != items || up.refunds != refunds || items == 0 {
		t.Errorf("ok shop wrote %d orders (read %d), %d lines, %d refunds; store has %d orders, ClickHouse %d lines, %d refunds",
			up.orders, up.read, up.items, up.refunds, store.Count(), items, refunds)
	}
	if up.from == nil || !up.from.Equal(spec.Shops[0].Options.Start) {
		t.Errorf("window_from %v, want the shop's start %v", up.from, spec.Shops[0].Options.Start)
	}

	// Parquet holds the same two rows.
	for _, shop := range []string{"up", "down"} {
		n, err := parquet.CountLatest(spec.ResolvePath("./parquet"), table.Runs, shop)
		if err != nil || n != 1 {
			t.Errorf("parquet etl_runs for %s: %d rows (%v), want 1", shop, n, err)
		}
	}
}
