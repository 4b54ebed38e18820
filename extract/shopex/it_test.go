package shopex_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	_ "github.com/shopetl/shopetl/platform/all"
	sim "github.com/shopetl/shopetl/sim/shopex"
)

const itToken = "it-sh0pex-cert"

// TestIncrementalRunsMatchTheShop is issue 4's contract for shopex: a signed
// shop of 300 orders read through drift (orders appearing inside the window
// and orders changing while it pages) and transient faults, then 24 orders
// changed through the write endpoints (ome:update_order_info,
// ome:update_delivery; the oldest created weeks before the lookback) and 15
// added; after the second run ClickHouse FINAL holds exactly the shop's
// orders, with its four status axes and its amounts.
func TestIncrementalRunsMatchTheShop(t *testing.T) { incrementalRunsMatchTheShop(t, 25, 0) }

// TestIncrementalRunsMatchACappedShop is the same against a shop that
// serves 50 list rows where the job asks 100 (issue 17: the seed names no
// page cap, and a short page is not the end of a window).
func TestIncrementalRunsMatchACappedShop(t *testing.T) { incrementalRunsMatchTheShop(t, 100, 50) }

// incrementalRunsMatchTheShop runs the contract with the job's page_size
// and the shop's PageCap.
func incrementalRunsMatchTheShop(t *testing.T, pageSize, pageCap int) {
	addr, db := pipelinetest.ClickHouse(t)
	t.Setenv("SHOPEX_IT_TOKEN", itToken)
	now := time.Now().UTC()
	var drifting atomic.Bool
	drifting.Store(true)
	store, err := sim.NewStore(sim.Options{Orders: 300, Seed: 17, Token: itToken, PageCap: pageCap,
		Start: now.AddDate(0, 0, -25), End: now.Add(-time.Hour),
		Faults: pipelinetest.ContractFaults(4, &drifting)})
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, store)

	spec := pipelinetest.ContractJob(t, pipelinetest.Shop{Name: "sx", Platform: "shopex", BaseURL: srv + "/api", Currency: "CNY", Timezone: "Asia/Shanghai", TokenEnv: "SHOPEX_IT_TOKEN", PageSize: pageSize, Start: now.AddDate(0, 0, -26)}, addr, db)

	pipelinetest.RunWhileDrifting(t, spec, store.Faults)
	drifting.Store(false)

	// Change 24 orders through the write endpoints, oldest first: the
	// oldest were created about 25 days ago.
	picked := map[string]bool{}
	pick := func(n int, ok func(o sim.Order) bool) []sim.Order {
		var out []sim.Order
		for _, id := range store.OrderIDs() {
			if o, _ := store.Snapshot(id); len(out) < n && !picked[id] && ok(o) {
				picked[id] = true
				out = append(out, o)
			}
		}
		if len(out) < n {
			t.Fatalf("the shop has %d of the %d orders wanted", len(out), n)
		}
		return out
	}
	active := func(o sim.Order) bool { return o.Status == "active" }
	for _, o := range pick(5, func(o sim.Order) bool { return active(o) && !o.COD && o.PayStatus == 0 }) {
		write(t, srv, sim.ActUpdateOrderInfo, "tid", o.TID, "pay_status", "1") // paid in full
	}
	for _, o := range pick(5, func(o sim.Order) bool { return active(o) && o.PayStatus == 1 && o.ShipStatus == 0 }) {
		write(t, srv, sim.ActUpdateDelivery, "tid", o.TID, "type", "delivery", "delivery_id", "",
			"logistics_company", "顺丰速运", "logistics_code", "SF", "logi_no", "SF"+o.TID)
	}
	for _, o := range pick(4, func(o sim.Order) bool { return active(o) && o.PayStatus == 1 && o.ShipStatus == 1 }) {
		part := o.PayedFee.Div(decimal.NewFromInt(3)).Round(2)
		write(t, srv, sim.ActUpdateOrderInfo, "tid", o.TID, "refund_fee", part.StringFixed(3)) // partly refunded
	}
	for _, o := range pick(3, func(o sim.Order) bool { return active(o) && o.PayStatus == 1 && o.ShipStatus == 0 }) {
		write(t, srv, sim.ActUpdateOrderInfo, "tid", o.TID, "pay_status", "5", "status", "dead") // refunded and cancelled
	}
	for _, o := range pick(3, func(o sim.Order) bool { return active(o) && o.PayStatus == 0 && o.ShipStatus == 0 }) {
		write(t, srv, sim.ActUpdateOrderInfo, "tid", o.TID, "status", "dead") // cancelled
	}
	for _, o := range pick(2, func(o sim.Order) bool { return active(o) && o.PayStatus == 1 && o.ShipStatus == 1 }) {
		write(t, srv, sim.ActUpdateOrderInfo, "tid", o.TID, "status", "finish")
	}
	for _, o := range pick(2, func(o sim.Order) bool { return active(o) && (o.ShipStatus == 1 || o.ShipStatus == 2) }) {
		write(t, srv, sim.ActUpdateDelivery, "tid", o.TID, "type", "return", "delivery_id", "") // everything sent comes back
	}
	if len(picked) != 24 {
		t.Fatalf("%d orders changed", len(picked))
	}
	store.Add(15)

	// The next scheduled run, a few minutes later.
	later := func() time.Time { return time.Now().Add(5 * time.Minute) }
	pipelinetest.RequireOK(t, pipelinetest.Run(t, spec, pipeline.RunOptions{Now: later}))

	got := pipelinetest.Orders(t, addr, db, "sx")
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
		a := axes(o)
		if [4]string{row.Status, row.PaymentStatus, row.ShippingStatus, row.RefundStatus} != a ||
			!row.Total.Equal(o.TotalFee) || !row.Paid.Equal(o.PaidFee) || !row.Refunded.Equal(o.RefundFee) ||
			int(row.ItemCount) != len(o.Lines) || !row.CreatedAt.Equal(o.Created) {
			t.Errorf("order %s: ClickHouse %s/%s/%s/%s total %s paid %s refunded %s lines %d created %s; shop %v total %s paid %s refunded %s lines %d created %s",
				id, row.Status, row.PaymentStatus, row.ShippingStatus, row.RefundStatus, row.Total, row.Paid, row.Refunded, row.ItemCount, row.CreatedAt,
				a, o.TotalFee, o.PaidFee, o.RefundFee, len(o.Lines), o.Created)
		}
		if wantRaw := fmt.Sprintf("status=%s pay_status=%d ship_status=%d", o.Status, o.PayStatus, o.ShipStatus); row.RawStatus != wantRaw {
			t.Errorf("order %s: raw_status %q, want %q", id, row.RawStatus, wantRaw)
		}
	}
	for id := range got {
		if _, ok := store.Snapshot(id); !ok {
			t.Errorf("order %s in ClickHouse is not the shop's", id)
		}
	}
	if raw := pipelinetest.RawRows(t, addr, db, "orders", "sx"); raw <= uint64(len(want)) {
		t.Errorf("%d raw rows for %d orders: the runs should have re-read orders", raw, len(want))
	}
}

func newServer(t *testing.T, store *sim.Store) string {
	t.Helper()
	srv := httptest.NewServer(store.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// write sends one signed write act as a form and fails the test unless the
// shop answers success.
func write(t *testing.T, base, act string, kv ...string) {
	t.Helper()
	form := url.Values{"act": {act}, "api_version": {"2.0"}, "return_data": {"json"},
		"date": {time.Now().In(cst).Format("2006-01-02 15:04:05")}}
	for i := 0; i < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	form.Set("sign", sim.Sign(form, itToken))
	resp, err := http.Post(base+"/api", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Result string
		Msg    *string
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.Result != "success" {
		msg := ""
		if env.Msg != nil {
			msg = *env.Msg
		}
		t.Fatalf("%s %v: HTTP %d, result %q %s, %v", act, kv, resp.StatusCode, env.Result, msg, err)
	}
}
