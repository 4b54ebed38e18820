package ymcart_test

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

	_ "github.com/shopetl/shopetl/extract/ymcart"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	sim "github.com/shopetl/shopetl/sim/ymcart"
)

// TestIncrementalRunsMatchTheShop is issue 4's contract for ymcart: a shop
// of 400 orders read through drift and transient faults, then 28 orders
// changed through the write endpoints (paid, shipped, completed,
// cancelled, edited, remarked; the oldest created 25 days ago, far beyond
// the lookback) and 15 added; after the second run ClickHouse FINAL holds
// exactly the shop's orders, with its statuses and amounts.
func TestIncrementalRunsMatchTheShop(t *testing.T) {
	addr, db := pipelinetest.ClickHouse(t)
	const tok = "it-token-7f3a"
	t.Setenv("YM_IT_TOKEN", tok)
	now := time.Now().UTC()
	var drift atomic.Bool
	drift.Store(true)
	store, err := sim.NewStore(sim.Options{Orders: 400, Seed: 11, Token: tok,
		Start: now.AddDate(0, 0, -25), End: now.Add(-time.Hour),
		Faults: pipelinetest.ContractFaults(3, &drift)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(store.Handler())
	t.Cleanup(srv.Close)

	spec := pipelinetest.ContractJob(t, pipelinetest.Shop{Name: "ym", Platform: "ymcart", BaseURL: srv.URL, Currency: "USD", Timezone: "Asia/Shanghai", TokenEnv: "YM_IT_TOKEN", PageSize: 10, Start: now.AddDate(0, 0, -26)}, addr, db)

	pipelinetest.RunWhileDrifting(t, spec, store.Faults)
	drift.Store(false) // from here on the shop changes only through its API

	// Change 28 orders through the write endpoints, oldest first.
	var unpaid, paid, shipped, closed []string
	for _, id := range store.OrderIDs() { // itemno sorts by creation date
		o, _ := store.Snapshot(id)
		switch {
		case (o.OrderStatus == 100 || o.OrderStatus == 102) && len(unpaid) < 10:
			unpaid = append(unpaid, id)
		case o.OrderStatus == 200 && len(paid) < 8:
			paid = append(paid, id)
		case o.OrderStatus == 301 && len(shipped) < 4:
			shipped = append(shipped, id)
		case o.OrderStatus == 600 || o.OrderStatus == 700:
			if len(closed) < 2 {
				closed = append(closed, id)
			}
		}
	}
	if len(unpaid) < 10 || len(paid) < 8 || len(shipped) < 4 || len(closed) < 2 {
		t.Fatalf("the shop has %d unpaid, %d paid, %d shipped, %d closed orders to change", len(unpaid), len(paid), len(shipped), len(closed))
	}
	before := map[string]decimal.Decimal{}
	for _, id := range append(unpaid[6:8], paid[6:8]...) {
		o, _ := store.Snapshot(id)
		before[id] = o.TotalAmount
	}
	var status []map[string]any
	for _, id := range unpaid[:6] {
		status = append(status, map[string]any{"itemno": id, "status": 200, "transaction_id": "TX-" + id, "payment_method": "paypal"})
	}
	for _, id := range unpaid[8:10] {
		status = append(status, map[string]any{"itemno": id, "status": 600})
	}
	for _, id := range shipped {
		status = append(status, map[string]any{"itemno": id, "status": 700})
	}
	post(t, srv.URL, tok, "orderStatus", url.Values{"status_res": {jsonString(status)}}, `{"code":0,"msg":[]}`)
	var ship []map[string]any
	for i, id := range paid[:6] {
		ship = append(ship, map[string]any{"itemno": id, "delivery_no": fmt.Sprintf("IT%06d", i), "shipping_corp_codeno": "", "shipping_corp_name": "DHL"})
	}
	post(t, srv.URL, tok, "orderShip", url.Values{"shipno_res": {jsonString(ship)}}, "success")
	for i, id := range append(unpaid[6:8], paid[6:8]...) {
		// Costs change on unshipped orders, paid or not: total_amount moves.
		order := fmt.Sprintf(`{"cost_shipping":%d.5,"cost_insurance":2.5,"cost_offer":1}`, 7+i)
		post(t, srv.URL, tok, "orderEdit", url.Values{"itemno": {id}, "order_item_cover": {"1"}, "order": {order}}, `{"code":0,"status":1,"msg":""}`)
	}
	var remarks []map[string]any
	for _, id := range closed {
		remarks = append(remarks, map[string]any{"itemno": id, "remark": "checked by the integration test"})
	}
	post(t, srv.URL, tok, "orderRemark", url.Values{"remark_res": {jsonString(remarks)}}, "success")
	for id, total := range before {
		if o, _ := store.Snapshot(id); o.TotalAmount.Equal(total) {
			t.Fatalf("orderEdit did not change %s's total %s", id, total)
		}
	}
	store.Add(15)

	// The next scheduled run, a few minutes later.
	later := func() time.Time { return time.Now().Add(5 * time.Minute) }
	pipelinetest.RequireOK(t, pipelinetest.Run(t, spec, pipeline.RunOptions{Now: later}))

	got := pipelinetest.Orders(t, addr, db, "ym")
	want := store.OrderIDs()
	if len(got) != len(want) {
		t.Errorf("ClickHouse FINAL has %d orders, the shop %d", len(got), len(want))
	}
	statusOf := map[int]string{100: model.StatusPending, 101: model.StatusPending, 102: model.StatusPending,
		200: model.StatusPaid, 301: model.StatusShipped, 600: model.StatusCancelled, 700: model.StatusCompleted}
	paymentOf := map[int]string{100: model.PaymentUnpaid, 101: model.PaymentFailed, 102: model.PaymentPending, 200: model.PaymentPaid}
	shippingOf := map[int]string{0: model.ShippingUnshipped, 301: model.ShippingShipped}
	for _, id := range want {
		o, _ := store.Snapshot(id)
		row, ok := got[id]
		if !ok {
			t.Errorf("order %s lost", id)
			continue
		}
		paidAmount := decimal.Zero
		if o.PaymentStatus == 200 {
			paidAmount = o.TotalAmount
		}
		raw := fmt.Sprintf("order_status=%d payment_status=%d shipping_status=%d", o.OrderStatus, o.PaymentStatus, o.ShippingStatus)
		if row.Status != statusOf[o.OrderStatus] || row.PaymentStatus != paymentOf[o.PaymentStatus] ||
			row.ShippingStatus != shippingOf[o.ShippingStatus] || row.RefundStatus != model.RefundNone || row.RawStatus != raw {
			t.Errorf("order %s: ClickHouse %s/%s/%s/%s (%s), shop %s", id, row.Status, row.PaymentStatus, row.ShippingStatus, row.RefundStatus, row.RawStatus, raw)
		}
		if !row.Total.Equal(o.TotalAmount) || !row.Paid.Equal(paidAmount) || !row.Refunded.IsZero() {
			t.Errorf("order %s: ClickHouse total %s paid %s refunded %s, shop total %s paid %s", id, row.Total, row.Paid, row.Refunded, o.TotalAmount, paidAmount)
		}
		if row.ItemCount != uint32(len(o.Lines)) || !row.CreatedAt.Equal(o.CreateTime) {
			t.Errorf("order %s: ClickHouse %d lines created %v, shop %d lines created %v", id, row.ItemCount, row.CreatedAt, len(o.Lines), o.CreateTime)
		}
	}
	if raw := pipelinetest.RawRows(t, addr, db, "orders", "ym"); raw <= uint64(len(want)) {
		t.Errorf("%d raw rows for %d orders: the runs should have re-read orders", raw, len(want))
	}
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// post calls a write API as the doc shows (a form POST with the token) and
// fails the test unless the reply is okReply, or, for the batch APIs that
// answer per order, every entry says okReply.
func post(t *testing.T, base, tok, name string, form url.Values, okReply string) {
	t.Helper()
	form.Set("token", tok)
	resp, err := http.PostForm(base+"/api-erp-"+name+".html", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if strings.HasPrefix(okReply, "{") {
		if string(body) != okReply {
			t.Fatalf("%s: %s", name, body)
		}
		return
	}
	var r struct {
		Code int `json:"code"`
		Msg  []struct{ Itemno, Msg string }
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Code != 0 || len(r.Msg) == 0 {
		t.Fatalf("%s: %s", name, body)
	}
	for _, m := range r.Msg {
		if m.Msg != okReply {
			t.Fatalf("%s: %s", name, body)
		}
	}
}
