package ymcart

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// firstWith returns the first order (by itemno) that ok accepts.
func firstWith(t testing.TB, s *Store, ok func(Order) bool) Order {
	t.Helper()
	for _, id := range s.OrderIDs() {
		if o, _ := s.Snapshot(id); ok(o) {
			return o
		}
	}
	t.Fatal("no such order")
	return Order{}
}

func withStatus(st int) func(Order) bool {
	return func(o Order) bool { return o.OrderStatus == st }
}

func orderRow(t testing.TB, srv *httptest.Server, itemno string) phpRow {
	t.Helper()
	l := list(t, srv, "orderList", form("itemno", itemno))
	if len(l.Data) != 1 {
		t.Fatalf("%s: %d rows", itemno, len(l.Data))
	}
	return l.Data[0]
}

func batch(v ...map[string]any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestOrderStatus(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 400, Seed: 21})
	fresh, confirming := firstWith(t, s, withStatus(100)), firstWith(t, s, withStatus(102))
	shipped, paid := firstWith(t, s, withStatus(301)), firstWith(t, s, withStatus(200))
	failed := firstWith(t, s, withStatus(101))
	rev := s.Revision()

	// The doc's example body, with the doc's itemnos (unknown here) and ours.
	res := batch(
		map[string]any{"itemno": "SY20160901-593", "status": 200, "transaction_id": "SD3232323DD", "receive_account": "test@paypal.com", "payment_method": "paypal"},
		map[string]any{"itemno": "SY20160912-xxx", "status": 700},
		map[string]any{"itemno": fresh.ItemNo, "status": 200, "transaction_id": "SD3232323DD", "receive_account": "test@paypal.com", "payment_method": "paypal"},
		map[string]any{"itemno": confirming.ItemNo, "status": "600"},
		map[string]any{"itemno": shipped.ItemNo, "status": 700},
		map[string]any{"itemno": paid.ItemNo, "status": 700},
		map[string]any{"itemno": failed.ItemNo, "status": 301},
		map[string]any{"itemno": failed.ItemNo},
	)
	code, b := post(t, srv, "orderStatus", form("status_res", res))
	want := `{"code":0,"msg":[{"itemno":"SY20160901-593","msg":"order_404"},{"itemno":"SY20160912-xxx","msg":"order_404"},` +
		`{"itemno":"` + paid.ItemNo + `","msg":"order_status_limit"},{"itemno":"` + failed.ItemNo + `","msg":"status_error"},` +
		`{"itemno":"` + failed.ItemNo + `","msg":"status_error"}]}`
	if code != 200 || string(b) != want {
		t.Fatalf("orderStatus:\n got %s\nwant %s", b, want)
	}

	o, _ := s.Snapshot(fresh.ItemNo)
	if o.OrderStatus != 200 || o.PaymentStatus != 200 || o.PayTime == nil || !o.PayTime.Equal(fixedNow) || !o.ActTime.Equal(fixedNow) || o.Revision <= rev {
		t.Fatalf("paid: %+v", o)
	}
	p := o.Payments[len(o.Payments)-1]
	if p.Status != 1 || p.PayMethodNo != "SD3232323DD" || p.Remark != "test@paypal.com" || p.PaymentMethod != "paypal" || !p.Amount.Equal(o.TotalAmount) || o.PaymentMethod != "paypal" {
		t.Fatalf("payment row %+v", p)
	}
	row := orderRow(t, srv, fresh.ItemNo)
	if row.str(t, "order_status") != "200" || row.str(t, "payment_status") != "200" || row.int(t, "pay_time") != fixedNow.Unix() || row.str(t, "payment_method") != "paypal" {
		t.Fatal("orderList shows the payment")
	}
	if pays := list(t, srv, "paymentList", form("status", "1", "page_size", "1")); pays.Data[0].str(t, "pay_method_no") != "SD3232323DD" || pays.Data[0].str(t, "itemno") != fresh.ItemNo {
		t.Fatal("paymentList shows the payment on top")
	}
	if o, _ := s.Snapshot(confirming.ItemNo); o.OrderStatus != 600 || o.PaymentStatus != 102 {
		t.Fatalf("void: %d/%d", o.OrderStatus, o.PaymentStatus)
	}
	if o, _ := s.Snapshot(shipped.ItemNo); o.OrderStatus != 700 || o.ShippingStatus != 301 {
		t.Fatalf("completed: %d", o.OrderStatus)
	}
	if o, _ := s.Snapshot(paid.ItemNo); o.OrderStatus != 200 || !o.ActTime.Equal(*paid.ActTime) {
		t.Fatal("a refused change leaves the order alone")
	}
	// The changed orders are in today's act_time window.
	today := fixedNow.Format("2006-1-2")
	got := itemnos(t, orderListAll(t, srv, form("time_type", "2", "start_time", today, "end_time", today)))
	slices.Sort(got)
	changed := []string{fresh.ItemNo, confirming.ItemNo, shipped.ItemNo}
	slices.Sort(changed)
	if !slices.Equal(got, changed) {
		t.Fatalf("act_time window: %v, want %v", got, changed)
	}

	// All well: msg is an empty list.
	if _, b := post(t, srv, "orderStatus", form("status_res", batch(map[string]any{"itemno": failed.ItemNo, "status": 102}))); string(b) != `{"code":0,"msg":[]}` {
		t.Fatalf("all succeeded: %s", b)
	}
	if o, _ := s.Snapshot(failed.ItemNo); o.OrderStatus != 102 || o.PaymentStatus != 102 {
		t.Fatal("101 → 102")
	}

	// Transitions.
	for _, c := range []struct {
		from, to int
		ok       bool
	}{
		{100, 102, true}, {100, 100, true}, {100, 600, true}, {100, 700, false},
		{102, 100, true}, {200, 600, true}, {200, 100, false}, {200, 102, false},
		{301, 600, false}, {301, 200, false}, {700, 600, false}, {600, 200, false}, {600, 100, false},
	} {
		o := firstWith(t, s, func(o Order) bool { return o.OrderStatus == c.from && o.ActTime != nil && !o.ActTime.Equal(fixedNow) })
		_, b := post(t, srv, "orderStatus", form("status_res", batch(map[string]any{"itemno": o.ItemNo, "status": c.to})))
		after, _ := s.Snapshot(o.ItemNo)
		if c.ok != (string(b) == `{"code":0,"msg":[]}`) || c.ok != (after.OrderStatus == c.to) {
			t.Errorf("%d → %d: %s, now %d", c.from, c.to, b, after.OrderStatus)
		}
	}

	var many []map[string]any
	for i := range MaxBatch + 1 {
		many = append(many, map[string]any{"itemno": fmt.Sprint("x", i), "status": 100})
	}
	if _, b := post(t, srv, "orderStatus", form("status_res", batch(many...))); string(b) != `{"code":1,"msg":"LIMIT_ERROR"}` {
		t.Fatalf("21 entries: %s", b)
	}
	if _, b := post(t, srv, "orderStatus", form("status_res", batch(many[:MaxBatch]...))); !strings.HasPrefix(string(b), `{"code":0,"msg":[{"itemno":"x0","msg":"order_404"}`) {
		t.Fatalf("20 entries: %s", b)
	}
	for _, bad := range []string{"", "x", `{"itemno":"a"}`, `[1,2]`, "[{}] []"} {
		if _, b := post(t, srv, "orderStatus", form("status_res", bad)); string(b) != `{"code":1,"msg":"PARAM_ERROR"}` {
			t.Errorf("status_res %q: %s", bad, b)
		}
	}
}

