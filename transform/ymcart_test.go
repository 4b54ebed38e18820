package transform

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
	simymcart "github.com/shopetl/shopetl/sim/ymcart"
)

// ymcartSeedRow is the orderList example of seed 001 ("获取订单", 返回值),
// verbatim.
func ymcartSeedRow(t *testing.T) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/ymcart_orderList_example.json")
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Count string            `json:"count"`
		Data  []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	if env.Count != "400" || len(env.Data) != 1 {
		t.Fatalf("the doc's example has count %q and %d rows", env.Count, len(env.Data))
	}
	return env.Data[0]
}

func TestYmcartSeedExample(t *testing.T) {
	t.Parallel()
	meta := model.Meta{Platform: "ymcart", Shop: "ym", RunID: "r", Version: 7}
	c := &Context{Meta: meta, Currency: "EUR", Location: time.FixedZone("CST", 8*3600)}
	rec, err := Ymcart(c, extract.Raw{Body: ymcartSeedRow(t)})
	if err != nil {
		t.Fatal(err)
	}
	// Written by hand from the document: order SY20160902-595 (id 595) is a
	// new order (order_status 100 新订单, payment_status 100 未付款,
	// shipping_status 0 未发货), never operated on (act_time "0", pay_time
	// "0"), created 1472789032 = 2016-09-02 04:03:52 UTC (12:03:52 in
	// China, the date in its itemno). USD; cost_product 1.8000,
	// cost_shipping 10.0000, cost_payment 0.1300 + cost_insurance 1.0000
	// as fees, cost_offer 0.0000, total_amount 12.9300 = 1.8 + 10 + 1.13 −
	// 0. Nothing paid. One line: 1 × LC79246S "Low Rise Flowery Legging" at
	// 1.8000. Its only address is the billing one, in CN. No delivery.
	created := time.Date(2016, 9, 2, 4, 3, 52, 0, time.UTC)
	want := model.Order{
		Meta: meta, OrderID: "SY20160902-595", SourceID: "595",
		Status: model.StatusPending, PaymentStatus: model.PaymentUnpaid,
		ShippingStatus: model.ShippingUnshipped, RefundStatus: model.RefundNone,
		RawStatus:   "order_status=100 payment_status=100 shipping_status=0",
		Currency:    "USD",
		GoodsAmount: dec("1.8"), ShippingAmount: dec("10"), DiscountAmount: dec("0"),
		FeeAmount: dec("1.13"), TotalAmount: dec("12.93"), PaidAmount: dec("0"), RefundedAmount: dec("0"),
		CreatedAt: created, Country: "CN", PaymentMethod: "Amazon Payment",
		ItemCount: 1, Quantity: 1,
	}
	o := rec.Order
	if o.Meta != want.Meta || o.OrderID != want.OrderID || o.SourceID != want.SourceID || o.Status != want.Status ||
		o.PaymentStatus != want.PaymentStatus || o.ShippingStatus != want.ShippingStatus ||
		o.RefundStatus != want.RefundStatus || o.RawStatus != want.RawStatus || o.Currency != want.Currency {
		t.Errorf("order identity/status:\n got %+v\nwant %+v", o, want)
	}
	for _, a := range []struct {
		name      string
		got, want any
	}{
		{"goods", o.GoodsAmount, want.GoodsAmount}, {"shipping", o.ShippingAmount, want.ShippingAmount},
		{"discount", o.DiscountAmount, want.DiscountAmount}, {"fee", o.FeeAmount, want.FeeAmount},
		{"total", o.TotalAmount, want.TotalAmount}, {"paid", o.PaidAmount, want.PaidAmount},
		{"refunded", o.RefundedAmount, want.RefundedAmount},
	} {
		g, w := a.got.(interface{ String() string }), a.want.(interface{ String() string })
		if !dec(g.String()).Equal(dec(w.String())) {
			t.Errorf("%s = %s, want %s", a.name, g, w)
		}
	}
	if !o.CreatedAt.Equal(created) || o.CreatedAt.Location() != time.UTC || o.PaidAt != nil || o.ShippedAt != nil || o.UpdatedAt != nil {
		t.Errorf("times: created %v paid %v shipped %v updated %v", o.CreatedAt, o.PaidAt, o.ShippedAt, o.UpdatedAt)
	}
	if o.Country != want.Country || o.PaymentMethod != want.PaymentMethod || o.TrackingNumber != "" ||
		o.ItemCount != want.ItemCount || o.Quantity != want.Quantity || len(o.Anomalies) != 0 {
		t.Errorf("country %q method %q tracking %q lines %d pieces %d anomalies %v",
			o.Country, o.PaymentMethod, o.TrackingNumber, o.ItemCount, o.Quantity, o.Anomalies)
	}
	if len(rec.Items) != 1 {
		t.Fatalf("items %+v", rec.Items)
	}
	it := rec.Items[0]
	if it.Meta != meta || it.OrderID != "SY20160902-595" || it.LineNo != 1 || it.SKU != "LC79246S" ||
		it.Title != "Low Rise Flowery Legging" || it.Quantity != 1 || !it.UnitPrice.Equal(dec("1.8")) ||
		!it.Discount.IsZero() || !it.LineTotal.Equal(dec("1.8")) || it.Currency != "USD" ||
		it.RefundStatus != model.RefundNone || !it.CreatedAt.Equal(created) {
		t.Errorf("item %+v", it)
	}
	if len(rec.Refunds) != 0 {
		t.Errorf("refunds %+v: the doc shows none", rec.Refunds)
	}
	// The buyer: user_id "6", user_name null. The only address is the
	// billing one (address_type "1"): first_name "cqz", last_name "",
	// state "fujian", city "xiamen", address "tian rui 99", address_spare
	// "", postcode "361004", mobilephone "1541441", telephone "", email
	// "1602279268@qq.com". With no shipping address (type 0) the order
	// ships to it, as its country CN says.
	buyer := [][2]string{
		{o.BuyerID, "6"}, {o.BuyerName, "cqz"}, {o.BuyerEmail, "1602279268@qq.com"}, {o.BuyerPhone, "1541441"},
		{o.ShipName, "cqz"}, {o.ShipPhone, "1541441"}, {o.ShipAddress, "tian rui 99"}, {o.ShipCity, "xiamen"},
		{o.ShipRegion, "fujian"}, {o.ShipPostcode, "361004"},
	}
	for i, b := range buyer {
		if b[0] != b[1] {
			t.Errorf("buyer field %d = %q, want %q", i, b[0], b[1])
		}
	}
	// "delivery":null and no "payment" list: nothing paid, nothing shipped.
	if len(rec.Payments) != 0 || len(rec.Shipments) != 0 {
		t.Errorf("payments %+v shipments %+v: the example has none", rec.Payments, rec.Shipments)
	}
}

