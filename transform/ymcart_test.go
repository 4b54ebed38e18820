package transform

import (
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
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
