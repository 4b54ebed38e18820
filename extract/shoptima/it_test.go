package shoptima_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	_ "github.com/shopetl/shopetl/platform/all"
	sim "github.com/shopetl/shopetl/sim/shoptima"
)

// TestIncrementalRunsMatchTheShop is issue 4's contract for shoptima: a shop
// of 300 orders read through drift and transient faults, then 22 orders
// changed through the write endpoints (paid, shipped, pre-advised; some
// created weeks ago, far beyond the lookback), 8 refunded in the back
// office (the API has no refund endpoint) and 15 added; after the second
// run ClickHouse FINAL holds exactly the shop's orders, with its statuses
// and amounts. It runs under both readings of is_refund.
func TestIncrementalRunsMatchTheShop(t *testing.T) {
	for _, reading := range readings {
		t.Run(reading.String(), func(t *testing.T) {
			t.Parallel()
			testIncrementalRunsMatchTheShop(t, reading)
		})
	}
}

func testIncrementalRunsMatchTheShop(t *testing.T, reading sim.IsRefundReading) {
	addr, db := pipelinetest.ClickHouse(t)
	now := time.Now().UTC()
	var drift atomic.Bool
	drift.Store(true)
	store, err := sim.NewStore(sim.Options{Orders: 300, Seed: 11,
		Start: now.AddDate(0, 0, -25), End: now.Add(-time.Hour),
		Faults: pipelinetest.ContractFaults(3, &drift), IsRefund: reading})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(store.Handler())
	t.Cleanup(srv.Close)

	spec := pipelinetest.ContractJob(t, pipelinetest.Shop{Name: "st", Platform: "shoptima", BaseURL: srv.URL, Currency: "USD", PageSize: 10, Start: now.AddDate(0, 0, -26)}, addr, db)

	pipelinetest.RunWhileDrifting(t, spec, store.Faults)
	drift.Store(false) // from here on the shop changes only through its API

	// Change 24 orders through the write endpoints, oldest first: the
	// oldest were created about 25 days ago.
	ids := store.OrderIDs()
	var unpaid, paid []string
	for _, id := range ids {
		o, _ := store.Snapshot(id)
		switch {
		case o.Status == 0 && len(unpaid) < 8:
			unpaid = append(unpaid, id)
		case o.Status == 1 && o.IsRefund == 0 && len(paid) < 22:
			paid = append(paid, id)
		}
	}
	if len(unpaid) < 8 || len(paid) < 22 {
		t.Fatalf("the shop has %d unpaid and %d paid orders to change", len(unpaid), len(paid))
	}
	call(t, srv.URL, "PATCH", "/order/updateStatus", map[string]any{"order_nums": unpaid, "status": 1})
	var ship []map[string]any
	for i, id := range paid[:8] {
		ship = append(ship, map[string]any{"order_num": id, "tracking_number": fmt.Sprintf("IT%06d", i)})
	}
	call(t, srv.URL, "POST", "/order/shippingOrders", ship)
	// Pre-advised to the carrier (status 3) with a tracking number.
	batch := map[string]any{}
	for i, id := range paid[16:22] {
		batch[id] = map[string]any{"status": 3, "tracking_number": fmt.Sprintf("PA%06d", i)}
	}
	call(t, srv.URL, "PATCH", "/order/batchUpdateOrder", batch)
	for i, id := range paid[8:16] {
		// shoptima has no refund endpoint: refunds happen in its back office.
		o, _ := store.Snapshot(id)
		amount := o.TrueTotal
		typ := 3
		if i%2 == 0 {
			amount, typ = amount.Div(decimalTwo).Round(2), 2
		}
		if err := store.Refund(id, typ, amount.StringFixed(2)); err != nil {
			t.Fatal(err)
		}
	}
	store.Add(15)

	// The next scheduled run, a few minutes later.
	later := func() time.Time { return time.Now().Add(5 * time.Minute) }
	pipelinetest.RequireOK(t, pipelinetest.Run(t, spec, pipeline.RunOptions{Now: later}))

	got := pipelinetest.Orders(t, addr, db, "st")
	want := store.OrderIDs()
	if len(got) != len(want) {
		t.Errorf("ClickHouse FINAL has %d orders, the shop %d", len(got), len(want))
	}
	for _, id := range want {
		o, _ := store.Snapshot(id)
		row, ok := got[id]
		if !ok {
			t.Errorf("order %s lost", id)
			continue
		}
		status := map[int]string{0: model.StatusPending, 1: model.StatusPaid, 2: model.StatusShipped, 3: model.StatusPaid}[o.Status]
		refund := map[int]string{0: model.RefundNone, 1: model.RefundProcessing, 2: model.RefundPartial, 3: model.RefundFull}[o.RefundType]
		if row.Status != status || row.RefundStatus != refund || !row.Total.Equal(o.TrueTotal) {
			t.Errorf("order %s: ClickHouse %s/%s total %s, shop status %d refund_type %d total %s",
				id, row.Status, row.RefundStatus, row.Total, o.Status, o.RefundType, o.TrueTotal)
		}
		if o.RefundType >= 2 && !row.Refunded.Equal(o.RefundPrice) {
			t.Errorf("order %s: refunded %s, shop %s", id, row.Refunded, o.RefundPrice)
		}
	}
	if raw := pipelinetest.RawRows(t, addr, db, "orders", "st"); raw <= uint64(len(want)) {
		t.Errorf("%d raw rows for %d orders: the runs should have re-read orders", raw, len(want))
	}
}