// ymcartRow builds an orderList row the way the platform sends it: every
// column under its position and its name, values as strings.
func ymcartRow(cols ...string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i+1 < len(cols); i += 2 {
		if i > 0 {
			b.WriteString(",")
		}
		v := cols[i+1]
		if v != "null" && !strings.HasPrefix(v, "[") && !strings.HasPrefix(v, "{") {
			v = `"` + v + `"`
		}
		if !strings.HasPrefix(cols[i], "=") {
			b.WriteString(`"` + strconv.Itoa(i/2) + `":` + v + ",")
			b.WriteString(`"` + cols[i] + `":` + v)
		} else {
			b.WriteString(`"` + cols[i][1:] + `":` + v) // a joined column: a name only
		}
	}
	b.WriteString("}")
	return b.String()
}

// ymcartBase is a paid, shipped order: order_status os, payment_status ps,
// shipping_status ss, and extra columns.
func ymcartBase(os, ps, ss string, extra ...string) string {
	cols := []string{
		"id", "1001", "itemno", "SY20240102-1001",
		"order_status", os, "payment_status", ps, "shipping_status", ss,
		"payment_method", "PayPal", "currency_code", "EUR",
		"cost_product", "20.0000", "cost_shipping", "5.0000", "cost_payment", "0.5000",
		"cost_insurance", "1.2500", "cost_offer", "2.0000", "total_amount", "24.7500",
		"create_time", "1704153600", "pay_time", "1704157200", "act_time", "1704240000",
	}
	return ymcartRow(append(cols, extra...)...)
}

func TestYmcartStatusMapping(t *testing.T) {
	t.Parallel()
	c := &Context{Meta: model.Meta{Platform: "ymcart", Shop: "ym"}}
	// Every code of the SPEC §4 ymcart table, each on its own axis.
	for _, tc := range []struct {
		os, ps, ss                string
		status, payment, shipping string
		anomaly                   string
	}{
		{"100", "100", "0", model.StatusPending, model.PaymentUnpaid, model.ShippingUnshipped, ""},
		{"101", "101", "0", model.StatusPending, model.PaymentFailed, model.ShippingUnshipped, ""},
		{"102", "102", "0", model.StatusPending, model.PaymentPending, model.ShippingUnshipped, ""},
		{"200", "200", "0", model.StatusPaid, model.PaymentPaid, model.ShippingUnshipped, ""},
		{"301", "200", "301", model.StatusShipped, model.PaymentPaid, model.ShippingShipped, ""},
		{"600", "100", "0", model.StatusCancelled, model.PaymentUnpaid, model.ShippingUnshipped, ""},
		{"600", "200", "0", model.StatusCancelled, model.PaymentPaid, model.ShippingUnshipped, ""},
		{"700", "200", "301", model.StatusCompleted, model.PaymentPaid, model.ShippingShipped, ""},
		{"999", "200", "0", model.StatusPending, model.PaymentPaid, model.ShippingUnshipped, "unknown_status:order_status=999"},
		{"200", "103", "0", model.StatusPaid, model.PaymentUnpaid, model.ShippingUnshipped, "unknown_status:payment_status=103"},
		{"301", "200", "1", model.StatusShipped, model.PaymentPaid, model.ShippingUnshipped, "unknown_status:shipping_status=1"},
	} {
		rec, err := Ymcart(c, extract.Raw{Body: json.RawMessage(ymcartBase(tc.os, tc.ps, tc.ss))})
		if err != nil {
			t.Fatalf("%s/%s/%s: %v", tc.os, tc.ps, tc.ss, err)
		}
		o := rec.Order
		if o.Status != tc.status || o.PaymentStatus != tc.payment || o.ShippingStatus != tc.shipping || o.RefundStatus != model.RefundNone {
			t.Errorf("%s/%s/%s → %s %s %s %s", tc.os, tc.ps, tc.ss, o.Status, o.PaymentStatus, o.ShippingStatus, o.RefundStatus)
		}
		if raw := "order_status=" + tc.os + " payment_status=" + tc.ps + " shipping_status=" + tc.ss; o.RawStatus != raw {
			t.Errorf("raw status %q, want %q", o.RawStatus, raw)
		}
		var wantAnom []string
		if tc.anomaly != "" {
			wantAnom = []string{tc.anomaly}
		}
		if !slices.Equal(o.Anomalies, wantAnom) {
			t.Errorf("%s/%s/%s: anomalies %v, want %v", tc.os, tc.ps, tc.ss, o.Anomalies, wantAnom)
		}
		paid := "0"
		if tc.payment == model.PaymentPaid {
			paid = "24.75"
		}
		if !o.PaidAmount.Equal(dec(paid)) {
			t.Errorf("%s/%s/%s: paid %s, want %s", tc.os, tc.ps, tc.ss, o.PaidAmount, paid)
		}
	}
}

func TestYmcartAmountsTimesAndDeliveries(t *testing.T) {
	t.Parallel()
	c := &Context{Meta: model.Meta{Platform: "ymcart", Shop: "ym"}, Currency: "USD"}
	deliveries := `[` +
		ymcartRow("id", "7", "order_id", "1001", "delivery_no", "DHL123", "create_time", "1704300000", "delivery_time", "0") + `,` +
		ymcartRow("id", "9", "order_id", "1001", "delivery_no", "UPS456", "create_time", "1704400000", "delivery_time", "1704410000") + `]`
	addresses := `[` +
		ymcartRow("id", "1", "address_type", "0", "=country_code_2", "de") + `,` +
		ymcartRow("id", "2", "address_type", "1", "=country_code_2", "FR") + `]`
	items := `[` +
		ymcartRow("id", "1", "goods_name", "Shirt", "sku_codeno", "SH-1", "buy_num", "3", "price", "5.0000") + `,` +
		ymcartRow("id", "2", "goods_name", "Cap", "sku_codeno", "CP-1", "buy_num", "1", "price", "5.0000") + `]`
	rec, err := Ymcart(c, extract.Raw{Body: json.RawMessage(ymcartBase("301", "200", "301",
		"=item", items, "=delivery", deliveries, "=address", addresses))})
	if err != nil {
		t.Fatal(err)
	}
	o := rec.Order
	// 20 + 5 + (0.5 + 1.25) − 2 = 24.75, as reported.
	if !o.GoodsAmount.Equal(dec("20")) || !o.ShippingAmount.Equal(dec("5")) || !o.FeeAmount.Equal(dec("1.75")) ||
		!o.DiscountAmount.Equal(dec("2")) || !o.TotalAmount.Equal(dec("24.75")) || !o.PaidAmount.Equal(dec("24.75")) ||
		len(o.Anomalies) != 0 || o.Currency != "EUR" {
		t.Errorf("amounts %s %s %s %s %s %s %s %v", o.Currency, o.GoodsAmount, o.ShippingAmount, o.FeeAmount, o.DiscountAmount, o.TotalAmount, o.PaidAmount, o.Anomalies)
	}
	if !o.CreatedAt.Equal(time.Unix(1704153600, 0)) || !o.PaidAt.Equal(time.Unix(1704157200, 0)) ||
		!o.UpdatedAt.Equal(time.Unix(1704240000, 0)) || o.PaidAt.Location() != time.UTC {
		t.Errorf("times %v %v %v", o.CreatedAt, o.PaidAt, o.UpdatedAt)
	}
	// The first delivery has no delivery_time: its create_time; the
	// latest delivery's number.
	if o.ShippedAt == nil || !o.ShippedAt.Equal(time.Unix(1704300000, 0)) || o.TrackingNumber != "UPS456" {
		t.Errorf("shipped %v tracking %q", o.ShippedAt, o.TrackingNumber)
	}
	if o.Country != "DE" || o.ItemCount != 2 || o.Quantity != 4 || o.SourceID != "1001" {
		t.Errorf("country %q lines %d pieces %d source %q", o.Country, o.ItemCount, o.Quantity, o.SourceID)
	}
	if len(rec.Items) != 2 || !rec.Items[0].LineTotal.Equal(dec("15")) || rec.Items[1].LineNo != 2 || rec.Items[1].SKU != "CP-1" {
		t.Errorf("items %+v", rec.Items)
	}
}