func TestOrderRemark(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 100, Seed: 23})
	o := firstWith(t, s, func(o Order) bool { return len(o.Remarks) == 0 })
	res := batch(
		map[string]any{"itemno": o.ItemNo, "remark": "remark test 001"},
		map[string]any{"itemno": "SY20160912-xxx", "remark": "remark test 002"},
		map[string]any{"itemno": o.ItemNo, "remark": " "},
		map[string]any{"itemno": o.ItemNo, "remark": "买家要求改地址"},
	)
	_, b := post(t, srv, "orderRemark", form("remark_res", res))
	want := `{"code":0,"msg":[{"itemno":"` + o.ItemNo + `","msg":"success"},{"itemno":"SY20160912-xxx","msg":"order_404"},` +
		`{"itemno":"` + o.ItemNo + `","msg":"remark_error"},{"itemno":"` + o.ItemNo + `","msg":"success"}]}`
	if string(b) != want {
		t.Fatalf("orderRemark:\n got %s\nwant %s", b, want)
	}
	row := orderRow(t, srv, o.ItemNo)
	rems := row.rows(t, "order_remark")
	if len(rems) != 2 || rems[0].str(t, "remark") != "remark test 001" || rems[1].str(t, "remark") != "买家要求改地址" ||
		rems[1].int(t, "create_time") != fixedNow.Unix() || rems[0].str(t, "order_id") != row.str(t, "id") || row.int(t, "act_time") != fixedNow.Unix() {
		t.Fatalf("order_remark %v", rems)
	}
	if rems[0].int(t, "id") >= rems[1].int(t, "id") {
		t.Fatal("remark ids grow")
	}
	var many []map[string]any
	for range 21 {
		many = append(many, map[string]any{"itemno": o.ItemNo, "remark": "r"})
	}
	if _, b := post(t, srv, "orderRemark", form("remark_res", batch(many...))); string(b) != `{"code":1,"msg":"LIMIT_ERROR"}` {
		t.Fatalf("21 entries: %s", b)
	}
	if _, b := post(t, srv, "orderRemark", form("remark_res", "[]")); string(b) != `{"code":0,"msg":[]}` {
		t.Fatalf("empty: %s", b)
	}
}

