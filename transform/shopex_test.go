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

	// The buyer, in clear (PII is the lead's, later): buyer_uname
	// "wangwei88"; receiver_name 王伟, receiver_email, receiver_state 上海,
	// receiver_city 上海市, receiver_district 浦东新区 then receiver_address
	// 张杨路100号, receiver_zip, receiver_mobile (receiver_phone is "").
	// No member id in the structure: BuyerID and BuyerPhone stay empty.
	buyer := [][2]string{
		{o.BuyerID, ""}, {o.BuyerName, "wangwei88"}, {o.BuyerEmail, "wangwei88@163.com"}, {o.BuyerPhone, ""},
		{o.ShipName, "王伟"}, {o.ShipPhone, "13800138000"}, {o.ShipAddress, "浦东新区, 张杨路100号"},
		{o.ShipCity, "上海市"}, {o.ShipRegion, "上海"}, {o.ShipPostcode, "200120"},
	}
	for i, f := range buyer {
		if f[0] != f[1] {
			t.Errorf("buyer field %d = %q, want %q", i, f[0], f[1])
		}
	}

	// payment_lists.payment_list[0]: payment_id 2012052517924201, pay_fee
	// 310.170 CNY, payment_name 支付宝, t_begin = t_end 2012-05-25 17:15:30
	// shop time, status succ (paid). No provider's transaction id.
	wantPay := model.Payment{Meta: o.Meta, PaymentID: "2012052517924201", OrderID: o.OrderID, Method: "支付宝",
		Status: model.PaymentPaid, RawStatus: "succ", Amount: shopexDecP("310.17"), Currency: "CNY",
		PaidAt: shopexUTCP("2012-05-25 09:15:30"), CreatedAt: shopexUTC("2012-05-25 09:15:30")}
	if len(rec.Payments) != 1 || !samePayment(rec.Payments[0], wantPay) || rec.Payments[0].Meta != o.Meta {
		t.Errorf("payments %s, want %s", shopexShow(rec.Payments), shopexShow([]model.Payment{wantPay}))
	}
	// delivery_lists.delivery_list[0]: delivery_id 120120526000001, type
	// delivery, status succ, 顺丰速运 SF1000000001, money 10.000, t_begin
	// 2012-05-26 09:40:00 shop time (= consign_time).
	wantShip := model.Shipment{Meta: o.Meta, ShipmentID: "120120526000001", OrderID: o.OrderID, Kind: model.ShipmentDelivery,
		Carrier: "顺丰速运", TrackingNumber: "SF1000000001", Status: "succ", Cost: shopexDecP("10"), Currency: "CNY",
		ShippedAt: shopexUTCP("2012-05-26 01:40:00"), CreatedAt: shopexUTC("2012-05-26 01:40:00")}
	if len(rec.Shipments) != 1 || !sameShipment(rec.Shipments[0], wantShip) || rec.Shipments[0].Meta != o.Meta {
		t.Errorf("shipments %s, want %s", shopexShow(rec.Shipments), shopexShow([]model.Shipment{wantShip}))
	}
}

func shopexDecP(s string) *decimal.Decimal { d := shopexDec(s); return &d }

func shopexUTCP(s string) *time.Time { t := shopexUTC(s); return &t }

