package dage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	sim "github.com/shopetl/shopetl/sim/dage"
	"github.com/shopetl/shopetl/sim/fault"
)

// TestIncrementalRunsMatchTheShop is issue 4's contract for dage: a shop of
// 300 orders read through drift and transient faults, with its token; then
// 21 orders changed through the write endpoints (paid, shipped, received,
// cancelled, refunds asked, agreed, refused, withdrawn, a return; many
// created weeks ago, far beyond the lookback) and 15 added; after the second
// run ClickHouse FINAL holds exactly the shop's orders, with the statuses,
// amounts and refunds its API shows.
func TestIncrementalRunsMatchTheShop(t *testing.T) {
	addr, db := pipelinetest.ClickHouse(t)
	const token = "it-dage-token"
	t.Setenv("DAGE_IT_TOKEN", token)
	now := time.Now().UTC()
	var drift atomic.Bool
	drift.Store(true)
	store, err := sim.NewStore(sim.Options{Orders: 300, Seed: 11, Token: token,
		Start: now.AddDate(0, 0, -25), End: now.Add(-time.Hour),
		Faults: pipelinetest.ContractFaults(3, &drift)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(store.Handler())
	t.Cleanup(srv.Close)

	spec := pipelinetest.ContractJob(t, pipelinetest.Shop{Name: "dg", Platform: "dage", BaseURL: srv.URL, Currency: "CNY", Timezone: "Asia/Shanghai", TokenEnv: "DAGE_IT_TOKEN", PageSize: 10, Start: now.AddDate(0, 0, -26)}, addr, db)

	res := pipelinetest.Run(t, spec, pipeline.RunOptions{})
	pipelinetest.RequireOK(t, res)
	if store.Faults()[fault.Drift] == 0 || res.Shops[0].Retries == 0 {
		t.Fatalf("no drift or no retries in the first run: faults %v, retries %d", store.Faults(), res.Shops[0].Retries)
	}
	t.Logf("first run: %d pages, %d orders read, %d retries; faults %v",
		res.Shops[0].Pages, res.Shops[0].Orders, res.Shops[0].Retries, store.Faults())
	drift.Store(false) // from here on the shop changes only through its API

	changed := changeThroughTheAPI(t, srv.URL, token, store)
	store.Add(15)

	// The next scheduled run, a few minutes later.
	later := func() time.Time { return time.Now().Add(5 * time.Minute) }
	pipelinetest.RequireOK(t, pipelinetest.Run(t, spec, pipeline.RunOptions{Now: later}))

	got := pipelinetest.Orders(t, addr, db, "dg")
	want := store.OrderIDs()
	if len(got) != len(want) {
		t.Errorf("ClickHouse FINAL has %d orders, the shop %d", len(got), len(want))
	}
	refunds := refundRows(t, addr, db, "dg")
	for _, id := range want {
		o, _ := store.Snapshot(id)
		row, ok := got[id]
		if !ok {
			t.Errorf("order %s lost", id)
			continue
		}
		w := expected(o)
		if row.Status != w.status || row.PaymentStatus != w.payment || row.ShippingStatus != w.shipping ||
			row.RefundStatus != w.refund || row.RawStatus != w.raw {
			t.Errorf("order %s: ClickHouse %s/%s/%s/%s %q, shop %s/%s/%s/%s %q", id,
				row.Status, row.PaymentStatus, row.ShippingStatus, row.RefundStatus, row.RawStatus,
				w.status, w.payment, w.shipping, w.refund, w.raw)
		}
		// Refund amounts are not in the API (Snapshot has them, the list
		// does not): refunded_amount stays 0 and says so in anomalies.
		if !row.Total.Equal(o.OrderTotal) || !row.Paid.Equal(w.paid) || !row.Refunded.IsZero() ||
			int(row.ItemCount) != len(o.Lines) || !row.CreatedAt.Equal(o.CreateTime) {
			t.Errorf("order %s: ClickHouse total %s paid %s refunded %s lines %d created %s, shop %s %s (refunds unknown) %d %s",
				id, row.Total, row.Paid, row.Refunded, row.ItemCount, row.CreatedAt, o.OrderTotal, w.paid, len(o.Lines), o.CreateTime)
		}
		for _, l := range o.Lines {
			if l.BackID == 0 {
				continue
			}
			key := id + "/" + strconv.FormatInt(l.BackID, 10)
			if st, ok := refunds[key]; !ok || st != backStatus[l.BackStatus] {
				t.Errorf("refund %s: ClickHouse %q (present %v), shop back_status %d", key, st, ok, l.BackStatus)
			}
		}
	}
	for _, id := range changed {
		if o, _ := store.Snapshot(id); o.UpdatedAt.Before(now.Truncate(time.Second)) {
			t.Errorf("order %s was not changed by the test", id)
		}
	}
	if raw := pipelinetest.RawRows(t, addr, db, "orders", "dg"); raw <= uint64(len(want)) {
		t.Errorf("%d raw rows for %d orders: the runs should have re-read orders", raw, len(want))
	}
}

// changeThroughTheAPI moves 21 orders through the write endpoints, the
// oldest candidates first, and returns their order numbers.
func changeThroughTheAPI(t *testing.T, base, token string, store *sim.Store) []string {
	t.Helper()
	var unpaid, paid, shipped, multi, single []sim.Order
	for _, id := range store.OrderIDs() {
		o, _ := store.Snapshot(id)
		untouched := len(o.Refunds) == 0 && o.OrderType == 1
		switch {
		case o.Status == 0:
			unpaid = append(unpaid, o)
		case o.Status == 1 && untouched:
			paid = append(paid, o)
		case o.Status == 2 && untouched && len(o.Lines) >= 2 && len(shipped) >= 3:
			multi = append(multi, o)
		case o.Status == 2 && untouched && len(o.Lines) == 1 && len(shipped) >= 3:
			single = append(single, o)
		case o.Status == 2 && untouched:
			shipped = append(shipped, o)
		case (o.Status == 3 || o.Status == 7) && untouched && len(o.Lines) >= 2:
			multi = append(multi, o)
		}
	}
	if len(unpaid) < 6 || len(paid) < 6 || len(shipped) < 3 || len(multi) < 5 || len(single) < 1 {
		t.Fatalf("the shop has %d unpaid, %d paid, %d shipped, %d multi-line and %d one-line orders to change",
			len(unpaid), len(paid), len(shipped), len(multi), len(single))
	}
	id := func(o sim.Order) string { return strconv.FormatInt(o.ID, 10) }
	buyer := func(o sim.Order) string { return strconv.FormatInt(o.MemberID, 10) }
	seller := func(o sim.Order) string { return strconv.FormatInt(o.SupplierID, 10) }
	call := func(action string, form url.Values) json.RawMessage { return post(t, base, token, action, form) }
	var changed []string
	done := func(orders ...sim.Order) {
		for _, o := range orders {
			changed = append(changed, o.OrderNo)
		}
	}

	for _, o := range unpaid[:4] {
		call("pay", url.Values{"orderId": {id(o)}, "orderMoney": {o.PayMoney.StringFixed(2)}, "buyerId": {buyer(o)}})
	}
	for _, o := range unpaid[4:6] {
		call("cancel", url.Values{"orderId": {id(o)}, "buyerId": {buyer(o)}})
	}
	done(unpaid[:6]...)
	for i, o := range paid[:4] {
		call("fahuo", url.Values{"orderId": {id(o)}, "expressType": {"2"}, "expressCode": {fmt.Sprintf("YT%08d", i)}, "sellerId": {seller(o)}})
	}
	// Two buyers cancel paid orders (→ 6); the seller agrees to the first
	// one's requests: every line refunded closes it (→ 5).
	for _, o := range paid[4:6] {
		call("cancel", url.Values{"orderId": {id(o)}, "buyerId": {buyer(o)}})
	}
	agreed, _ := store.Snapshot(paid[4].OrderNo)
	for _, b := range agreed.Refunds {
		call("agree-refund", url.Values{"sellerId": {seller(agreed)}, "backId": {strconv.FormatInt(b.ID, 10)}})
	}
	done(paid[:6]...)
	for _, o := range shipped[:3] {
		call("confirm", url.Values{"orderId": {id(o)}, "buyerId": {buyer(o)}})
	}
	done(shipped[:3]...)
	// Refunds of the first line of five orders: agreed (partial), refused,
	// withdrawn by the buyer, left waiting, agreed on a second order.
	for i, o := range multi[:5] {
		backID := string(call("apply-refund", url.Values{"buyerId": {buyer(o)}, "orderDetailId": {strconv.FormatInt(o.Lines[0].ID, 10)},
			"backPrice": {"0.01"}, "backNote": {"IT"}}))
		action, who := map[int][2]string{0: {"agree-refund", "seller"}, 1: {"refuse-refund", "seller"},
			2: {"callce-refund", "buyer"}, 4: {"agree-refund", "seller"}}[i], url.Values{"backId": {backID}}
		switch action[1] {
		case "seller":
			who.Set("sellerId", seller(o))
		case "buyer":
			who.Set("buyerId", buyer(o))
		}
		if action[0] != "" {
			call(action[0], who)
		}
	}
	done(multi[:5]...)
	// A return of a one-line order: agreed, goods sent back, received:
	// the only line refunded closes the order.
	o := single[0]
	backID := string(call("apply-refund", url.Values{"buyerId": {buyer(o)}, "orderDetailId": {strconv.FormatInt(o.Lines[0].ID, 10)},
		"backPrice": {"0.01"}, "backType": {"2"}, "goodsType": {"2"}}))
	call("agree-refund", url.Values{"sellerId": {seller(o)}, "backId": {backID}, "backAddrs": {"1"}})
	call("return-goods", url.Values{"buyerId": {buyer(o)}, "backId": {backID}, "shippingId": {"1"}, "shippingName": {"顺丰速运"}, "invoiceNo": {"SF0001"}})
	call("agree-return", url.Values{"sellerId": {seller(o)}, "backId": {backID}})
	done(o)
	if len(changed) < 20 {
		t.Fatalf("changed %d orders, want at least 20", len(changed))
	}
	if o, _ := store.Snapshot(single[0].OrderNo); o.Status != 5 {
		t.Fatalf("the returned order is in status %d, want 5", o.Status)
	}
	return changed
}

// post sends a write request as a form, with the shop's token, and fails
// the test unless the shop says success; it returns the reply's data.
func post(t *testing.T, base, token, action string, form url.Values) json.RawMessage {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/orders/"+action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Result, Message string
		Data            json.RawMessage
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.Result != "success" {
		t.Fatalf("orders/%s %v: HTTP %d, %q %q, %v", action, form, resp.StatusCode, env.Result, env.Message, err)
	}
	return env.Data
}

// want is what the canonical row of a sim order must say, derived from the
// shop's truth by SPEC §4's dage table.
type want struct {
	status, payment, shipping, refund, raw string
	paid                                   decimal.Decimal
}

var backStatus = map[int]string{0: model.RefundNone, 1: model.RefundRequested, 2: model.RefundFull,
	3: model.RefundRejected, 4: model.RefundProcessing}

func expected(o sim.Order) want {
	w := want{
		status: map[int]string{0: model.StatusPending, 1: model.StatusPaid, 2: model.StatusShipped, 3: model.StatusCompleted,
			4: model.StatusCancelled, 5: model.StatusCancelled, 6: model.StatusPaid, 7: model.StatusCompleted}[o.Status],
		payment: model.PaymentUnpaid, shipping: model.ShippingUnshipped, paid: decimal.Zero,
		raw: fmt.Sprintf("status=%d", o.Status),
	}
	if o.PayTime != nil {
		w.payment, w.paid = model.PaymentPaid, o.PayMoney
	}
	if o.ShipTime != nil {
		w.shipping = model.ShippingShipped
	}
	count := map[int]int{}
	for i, l := range o.Lines {
		count[l.BackStatus]++
		sep := ","
		if i == 0 {
			sep = " back_status="
		}
		w.raw += sep + strconv.Itoa(l.BackStatus)
	}
	switch {
	case count[4] > 0:
		w.refund = model.RefundProcessing
	case count[1] > 0 || o.Status == 6:
		w.refund = model.RefundRequested
	case count[2] == len(o.Lines):
		w.refund = model.RefundFull
	case count[2] > 0:
		w.refund = model.RefundPartial
	case count[3] > 0:
		w.refund = model.RefundRejected
	default:
		w.refund = model.RefundNone
	}
	switch {
	case o.PayTime != nil && count[2] == len(o.Lines):
		w.payment = model.PaymentRefunded
	case o.PayTime != nil && count[2] > 0:
		w.payment = model.PaymentPartiallyRefunded
	}
	return w
}

// refundRows reads the current refunds of a shop: "order_id/refund_id" →
// status. Every one must have no amount: the API shows none.
func refundRows(t *testing.T, addr, database, shop string) map[string]string {
	t.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr},
		Auth: clickhouse.Auth{Username: os.Getenv("CLICKHOUSE_USER"), Password: os.Getenv("CLICKHOUSE_PASSWORD")}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rows, err := conn.Query(ctx, `SELECT order_id, refund_id, status, isNull(amount) FROM `+database+`.refunds FINAL WHERE shop = ?`, shop)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var order, refund, status string
		var null uint8
		if err := rows.Scan(&order, &refund, &status, &null); err != nil {
			t.Fatal(err)
		}
		if null != 1 {
			t.Errorf("refund %s/%s has an amount; the API shows none", order, refund)
		}
		out[order+"/"+refund] = status
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
