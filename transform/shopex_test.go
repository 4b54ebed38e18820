package transform

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
)

// The seed shows no detail payload: ome:fetch_order_detail's info is "矩阵定义
// 的订单结构" behind a link. testdata/shopex_detail_example.json is one such
// info written for this test in the shape sim/shopex documents (its
// doc.go), rendered as PHP's json_encode does ("\/", \uXXXX): a paid order,
// shipped, then refunded 59.000 of its 310.170.
func shopexExample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/shopex_detail_example.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var shopexCST = time.FixedZone("CST", 8*3600)

func shopexContext() *Context {
	return &Context{Meta: model.Meta{Platform: "shopex", Shop: "sx", RunID: "r", Version: 7}, Location: shopexCST}
}

func shopexDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func shopexUTC(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestShopexDetailExample(t *testing.T) {
	t.Parallel()
	rec, err := Shopex(shopexContext(), extract.Raw{Key: "20120525179242", Body: shopexExample(t)})
	if err != nil {
		t.Fatal(err)
	}
	o := rec.Order
	// Written by hand from the example: active with ship_status 1 is
	// shipped; pay_status 4 is partially refunded, refund partial.
	if o.OrderID != "20120525179242" || o.Status != model.StatusShipped || o.PaymentStatus != model.PaymentPartiallyRefunded ||
		o.ShippingStatus != model.ShippingShipped || o.RefundStatus != model.RefundPartial {
		t.Errorf("id and axes: %s %s %s %s %s", o.OrderID, o.Status, o.PaymentStatus, o.ShippingStatus, o.RefundStatus)
	}
	if o.RawStatus != "status=active pay_status=4 ship_status=1" {
		t.Errorf("raw_status %q", o.RawStatus)
	}
	// goods 59×2 + 199 = 317; fees: protect 3.170 + pay_cost 0 + invoice 0;
	// total 317 + 10 + 3.17 − 20 = 310.170, as total_trade_fee says; paid
	// is payed_fee 251.170 plus the 59.000 refunded.
	for _, a := range []struct {
		name      string
		got, want decimal.Decimal
	}{
		{"goods", o.GoodsAmount, shopexDec("317")}, {"shipping", o.ShippingAmount, shopexDec("10")},
		{"discount", o.DiscountAmount, shopexDec("20")}, {"fee", o.FeeAmount, shopexDec("3.17")},
		{"total", o.TotalAmount, shopexDec("310.17")}, {"paid", o.PaidAmount, shopexDec("310.17")},
		{"refunded", o.RefundedAmount, shopexDec("59")},
	} {
		if !a.got.Equal(a.want) {
			t.Errorf("%s = %s, want %s", a.name, a.got, a.want)
		}
	}
	// Shop time is UTC+8.
	if !o.CreatedAt.Equal(shopexUTC("2012-05-25 09:12:08")) || o.PaidAt == nil || !o.PaidAt.Equal(shopexUTC("2012-05-25 09:15:30")) ||
		o.ShippedAt == nil || !o.ShippedAt.Equal(shopexUTC("2012-05-26 01:40:00")) ||
		o.UpdatedAt == nil || !o.UpdatedAt.Equal(shopexUTC("2012-05-28 02:03:41")) {
		t.Errorf("times: created %v paid %v shipped %v updated %v", o.CreatedAt, o.PaidAt, o.ShippedAt, o.UpdatedAt)
	}
	if o.Currency != "CNY" || o.PaymentMethod != "支付宝" || o.TrackingNumber != "SF1000000001" || o.Country != "" ||
		o.ItemCount != 2 || o.Quantity != 3 || len(o.Anomalies) != 0 || o.Version != 7 {
		t.Errorf("currency %s method %s tracking %s country %q lines %d pieces %d anomalies %v version %d",
			o.Currency, o.PaymentMethod, o.TrackingNumber, o.Country, o.ItemCount, o.Quantity, o.Anomalies, o.Version)
	}
	wantItems := []struct {
		sku, title  string
		qty         uint32
		price, line string
	}{
		{"T1001-RD-M", "纯棉圆领T恤 红色/M", 2, "59", "118"},
		{"J2002-32", "修身牛仔裤 32码", 1, "199", "199"},
	}
	if len(rec.Items) != len(wantItems) {
		t.Fatalf("items %+v", rec.Items)
	}
	for i, w := range wantItems {
		it := rec.Items[i]
		if it.LineNo != uint32(i+1) || it.SKU != w.sku || it.Title != w.title || it.Quantity != w.qty ||
			!it.UnitPrice.Equal(shopexDec(w.price)) || !it.LineTotal.Equal(shopexDec(w.line)) || !it.Discount.IsZero() ||
			it.Currency != "CNY" || it.RefundStatus != model.RefundNone || !it.CreatedAt.Equal(o.CreatedAt) {
			t.Errorf("item %d: %+v", i+1, it)
		}
	}
	if len(rec.Refunds) != 1 {
		t.Fatalf("refunds %+v", rec.Refunds)
	}
	r := rec.Refunds[0]
	if r.RefundID != "2012052517924251" || r.Status != model.RefundPartial || r.Amount == nil || !r.Amount.Equal(shopexDec("59")) ||
		r.Currency != "CNY" || r.LineNo != 0 || r.OrderID != o.OrderID {
		t.Errorf("refund %+v", r)
	}
}

// shopexTradeJSON builds a small trade for the table tests; fields
// override or add to the defaults (a value of nil leaves the field out).
func shopexTradeJSON(fields map[string]any) []byte {
	m := map[string]any{
		"tid": "20120601100001", "created": "2012-06-01 10:00:00", "lastmodify": 1338516000,
		"status": "active", "pay_status": "1", "ship_status": "0", "payment": "2", "payment_type": "支付宝",
		"total_goods_fee": "100.000", "shipping_fee": "10.000", "protect_fee": "0.000", "pay_cost": "0.000",
		"discount_fee": "0.000", "invoice_fee": "0.000", "total_trade_fee": "110.000", "payed_fee": "110.000",
		"refund_fee": "0.000", "currency": "CNY", "pay_time": "2012-06-01 10:05:00", "consign_time": "",
		"orders": map[string]any{"order": []any{map[string]any{"bn": "B4004", "name": "帆布双肩包", "price": "100.000", "num": "1"}}},
	}
	for k, v := range fields {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return b
}

// TestShopexStatusMapping covers every code of SPEC §4's shopex table.
func TestShopexStatusMapping(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status, pay, ship, payment    string
		wantStatus, wantPay, wantShip string
		wantRefund, wantMethod        string
		wantAnomaly                   string
	}{
		{"active", "0", "0", "2", "pending", "unpaid", "unshipped", "none", "支付宝", ""},
		{"active", "1", "0", "2", "paid", "paid", "unshipped", "none", "支付宝", ""},
		{"active", "3", "0", "2", "pending", "partially_paid", "unshipped", "none", "支付宝", ""},
		{"active", "4", "0", "2", "paid", "partially_refunded", "unshipped", "partial", "支付宝", ""},
		{"active", "5", "0", "2", "paid", "refunded", "unshipped", "full", "支付宝", ""},
		{"active", "1", "1", "2", "shipped", "paid", "shipped", "none", "支付宝", ""},
		{"active", "1", "2", "2", "shipped", "paid", "partially_shipped", "none", "支付宝", ""},
		{"active", "4", "3", "2", "shipped", "partially_refunded", "partially_returned", "partial", "支付宝", ""},
		{"active", "5", "4", "2", "shipped", "refunded", "returned", "full", "支付宝", ""},
		// Cash on delivery: shipped before any payment.
		{"active", "0", "1", "-1", "shipped", "unpaid", "shipped", "none", "cod", ""},
		{"active", "0", "4", "-1", "shipped", "unpaid", "returned", "none", "cod", ""},
		{"dead", "0", "0", "2", "cancelled", "unpaid", "unshipped", "none", "支付宝", ""},
		{"dead", "5", "0", "2", "cancelled", "refunded", "unshipped", "full", "支付宝", ""},
		{"finish", "1", "1", "2", "completed", "paid", "shipped", "none", "支付宝", ""},
		{"finish", "4", "3", "-1", "completed", "partially_refunded", "partially_returned", "partial", "cod", ""},
		// Codes outside the table are kept and flagged, never guessed silently.
		{"closed", "1", "0", "2", "paid", "paid", "unshipped", "none", "支付宝", "unknown_status:status=closed"},
		{"active", "2", "0", "2", "pending", "unpaid", "unshipped", "none", "支付宝", "unknown_status:pay_status=2"},
		{"active", "1", "7", "2", "paid", "paid", "unshipped", "none", "支付宝", "unknown_status:ship_status=7"},
	} {
		name := fmt.Sprintf("%s/%s/%s/%s", tc.status, tc.pay, tc.ship, tc.payment)
		t.Run(name, func(t *testing.T) {
			fields := map[string]any{"status": tc.status, "pay_status": tc.pay, "ship_status": tc.ship, "payment": tc.payment}
			switch tc.pay { // keep the money consistent with the code
			case "0", "2":
				fields["payed_fee"] = "0.000"
			case "3":
				fields["payed_fee"] = "50.000"
			case "4":
				fields["payed_fee"], fields["refund_fee"] = "80.000", "30.000"
			case "5":
				fields["payed_fee"], fields["refund_fee"] = "0.000", "110.000"
			}
			rec, err := Shopex(shopexContext(), extract.Raw{Body: shopexTradeJSON(fields)})
			if err != nil {
				t.Fatal(err)
			}
			o := rec.Order
			if o.Status != tc.wantStatus || o.PaymentStatus != tc.wantPay || o.ShippingStatus != tc.wantShip ||
				o.RefundStatus != tc.wantRefund || o.PaymentMethod != tc.wantMethod {
				t.Errorf("got %s %s %s %s %s", o.Status, o.PaymentStatus, o.ShippingStatus, o.RefundStatus, o.PaymentMethod)
			}
			want := fmt.Sprintf("status=%s pay_status=%s ship_status=%s", tc.status, tc.pay, tc.ship)
			if o.RawStatus != want {
				t.Errorf("raw_status %q, want %q", o.RawStatus, want)
			}
			if tc.wantAnomaly == "" && len(o.Anomalies) != 0 || tc.wantAnomaly != "" && (len(o.Anomalies) != 1 || o.Anomalies[0] != tc.wantAnomaly) {
				t.Errorf("anomalies %v, want %q", o.Anomalies, tc.wantAnomaly)
			}
			// A refund the order shows without a refund list is one
			// order-level row.
			if wantRows := map[string]int{"none": 0, "partial": 1, "full": 1}[tc.wantRefund]; len(rec.Refunds) != wantRows {
				t.Errorf("refund rows %+v", rec.Refunds)
			}
		})
	}
}

func TestShopexAmountsAndTimes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                  string
		fields                map[string]any
		total, paid, refunded string
		anomalies             string // comma-separated
		check                 func(t *testing.T, rec model.Record)
	}{
		{name: "numbers instead of strings", fields: map[string]any{"total_goods_fee": 100, "shipping_fee": 10.5,
			"total_trade_fee": "110.500", "payed_fee": 110.5}, total: "110.5", paid: "110.5", refunded: "0"},
		{name: "fees and discount", fields: map[string]any{"protect_fee": "1.000", "pay_cost": "2.500", "invoice_fee": "6.000",
			"discount_fee": "5.000", "total_trade_fee": "114.500", "payed_fee": "114.500"}, total: "114.5", paid: "114.5", refunded: "0"},
		{name: "total that does not add up is kept and flagged", fields: map[string]any{"total_trade_fee": "99.990", "payed_fee": "99.990"},
			total: "99.99", paid: "99.99", refunded: "0", anomalies: "total_mismatch"},
		{name: "no total: computed and flagged", fields: map[string]any{"total_trade_fee": nil},
			total: "110", paid: "110", refunded: "0", anomalies: "total_not_reported"},
		{name: "refund list without refund_fee", fields: map[string]any{"pay_status": "4", "payed_fee": "70.000", "refund_fee": nil,
			"refund_lists": map[string]any{"refund_list": []any{
				map[string]any{"refund_id": "r1", "refund_fee": "15.000", "status": "succ"},
				map[string]any{"refund_id": "r2", "refund_fee": "25.000", "status": "succ"},
			}}}, total: "110", paid: "110", refunded: "40",
			check: func(t *testing.T, rec model.Record) {
				if len(rec.Refunds) != 2 || rec.Refunds[1].RefundID != "r2" || !rec.Refunds[1].Amount.Equal(shopexDec("25")) ||
					rec.Refunds[0].Status != model.RefundPartial || rec.Refunds[0].Currency != "CNY" {
					t.Errorf("refunds %+v", rec.Refunds)
				}
			}},
		{name: "refund list disagreeing with refund_fee", fields: map[string]any{"pay_status": "4", "payed_fee": "70.000", "refund_fee": "40.000",
			"refund_lists": map[string]any{"refund_list": map[string]any{"refund_id": "r1", "refund_fee": "15.000", "status": "succ"}}},
			total: "110", paid: "110", refunded: "40", anomalies: "refund_mismatch"},
		{name: "refund in progress does not count", fields: map[string]any{"refund_lists": map[string]any{"refund_list": []any{
			map[string]any{"refund_id": "r1", "refund_fee": "15.000", "status": "progress"}}}, "refund_fee": nil},
			total: "110", paid: "110", refunded: "0",
			check: func(t *testing.T, rec model.Record) {
				if len(rec.Refunds) != 1 || rec.Refunds[0].Status != model.RefundProcessing || rec.Order.RefundStatus != model.RefundNone {
					t.Errorf("refunds %+v, order %s", rec.Refunds, rec.Order.RefundStatus)
				}
			}},
		{name: "refund flag without amount", fields: map[string]any{"pay_status": "5", "payed_fee": "0.000", "refund_fee": "0.000"},
			total: "110", paid: "0", refunded: "0", anomalies: "refund_flag_without_amount",
			check: func(t *testing.T, rec model.Record) {
				if len(rec.Refunds) != 1 || rec.Refunds[0].Amount != nil || rec.Refunds[0].Status != model.RefundFull {
					t.Errorf("refunds %+v", rec.Refunds)
				}
			}},
		{name: "no currency: the shop's", fields: map[string]any{"currency": ""}, total: "110", paid: "110", refunded: "0",
			check: func(t *testing.T, rec model.Record) {
				if rec.Order.Currency != "HKD" || rec.Items[0].Currency != "HKD" {
					t.Errorf("currency %s / %s", rec.Order.Currency, rec.Items[0].Currency)
				}
			}},
		{name: "empty and zero times, unix seconds, PHP's empty list", fields: map[string]any{"pay_time": "0000-00-00 00:00:00",
			"consign_time": "1338516600", "lastmodify": nil, "modified": "2012-06-02", "orders": []any{},
			"total_goods_fee": "0", "shipping_fee": "0", "total_trade_fee": "0", "payed_fee": "0", "pay_status": "0"},
			total: "0", paid: "0", refunded: "0",
			check: func(t *testing.T, rec model.Record) {
				o := rec.Order
				if o.PaidAt != nil || o.ShippedAt == nil || !o.ShippedAt.Equal(time.Unix(1338516600, 0)) ||
					o.UpdatedAt == nil || !o.UpdatedAt.Equal(shopexUTC("2012-06-01 16:00:00")) || o.ItemCount != 0 || len(rec.Items) != 0 {
					t.Errorf("paid %v shipped %v updated %v items %d", o.PaidAt, o.ShippedAt, o.UpdatedAt, o.ItemCount)
				}
			}},
		{name: "nested lists as JSON strings, a cancelled line left out", fields: map[string]any{
			"orders": `{"order":[{"bn":"B4004","price":"100.000","num":"1"},{"bn":"C5005","price":"89.900","num":"2","item_status":"cancel"}]}`},
			total: "110", paid: "110", refunded: "0",
			check: func(t *testing.T, rec model.Record) {
				if len(rec.Items) != 1 || rec.Order.ItemCount != 1 || rec.Order.Quantity != 1 || rec.Items[0].SKU != "B4004" {
					t.Errorf("items %+v", rec.Items)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := shopexContext()
			c.Currency = "HKD"
			rec, err := Shopex(c, extract.Raw{Body: shopexTradeJSON(tc.fields)})
			if err != nil {
				t.Fatal(err)
			}
			o := rec.Order
			if !o.TotalAmount.Equal(shopexDec(tc.total)) || !o.PaidAmount.Equal(shopexDec(tc.paid)) || !o.RefundedAmount.Equal(shopexDec(tc.refunded)) {
				t.Errorf("total %s paid %s refunded %s, want %s %s %s", o.TotalAmount, o.PaidAmount, o.RefundedAmount, tc.total, tc.paid, tc.refunded)
			}
			if got := strings.Join(o.Anomalies, ","); got != tc.anomalies {
				t.Errorf("anomalies %q, want %q", got, tc.anomalies)
			}
			if tc.check != nil {
				tc.check(t, rec)
			}
		})
	}
}