func TestOrderShip(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 300, Seed: 29})
	paid := firstWith(t, s, withStatus(200))
	shipped := firstWith(t, s, withStatus(301))
	unpaid := firstWith(t, s, withStatus(100))
	done := firstWith(t, s, withStatus(700))
	before := list(t, srv, "deliveryList", form("page_size", "1", "page_no", "1"))

	// The doc's example (its itemnos unknown here), then ours.
	res := batch(
		map[string]any{"itemno": "SY20160901-593", "delivery_no": "LN00000000", "shipping_corp_codeno": "", "shipping_corp_name": "DHL", "remark": "", "remark_user": ""},
		map[string]any{"itemno": paid.ItemNo, "delivery_no": "LN00000000", "shipping_corp_codeno": "", "shipping_corp_name": "dhl", "remark": "后台备注", "remark_user": "Your parcel is on its way"},
		map[string]any{"itemno": shipped.ItemNo, "delivery_no": "LN00111111", "shipping_corp_codeno": "fedex", "shipping_corp_name": "ignored"},
		map[string]any{"itemno": shipped.ItemNo, "delivery_no": "LN00222222", "shipping_corp_name": "Royal Mail"},
		map[string]any{"itemno": unpaid.ItemNo, "delivery_no": "LN1", "shipping_corp_name": "DHL"},
		map[string]any{"itemno": done.ItemNo, "delivery_no": "LN2", "shipping_corp_name": "DHL"},
		map[string]any{"itemno": paid.ItemNo, "delivery_no": "", "shipping_corp_name": "DHL"},
		map[string]any{"itemno": paid.ItemNo, "delivery_no": "LN3", "shipping_corp_codeno": "", "shipping_corp_name": ""},
		map[string]any{"itemno": paid.ItemNo, "delivery_no": "LN4", "shipping_corp_codeno": "nope"},
	)
	_, b := post(t, srv, "orderShip", form("shipno_res", res))
	msgs := []string{"order_404", "success", "success", "success", "order_status_limit", "order_status_limit", "delivery_no_error", "shipping_corp_error", "shipping_corp_error"}
	var reply struct {
		Code int
		Msg  []struct{ Itemno, Msg string }
	}
	if err := json.Unmarshal(b, &reply); err != nil || reply.Code != 0 || len(reply.Msg) != len(msgs) {
		t.Fatalf("orderShip: %s", b)
	}
	for i, m := range reply.Msg {
		if m.Msg != msgs[i] {
			t.Errorf("entry %d (%s): %s, want %s", i, m.Itemno, m.Msg, msgs[i])
		}
	}

	o, _ := s.Snapshot(paid.ItemNo)
	d := o.Deliveries[len(o.Deliveries)-1]
	if o.OrderStatus != 301 || o.ShippingStatus != 301 || d.DeliveryNo != "LN00000000" || d.ShippingCorpName != "DHL" || d.ShippingCorpID != 31 ||
		d.Remark != "后台备注" || !d.CreateTime.Equal(fixedNow) || d.DeliveryTime != nil || *o.AccountDescript != "Your parcel is on its way" || *o.ShippingCorpCodeno != "dhl" {
		t.Fatalf("shipped: %+v %+v", o, d)
	}
	o, _ = s.Snapshot(shipped.ItemNo)
	n := len(o.Deliveries)
	if n != len(shipped.Deliveries)+2 || o.Deliveries[n-2].ShippingCorpName != "FEDEX" || o.Deliveries[n-1].ShippingCorpName != "Royal Mail" ||
		o.Deliveries[n-1].ShippingCorpID != 0 || o.ShippingCorpID != 0 || *o.ShippingCorpCodeno != "" {
		t.Fatalf("second and third parcels: %+v", o.Deliveries)
	}
	row := orderRow(t, srv, shipped.ItemNo)
	if len(row.rows(t, "delivery")) != n || row.str(t, "shipping_corp_id") != "0" {
		t.Fatal("orderList shows the deliveries")
	}
	after := list(t, srv, "deliveryList", form("page_size", "3", "page_no", "1"))
	if after.count(t) != before.count(t)+3 || after.Data[0].str(t, "delivery_no") != "LN00222222" ||
		after.Data[2].str(t, "delivery_no") != "LN00000000" || after.Data[0].int(t, "id") != before.Data[0].int(t, "id")+3 {
		t.Fatalf("deliveryList after shipping: %s, top %s", after.Count, after.Data[0].str(t, "delivery_no"))
	}
	var many []map[string]any
	for range 21 {
		many = append(many, map[string]any{"itemno": paid.ItemNo, "delivery_no": "X", "shipping_corp_name": "DHL"})
	}
	if _, b := post(t, srv, "orderShip", form("shipno_res", batch(many...))); string(b) != `{"code":1,"msg":"LIMIT_ERROR"}` {
		t.Fatalf("21 entries: %s", b)
	}
}