// shopexShow prints rows with their pointers followed, for failures.
func shopexShow[T any](rows []T) string {
	b, _ := json.Marshal(rows)
	return string(b)
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
		{name: "a refund's t_begin is its refunded_at", fields: map[string]any{"pay_status": "4", "payed_fee": "70.000", "refund_fee": "40.000",
			"refund_lists": map[string]any{"refund_list": []any{
				map[string]any{"refund_id": "r1", "refund_fee": "40.000", "status": "succ", "t_begin": "2012-06-02 09:30:00"},
			}}}, total: "110", paid: "110", refunded: "40",
			check: func(t *testing.T, rec model.Record) {
				if len(rec.Refunds) != 1 || rec.Refunds[0].RefundedAt == nil ||
					!rec.Refunds[0].RefundedAt.Equal(shopexUTC("2012-06-02 01:30:00")) {
					t.Errorf("refunds %+v", rec.Refunds)
				}
			}},
		{name: "an order-level refund has no refunded_at of its own", fields: map[string]any{"pay_status": "5", "payed_fee": "0.000", "refund_fee": "110.000"},
			total: "110", paid: "110", refunded: "110",
			check: func(t *testing.T, rec model.Record) {
				if len(rec.Refunds) != 1 || rec.Refunds[0].RefundID != "order" || rec.Refunds[0].RefundedAt != nil {
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
		// Payments and shipments: impossible entries quarantine the order.
		{"negative pay_fee", shopexTradeJSON(map[string]any{"payment_lists": shopexPays(shopexPay(nil),
			shopexPay(map[string]any{"payment_id": "P2", "pay_fee": "-1"}))}), "20120601100001", "payment_lists: payment 2: negative pay_fee -1"},
		{"pay_fee not an amount", shopexTradeJSON(map[string]any{"payment_lists": shopexPays(shopexPay(map[string]any{"pay_fee": "1,00"}))}),
			"20120601100001", "payment_lists: payment 1: pay_fee"},
		{"payments in an unknown shape", shopexTradeJSON(map[string]any{"payment_lists": map[string]any{"payments": []any{}}}),
			"20120601100001", `payment_lists: no "payment_list"`},
		{"a payment list that is not a list", shopexTradeJSON(map[string]any{"payment_lists": "x"}), "20120601100001", "payment_lists"},
		{"a payment that is not an object", shopexTradeJSON(map[string]any{"payment_lists": shopexPays("P1")}), "20120601100001", "payment_lists: payment 1"},
		{"one payment id, two payments", shopexTradeJSON(map[string]any{"payment_lists": shopexPays(shopexPay(nil),
			shopexPay(map[string]any{"pay_fee": "1.000"}))}), "20120601100001",
			"payment_lists: payment 2: id 2012060110000101 already used by payment 1, with different contents"},
		{"two payments without ids", shopexTradeJSON(map[string]any{"payment_lists": shopexPays(shopexPay(map[string]any{"payment_id": nil}),
			shopexPay(map[string]any{"payment_id": nil, "pay_fee": "1.000"}))}), "20120601100001",
			"payment_lists: payment 2: id 20120601100001 already used by payment 1"},
		{"another order's payment", shopexTradeJSON(map[string]any{"payment_lists": shopexPays(shopexPay(map[string]any{"tid": "20120601100002"}))}),
			"20120601100001", `payment_lists: payment 1: tid "20120601100002" is not the order's`},
		{"bad payment time", shopexTradeJSON(map[string]any{"payment_lists": shopexPays(shopexPay(map[string]any{"t_end": "01/06/2012"}))}),
			"20120601100001", "payment_lists: payment 1: t_end: bad time"},
		{"negative delivery money", shopexTradeJSON(map[string]any{"delivery_lists": shopexDlvs(shopexDlv(map[string]any{"money": "-10.000"}))}),
			"20120601100001", "delivery_lists: delivery 1: negative money -10"},
		{"a delivery of no known type", shopexTradeJSON(map[string]any{"delivery_lists": shopexDlvs(shopexDlv(map[string]any{"type": "exchange"}))}),
			"20120601100001", `delivery_lists: delivery 1: type "exchange" is neither delivery nor return`},
		{"a delivery without a type", shopexTradeJSON(map[string]any{"delivery_lists": shopexDlvs(shopexDlv(map[string]any{"type": nil}))}),
			"20120601100001", `delivery_lists: delivery 1: type "" is neither`},
		{"one delivery id, a delivery and a return", shopexTradeJSON(map[string]any{"delivery_lists": shopexDlvs(shopexDlv(nil),
			shopexDlv(map[string]any{"type": "return"}))}), "20120601100001",
			"delivery_lists: delivery 2: id 120120601000001 already used by delivery 1, with different contents"},
		{"another order's delivery", shopexTradeJSON(map[string]any{"delivery_lists": shopexDlvs(shopexDlv(map[string]any{"tid": "X"}))}),
			"20120601100001", `delivery_lists: delivery 1: tid "X" is not the order's`},
		{"bad delivery time", shopexTradeJSON(map[string]any{"delivery_lists": shopexDlvs(shopexDlv(map[string]any{"t_begin": "yesterday"}))}),
			"20120601100001", "delivery_lists: delivery 1: t_begin: bad time"},
		{"deliveries in an unknown shape", shopexTradeJSON(map[string]any{"delivery_lists": map[string]any{"delivery": []any{}}}),
			"20120601100001", `delivery_lists: no "delivery_list"`},
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

// shopexPay and shopexDlv build payment_list and delivery_list entries for
// the table tests: fields override or add to the defaults (nil leaves the
// field out).
func shopexPay(fields map[string]any) map[string]any {
	return shopexEntry(map[string]any{"payment_id": "2012060110000101", "tid": "20120601100001", "pay_fee": "110.000",
		"currency": "CNY", "pay_type": "online", "payment_code": "alipay", "payment_name": "支付宝",
		"t_begin": "2012-06-01 10:05:00", "t_end": "2012-06-01 10:05:00", "status": "succ"}, fields)
}

func shopexDlv(fields map[string]any) map[string]any {
	return shopexEntry(map[string]any{"delivery_id": "120120601000001", "tid": "20120601100001", "type": "delivery",
		"status": "succ", "logistics_company": "顺丰速运", "logistics_code": "SF", "logi_no": "SF1", "money": "10.000",
		"memo": "", "t_begin": "2012-06-01 12:00:00", "t_end": "2012-06-01 12:00:00"}, fields)
}

func shopexEntry(m, fields map[string]any) map[string]any {
	for k, v := range fields {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

func shopexPays(entries ...any) map[string]any { return map[string]any{"payment_list": entries} }
func shopexDlvs(entries ...any) map[string]any { return map[string]any{"delivery_list": entries} }

// TestShopexPayments: one row per payment_list entry, its status through
// the payment_list_status table.
func TestShopexPayments(t *testing.T) {
	t.Parallel()
	created := shopexUTC("2012-06-01 02:00:00") // the trade's created, 10:00 shop time
	paid := shopexUTCP("2012-06-01 02:05:00")
	// An entry of shopexPay's defaults with another status: never paid.
	unpaid := func(id, raw, status string) model.Payment {
		return model.Payment{PaymentID: id, Method: "支付宝", Status: status, RawStatus: raw,
			Amount: shopexDecP("110"), Currency: "CNY", CreatedAt: *paid}
	}
	for _, tc := range []struct {
		name      string
		fields    map[string]any
		overrides map[string]map[string]string
		want      []model.Payment // Meta and OrderID are filled in
		anomalies string
	}{
		{name: "no payment_lists", fields: nil},
		{name: "PHP's empty list", fields: map[string]any{"payment_lists": []any{}}},
		{name: "an empty payment_list", fields: map[string]any{"payment_lists": map[string]any{"payment_list": ""}}},
		{name: "one payment", fields: map[string]any{"payment_lists": shopexPays(shopexPay(nil))},
			want: []model.Payment{{PaymentID: "2012060110000101", Method: "支付宝", Status: model.PaymentPaid, RawStatus: "succ",
				Amount: shopexDecP("110"), Currency: "CNY", PaidAt: paid, CreatedAt: *paid}}},
		{name: "a single entry, not in a list, as a JSON string", fields: map[string]any{
			"payment_lists": `{"payment_list":{"payment_id":"P1","pay_fee":"110.000","status":"succ","t_begin":"2012-06-01 10:05:00"}}`},
			want: []model.Payment{{PaymentID: "P1", Status: model.PaymentPaid, RawStatus: "succ",
				Amount: shopexDecP("110"), Currency: "CNY", PaidAt: paid, CreatedAt: *paid}}},
		{name: "paid in two parts, paid when t_end says", fields: map[string]any{"payment_lists": shopexPays(
			shopexPay(map[string]any{"pay_fee": "50.000", "t_end": "2012-06-01 10:06:00"}),
			shopexPay(map[string]any{"payment_id": "2012060110000102", "pay_fee": "60.000", "payment_name": "",
				"t_begin": "2012-06-03 09:00:00", "t_end": "2012-06-03 09:01:00"}))},
			want: []model.Payment{
				{PaymentID: "2012060110000101", Method: "支付宝", Status: model.PaymentPaid, RawStatus: "succ",
					Amount: shopexDecP("50"), Currency: "CNY", PaidAt: shopexUTCP("2012-06-01 02:06:00"), CreatedAt: *paid},
				{PaymentID: "2012060110000102", Method: "alipay", Status: model.PaymentPaid, RawStatus: "succ",
					Amount: shopexDecP("60"), Currency: "CNY", PaidAt: shopexUTCP("2012-06-03 01:01:00"),
					CreatedAt: shopexUTC("2012-06-03 01:00:00")}}},
		{name: "a failed attempt before the payment: not paid, not counted", fields: map[string]any{"payment_lists": shopexPays(
			shopexPay(map[string]any{"payment_id": "F1", "status": "failed"}), shopexPay(nil))},
			want: []model.Payment{
				unpaid("F1", "failed", model.PaymentFailed),
				{PaymentID: "2012060110000101", Method: "支付宝", Status: model.PaymentPaid, RawStatus: "succ",
					Amount: shopexDecP("110"), Currency: "CNY", PaidAt: paid, CreatedAt: *paid}}},
		{name: "every status word", fields: map[string]any{"pay_status": "0", "payed_fee": "0.000", "payment_lists": shopexPays(
			shopexPay(map[string]any{"payment_id": "1", "status": "progress"}), shopexPay(map[string]any{"payment_id": "2", "status": "ready"}),
			shopexPay(map[string]any{"payment_id": "3", "status": "paying"}), shopexPay(map[string]any{"payment_id": "4", "status": "cancel"}),
			shopexPay(map[string]any{"payment_id": "5", "status": "error"}), shopexPay(map[string]any{"payment_id": "6", "status": "invalid"}),
			shopexPay(map[string]any{"payment_id": "7", "status": "timeout"}), shopexPay(map[string]any{"payment_id": "8", "status": "refunding"}))},
			want: []model.Payment{
				unpaid("1", "progress", model.PaymentPending), unpaid("2", "ready", model.PaymentPending),
				unpaid("3", "paying", model.PaymentPending), unpaid("4", "cancel", model.PaymentUnpaid),
				unpaid("5", "error", model.PaymentFailed), unpaid("6", "invalid", model.PaymentFailed),
				unpaid("7", "timeout", model.PaymentFailed),
				// A word outside the table is kept and flagged, pending.
				unpaid("8", "refunding", model.PaymentPending)},
			anomalies: "unknown_status:payment_status=refunding"},
		{name: "a job's override: escrow counts as paid", overrides: map[string]map[string]string{"payment_list_status": {"progress": "paid"}},
			fields: map[string]any{"payment_lists": shopexPays(shopexPay(map[string]any{"status": "progress"}))},
			want: []model.Payment{{PaymentID: "2012060110000101", Method: "支付宝", Status: model.PaymentPaid, RawStatus: "progress",
				Amount: shopexDecP("110"), Currency: "CNY", PaidAt: paid, CreatedAt: *paid}}},
		{name: "an override the other way flags the order", overrides: map[string]map[string]string{"payment_list_status": {"succ": "pending"}},
			fields:    map[string]any{"payment_lists": shopexPays(shopexPay(nil))},
			want:      []model.Payment{unpaid("2012060110000101", "succ", model.PaymentPending)},
			anomalies: "payment_mismatch"},
		{name: "no id, amount, currency nor times: the order's", fields: map[string]any{"currency": "HKD", "payment_lists": shopexPays(
			shopexPay(map[string]any{"payment_id": "", "pay_fee": "", "currency": nil, "t_begin": "0000-00-00 00:00:00", "t_end": nil}))},
			want: []model.Payment{{PaymentID: "20120601100001", Method: "支付宝", Status: model.PaymentPaid, RawStatus: "succ",
				Currency: "HKD", CreatedAt: created}},
			anomalies: "payment_mismatch"},
		{name: "padded values and numbers", fields: map[string]any{"payment_lists": shopexPays(
			shopexPay(map[string]any{"payment_id": 2012060110000101, "pay_fee": 110, "currency": " CNY ", "status": " succ ", "tid": 20120601100001}))},
			want: []model.Payment{{PaymentID: "2012060110000101", Method: "支付宝", Status: model.PaymentPaid, RawStatus: "succ",
				Amount: shopexDecP("110"), Currency: "CNY", PaidAt: paid, CreatedAt: *paid}}},
		{name: "the same entry twice is one payment", fields: map[string]any{"payment_lists": shopexPays(shopexPay(nil), shopexPay(nil))},
			want: []model.Payment{{PaymentID: "2012060110000101", Method: "支付宝", Status: model.PaymentPaid, RawStatus: "succ",
				Amount: shopexDecP("110"), Currency: "CNY", PaidAt: paid, CreatedAt: *paid}},
			anomalies: "payment_mismatch"}, // the list says 220 was paid, the order 110
		{name: "another currency than the order's", fields: map[string]any{"payment_lists": shopexPays(shopexPay(map[string]any{"currency": "HKD"}))},
			want: []model.Payment{{PaymentID: "2012060110000101", Method: "支付宝", Status: model.PaymentPaid, RawStatus: "succ",
				Amount: shopexDecP("110"), Currency: "HKD", PaidAt: paid, CreatedAt: *paid}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := shopexContext()
			if tc.overrides != nil {
				m, err := ShopexMapping.Compile("shopex", tc.overrides)
				if err != nil {
					t.Fatal(err)
				}
				c.Mapping = m
			}
			rec, err := Shopex(c, extract.Raw{Body: shopexTradeJSON(tc.fields)})
			if err != nil {
				t.Fatal(err)
			}
			for i := range tc.want {
				w := &tc.want[i]
				w.Meta, w.OrderID = c.Meta, "20120601100001"
			}
			if len(rec.Payments) != len(tc.want) {
				t.Fatalf("payments %s, want %s", shopexShow(rec.Payments), shopexShow(tc.want))
			}
			for i, p := range rec.Payments {
				if !samePayment(p, tc.want[i]) || p.Meta != c.Meta {
					t.Errorf("payment %d: %s, want %s", i+1, shopexShow([]model.Payment{p}), shopexShow(tc.want[i:i+1]))
				}
			}
			if len(rec.Shipments) != 0 {
				t.Errorf("shipments of an unshipped order: %s", shopexShow(rec.Shipments))
			}
			if got := strings.Join(rec.Order.Anomalies, ","); got != tc.anomalies {
				t.Errorf("anomalies %q, want %q", got, tc.anomalies)
			}
		})
	}
}

// TestShopexShipments: one row per delivery_list entry, a delivery or a
// return by its type; the order's tracking number is its latest
// successful delivery's.
func TestShopexShipments(t *testing.T) {
	t.Parallel()
	created := shopexUTC("2012-06-01 02:00:00") // the trade's created, 10:00 shop time
	sent := shopexUTCP("2012-06-01 04:00:00")   // shopexDlv's t_begin, 12:00 shop time
	shipped := map[string]any{"ship_status": "1", "consign_time": "2012-06-01 12:00:00"}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range shipped {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	// shopexDlv's defaults, as a row.
	sf := func(id, kind, status, logiNo string, at *time.Time) model.Shipment {
		return model.Shipment{ShipmentID: id, Kind: kind, Carrier: "顺丰速运", TrackingNumber: logiNo, Status: status,
			Cost: shopexDecP("10"), Currency: "CNY", ShippedAt: at, CreatedAt: *sent}
	}
	for _, tc := range []struct {
		name     string
		fields   map[string]any
		want     []model.Shipment // Meta and OrderID are filled in
		tracking string
	}{
		{name: "unshipped: none", fields: map[string]any{"delivery_lists": []any{}}},
		{name: "shipped, no delivery record: none", fields: shipped},
		{name: "one delivery", fields: with(map[string]any{"delivery_lists": shopexDlvs(shopexDlv(nil))}),
			want: []model.Shipment{sf("120120601000001", model.ShipmentDelivery, "succ", "SF1", sent)}, tracking: "SF1"},
		{name: "two parcels, then a return; a cancelled delivery never left", fields: with(map[string]any{
			"ship_status": "3", "delivery_lists": shopexDlvs(
				shopexDlv(nil),
				shopexDlv(map[string]any{"delivery_id": "120120601000002", "status": "cancel", "logi_no": "SF2"}),
				shopexDlv(map[string]any{"delivery_id": "120120602000001", "logi_no": "SF3",
					"t_begin": "2012-06-02 09:30:00", "t_end": "2012-06-02 09:31:00"}),
				shopexDlv(map[string]any{"delivery_id": "920120605000001", "type": "return", "logi_no": "YT9",
					"logistics_company": "", "logistics_code": "YTO", "money": nil, "t_begin": "", "t_end": "2012-06-05 18:00:00"}),
			)}),
			want: []model.Shipment{
				sf("120120601000001", model.ShipmentDelivery, "succ", "SF1", sent),
				sf("120120601000002", model.ShipmentDelivery, "cancel", "SF2", nil),
				{ShipmentID: "120120602000001", Kind: model.ShipmentDelivery, Carrier: "顺丰速运", TrackingNumber: "SF3", Status: "succ",
					Cost: shopexDecP("10"), Currency: "CNY", ShippedAt: shopexUTCP("2012-06-02 01:30:00"), CreatedAt: shopexUTC("2012-06-02 01:30:00")},
				// No t_begin: created with the order, sent back at t_end; no
				// carrier name: its code; no money: no cost.
				{ShipmentID: "920120605000001", Kind: model.ShipmentReturn, Carrier: "YTO", TrackingNumber: "YT9", Status: "succ",
					Currency: "CNY", ShippedAt: shopexUTCP("2012-06-05 10:00:00"), CreatedAt: created},
			},
			tracking: "SF3"},
		{name: "in progress: a row, not yet shipped, no tracking number", fields: with(map[string]any{"ship_status": "0",
			"delivery_lists": shopexDlvs(shopexDlv(map[string]any{"status": "progress"}))}),
			want: []model.Shipment{sf("120120601000001", model.ShipmentDelivery, "progress", "SF1", nil)}},
		{name: "no delivery_id: the order's, as the JSON string PHP may send", fields: with(map[string]any{"currency": "USD",
			"delivery_lists": `{"delivery_list":[{"type":"delivery","status":"succ","logi_no":" 1Z999 "}]}`}),
			want: []model.Shipment{{ShipmentID: "20120601100001", Kind: model.ShipmentDelivery, TrackingNumber: "1Z999",
				Status: "succ", Currency: "USD", CreatedAt: created}},
			tracking: "1Z999"},
		{name: "the same delivery twice is one row", fields: with(map[string]any{"delivery_lists": shopexDlvs(shopexDlv(nil), shopexDlv(nil))}),
			want: []model.Shipment{sf("120120601000001", model.ShipmentDelivery, "succ", "SF1", sent)}, tracking: "SF1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := shopexContext()
			rec, err := Shopex(c, extract.Raw{Body: shopexTradeJSON(tc.fields)})
			if err != nil {
				t.Fatal(err)
			}
			for i := range tc.want {
				tc.want[i].Meta, tc.want[i].OrderID = c.Meta, "20120601100001"
			}
			if len(rec.Shipments) != len(tc.want) {
				t.Fatalf("shipments %s, want %s", shopexShow(rec.Shipments), shopexShow(tc.want))
			}
			for i, s := range rec.Shipments {
				if !sameShipment(s, tc.want[i]) || s.Meta != c.Meta {
					t.Errorf("shipment %d: %s, want %s", i+1, shopexShow([]model.Shipment{s}), shopexShow(tc.want[i:i+1]))
				}
			}
			if rec.Order.TrackingNumber != tc.tracking {
				t.Errorf("tracking number %q, want %q", rec.Order.TrackingNumber, tc.tracking)
			}
			if len(rec.Order.Anomalies) != 0 {
				t.Errorf("anomalies %v", rec.Order.Anomalies)
			}
		})
	}
}

// TestShopexBuyer: the receiver_* fields trimmed, empty parts skipped.
func TestShopexBuyer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		fields map[string]any
		want   [10]string // BuyerID, BuyerName, BuyerEmail, BuyerPhone, ShipName, ShipPhone, ShipAddress, ShipCity, ShipRegion, ShipPostcode
	}{
		{name: "none given", want: [10]string{}},
		{name: "everything, padded", fields: map[string]any{"buyer_uname": " u123456 ", "receiver_name": " 李静 ",
			"receiver_email": "u123456@qq.com ", "receiver_state": "广东", "receiver_city": "深圳市", "receiver_district": "南山区",
			"receiver_address": " 科技园路1号 2栋301室 ", "receiver_zip": 518057, "receiver_mobile": "13912345678", "receiver_phone": "0755-86000000"},
			want: [10]string{"", "u123456", "u123456@qq.com", "", "李静", "13912345678", "南山区, 科技园路1号 2栋301室", "深圳市", "广东", "518057"}},
		{name: "a guest with a landline and no district", fields: map[string]any{"buyer_uname": "", "receiver_name": "张伟",
			"receiver_email": "", "receiver_state": "北京", "receiver_city": "北京市", "receiver_district": " ",
			"receiver_address": "长安街1号", "receiver_zip": "", "receiver_mobile": "", "receiver_phone": "010-12345678"},
			want: [10]string{"", "", "", "", "张伟", "010-12345678", "长安街1号", "北京市", "北京", ""}},
		{name: "fields left out", fields: map[string]any{"buyer_uname": nil, "receiver_district": "西湖区", "receiver_address": nil},
			want: [10]string{6: "西湖区"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Shopex(shopexContext(), extract.Raw{Body: shopexTradeJSON(tc.fields)})
			if err != nil {
				t.Fatal(err)
			}
			o := rec.Order
			got := [10]string{o.BuyerID, o.BuyerName, o.BuyerEmail, o.BuyerPhone, o.ShipName, o.ShipPhone, o.ShipAddress,
				o.ShipCity, o.ShipRegion, o.ShipPostcode}
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestShopexAmountsThatDisagreeAreLoaded: amounts that disagree with each
// other, each one possible, are loaded as sent and flagged on the order,
// never quarantined (SPEC §6). Expected values by hand from
// shopexTradeJSON: goods 100, freight 10, total 110, paid 110.
func TestShopexAmountsThatDisagreeAreLoaded(t *testing.T) {
	t.Parallel()
	line := func(bn, price, num, discount, status string) map[string]any {
		return map[string]any{"bn": bn, "name": bn, "price": price, "num": num, "discount_fee": discount, "item_status": status}
	}
	for _, tc := range []struct {
		name       string
		fields     map[string]any
		lineTotals string // the loaded lines' totals, comma-separated
		anomalies  string
	}{
		// The line numbers are those loaded: the cancelled line is left
		// out, so the over-discounted line is line 2. 3 × 10.000 − 35.000.
		{"a line discount above the line", map[string]any{"orders": map[string]any{"order": []any{
			line("A", "70.000", "1", "0", ""), line("X", "5.000", "1", "0", "cancel"), line("B", "10.000", "3", "35.000", "")}}},
			"70,-5", "line_discount_exceeds_line:2"},
		{"a discount as large as the line is no disagreement", map[string]any{"orders": map[string]any{"order": []any{
			line("A", "100.000", "1", "100.000", "")}}}, "0", ""},
		{"a total that does not add up", map[string]any{"total_trade_fee": "120.000", "payed_fee": "120.000"}, "100", "total_mismatch"},
		{"refunds listed apart from refund_fee", map[string]any{"pay_status": "4", "payed_fee": "50.000", "refund_fee": "60.000",
			"refund_lists": map[string]any{"refund_list": map[string]any{"refund_id": "r1", "refund_fee": "80.000", "status": "succ"}}},
			"100", "refund_mismatch"},
		{"payments apart from what was paid", map[string]any{"payment_lists": shopexPays(shopexPay(map[string]any{"pay_fee": "90.000"}))},
			"100", "payment_mismatch"},
		{"refunded with no amount", map[string]any{"pay_status": "5", "payed_fee": "110.000", "refund_fee": "0.000"},
			"100", "refund_flag_without_amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Shopex(shopexContext(), extract.Raw{Body: shopexTradeJSON(tc.fields)})
			if err != nil {
				t.Fatalf("quarantined: %v", err)
			}
			var totals []string
			for _, it := range rec.Items {
				totals = append(totals, it.LineTotal.String())
			}
			if got := strings.Join(totals, ","); got != tc.lineTotals {
				t.Errorf("line totals %s, want %s", got, tc.lineTotals)
			}
			if got := strings.Join(rec.Order.Anomalies, ","); got != tc.anomalies {
				t.Errorf("anomalies %q, want %q", got, tc.anomalies)
			}
		})
	}
}