func TestYmcartTotalsAndCurrency(t *testing.T) {
	t.Parallel()
	c := &Context{Meta: model.Meta{Platform: "ymcart", Shop: "ym"}, Currency: "USD"}
	row := func(total, currency string) string {
		return ymcartRow("id", "5", "itemno", "SY-5", "order_status", "200", "payment_status", "200", "shipping_status", "0",
			"currency_code", currency, "cost_product", "10.0000", "cost_shipping", "0.0000", "cost_payment", "0.0000",
			"cost_insurance", "0.0000", "cost_offer", "1.5000", "total_amount", total, "create_time", "1704153600")
	}
	for _, tc := range []struct {
		name, body, currency, total, anomaly string
	}{
		{"adds up", row("8.5000", "GBP"), "GBP", "8.5", ""},
		{"mismatch kept as sent", row("9.0000", "GBP"), "GBP", "9", "total_mismatch"},
		{"not reported", row("null", "GBP"), "GBP", "8.5", "total_not_reported"},
		{"shop currency", row("8.5000", ""), "USD", "8.5", ""},
		{"null currency", row("8.5000", "null"), "USD", "8.5", ""},
	} {
		rec, err := Ymcart(c, extract.Raw{Body: json.RawMessage(tc.body)})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		o := rec.Order
		var want []string
		if tc.anomaly != "" {
			want = []string{tc.anomaly}
		}
		if o.Currency != tc.currency || !o.TotalAmount.Equal(dec(tc.total)) || !o.PaidAmount.Equal(dec(tc.total)) || !slices.Equal(o.Anomalies, want) {
			t.Errorf("%s: %s total %s paid %s anomalies %v", tc.name, o.Currency, o.TotalAmount, o.PaidAmount, o.Anomalies)
		}
	}
	if _, err := Ymcart(&Context{}, extract.Raw{Body: json.RawMessage(row("8.5000", ""))}); err == nil || !strings.Contains(err.Error(), "currency") {
		t.Errorf("no currency anywhere: %v", err)
	}
}

func TestYmcartBrokenRecords(t *testing.T) {
	t.Parallel()
	c := &Context{Meta: model.Meta{Platform: "ymcart", Shop: "ym"}, Currency: "USD"}
	for _, tc := range []struct {
		name, body, id, errHas string
	}{
		{"not an object", `"SY-1"`, "", "decode"},
		{"no itemno", ymcartRow("id", "1", "order_status", "100", "payment_status", "100", "shipping_status", "0", "create_time", "1"), "", "itemno missing"},
		{"no create_time", ymcartRow("id", "1", "itemno", "SY-1", "order_status", "100", "payment_status", "100", "shipping_status", "0", "create_time", "0"), "SY-1", "create_time missing"},
		{"no payment_status", ymcartRow("id", "1", "itemno", "SY-1", "order_status", "100", "payment_status", "null", "shipping_status", "0", "create_time", "1"), "SY-1", "payment_status missing"},
		// The wrongtype fault's shapes: a value wrapped in an object or a
		// list, or true.
		{"amount as object", ymcartRow("id", "1", "itemno", "SY-1", "total_amount", `{"value":"1.0000"}`), "SY-1", "decode"},
		{"time as list", ymcartRow("id", "1", "itemno", "SY-1", "create_time", `["1704153600"]`), "SY-1", "decode"},
		{"quantity as true", ymcartRow("id", "1", "itemno", "SY-1", "order_status", "100", "payment_status", "100", "shipping_status", "0",
			"create_time", "1", "=item", `[{"buy_num":true}]`), "SY-1", "decode"},
		{"amount not a number", ymcartRow("id", "1", "itemno", "SY-1", "cost_product", "12,93"), "SY-1", "decode"},
		{"negative cost", ymcartRow("id", "1", "itemno", "SY-1", "order_status", "100", "payment_status", "100", "shipping_status", "0",
			"create_time", "1", "cost_offer", "-1.0000"), "SY-1", "negative cost_offer"},
		{"negative buy_num", ymcartRow("id", "1", "itemno", "SY-1", "order_status", "100", "payment_status", "100", "shipping_status", "0",
			"create_time", "1", "=item", `[{"buy_num":"-2","price":"1.0000"}]`), "SY-1", "buy_num"},
	} {
		rec, err := Ymcart(c, extract.Raw{Body: json.RawMessage(tc.body)})
		if err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.errHas)
			continue
		}
		if rec.Order.OrderID != tc.id {
			t.Errorf("%s: quarantined record named %q, want %q", tc.name, rec.Order.OrderID, tc.id)
		}
	}
}

// ymcartDeliveryListRows are the two rows of the deliveryList example of
// seed 001 ("发货单据", 返回值), verbatim.
func ymcartDeliveryListRows(t *testing.T) []json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/ymcart_deliveryList_example.json")
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Count string            `json:"count"`
		Data  []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	if env.Count != "32" || len(env.Data) != 2 {
		t.Fatalf("the doc's example has count %q and %d rows", env.Count, len(env.Data))
	}
	return env.Data
}