// TestShopexBrokenRecords: a record that cannot be read is an error naming
// the field, with the order number when it was read, for the quarantine.
func TestShopexBrokenRecords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		body   []byte
		id     string
		reason string
	}{
		{"not JSON", []byte(`{"tid":"1",`), "", "decode trade"},
		{"a list row, not a detail", []byte(`{"order_id":"20090312138789","status":"active","createtime":1236836229,"lastmtime":1236836229}`), "", "tid missing"},
		{"wrong type (the wrongtype fault)", shopexTradeJSON(map[string]any{"total_goods_fee": map[string]any{"value": "100.000"}}), "20120601100001", "decode trade"},
		{"bad amount", shopexTradeJSON(map[string]any{"shipping_fee": "10,00"}), "20120601100001", "decode trade"},
		{"negative amount", shopexTradeJSON(map[string]any{"discount_fee": "-5.000"}), "20120601100001", "discount_fee"},
		{"bad created", shopexTradeJSON(map[string]any{"created": "25/05/2012"}), "20120601100001", "created"},
		{"no created", shopexTradeJSON(map[string]any{"created": ""}), "20120601100001", "created missing"},
		{"no status", shopexTradeJSON(map[string]any{"status": nil}), "20120601100001", "status missing"},
		{"no pay_status", shopexTradeJSON(map[string]any{"pay_status": ""}), "20120601100001", "pay_status missing"},
		{"bad line", shopexTradeJSON(map[string]any{"orders": map[string]any{"order": []any{map[string]any{"bn": "X", "price": "1", "num": "-2"}}}}), "20120601100001", "orders line 1"},
		{"lines in an unknown shape", shopexTradeJSON(map[string]any{"orders": map[string]any{"item": []any{}}}), "20120601100001", "orders"},
		{"no currency anywhere", shopexTradeJSON(map[string]any{"currency": nil}), "20120601100001", "currency missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Shopex(shopexContext(), extract.Raw{Body: tc.body})
			if err == nil || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("error %v, want one containing %q", err, tc.reason)
			}
			if rec.Order.OrderID != tc.id {
				t.Errorf("order id %q, want %q", rec.Order.OrderID, tc.id)
			}
		})
	}
}
