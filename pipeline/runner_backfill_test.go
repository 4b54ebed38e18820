package pipeline_test

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/sim/shopex"
)

// TestShopexBackfillSelectsByCreation: SPEC §3, a backfill window selects
// orders by the platform's creation time, on shopex too, whose list
// filters by modification time only (dtline on lastmtime). A backfill of
// June into a fresh database loads every order created in June, those
// changed in July included, and no order created before or after it; the
// orders on the window's edges (created at its first second, its last,
// the second before and the second after it, each changed in July) fall
// on the side the half-open window puts them.
func TestShopexBackfillSelectsByCreation(t *testing.T) {
	addr, db := pipelinetest.ClickHouse(t)
	cst := time.FixedZone("CST", 8*3600)
	since, until := time.Date(2025, 6, 1, 0, 0, 0, 0, cst), time.Date(2025, 7, 1, 0, 0, 0, 0, cst)
	// The store's clock, read by Add and the state changes below only;
	// set before the shop is served.
	var clock time.Time
	store, err := shopex.NewStore(shopex.Options{
		Orders: 300, Seed: 16, Token: "sx-s3cret",
		Start: time.Date(2025, 5, 1, 0, 0, 0, 0, cst), End: time.Date(2025, 8, 1, 0, 0, 0, 0, cst),
		Now: func() time.Time { return clock },
	})
	if err != nil {
		t.Fatal(err)
	}
	before := map[string]bool{}
	for _, id := range store.OrderIDs() {
		before[id] = true
	}
	for _, at := range []time.Time{since.Add(-time.Second), since, until.Add(-time.Second), until} {
		clock = at
		store.Add(1)
	}
	clock = time.Date(2025, 7, 20, 9, 0, 0, 0, cst)
	cent := decimal.RequireFromString("0.01")
	for _, id := range store.OrderIDs() {
		if before[id] {
			continue
		}
		// Any change will do: pay a cent of an unpaid order, or refund
		// one of a paid order.
		if err := store.Pay(id, cent); err != nil {
			if err := store.Refund(id, cent); err != nil {
				t.Fatalf("edge order %s: cannot change it: %v", id, err)
			}
		}
	}
	srv := httptest.NewServer(store.Handler())
	t.Cleanup(srv.Close)

	spec := shopexBackfillJob(t, "backfill", srv.URL, addr, db, 20)
	now := func() time.Time { return time.Date(2025, 8, 2, 12, 0, 0, 0, time.UTC) }
	res := pipelinetest.Run(t, spec, pipeline.RunOptions{Since: "2025-06-01", Until: "2025-07-01", Now: now})
	pipelinetest.RequireOK(t, res)

	want := map[string]shopex.Order{}
	changedAfter := 0
	for _, id := range store.OrderIDs() {
		o, _ := store.Snapshot(id)
		if !o.Created.Before(since) && o.Created.Before(until) {
			want[id] = o
			if !o.Modified.Before(until) {
				changedAfter++
			}
		}
	}
	if changedAfter < 3 || changedAfter == len(want) {
		t.Fatalf("%d of the %d orders created in the window changed after it: the shop does not test the point", changedAfter, len(want))
	}
	got := pipelinetest.Orders(t, addr, db, "sx")
	for id, o := range want {
		row, ok := got[id]
		switch {
		case !ok:
			t.Errorf("order %s created %s, changed %s: not loaded", id, o.Created.In(cst), o.Modified.In(cst))
		case !row.CreatedAt.Equal(o.Created):
			t.Errorf("order %s: created_at %s, the shop's %s", id, row.CreatedAt, o.Created)
		}
	}
	for id, row := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("order %s created %s, outside the window: loaded", id, row.CreatedAt.In(cst))
		}
	}
	// One detail per order of the window: rows listed but created outside
	// it are dropped before their detail is asked for.
	if s := res.Shops[0]; s.Orders != int64(len(want)) {
		t.Errorf("%d order records read, %d orders created in the window", s.Orders, len(want))
	}
	t.Logf("%d orders created in the window (%d changed after it), %d loaded", len(want), changedAfter, len(got))
}