// ymcartWantShipment compares a shipment with the expected one, costs and
// times by value.
func ymcartWantShipment(t *testing.T, where string, got, want model.Shipment) {
	t.Helper()
	if !sameShipment(got, want) || got.Meta != want.Meta || got.ShipmentID != want.ShipmentID || got.OrderID != want.OrderID ||
		got.CreatedAt.Location() != time.UTC || got.ShippedAt != nil && got.ShippedAt.Location() != time.UTC {
		t.Errorf("%s:\n got %s\nwant %s", where, ymcartShowShipment(got), ymcartShowShipment(want))
	}
}

func ymcartShowShipment(s model.Shipment) string {
	cost := "nil"
	if s.Cost != nil {
		cost = s.Cost.String()
	}
	return fmt.Sprintf("%+v cost=%s shipped=%v", s, cost, s.ShippedAt)
}

func ymcartWantPayment(t *testing.T, where string, got, want model.Payment) {
	t.Helper()
	if !samePayment(got, want) || got.Meta != want.Meta || got.PaymentID != want.PaymentID || got.OrderID != want.OrderID ||
		got.CreatedAt.Location() != time.UTC {
		t.Errorf("%s:\n got %+v\nwant %+v", where, got, want)
	}
}

func ymcartPtrTime(t time.Time) *time.Time { return &t }
func ymcartPtrDec(s string) *decimal.Decimal {
	d := dec(s)
	return &d
}

func TestYmcartDeliveryListExample(t *testing.T) {
	t.Parallel()
	meta := model.Meta{Platform: "ymcart", Shop: "ym", RunID: "r", Version: 3}
	c := &Context{Meta: meta, Currency: "USD", Location: time.FixedZone("CST", 8*3600)}
	// Written by hand from the document's deliveryList example: row 1 is
	// delivery id "55" of order_id "479" (订单数据库ID, not an itemno),
	// delivery_no "UPS95338" by shipping_corp_name "UPS", shipping_cost
	// "0.0000", create_time "1472024733" (2016-08-24 07:45:33 UTC),
	// delivery_time "0" (not filled in: the ship time is create_time).
	// Row 2: id "54" of order "454", "test123" by "EMS", cost "0.0000",
	// created "1472019590" (2016-08-24 06:19:50 UTC), delivery_time "0".
	// The rows print no currency: the shop's. No state either.
	t55 := time.Date(2016, 8, 24, 7, 45, 33, 0, time.UTC)
	t54 := time.Date(2016, 8, 24, 6, 19, 50, 0, time.UTC)
	want := []model.Shipment{
		{Meta: meta, ShipmentID: "55", OrderID: "id:479", Kind: model.ShipmentDelivery, Carrier: "UPS",
			TrackingNumber: "UPS95338", Cost: ymcartPtrDec("0"), Currency: "USD", ShippedAt: ymcartPtrTime(t55), CreatedAt: t55},
		{Meta: meta, ShipmentID: "54", OrderID: "id:454", Kind: model.ShipmentDelivery, Carrier: "EMS",
			TrackingNumber: "test123", Cost: ymcartPtrDec("0"), Currency: "USD", ShippedAt: ymcartPtrTime(t54), CreatedAt: t54},
	}
	for i, row := range ymcartDeliveryListRows(t) {
		rec, err := Ymcart(c, extract.Raw{Kind: "delivery", Body: row})
		if err != nil {
			t.Fatalf("row %d: %v", i+1, err)
		}
		// A record of the shipment alone: no order, lines or payments.
		if rec.Order.OrderID != "" || len(rec.Items) != 0 || len(rec.Refunds) != 0 || len(rec.Payments) != 0 || len(rec.Shipments) != 1 {
			t.Fatalf("row %d: %+v", i+1, rec)
		}
		ymcartWantShipment(t, fmt.Sprintf("deliveryList row %d", i+1), rec.Shipments[0], want[i])

		// The same row in its order's "delivery" list ("delivery : 物流信息")
		// is the same shipment, under the order's itemno.
		own := want[i]
		own.OrderID = "SY20160823-" + strings.TrimPrefix(own.OrderID, "id:")
		order := ymcartRow("id", strings.TrimPrefix(want[i].OrderID, "id:"), "itemno", own.OrderID,
			"order_status", "301", "payment_status", "200", "shipping_status", "301", "currency_code", "EUR",
			"create_time", "1471900000", "=delivery", "["+string(row)+"]")
		rec, err = Ymcart(c, extract.Raw{Body: json.RawMessage(order)})
		if err != nil {
			t.Fatalf("row %d in an order: %v", i+1, err)
		}
		if len(rec.Shipments) != 1 {
			t.Fatalf("row %d in an order: shipments %+v", i+1, rec.Shipments)
		}
		// In an order, a currency the row does not print is the order's.
		own.Currency = "EUR"
		ymcartWantShipment(t, fmt.Sprintf("deliveryList row %d in its order", i+1), rec.Shipments[0], own)
	}
}

// ymcartPaymentRow is a payment record with the columns the doc's notes
// list for "payment" (trade_no, pay_method_no, create_time, payment_id,
// remark, order_id, payment_method), in that order, then extra ones.
func ymcartPaymentRow(tradeNo, payNo, created, orderID string, extra ...string) string {
	return ymcartRow(append([]string{"trade_no", tradeNo, "pay_method_no", payNo, "create_time", created,
		"payment_id", "142", "remark", "", "order_id", orderID, "payment_method", "PayPal"}, extra...)...)
}

