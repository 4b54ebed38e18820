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

	_ "github.com/shopetl/shopetl/extract/all"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/sim/fault"
	sim "github.com/shopetl/shopetl/sim/shoptima"
)

// TestIncrementalRunsMatchTheShop is issue 4's contract for shoptima: a shop
// of 300 orders read through drift and transient faults, then 22 orders
// changed through the write endpoints (paid, shipped, pre-advised; some
// created weeks ago, far beyond the lookback), 8 refunded in the back
// office (the API has no refund endpoint) and 15 added; after the second
// run ClickHouse FINAL holds exactly the shop's orders, with its statuses
// and amounts.
func TestIncrementalRunsMatchTheShop(t *testing.T) {
	addr, db := pipelinetest.ClickHouse(t)
	now := time.Now().UTC()
	var drift atomic.Bool
	drift.Store(true)
	store, err := sim.NewStore(sim.Options{Orders: 300, Seed: 11,
		Start: now.AddDate(0, 0, -25), End: now.Add(-time.Hour),
		Faults: pipelinetest.ContractFaults(3, &drift)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(store.Handler())
	t.Cleanup(srv.Close)

	spec := pipelinetest.ContractJob(t, pipelinetest.Shop{Name: "st", Platform: "shoptima", BaseURL: srv.URL, Currency: "USD", PageSize: 10, Start: now.AddDate(0, 0, -26)}, addr, db)

	res := pipelinetest.Run(t, spec, pipeline.RunOptions{})
	pipelinetest.RequireOK(t, res)
	if store.Faults()[fault.Drift] == 0 {
		t.Fatalf("no drift fired in the first run: %v", store.Faults())
	}
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