// TestShopexBackfillThatMovesTheWatermarkReadsTheChanges: a backfill whose
// window joins the loaded range moves the watermark to its end, so it must
// also read what an incremental run would have read: on shopex, every
// order changed since the watermark, whenever it was created. An order
// created before --since and refunded after the watermark is loaded with
// its refund, and the next incremental run, which starts after it, is not
// needed to find it.
func TestShopexBackfillThatMovesTheWatermarkReadsTheChanges(t *testing.T) {
	addr, db := pipelinetest.ClickHouse(t)
	cst := time.FixedZone("CST", 8*3600)
	var clock time.Time
	store, err := shopex.NewStore(shopex.Options{
		Orders: 200, Seed: 17, Token: "sx-s3cret",
		Start: time.Date(2025, 5, 1, 0, 0, 0, 0, cst), End: time.Date(2025, 7, 1, 0, 0, 0, 0, cst),
		Now: func() time.Time { return clock },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(store.Handler())
	t.Cleanup(srv.Close)
	spec := shopexBackfillJob(t, "backfill-moves", srv.URL, addr, db, 50)
	// Run 1, incremental: the watermark goes to 2025-07-10 (less the lag).
	pipelinetest.RequireOK(t, pipelinetest.Run(t, spec, pipeline.RunOptions{
		Now: func() time.Time { return time.Date(2025, 7, 10, 0, 0, 0, 0, cst) }}))

	// After it, May's paid orders are refunded a cent.
	since := time.Date(2025, 6, 1, 0, 0, 0, 0, cst)
	clock = time.Date(2025, 7, 15, 9, 0, 0, 0, cst)
	cent := decimal.RequireFromString("0.01")
	var changed []string
	for _, id := range store.OrderIDs() {
		if o, _ := store.Snapshot(id); o.Created.Before(since) && store.Refund(id, cent) == nil {
			changed = append(changed, id)
		}
	}
	if len(changed) < 3 {
		t.Fatalf("only %d orders of May could be refunded: the shop does not test the point", len(changed))
	}

	// Run 2: a backfill from June 1, which starts before the watermark and
	// ends at now, so the watermark moves to its end.
	res := pipelinetest.Run(t, spec, pipeline.RunOptions{Since: "2025-06-01",
		Now: func() time.Time { return time.Date(2025, 7, 20, 0, 0, 0, 0, cst) }})
	pipelinetest.RequireOK(t, res)
	got := pipelinetest.Orders(t, addr, db, "sx")
	for _, id := range changed {
		o, _ := store.Snapshot(id)
		if row := got[id]; !row.Refunded.Equal(o.RefundFee) {
			t.Errorf("order %s created %s, refunded %s after the watermark: loaded refunded_amount %s, the shop's %s",
				id, o.Created.In(cst), o.Modified.In(cst), row.Refunded, o.RefundFee)
		}
	}
}

// shopexBackfillJob is a job of one shopex shop, served at url with the
// token "sx-s3cret", from 2025-05-01, into ClickHouse.
func shopexBackfillJob(t *testing.T, name, url, addr, db string, pageSize int) *jobspec.Spec {
	t.Helper()
	t.Setenv("BACKFILL_SX_TOKEN", "sx-s3cret")
	return pipelinetest.Job(t, t.TempDir(), fmt.Sprintf(`version: 1
name: %s
state: {backend: file, path: ./state}
defaults:
  start: 2025-05-01
  rate_limit: 1000/s
  concurrency: 4
  page_size: %d
  retries: {max: 2, min_backoff: 1ms, max_backoff: 5ms}
  timeout: 5s
shops:
  - name: sx
    platform: shopex
    base_url: %s/api
    auth: {token: "${BACKFILL_SX_TOKEN}"}
    currency: CNY
    timezone: Asia/Shanghai
sinks:
  clickhouse: {addr: [%q], database: %s}
`, name, pageSize, url, addr, db))
}