func TestYmcartOrderPayments(t *testing.T) {
	t.Parallel()
	meta := model.Meta{Platform: "ymcart", Shop: "ym", RunID: "r", Version: 1}
	c := &Context{Meta: meta, Currency: "USD"}
	orderCreated := time.Unix(1704153600, 0).UTC() // ymcartBase's create_time
	at := func(s int64) time.Time { return time.Unix(s, 0).UTC() }
	pay := func(id, txn, status, raw string, created time.Time) model.Payment {
		return model.Payment{Meta: meta, PaymentID: id, OrderID: "SY20240102-1001", TransactionID: txn, Method: "PayPal",
			Status: status, RawStatus: raw, Currency: "EUR", CreatedAt: created}
	}
	for _, tc := range []struct {
		name, list string
		want       []model.Payment
		errHas     string
	}{
		{"no payment list", "", nil, ""},
		{"null", "null", nil, ""},
		{"empty", "[]", nil, ""},
		// The doc's columns only: paid when the provider's number is
		// there, else unpaid; no amount, no pay time.
		{"an abandoned attempt, then the payment", "[" + ymcartPaymentRow("T1", "", "1704154000", "1001") + "," +
			ymcartPaymentRow("T2", "PAYID-9", "1704157000", "1001") + "]",
			[]model.Payment{pay("T1", "", model.PaymentUnpaid, "", at(1704154000)), pay("T2", "PAYID-9", model.PaymentPaid, "", at(1704157000))}, ""},
		// paymentList's status, 0未支付 1已支付, wins when a row has it.
		{"status 1 without a provider number", "[" + ymcartPaymentRow("T3", "", "1704157000", "1001", "status", "1") + "]",
			[]model.Payment{pay("T3", "", model.PaymentPaid, "status=1", at(1704157000))}, ""},
		{"status 0 with a provider number", "[" + ymcartPaymentRow("T3", "X", "1704157000", "1001", "status", "0") + "]",
			[]model.Payment{pay("T3", "X", model.PaymentUnpaid, "status=0", at(1704157000))}, ""},
		{"the row's own currency", "[" + ymcartPaymentRow("T4", "X", "1704157000", "1001", "currency_code", "GBP") + "]",
			[]model.Payment{func() model.Payment {
				p := pay("T4", "X", model.PaymentPaid, "", at(1704157000))
				p.Currency = "GBP"
				return p
			}()}, ""},
		{"no create_time: the order's", "[" + ymcartPaymentRow("T5", "X", "0", "1001") + "]",
			[]model.Payment{pay("T5", "X", model.PaymentPaid, "", orderCreated)}, ""},
		{"listed twice alike", "[" + ymcartPaymentRow("T6", "X", "1704157000", "1001") + "," + ymcartPaymentRow("T6", "X", "1704157000", "1001") + "]",
			[]model.Payment{pay("T6", "X", model.PaymentPaid, "", at(1704157000))}, ""},
		{"listed twice differently", "[" + ymcartPaymentRow("T6", "X", "1704157000", "1001") + "," + ymcartPaymentRow("T6", "Y", "1704157000", "1001") + "]",
			nil, "payment 2: id T6 already used by payment 1, with different contents"},
		{"no trade_no", "[" + ymcartPaymentRow("T7", "X", "1704157000", "1001") + "," + ymcartPaymentRow("", "X", "1704157000", "1001") + "]",
			nil, "payment 2: trade_no missing"},
		{"another order's", "[" + ymcartPaymentRow("T8", "X", "1704157000", "1002") + "]", nil, "payment 1: order_id 1002, not the order's 1001"},
		{"another itemno", "[" + ymcartPaymentRow("T8", "X", "1704157000", "1001", "=itemno", "SY-2") + "]", nil, "payment 1: itemno SY-2"},
		{"unknown status", "[" + ymcartPaymentRow("T9", "X", "1704157000", "1001", "status", "2") + "]", nil, "payment 1: trade_no T9: unknown status 2"},
		{"bad create_time", "[" + ymcartPaymentRow("T9", "X", "yesterday", "1001") + "]", nil, "payment[1].create_time"},
		{"not a list", `{"trade_no":"T1"}`, nil, "decode order: payment"},
	} {
		var extra []string
		if tc.list != "" {
			extra = []string{"=payment", tc.list}
		}
		rec, err := Ymcart(c, extract.Raw{Body: json.RawMessage(ymcartBase("200", "200", "0", extra...))})
		if tc.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.errHas)
			} else if rec.Order.OrderID != "SY20240102-1001" {
				t.Errorf("%s: quarantined record named %q", tc.name, rec.Order.OrderID)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(rec.Payments) != len(tc.want) {
			t.Errorf("%s: payments %+v, want %+v", tc.name, rec.Payments, tc.want)
			continue
		}
		for i := range tc.want {
			ymcartWantPayment(t, fmt.Sprintf("%s: payment %d", tc.name, i+1), rec.Payments[i], tc.want[i])
		}
		if len(rec.Shipments) != 0 {
			t.Errorf("%s: shipments %+v from an order with no delivery", tc.name, rec.Shipments)
		}
	}
}

func TestYmcartOrderShipments(t *testing.T) {
	t.Parallel()
	meta := model.Meta{Platform: "ymcart", Shop: "ym", RunID: "r", Version: 1}
	c := &Context{Meta: meta, Currency: "USD"}
	del := func(id, no, corp, cost, created, delivered string, extra ...string) string {
		return ymcartRow(append([]string{"id", id, "store_id", "24073", "order_id", "1001", "user_id", "6", "delivery_no", no,
			"shipping_corp_id", "28", "shipping_corp_name", corp, "shipping_cost", cost, "create_time", created,
			"delivery_time", delivered, "remark", ""}, extra...)...)
	}
	ship := func(id, no, corp string, cost *decimal.Decimal, shipped *time.Time, created time.Time) model.Shipment {
		return model.Shipment{Meta: meta, ShipmentID: id, OrderID: "SY20240102-1001", Kind: model.ShipmentDelivery, Carrier: corp,
			TrackingNumber: no, Cost: cost, Currency: "EUR", ShippedAt: shipped, CreatedAt: created}
	}
	at := func(s int64) time.Time { return time.Unix(s, 0).UTC() }
	for _, tc := range []struct {
		name, list string
		want       []model.Shipment
		errHas     string
	}{
		{"unshipped", "null", nil, ""},
		// Two parcels: each its own row; a filled-in delivery_time is the
		// ship time, else create_time; a null cost is not given.
		{"two deliveries", "[" + del("7", "DHL123", "DHL", "5.5000", "1704300000", "0") + "," +
			del("9", "UPS456", "UPS", "null", "1704400000", "1704410000") + "]",
			[]model.Shipment{ship("7", "DHL123", "DHL", ymcartPtrDec("5.5"), ymcartPtrTime(at(1704300000)), at(1704300000)),
				ship("9", "UPS456", "UPS", nil, ymcartPtrTime(at(1704410000)), at(1704400000))}, ""},
		{"listed twice alike", "[" + del("7", "DHL123", "DHL", "5.5000", "1704300000", "0") + "," + del("7", "DHL123", "DHL", "5.50", "1704300000", "0") + "]",
			[]model.Shipment{ship("7", "DHL123", "DHL", ymcartPtrDec("5.5"), ymcartPtrTime(at(1704300000)), at(1704300000))}, ""},
		{"no create_time: the order's, no ship time", "[" + del("7", "DHL123", "DHL", "0.0000", "0", "0") + "]",
			[]model.Shipment{ship("7", "DHL123", "DHL", ymcartPtrDec("0"), nil, at(1704153600))}, ""},
		{"listed twice differently", "[" + del("7", "DHL123", "DHL", "0.0000", "1704300000", "0") + "," + del("7", "DHL999", "DHL", "0.0000", "1704300000", "0") + "]",
			nil, "delivery 2: id 7 already used by delivery 1, with different contents"},
		{"negative cost", "[" + del("7", "DHL123", "DHL", "-1.0000", "1704300000", "0") + "]", nil, "delivery 1: id 7: negative shipping_cost -1"},
		{"no id", "[" + del("", "DHL123", "DHL", "0.0000", "1704300000", "0") + "]", nil, "delivery 1: id missing"},
		{"another order's", "[" + del("7", "DHL123", "DHL", "0.0000", "1704300000", "0", "=order_id", "1002") + "]", nil, "delivery 1: order_id 1002"},
		{"bad cost", "[" + del("7", "DHL123", "DHL", "abc", "1704300000", "0") + "]", nil, "delivery[1].shipping_cost"},
	} {
		rec, err := Ymcart(c, extract.Raw{Body: json.RawMessage(ymcartBase("301", "200", "301", "=delivery", tc.list))})
		if tc.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.errHas)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(rec.Shipments) != len(tc.want) {
			t.Errorf("%s: shipments %+v, want %+v", tc.name, rec.Shipments, tc.want)
			continue
		}
		for i := range tc.want {
			ymcartWantShipment(t, fmt.Sprintf("%s: shipment %d", tc.name, i+1), rec.Shipments[i], tc.want[i])
		}
	}
}