func TestOrderEdit(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 300, Seed: 31})
	target := firstWith(t, s, func(o Order) bool {
		return o.ShippingStatus == 0 && o.OrderStatus == 200 && len(o.Lines) >= 2 && !slices.ContainsFunc(o.Lines, func(l Line) bool {
			return l.SKUCodeno == "LC27768-9S" || l.SKUCodeno == "LC27768-9M" || l.SKUCodeno == "LC22248-3"
		})
	})
	keep := target.Lines[0]

	// The doc's example, plus one line the order already has.
	f := form("itemno", target.ItemNo, "outer_itemno", "", "order_item_cover", "0",
		"order", `{"cost_shipping":10,"cost_insurance":2.5,"cost_offer":0}`,
		"order_item", `[{"sku_codeno":"LC27768-9S","buy_num":3},{"sku_codeno":"LC27768-9M","buy_num":10},{"sku_codeno":"LC22248-3","buy_num":5},{"sku_codeno":"`+keep.SKUCodeno+`","buy_num":"7"}]`,
		"order_address", `{"first_name":"noven","last_name":"hong","country_code_2":"MX","state":"fuj","city":"xiamen","address":"guanyanshan","postcode":"000000","mobilephone":"18649942017","telephone":"18649942017","email":"527305988@qq.com"}`)
	code, b := post(t, srv, "orderEdit", f)
	if code != 200 || string(b) != `{"code":0,"status":1,"msg":""}` {
		t.Fatalf("orderEdit: %d %s", code, b)
	}
	row := orderRow(t, srv, target.ItemNo)
	if row.str(t, "cost_shipping") != "10.0000" || row.str(t, "cost_insurance") != "2.5000" || row.str(t, "cost_offer") != "0.0000" || !row.null("offer") {
		t.Fatalf("costs: %s %s %s", row.str(t, "cost_shipping"), row.str(t, "cost_insurance"), row.str(t, "cost_offer"))
	}
	items := row.rows(t, "item")
	if len(items) != len(target.Lines)+3 {
		t.Fatalf("%d lines", len(items))
	}
	goods := decimal.Zero
	for i, it := range items {
		n := it.int(t, "buy_num")
		goods = goods.Add(it.dec(t, "price").Mul(decimal.NewFromInt(n)))
		switch {
		case i < len(target.Lines):
			l := target.Lines[i]
			wantN := int64(0) // left out: quantity 0
			if l.SKUCodeno == keep.SKUCodeno {
				wantN = 7
			}
			if it.str(t, "remark") != "original quantity:"+strconv.Itoa(l.BuyNum) || n != wantN || it.int(t, "id") != l.ID {
				t.Fatalf("old line %s: remark %q, buy_num %d", l.SKUCodeno, it.str(t, "remark"), n)
			}
		default:
			if it.str(t, "remark") != "new added" {
				t.Fatalf("new line %s: remark %q", it.str(t, "sku_codeno"), it.str(t, "remark"))
			}
		}
	}
	if row.str(t, "cost_product") != goods.StringFixed(4) || row.int(t, "act_time") != fixedNow.Unix() {
		t.Fatalf("cost_product %s, lines %s", row.str(t, "cost_product"), goods)
	}
	total := goods.Add(row.dec(t, "cost_shipping")).Add(row.dec(t, "cost_payment")).Add(row.dec(t, "cost_insurance"))
	if !total.Equal(row.dec(t, "total_amount")) {
		t.Fatalf("total_amount %s, want %s", row.str(t, "total_amount"), total)
	}
	a := row.rows(t, "address")[0]
	if a.str(t, "first_name") != "noven" || a.str(t, "country_code_2") != "MX" || a.str(t, "country_id") != "138" || a.str(t, "email") != "527305988@qq.com" || row.str(t, "country_id") != "138" {
		t.Fatalf("address: %s %s", a["first_name"], a["country_code_2"])
	}
	// Addresses are per order: another order of the same customer keeps its own.
	for _, id := range s.OrderIDs() {
		if o, _ := s.Snapshot(id); id != target.ItemNo && o.Addresses[0].Email == target.Addresses[0].Email && o.Addresses[0].FirstName == "noven" {
			t.Fatalf("editing %s changed %s's address", target.ItemNo, id)
		}
	}

	// A second edit with cover 0 does not copy the quantities again.
	_, b = post(t, srv, "orderEdit", form("itemno", target.ItemNo, "order_item_cover", "0", "order_item", `[{"sku_codeno":"LC22248-3","buy_num":1}]`))
	if string(b) != `{"code":0,"status":1,"msg":""}` {
		t.Fatal(string(b))
	}
	o, _ := s.Snapshot(target.ItemNo)
	for _, l := range o.Lines {
		if l.SKUCodeno == "LC27768-9M" && (l.BuyNum != 0 || l.Remark != "new added") || l.SKUCodeno == "LC22248-3" && l.BuyNum != 1 {
			t.Fatalf("second edit: %+v", l)
		}
	}
	// cover 1 replaces the lines outright.
	_, b = post(t, srv, "orderEdit", form("itemno", target.ItemNo, "order_item_cover", "1", "order_item", `[{"sku_codeno":"LC22248-3","buy_num":2},{"sku_codeno":"LC79246S","buy_num":1}]`))
	o, _ = s.Snapshot(target.ItemNo)
	if string(b) != `{"code":0,"status":1,"msg":""}` || len(o.Lines) != 2 || o.Lines[0].SKUCodeno != "LC22248-3" || o.Lines[0].BuyNum != 2 || o.Lines[1].Remark != "" ||
		!o.CostProduct.Equal(o.Lines[0].Price.Mul(decimal.NewFromInt(2)).Add(o.Lines[1].Price)) {
		t.Fatalf("cover 1: %s %+v", b, o.Lines)
	}

	// By outer_itemno alone; an offer set by the ERP shows as an offer row.
	dist := firstWith(t, s, func(o Order) bool { return o.OuterItemNo != nil && o.ShippingStatus == 0 })
	_, b = post(t, srv, "orderEdit", form("outer_itemno", *dist.OuterItemNo, "order", `{"cost_offer":"1.25"}`))
	if row := orderRow(t, srv, dist.ItemNo); string(b) != `{"code":0,"status":1,"msg":""}` || row.str(t, "cost_offer") != "1.2500" || len(row.rows(t, "offer")) != 1 {
		t.Fatalf("outer_itemno: %s", b)
	}

	shipped := firstWith(t, s, withStatus(301))
	goodAddr := `{"first_name":"a","last_name":"b","country_code_2":"us","state":"c","city":"d","address":"e","postcode":"f","mobilephone":"g"}`
	for _, c := range []struct {
		f    url.Values
		want string
	}{
		{form("itemno", "SY20171107-1", "order", `{"cost_shipping":1}`), "ITEMNO_ERROR"},
		{form("order", `{"cost_shipping":1}`), "ITEMNO_ERROR"},
		{form("itemno", shipped.ItemNo, "order", `{"cost_shipping":1}`), "ORDER_STATUS_ERROR"},
		{form("itemno", dist.ItemNo, "order_address", `{"first_name":"a","last_name":"b","country_code_2":"MX","state":"c","city":"d","address":"e","mobilephone":"g"}`), "ADDRESS_ERROR:postcode"},
		{form("itemno", dist.ItemNo, "order_address", strings.Replace(goodAddr, `"us"`, `"MEX"`, 1)), "ADDRESS_ERROR:country_code_2"},
		{form("itemno", dist.ItemNo, "order_address", strings.Replace(goodAddr, `"us"`, `"ZZ"`, 1)), "ADDRESS_ERROR:country_code_2"},
		{form("itemno", dist.ItemNo, "order_item", `[{"sku_codeno":"LC27768-9S","buy_num":3},{"sku_codeno":"NOPE-1","buy_num":1}]`), "SKU_CODENO_ERROR:NOPE-1"},
		{form("itemno", dist.ItemNo, "order_item", `[{"sku_codeno":"LC27768-9S","buy_num":-1}]`), "PARAM_ERROR"},
		{form("itemno", dist.ItemNo, "order_item", `[{"sku_codeno":"LC27768-9S","buy_num":0}]`), "PARAM_ERROR"},
		{form("itemno", dist.ItemNo, "order", `{"cost_shipping":-1}`), "PARAM_ERROR"},
		{form("itemno", dist.ItemNo, "order", `not json`), "PARAM_ERROR"},
	} {
		before, _ := s.Snapshot(dist.ItemNo)
		_, b := post(t, srv, "orderEdit", c.f)
		if e := decodeErr(t, b); e.Code != 1 || e.Status == nil || *e.Status != 0 || e.Msg != c.want {
			t.Errorf("%v: %s, want %s", c.f, b, c.want)
		}
		if after, _ := s.Snapshot(dist.ItemNo); after.Revision != before.Revision {
			t.Errorf("%v: a refused edit changed the order", c.f)
		}
	}
	// Lower-case country codes are read; telephone and email are optional.
	_, b = post(t, srv, "orderEdit", form("itemno", dist.ItemNo, "order_address", goodAddr))
	if o, _ := s.Snapshot(dist.ItemNo); string(b) != `{"code":0,"status":1,"msg":""}` || o.Country != "US" || o.Addresses[0].Email != dist.Addresses[0].Email {
		t.Fatalf("lower-case country: %s %s", b, o.Country)
	}
}