var decimalTwo = decimal.NewFromInt(2)

// call sends a JSON write request and fails the test unless the shop says
// success.
func call(t *testing.T, base, method, path string, body any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct{ Status string }
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.Status != "success" {
		t.Fatalf("%s %s: HTTP %d, status %q, %v", method, path, resp.StatusCode, env.Status, err)
	}
}

// TestNoOrderNorRefundIsLostUnderEitherReading is issue 17's check: the
// seed's "is_refund 是否退款,默认0,1为退款" reads two ways (a request
// without it lists only orders that are not refund-flagged, or every
// order), and under either a first run loads every order, refund-flagged
// ones included, and a later run gets the refunds made since on orders 15
// to 19 days old (inside the default 30-day rescan, so no is_refund=1 scan
// reached them before) and 31 to 39 days old (inside refund_rescan only).
// After each run ClickHouse FINAL equals the shop; the first run writes
// each order once, whichever reading the shop has.
func TestNoOrderNorRefundIsLostUnderEitherReading(t *testing.T) {
	for _, reading := range readings {
		t.Run(reading.String(), func(t *testing.T) {
			t.Parallel()
			addr, db := pipelinetest.ClickHouse(t)
			now := time.Now().UTC()
			store, err := sim.NewStore(sim.Options{Orders: 400, Seed: 17, Start: now.AddDate(0, 0, -40), End: now.Add(-time.Hour), IsRefund: reading})
			if err != nil {
				t.Fatal(err)
			}
			url, requests := pipelinetest.CountingServer(t, store.Handler())
			spec := pipelinetest.ContractJob(t, pipelinetest.Shop{Name: "st", Platform: "shoptima", BaseURL: url, Currency: "USD", PageSize: 120, Start: now.AddDate(0, 0, -41)}, addr, db)

			pipelinetest.RequireOK(t, pipelinetest.Run(t, spec, pipeline.RunOptions{}))
			flagged := requireShop(t, store, addr, db)
			if flagged == 0 {
				t.Fatal("the shop has no refund-flagged order to lose")
			}
			if raw := pipelinetest.RawRows(t, addr, db, "orders", "st"); raw != uint64(store.Count()) {
				t.Errorf("the first run wrote %d order rows for %d orders: each should be read once", raw, store.Count())
			}
			t.Logf("%s: first run, %d orders (%d refund-flagged): %d requests", reading, store.Count(), flagged, requests.Load())

			// Refunds made in the back office since: 7 on orders 15 to 19
			// days old, 3 on orders 31 to 39 days old.
			var young, old []string
			for _, id := range store.OrderIDs() {
				o, _ := store.Snapshot(id)
				age := now.Sub(o.OrderTime)
				switch {
				case o.Status == 0 || o.IsRefund == 1:
				case age >= 15*24*time.Hour && age < 20*24*time.Hour && len(young) < 7:
					young = append(young, id)
				case age >= 31*24*time.Hour && age < 40*24*time.Hour && len(old) < 3:
					old = append(old, id)
				}
			}
			if len(young) < 7 || len(old) < 3 {
				t.Fatalf("the shop has %d paid orders 15-19 days old and %d 31-39 days old to refund", len(young), len(old))
			}
			for i, id := range append(young, old...) {
				o, _ := store.Snapshot(id)
				amount, typ := o.TrueTotal, 3
				if i%2 == 1 {
					amount, typ = amount.Div(decimalTwo).Round(2), 2
				}
				if err := store.Refund(id, typ, amount.StringFixed(2)); err != nil {
					t.Fatal(err)
				}
			}

			requests.Store(0)
			later := func() time.Time { return time.Now().Add(5 * time.Minute) }
			pipelinetest.RequireOK(t, pipelinetest.Run(t, spec, pipeline.RunOptions{Now: later}))
			if got := requireShop(t, store, addr, db); got != flagged+10 {
				t.Errorf("%d refund-flagged orders after the refunds, want %d", got, flagged+10)
			}
			t.Logf("%s: next run: %d requests", reading, requests.Load())
		})
	}
}

// requireShop fails the test unless ClickHouse FINAL holds every order of
// the shop with its refund status and amount, and returns how many of the
// shop's orders are refund-flagged.
func requireShop(t *testing.T, store *sim.Store, addr, db string) (flagged int) {
	t.Helper()
	got := pipelinetest.Orders(t, addr, db, "st")
	if len(got) != store.Count() {
		t.Errorf("ClickHouse FINAL has %d orders, the shop %d", len(got), store.Count())
	}
	for _, id := range store.OrderIDs() {
		o, _ := store.Snapshot(id)
		flagged += o.IsRefund
		row, ok := got[id]
		if !ok {
			t.Errorf("order %s (is_refund %d, created %s) lost", id, o.IsRefund, o.OrderTime.Format(time.DateOnly))
			continue
		}
		refund := map[int]string{0: model.RefundNone, 1: model.RefundProcessing, 2: model.RefundPartial, 3: model.RefundFull}[o.RefundType]
		if row.RefundStatus != refund || o.RefundType >= 2 && !row.Refunded.Equal(o.RefundPrice) {
			t.Errorf("order %s (created %s): ClickHouse refund %s %s, shop refund_type %d %s",
				id, o.OrderTime.Format(time.DateOnly), row.RefundStatus, row.Refunded, o.RefundType, o.RefundPrice)
		}
	}
	return flagged
}