func TestYmcartBuyerAndShipTo(t *testing.T) {
	t.Parallel()
	c := &Context{Meta: model.Meta{Platform: "ymcart", Shop: "ym"}, Currency: "USD"}
	addr := func(typ, first, last, state, city, street, spare, post, mobile, tel, email string) string {
		return ymcartRow("id", "1", "order_id", "1001", "store_id", "24073", "address_type", typ, "first_name", first,
			"last_name", last, "country_id", "45", "state", state, "city", city, "address", street, "address_spare", spare,
			"postcode", post, "mobilephone", mobile, "telephone", tel, "email", email, "=country_code_2", "DE")
	}
	shipping := addr("0", " Anna ", "Schmidt", "Berlin", "Berlin", "Hauptstr. 1", "Hinterhaus ", "10115", "+49 151 1", "ACME GmbH", "")
	billing := addr("1", "Hans", "Muster", "Bayern", "München", "Marktpl. 2", "", "80331", "", "+49 89 2", "hans@example.com")
	type fields struct{ id, name, email, phone, sname, sphone, saddr, scity, sregion, spost string }
	for _, tc := range []struct {
		name  string
		extra []string
		want  fields
	}{
		// Buyer from the billing address, each field falling back to the
		// shipping one (billing has no mobilephone; telephone, which may
		// be a company name, is not read); ship-to from address_type 0.
		{"both, shipping first", []string{"user_id", "6", "user_name", "hans", "=address", "[" + shipping + "," + billing + "]"},
			fields{"6", "Hans Muster", "hans@example.com", "+49 151 1", "Anna Schmidt", "+49 151 1", "Hauptstr. 1, Hinterhaus", "Berlin", "Berlin", "10115"}},
		{"both, billing first", []string{"user_id", "6", "=address", "[" + billing + "," + shipping + "]"},
			fields{"6", "Hans Muster", "hans@example.com", "+49 151 1", "Anna Schmidt", "+49 151 1", "Hauptstr. 1, Hinterhaus", "Berlin", "Berlin", "10115"}},
		// A guest (user_id "0") with no address: the login name only.
		{"guest without address", []string{"user_id", "0", "user_name", " guest@example.com ", "=address", "null"},
			fields{name: "guest@example.com"}},
		{"no user columns", nil, fields{}},
		// Only a shipping address: the buyer's too.
		{"shipping only", []string{"user_id", "12", "=address", "[" + shipping + "]"},
			fields{"12", "Anna Schmidt", "", "+49 151 1", "Anna Schmidt", "+49 151 1", "Hauptstr. 1, Hinterhaus", "Berlin", "Berlin", "10115"}},
	} {
		rec, err := Ymcart(c, extract.Raw{Body: json.RawMessage(ymcartBase("200", "200", "0", tc.extra...))})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		o := rec.Order
		got := fields{o.BuyerID, o.BuyerName, o.BuyerEmail, o.BuyerPhone, o.ShipName, o.ShipPhone, o.ShipAddress, o.ShipCity, o.ShipRegion, o.ShipPostcode}
		if got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

func TestYmcartStandaloneRows(t *testing.T) {
	t.Parallel()
	meta := model.Meta{Platform: "ymcart", Shop: "ym", RunID: "r", Version: 2}
	c := &Context{Meta: meta, Currency: "USD"}
	created := time.Unix(1704157000, 0).UTC()
	for _, tc := range []struct {
		name, kind, body string
		want             model.Payment
		errHas, key      string
	}{
		// A paymentList row with only the doc's columns: its order by
		// database id, the shop's currency.
		{"doc's columns", "payment", ymcartPaymentRow("T2", "PAYID-9", "1704157000", "1001"),
			model.Payment{Meta: meta, PaymentID: "T2", OrderID: "id:1001", TransactionID: "PAYID-9", Method: "PayPal",
				Status: model.PaymentPaid, Currency: "USD", CreatedAt: created}, "", ""},
		// With an itemno and a currency (the simulator adds both): the
		// order's key and the row's currency.
		{"itemno and currency", "payment", ymcartPaymentRow("T2", "", "1704157000", "1001", "currency_code", "EUR", "status", "0", "=itemno", "SY20240102-1001"),
			model.Payment{Meta: meta, PaymentID: "T2", OrderID: "SY20240102-1001", Method: "PayPal",
				Status: model.PaymentUnpaid, RawStatus: "status=0", Currency: "EUR", CreatedAt: created}, "", ""},
		// Alone, no order's created_at to fall back on.
		{"no create_time", "payment", ymcartPaymentRow("T2", "X", "0", "1001"), model.Payment{}, "payment: trade_no T2: create_time missing", "id:1001"},
		{"no order", "payment", ymcartPaymentRow("T2", "X", "1704157000", ""), model.Payment{}, "payment: order_id missing", ""},
		{"no trade_no", "payment", ymcartPaymentRow(" ", "X", "1704157000", "1001"), model.Payment{}, "payment: trade_no missing", "id:1001"},
		{"unknown status", "payment", ymcartPaymentRow("T2", "X", "1704157000", "1001", "status", "-1"), model.Payment{}, "unknown status -1", "id:1001"},
		{"bad json", "payment", `{"trade_no":"T2","create_time":[1]}`, model.Payment{}, "payment: decode: create_time", ""},
		{"delivery without id", "delivery", ymcartRow("order_id", "1001", "delivery_no", "X1", "create_time", "1704157000"), model.Payment{}, "delivery: id missing", "id:1001"},
		{"delivery without create_time", "delivery", ymcartRow("id", "4", "order_id", "1001", "create_time", "0"), model.Payment{}, "delivery: id 4: create_time missing", "id:1001"},
		{"delivery with negative cost", "delivery", ymcartRow("id", "4", "order_id", "1001", "shipping_cost", "-0.0100", "create_time", "1"), model.Payment{}, "delivery: id 4: negative shipping_cost", "id:1001"},
		{"delivery not an object", "delivery", `[]`, model.Payment{}, "delivery: decode", ""},
		{"unknown kind", "refund", ymcartPaymentRow("T2", "X", "1704157000", "1001"), model.Payment{}, `unknown ymcart record kind "refund"`, ""},
	} {
		rec, err := Ymcart(c, extract.Raw{Kind: tc.kind, Body: json.RawMessage(tc.body)})
		if tc.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.errHas)
			} else if rec.Order.OrderID != tc.key {
				t.Errorf("%s: quarantined record named %q, want %q", tc.name, rec.Order.OrderID, tc.key)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if rec.Order.OrderID != "" || len(rec.Items)+len(rec.Refunds)+len(rec.Shipments) != 0 || len(rec.Payments) != 1 {
			t.Errorf("%s: %+v", tc.name, rec)
			continue
		}
		ymcartWantPayment(t, tc.name, rec.Payments[0], tc.want)
	}
	// No currency anywhere: refused, as for an order.
	if _, err := Ymcart(&Context{Meta: meta}, extract.Raw{Kind: "payment", Body: json.RawMessage(ymcartPaymentRow("T2", "X", "1", "1001"))}); err == nil ||
		!strings.Contains(err.Error(), "currency") {
		t.Errorf("payment with no currency anywhere: %v", err)
	}
	if _, err := Ymcart(&Context{Meta: meta}, extract.Raw{Kind: "delivery", Body: json.RawMessage(ymcartRow("id", "4", "order_id", "1001", "create_time", "1"))}); err == nil ||
		!strings.Contains(err.Error(), "currency") {
		t.Errorf("delivery with no currency anywhere: %v", err)
	}
}

// ymcartSimList posts one list request to the simulated shop and returns
// its rows.
func ymcartSimList(t *testing.T, h http.Handler, name string, form url.Values) []json.RawMessage {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api-erp-"+name+".html", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var env struct {
		Code int               `json:"code"`
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil || env.Code != 0 {
		t.Fatalf("%s: %v %.200s", name, err, w.Body.String())
	}
	return env.Data
}

// TestYmcartSimSourcesAgree reads one simulated shop through its three
// lists: every payment and delivery of paymentList and deliveryList is one
// of an order's, under the same id and with the same contents, but for
// the order key a deliveryList row cannot know (it has no itemno: "id:"
// and the order's source_id) and a delivery's currency (the shop's alone,
// the order's in it: the doc prints no currency on a delivery).
func TestYmcartSimSourcesAgree(t *testing.T) {
	t.Parallel()
	store, err := simymcart.NewStore(simymcart.Options{Orders: 300, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	h := store.Handler()
	c := &Context{Meta: model.Meta{Platform: "ymcart", Shop: "sim", RunID: "r", Version: 1}, Currency: "USD"}
	payments := map[string]model.Payment{}
	shipments := map[string]model.Shipment{}
	orders := map[string]model.Order{} // by source_id
	for _, row := range ymcartSimList(t, h, "orderList", url.Values{"page_size": {"1000"}}) {
		rec, err := Ymcart(c, extract.Raw{Body: row})
		if err != nil {
			t.Fatal(err)
		}
		orders[rec.Order.SourceID] = rec.Order
		if rec.Order.BuyerName == "" || rec.Order.ShipAddress == "" || rec.Order.ShipCity == "" {
			t.Errorf("order %s: buyer %q ship to %q, %q", rec.Order.OrderID, rec.Order.BuyerName, rec.Order.ShipAddress, rec.Order.ShipCity)
		}
		for _, p := range rec.Payments {
			if _, dup := payments[p.PaymentID]; dup {
				t.Errorf("payment %s in two orders", p.PaymentID)
			}
			payments[p.PaymentID] = p
		}
		for _, s := range rec.Shipments {
			if _, dup := shipments[s.ShipmentID]; dup {
				t.Errorf("shipment %s in two orders", s.ShipmentID)
			}
			shipments[s.ShipmentID] = s
		}
	}
	if len(orders) != 300 || len(payments) == 0 || len(shipments) == 0 {
		t.Fatalf("%d orders, %d payments, %d shipments", len(orders), len(payments), len(shipments))
	}
	paid := 0
	alone := ymcartSimList(t, h, "paymentList", url.Values{})
	for _, row := range alone {
		rec, err := Ymcart(c, extract.Raw{Kind: "payment", Body: row})
		if err != nil {
			t.Fatal(err)
		}
		p := rec.Payments[0]
		ymcartWantPayment(t, "paymentList "+p.PaymentID, p, payments[p.PaymentID])
		if p.Status == model.PaymentPaid {
			paid++
		}
	}
	if len(alone) != len(payments) || paid == 0 || paid == len(alone) {
		t.Errorf("paymentList has %d rows (%d paid), the orders %d payments", len(alone), paid, len(payments))
	}
	alone = ymcartSimList(t, h, "deliveryList", url.Values{"page_size": {"10000"}, "page_no": {"1"}})
	for _, row := range alone {
		rec, err := Ymcart(c, extract.Raw{Kind: "delivery", Body: row})
		if err != nil {
			t.Fatal(err)
		}
		s := rec.Shipments[0]
		in, ok := shipments[s.ShipmentID]
		o := orders[strings.TrimPrefix(s.OrderID, "id:")]
		if !ok || !strings.HasPrefix(s.OrderID, "id:") || in.OrderID != o.OrderID || s.Currency != "USD" || in.Currency != o.Currency {
			t.Errorf("deliveryList %s of %s (currency %s): in order %q (%s), %v", s.ShipmentID, s.OrderID, s.Currency, in.OrderID, in.Currency, ok)
			continue
		}
		s.OrderID, s.Currency = in.OrderID, in.Currency
		ymcartWantShipment(t, "deliveryList "+s.ShipmentID, s, in)
	}
	if len(alone) != len(shipments) {
		t.Errorf("deliveryList has %d rows, the orders %d deliveries", len(alone), len(shipments))
	}
}

// FuzzRecordYmcartAlone feeds arbitrary paymentList and deliveryList rows
// to the transform (FuzzRecordYmcart feeds orders only), and holds their
// one-pass reads to goccy/go-json (walkAgrees). A row read alone
// gives one payment or shipment and no order, or a reason; and when it
// does, the same row inside an order (its order_id, its itemno if it has
// one) gives the same row under the order's itemno: the same id, the same
// created_at, the same contents.
func FuzzRecordYmcartAlone(f *testing.F) {
	for _, row := range []string{
		ymcartPaymentRow("T2", "PAYID-9", "1704157000", "1001"),
		ymcartPaymentRow("T2", "", "1704157000", "1001", "currency_code", "EUR", "status", "0", "=itemno", "SY20240102-1001"),
		ymcartPaymentRow("T3", "X", "0", "1001", "status", "1"),
		`{"trade_no":7,"create_time":1704157000,"order_id":" 9 ","status":"2"}`,
	} {
		f.Add("payment", []byte(row))
	}
	f.Add("delivery", []byte(`{"0":"55","id":"55","1":"24073","store_id":"24073","2":"479","order_id":"479","3":"107","user_id":"107","4":"UPS95338","delivery_no":"UPS95338","5":"28","shipping_corp_id":"28","6":"UPS","shipping_corp_name":"UPS","7":"0.0000","shipping_cost":"0.0000","8":"1472024733","create_time":"1472024733","9":"0","delivery_time":"0","10":"ups\u5c3d\u5feb\u53d1\u8d27","remark":"ups\u5c3d\u5feb\u53d1\u8d27"}`))
	f.Add("delivery", []byte(`{"id":"4","order_id":"1001","itemno":"SY-1","shipping_cost":"-1","create_time":"1","delivery_time":"2","currency_code":"GBP"}`))
	f.Add("delivery", []byte(`{"id":"4","order_id":"1001","shipping_cost":null,"create_time":"1704157000"}`))
	f.Add("refund", []byte(`{}`))
	meta := model.Meta{Platform: "ymcart", Shop: "fuzz", RunID: "fuzz", Version: 1}
	shops := []*Context{{Meta: meta, Currency: "USD"}, {Meta: meta}}
	f.Fuzz(func(t *testing.T, kind string, body []byte) {
		// The one-pass decoders against goccy/go-json.
		walkAgrees(t, body, (*ymcartPayment).read)
		walkAgrees(t, body, (*ymcartDelivery).read)
		for _, c := range shops {
			rec, err := Ymcart(c, extract.Raw{Kind: kind, Body: json.RawMessage(body)})
			rec2, err2 := Ymcart(c, extract.Raw{Kind: kind, Body: json.RawMessage(body)})
			if fmt.Sprint(err) != fmt.Sprint(err2) || fmt.Sprintf("%+v", rec) != fmt.Sprintf("%+v", rec2) {
				t.Fatalf("two runs differ: %v / %v", err, err2)
			}
			if kind != "payment" && kind != "delivery" {
				if err == nil {
					t.Fatalf("kind %q read without an error", kind)
				}
				continue
			}
			if err != nil {
				if strings.TrimSpace(err.Error()) == "" || rec.Order.OrderID != strings.TrimSpace(rec.Order.OrderID) {
					t.Fatalf("error %q, record named %q", err, rec.Order.OrderID)
				}
				continue
			}
			if !reflect.DeepEqual(rec.Order, model.Order{}) || len(rec.Items)+len(rec.Refunds) != 0 ||
				len(rec.Payments)+len(rec.Shipments) != 1 || (kind == "payment") != (len(rec.Payments) == 1) {
				t.Fatalf("a %s row gave %+v", kind, rec)
			}
			var id, orderID, currency string
			var created time.Time
			if kind == "payment" {
				p := rec.Payments[0]
				id, orderID, currency, created = p.PaymentID, p.OrderID, p.Currency, p.CreatedAt
				if !slices.Contains(fuzzPayments, p.Status) || p.Amount != nil || p.PaidAt != nil || p.Meta != meta {
					t.Fatalf("payment %+v", p)
				}
			} else {
				s := rec.Shipments[0]
				id, orderID, currency, created = s.ShipmentID, s.OrderID, s.Currency, s.CreatedAt
				if s.Kind != model.ShipmentDelivery || s.Cost != nil && s.Cost.IsNegative() || s.Meta != meta ||
					s.ShippedAt == nil || s.ShippedAt.Location() != time.UTC {
					t.Fatalf("shipment %+v", s)
				}
			}
			if id == "" || id != strings.TrimSpace(id) || orderID == "" || orderID != strings.TrimSpace(orderID) ||
				currency == "" || created.IsZero() || created.Location() != time.UTC {
				t.Fatalf("%s %q of order %q, currency %q, created %v", kind, id, orderID, currency, created)
			}
			if c.Currency != "" {
				ymcartFuzzInOrder(t, c, kind, body, rec)
			}
		}
	})
}

// ymcartFuzzInOrder puts a row read alone into an order of its own and
// checks that it comes out the same, but for the order key.
func ymcartFuzzInOrder(t *testing.T, c *Context, kind string, body []byte, alone model.Record) {
	var ids struct {
		OrderID Text `json:"order_id"`
		Itemno  Text `json:"itemno"`
	}
	if err := json.Unmarshal(body, &ids); err != nil {
		t.Fatalf("read alone, yet its ids do not decode: %v", err)
	}
	itemno := ids.Itemno
	if strings.TrimSpace(string(itemno)) == "" {
		itemno = "SY-F"
	}
	list := "payment"
	if kind == "delivery" {
		list = "delivery"
	}
	order, _ := json.Marshal(map[string]any{
		"id": ids.OrderID, "itemno": itemno, "order_status": "200", "payment_status": "200", "shipping_status": "0",
		"currency_code": c.Currency, "create_time": "1", list: []json.RawMessage{body},
	})
	rec, err := Ymcart(c, extract.Raw{Body: order})
	if err != nil {
		t.Fatalf("read alone, but not in its order: %v", err)
	}
	key := strings.TrimSpace(string(itemno))
	if kind == "payment" {
		want := alone.Payments[0]
		want.OrderID = key
		if len(rec.Payments) != 1 || !reflect.DeepEqual(rec.Payments[0], want) {
			t.Fatalf("alone %+v\nin its order %+v", alone.Payments[0], rec.Payments)
		}
		return
	}
	want := alone.Shipments[0]
	want.OrderID = key
	if len(rec.Shipments) != 1 || !reflect.DeepEqual(rec.Shipments[0], want) {
		t.Fatalf("alone %+v\nin its order %+v", alone.Shipments[0], rec.Shipments)
	}
}