func TestHelpersAndAdd(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 50, Seed: 37})
	o := firstWith(t, s, withStatus(100))
	if err := s.SetStatus(o.ItemNo, 200); err != nil {
		t.Fatal(err)
	}
	if err := s.Ship(o.ItemNo, "UPS1", "ups"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remark(o.ItemNo, "checked"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(o.ItemNo, 700); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Snapshot(o.ItemNo)
	if got.OrderStatus != 700 || got.PaymentStatus != 200 || got.ShippingStatus != 301 || len(got.Deliveries) != 1 ||
		got.Deliveries[0].ShippingCorpName != "UPS" || got.Remarks[len(got.Remarks)-1].Remark != "checked" {
		t.Fatalf("after helpers: %+v", got)
	}
	if err := s.SetStatus("nope", 200); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if err := s.SetStatus(o.ItemNo, 100); !errors.Is(err, ErrStatusLimit) {
		t.Fatal(err)
	}
	if err := s.SetStatus(o.ItemNo, 301); !errors.Is(err, ErrBadStatus) {
		t.Fatal(err)
	}
	if err := s.Ship(o.ItemNo, "", "ups"); !errors.Is(err, ErrStatusLimit) {
		t.Fatal(err) // completed orders cannot ship
	}
	paid := firstWith(t, s, withStatus(200))
	if err := s.Ship(paid.ItemNo, "", "ups"); !errors.Is(err, ErrBadShipment) {
		t.Fatal(err)
	}
	if err := s.Remark(o.ItemNo, ""); err == nil {
		t.Fatal("empty remark")
	}

	ids := s.OrderIDs()
	s.Add(4)
	if s.Count() != 54 {
		t.Fatal(s.Count())
	}
	rows := orderListAll(t, srv, form("start_time", fixedNow.Format("2006-1-2")))
	if len(rows) != 4 {
		t.Fatalf("%d new orders in today's create_time window", len(rows))
	}
	for i, r := range rows {
		if slices.Contains(ids, r.str(t, "itemno")) || r.int(t, "create_time") != fixedNow.Unix() ||
			!strings.HasPrefix(r.str(t, "itemno"), "SY20240601-") || (i > 0 && r.int(t, "id") != rows[i-1].int(t, "id")+1) {
			t.Fatalf("new order %s", r.str(t, "itemno"))
		}
		if st := r.str(t, "order_status"); st != "100" && st != "200" {
			t.Fatalf("new order status %s", st)
		}
	}
	// Ids and create times grow together even when the clock is behind.
	early, err := NewStore(Options{Orders: 20, Seed: 1, Now: func() time.Time { return time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	var latest Order
	for _, o := range snapshots(t, early) {
		if o.ID > latest.ID {
			latest = o
		}
	}
	early.Add(1)
	for _, o := range snapshots(t, early) {
		if o.ID == latest.ID+1 && !o.CreateTime.Equal(latest.CreateTime) {
			t.Fatalf("added order created %v, latest was %v", o.CreateTime, latest.CreateTime)
		}
	}
	for _, bad := range []Options{{Orders: -1}, {Start: fixedNow, End: fixedNow}} {
		if _, err := NewStore(bad); err == nil {
			t.Errorf("NewStore(%+v) accepted", bad)
		}
	}
}
