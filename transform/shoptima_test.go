package transform

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
)

// The list example of seed 002 §1.4, verbatim.
func seedRows(t *testing.T) []json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/shoptima_list_example.json")
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Data struct {
			Data []json.RawMessage `json:"data"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	return env.Data.Data
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func unix(s int64) *time.Time { t := time.Unix(s, 0).UTC(); return &t }

func TestShoptimaSeedExample(t *testing.T) {
	t.Parallel()
	rows := seedRows(t)
	c := &Context{Meta: model.Meta{Platform: "shoptima", Shop: "st", RunID: "r", Version: 1}}
	// Written by hand from the document: the first row is paid (status 1),
	// not shipped, no refund, total reported "0.00" although goods 16.55 and
	// shipping 5.99; the third reports total 22.54, which adds up.
	//
	// Buyer and ship-to: each row's full_name, email, phone, address,
	// city, province and postcode (§1.4); district, area and address2 are
	// null, and the doc prints no member id. Payment: status 1 with
	// paypal_status "COMPLETED", so paid; the transaction id is
	// paypal_payment_id ("paypal交易号", §1.3), the amount the order's
	// total (worked out where "total" shows "0.00"), paid at pay_time,
	// created at order_time. No tracking_number and shipping_time null:
	// no shipment.
	want := []struct {
		id             string
		goods, ship    string
		total, paid    string
		created, paidA int64
		country        string
		anomalies      []string
		name, email    string
		phone, street  string
		city, region   string
		postcode, txn  string
	}{
		{"asda-20200521-004", "16.55", "5.99", "22.54", "22.54", 1590081530, 1590081771, "HK", []string{"total_not_reported"},
			"kai jiang", "jiangkai@test.test", "9559713557", "71566176 Sky E137 S", "Posta", "Libisia", "W185744", "0V265660M36915119"},
		{"asda-20200521-001", "27.90", "0.00", "27.90", "27.90", 1590052403, 1590052445, "AU", []string{"total_not_reported"},
			"shi yikang", "shiyikang@test.test", "0365814241", "1 Cheeseman Ave Brighton East", "Melbourne", "Victoria", "3001", "5D5284538J2464904"},
		{"asda-20200520-001", "16.55", "5.99", "22.54", "22.54", 1590036055, 1590036082, "AU", nil,
			"shi yikang", "shiyikang@test.test", "0365814241", "1 Cheeseman Ave Brighton East", "Melbourne", "Victoria", "3001", "99G79853NX859004F"},
	}
	if len(rows) != len(want) {
		t.Fatalf("seed example has %d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		rec, err := Shoptima(c, extract.Raw{Body: rows[i]})
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		o := rec.Order
		if o.OrderID != w.id || o.Status != model.StatusPaid || o.PaymentStatus != model.PaymentPaid ||
			o.ShippingStatus != model.ShippingUnshipped || o.RefundStatus != model.RefundNone {
			t.Errorf("%s: id/status axes = %s %s %s %s %s", w.id, o.OrderID, o.Status, o.PaymentStatus, o.ShippingStatus, o.RefundStatus)
		}
		if !o.GoodsAmount.Equal(dec(w.goods)) || !o.ShippingAmount.Equal(dec(w.ship)) ||
			!o.TotalAmount.Equal(dec(w.total)) || !o.PaidAmount.Equal(dec(w.paid)) || !o.RefundedAmount.IsZero() {
			t.Errorf("%s: amounts goods %s ship %s total %s paid %s refunded %s", w.id, o.GoodsAmount, o.ShippingAmount, o.TotalAmount, o.PaidAmount, o.RefundedAmount)
		}
		if !o.CreatedAt.Equal(*unix(w.created)) || o.PaidAt == nil || !o.PaidAt.Equal(*unix(w.paidA)) || o.ShippedAt != nil {
			t.Errorf("%s: times %v %v %v", w.id, o.CreatedAt, o.PaidAt, o.ShippedAt)
		}
		if o.Currency != "USD" || o.Country != w.country || o.PaymentMethod != "paypal" || o.ItemCount != 1 || o.Quantity != 1 {
			t.Errorf("%s: %s %s %s %d %d", w.id, o.Currency, o.Country, o.PaymentMethod, o.ItemCount, o.Quantity)
		}
		if len(o.Anomalies) != len(w.anomalies) || (len(w.anomalies) > 0 && o.Anomalies[0] != w.anomalies[0]) {
			t.Errorf("%s: anomalies %v, want %v", w.id, o.Anomalies, w.anomalies)
		}
		if len(rec.Items) != 1 || !rec.Items[0].LineTotal.Equal(dec(w.goods)) || rec.Items[0].LineNo != 1 {
			t.Errorf("%s: items %+v", w.id, rec.Items)
		}
		if len(rec.Refunds) != 0 {
			t.Errorf("%s: refunds %+v", w.id, rec.Refunds)
		}
		shoptimaCheckPeople(t, o, shoptimaWantPeople{
			BuyerName: w.name, BuyerEmail: w.email, BuyerPhone: w.phone, ShipName: w.name, ShipPhone: w.phone,
			ShipAddress: w.street, ShipCity: w.city, ShipRegion: w.region, ShipPostcode: w.postcode,
		})
		amt := dec(w.paid)
		shoptimaCheckRows(t, c, rec, []model.Payment{{
			Meta: c.Meta, PaymentID: w.id, OrderID: w.id, TransactionID: w.txn, Method: "paypal",
			Status: model.PaymentPaid, RawStatus: "status=1 is_refund=0 refund_type=0 paypal_status=COMPLETED",
			Amount: &amt, Currency: "USD", PaidAt: unix(w.paidA), CreatedAt: *unix(w.created),
		}}, nil)
	}
}

// The detail example of seed 002 §4.3, verbatim: an unpaid order (status
// 0, pay_time null) whose checkout began (paypal_id "9TT16413AL614435B",
// paypal_payment_id and paypal_status null), with every buyer and address
// field null and currency null.
func TestShoptimaSeedDetailExample(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/shoptima_detail_example.json")
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	c := &Context{Meta: model.Meta{Platform: "shoptima", Shop: "st", RunID: "r", Version: 1}, Currency: "EUR"}
	rec, err := Shoptima(c, extract.Raw{Body: env.Data})
	if err != nil {
		t.Fatal(err)
	}
	o := rec.Order
	// Written by hand: goods 46.00 + 27.90 = order_price 73.90, shipping
	// 0.00, total "0.00" left out, so 73.90 worked out and flagged; unpaid,
	// so nothing paid; the shop's currency, the doc's being null.
	if o.OrderID != "asda-20200521-003" || o.Status != model.StatusPending || o.PaymentStatus != model.PaymentUnpaid ||
		o.ShippingStatus != model.ShippingUnshipped || o.Currency != "EUR" || !o.TotalAmount.Equal(dec("73.90")) ||
		!o.PaidAmount.IsZero() || o.PaidAt != nil || o.ShippedAt != nil || o.ItemCount != 2 || o.PaymentMethod != "paypal" {
		t.Errorf("order %+v", o)
	}
	if len(o.Anomalies) != 1 || o.Anomalies[0] != "total_not_reported" {
		t.Errorf("anomalies %v", o.Anomalies)
	}
	shoptimaCheckPeople(t, o, shoptimaWantPeople{})
	// One payment, the checkout: the order's status says unpaid and PayPal
	// says nothing, so unpaid, no amount, no time, no transaction yet.
	shoptimaCheckRows(t, c, rec, []model.Payment{{
		Meta: c.Meta, PaymentID: "asda-20200521-003", OrderID: "asda-20200521-003", Method: "paypal",
		Status: model.PaymentUnpaid, RawStatus: "status=0 is_refund=0 refund_type=0",
		Currency: "EUR", CreatedAt: *unix(1590053155),
	}}, nil)
}

func TestShoptimaRefundsAndBadInput(t *testing.T) {
	t.Parallel()
	c := &Context{Meta: model.Meta{Platform: "shoptima", Shop: "st"}, Currency: "EUR"}
	base := `{"order_num":"X-1","status":"2","order_price":"10.00","shipping_money":"0","total":"10.00","order_time":"1590081530","currency":null,`
	for _, tc := range []struct {
		name, body                       string
		refund, payment, refunded, errIs string
		amountNil                        bool
	}{
		{"partial", base + `"is_refund":1,"refund_type":2,"refund_price":"4.50"}`, "partial", "partially_refunded", "4.50", "", false},
		{"full", base + `"is_refund":"1","refund_type":"3","refund_price":"10.00"}`, "full", "refunded", "10.00", "", false},
		{"processing keeps paid", base + `"is_refund":1,"refund_type":1,"refund_price":"0.00"}`, "processing", "paid", "0", "", true},
		{"flag without amount", base + `"is_refund":1,"refund_type":3,"refund_price":null}`, "full", "refunded", "0", "", true},
		{"no order_num", `{"status":1,"order_time":1}`, "", "", "", "order_num missing", false},
		{"bad amount", `{"order_num":"X","status":1,"order_time":1,"order_price":"1,5"}`, "", "", "", "decode", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Shoptima(c, extract.Raw{Body: json.RawMessage(tc.body)})
			if tc.errIs != "" {
				if err == nil {
					t.Fatalf("want error containing %q", tc.errIs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			o := rec.Order
			if o.Currency != "EUR" || o.RefundStatus != tc.refund || o.PaymentStatus != tc.payment || !o.RefundedAmount.Equal(dec(tc.refunded)) {
				t.Fatalf("got currency %s refund %s payment %s refunded %s", o.Currency, o.RefundStatus, o.PaymentStatus, o.RefundedAmount)
			}
			if len(rec.Refunds) != 1 || (rec.Refunds[0].Amount == nil) != tc.amountNil {
				t.Fatalf("refund rows %+v", rec.Refunds)
			}
		})
	}
}

// shoptimaWantPeople is the buyer and ship-to columns of an order.
type shoptimaWantPeople struct {
	BuyerID, BuyerName, BuyerEmail, BuyerPhone string
	ShipName, ShipPhone, ShipAddress, ShipCity string
	ShipRegion, ShipPostcode                   string
}

func shoptimaCheckPeople(t *testing.T, o model.Order, want shoptimaWantPeople) {
	t.Helper()
	got := shoptimaWantPeople{o.BuyerID, o.BuyerName, o.BuyerEmail, o.BuyerPhone, o.ShipName, o.ShipPhone,
		o.ShipAddress, o.ShipCity, o.ShipRegion, o.ShipPostcode}
	if got != want {
		t.Errorf("%s: buyer and ship-to\n got %+v\nwant %+v", o.OrderID, got, want)
	}
}

func shoptimaOptDec(d *decimal.Decimal) string {
	if d == nil {
		return "nil"
	}
	return d.String()
}

func shoptimaOptTime(t *time.Time) string {
	if t == nil {
		return "nil"
	}
	return t.Format(time.RFC3339) + " " + t.Location().String()
}

// shoptimaPaymentText and shoptimaShipmentText write a row on one line, so
// that a comparison prints what differs; money compares by value.
func shoptimaPaymentText(p model.Payment) string {
	return fmt.Sprintf("%+v id=%s order=%s txn=%s method=%s status=%s raw=%q amount=%s %s paid=%s created=%s",
		p.Meta, p.PaymentID, p.OrderID, p.TransactionID, p.Method, p.Status, p.RawStatus,
		shoptimaOptDec(p.Amount), p.Currency, shoptimaOptTime(p.PaidAt), shoptimaOptTime(&p.CreatedAt))
}

func shoptimaShipmentText(s model.Shipment) string {
	return fmt.Sprintf("%+v id=%s order=%s kind=%s carrier=%s tracking=%s status=%q cost=%s %s shipped=%s created=%s",
		s.Meta, s.ShipmentID, s.OrderID, s.Kind, s.Carrier, s.TrackingNumber, s.Status,
		shoptimaOptDec(s.Cost), s.Currency, shoptimaOptTime(s.ShippedAt), shoptimaOptTime(&s.CreatedAt))
}

func shoptimaCheckRows(t *testing.T, c *Context, rec model.Record, payments []model.Payment, shipments []model.Shipment) {
	t.Helper()
	var got, want []string
	for _, p := range rec.Payments {
		got = append(got, shoptimaPaymentText(p))
	}
	for _, p := range payments {
		want = append(want, shoptimaPaymentText(p))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: payments\n got %s\nwant %s", rec.Order.OrderID, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	got, want = nil, nil
	for _, s := range rec.Shipments {
		got = append(got, shoptimaShipmentText(s))
	}
	for _, s := range shipments {
		want = append(want, shoptimaShipmentText(s))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: shipments\n got %s\nwant %s", rec.Order.OrderID, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// shoptimaJSON is a small order in the list's shape (§1.4) with fields
// replaced or added; a nil value is JSON null.
func shoptimaJSON(fields map[string]any) []byte {
	o := map[string]any{
		"order_num": "X-1", "tracking_number": nil, "status": 1, "order_price": "10.00", "off_price": "0.00",
		"currency": "USD", "order_time": 1590081530, "pay_time": 1590081771, "shipping_type": 1,
		"shipping_money": "5.00", "payment_method": "paypal", "shipping_channel_code": nil,
		"paypal_id": "6J435060R3490362M", "paypal_payment_id": "0V265660M36915119", "paypal_status": "COMPLETED",
		"paypal_sync_tracking": 0, "coupons_discount_price": 0, "total": "15.00", "fee": "0.00",
		"is_refund": 0, "refund_type": 0, "shipping_time": nil, "refund_price": "0.00",
		"order_goods": []any{map[string]any{"goods_title": "Mask", "count": 1, "price": "10.00", "sku": "M-1", "is_refund": 0}},
	}
	for k, v := range fields {
		o[k] = v
	}
	b, err := json.Marshal(o)
	if err != nil {
		panic(err)
	}
	return b
}

// TestShoptimaPaymentsAndShipments: the payment and the delivery each
// order state gives, written by hand from §1.3's field table.
func TestShoptimaPaymentsAndShipments(t *testing.T) {
	t.Parallel()
	c := &Context{Meta: model.Meta{Platform: "shoptima", Shop: "st", RunID: "r", Version: 3}, Currency: "EUR"}
	created, paid, shipped := *unix(1590081530), unix(1590081771), unix(1590181530)
	amt := func(s string) *decimal.Decimal { d := dec(s); return &d }
	pay := func(status, raw string, amount *decimal.Decimal, f func(*model.Payment)) []model.Payment {
		p := model.Payment{Meta: c.Meta, PaymentID: "X-1", OrderID: "X-1", TransactionID: "0V265660M36915119",
			Method: "paypal", Status: status, RawStatus: raw, Amount: amount, Currency: "USD", PaidAt: paid, CreatedAt: created}
		if f != nil {
			f(&p)
		}
		return []model.Payment{p}
	}
	ship := func(tracking, carrier, status string, at *time.Time) []model.Shipment {
		return []model.Shipment{{Meta: c.Meta, ShipmentID: "X-1", OrderID: "X-1", Kind: model.ShipmentDelivery,
			Carrier: carrier, TrackingNumber: tracking, Status: status, Cost: amt("5.00"), Currency: "USD",
			ShippedAt: at, CreatedAt: created}}
	}
	const paidRaw = "status=1 is_refund=0 refund_type=0 paypal_status=COMPLETED"
	for _, tc := range []struct {
		name      string
		fields    map[string]any
		payments  []model.Payment
		shipments []model.Shipment
		anomalies []string
	}{
		{"paid, not shipped", nil, pay("paid", paidRaw, amt("15.00"), nil), nil, nil},
		// §5.2's example: tracking number and channel code "SF"; status 2
		// with its shipping_time, the tracking number synced to PayPal.
		{"shipped", map[string]any{"status": 2, "tracking_number": "test_tracking_number1", "shipping_channel_code": "SF",
			"shipping_time": 1590181530, "paypal_sync_tracking": 1},
			pay("paid", "status=2 is_refund=0 refund_type=0 paypal_status=COMPLETED", amt("15.00"), nil),
			ship("test_tracking_number1", "SF", "status=2 paypal_sync_tracking=1", shipped), nil},
		// §4.3 names the ship time fahuo_time.
		{"shipped, detail shape", map[string]any{"status": 2, "tracking_number": "LX1", "shipping_time": nil, "fahuo_time": 1590181530},
			pay("paid", "status=2 is_refund=0 refund_type=0 paypal_status=COMPLETED", amt("15.00"), nil),
			ship("LX1", "", "status=2 paypal_sync_tracking=0", shipped), nil},
		// 3 已经预报: announced to the carrier, not handed over: the row
		// exists, with no ship time.
		{"pre-advised", map[string]any{"status": 3, "tracking_number": " LX2 ", "shipping_channel_code": "YT"},
			pay("paid", "status=3 is_refund=0 refund_type=0 paypal_status=COMPLETED", amt("15.00"), nil),
			ship("LX2", "YT", "status=3 paypal_sync_tracking=0", nil), nil},
		// 平邮 (shipping_type 1) may go untracked: shipped all the same.
		{"shipped without tracking", map[string]any{"status": 2, "shipping_time": 1590181530},
			pay("paid", "status=2 is_refund=0 refund_type=0 paypal_status=COMPLETED", amt("15.00"), nil),
			ship("", "", "status=2 paypal_sync_tracking=0", shipped), nil},
		{"unpaid, nothing begun", map[string]any{"status": 0, "pay_time": nil, "total": "0.00", "paypal_id": nil,
			"paypal_payment_id": nil, "paypal_status": nil}, nil, nil, []string{"total_not_reported"}},
		{"unpaid, PayPal pending", map[string]any{"status": 0, "pay_time": nil, "paypal_payment_id": nil, "paypal_status": "PENDING"},
			pay("pending", "status=0 is_refund=0 refund_type=0 paypal_status=PENDING", nil, func(p *model.Payment) {
				p.TransactionID, p.PaidAt = "", nil
			}), nil, nil},
		{"PayPal completed, the order unpaid", map[string]any{"status": 0},
			pay("paid", "status=0 is_refund=0 refund_type=0 paypal_status=COMPLETED", amt("15.00"), nil), nil,
			[]string{"paypal_status_mismatch"}},
		{"paid, PayPal declined", map[string]any{"paypal_status": "DECLINED"},
			pay("failed", "status=1 is_refund=0 refund_type=0 paypal_status=DECLINED", nil, nil), nil,
			[]string{"paypal_status_mismatch"}},
		{"unknown paypal_status", map[string]any{"paypal_status": "VOIDED"},
			pay("paid", "status=1 is_refund=0 refund_type=0 paypal_status=VOIDED", amt("15.00"), nil), nil,
			[]string{"unknown_status:paypal_status=VOIDED"}},
		{"paid, no PayPal status", map[string]any{"paypal_status": nil, "payment_method": " card "},
			pay("paid", "status=1 is_refund=0 refund_type=0", amt("15.00"), func(p *model.Payment) { p.Method = "card" }), nil, nil},
		// The shop's refund comes on top of a completed capture.
		{"full refund", map[string]any{"is_refund": 1, "refund_type": 3, "refund_price": "15.00"},
			pay("refunded", "status=1 is_refund=1 refund_type=3 paypal_status=COMPLETED", amt("15.00"), nil), nil, nil},
		{"refund processing", map[string]any{"is_refund": 1, "refund_type": 1},
			pay("paid", "status=1 is_refund=1 refund_type=1 paypal_status=COMPLETED", amt("15.00"), nil), nil, nil},
		{"partial refund, PayPal agrees", map[string]any{"is_refund": 1, "refund_type": 2, "refund_price": "4.00", "paypal_status": "PARTIALLY_REFUNDED"},
			pay("partially_refunded", "status=1 is_refund=1 refund_type=2 paypal_status=PARTIALLY_REFUNDED", amt("15.00"), nil), nil, nil},
		{"PayPal refunded, the shop did not", map[string]any{"paypal_status": "REFUNDED"},
			pay("refunded", "status=1 is_refund=0 refund_type=0 paypal_status=REFUNDED", amt("15.00"), nil), nil,
			[]string{"paypal_status_mismatch"}},
		// A total worked out from the parts, negative: flagged on the
		// order, and the payment states no amount.
		{"worked-out total negative", map[string]any{"total": nil, "coupons_discount_price": "20.00"},
			pay("paid", paidRaw, nil, nil), nil, []string{"total_not_reported"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Shoptima(c, extract.Raw{Body: shoptimaJSON(tc.fields)})
			if err != nil {
				t.Fatal(err)
			}
			shoptimaCheckRows(t, c, rec, tc.payments, tc.shipments)
			if strings.Join(rec.Order.Anomalies, ",") != strings.Join(tc.anomalies, ",") {
				t.Errorf("anomalies %v, want %v", rec.Order.Anomalies, tc.anomalies)
			}
		})
	}
}

// TestShoptimaRowsKeepTheirIDs: one order read as it moves on — checkout
// begun, paid (paypal_payment_id arrives), pre-advised with a tracking
// number, shipped under another — and read from the detail endpoint keeps
// one payment id and one shipment id, each with one CreatedAt.
func TestShoptimaRowsKeepTheirIDs(t *testing.T) {
	t.Parallel()
	c := &Context{Meta: model.Meta{Platform: "shoptima", Shop: "st"}}
	detail := func(f map[string]any) map[string]any {
		f["fahuo_time"], f["shipping_time"] = f["shipping_time"], nil
		delete(f, "is_refund")
		delete(f, "refund_type")
		delete(f, "refund_price")
		return f
	}
	reads := []map[string]any{
		{"status": 0, "pay_time": nil, "paypal_payment_id": nil, "paypal_status": nil},
		{"status": 1},
		{"status": 3, "tracking_number": "LXA"},
		{"status": 2, "tracking_number": "LXB", "shipping_time": 1590181530},
		detail(map[string]any{"status": 2, "tracking_number": "LXB", "shipping_time": 1590181530}),
	}
	var payments []model.Payment
	var shipments []model.Shipment
	for i, f := range reads {
		rec, err := Shoptima(c, extract.Raw{Body: shoptimaJSON(f)})
		if err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		payments = append(payments, rec.Payments...)
		shipments = append(shipments, rec.Shipments...)
	}
	if len(payments) != 5 || len(shipments) != 3 {
		t.Fatalf("%d payments, %d shipments; want 5 and 3", len(payments), len(shipments))
	}
	for _, p := range payments {
		if p.PaymentID != "X-1" || !p.CreatedAt.Equal(*unix(1590081530)) {
			t.Errorf("payment %s created %v", p.PaymentID, p.CreatedAt)
		}
	}
	for _, s := range shipments {
		if s.ShipmentID != "X-1" || !s.CreatedAt.Equal(*unix(1590081530)) {
			t.Errorf("shipment %s created %v", s.ShipmentID, s.CreatedAt)
		}
	}
	// The list row and the detail row of the shipped order agree.
	if shoptimaPaymentText(payments[3]) != shoptimaPaymentText(payments[4]) ||
		shoptimaShipmentText(shipments[1]) != shoptimaShipmentText(shipments[2]) {
		t.Errorf("list and detail differ:\n%s\n%s\n%s\n%s", shoptimaPaymentText(payments[3]), shoptimaPaymentText(payments[4]),
			shoptimaShipmentText(shipments[1]), shoptimaShipmentText(shipments[2]))
	}
	if payments[0].TransactionID != "" || payments[1].TransactionID != "0V265660M36915119" ||
		shipments[0].TrackingNumber != "LXA" || shipments[1].TrackingNumber != "LXB" {
		t.Errorf("transaction ids %q %q, tracking %q %q", payments[0].TransactionID, payments[1].TransactionID,
			shipments[0].TrackingNumber, shipments[1].TrackingNumber)
	}
}

// TestShoptimaBuyerFields: names, phones and addresses in clear, trimmed,
// the street lines joined, the name from first_name and last_name when
// full_name is missing.
func TestShoptimaBuyerFields(t *testing.T) {
	t.Parallel()
	c := &Context{Meta: model.Meta{Platform: "shoptima", Shop: "st"}}
	rec, err := Shoptima(c, extract.Raw{Body: shoptimaJSON(map[string]any{
		"full_name": nil, "first_name": " emma ", "last_name": "müller", "company": "Belment Trading Ltd",
		"address": " 12 Hauptstraße ", "address2": "Apt 4B", "area": "", "district": "Mitte",
		"city": "Berlin ", "province": "Berlin", "postcode": "10115", "email": "Emma@Test.test ", "phone": " 0301234567",
	})})
	if err != nil {
		t.Fatal(err)
	}
	shoptimaCheckPeople(t, rec.Order, shoptimaWantPeople{
		BuyerName: "emma müller", BuyerEmail: "Emma@Test.test", BuyerPhone: "0301234567",
		ShipName: "emma müller", ShipPhone: "0301234567", ShipAddress: "12 Hauptstraße, Apt 4B, Mitte",
		ShipCity: "Berlin", ShipRegion: "Berlin", ShipPostcode: "10115",
	})
	rec, err = Shoptima(c, extract.Raw{Body: shoptimaJSON(map[string]any{"full_name": "kai jiang", "first_name": "jiang",
		"last_name": "kai", "address": "1 Main St", "area": "Area 3", "district": "District 4"})})
	if err != nil {
		t.Fatal(err)
	}
	if o := rec.Order; o.BuyerName != "kai jiang" || o.ShipAddress != "1 Main St, Area 3, District 4" {
		t.Errorf("name %q address %q", o.BuyerName, o.ShipAddress)
	}
}

// TestShoptimaBadPaymentFields: impossible input is quarantined, the
// reason naming the field.
func TestShoptimaBadPaymentFields(t *testing.T) {
	t.Parallel()
	c := &Context{Meta: model.Meta{Platform: "shoptima", Shop: "st"}}
	for _, tc := range []struct {
		fields map[string]any
		want   string
	}{
		{map[string]any{"shipping_money": "-5.00"}, "negative shipping_money -5"},
		{map[string]any{"paypal_payment_id": map[string]any{"id": "x"}}, "paypal_payment_id"},
		{map[string]any{"paypal_sync_tracking": "yes"}, "paypal_sync_tracking"},
		{map[string]any{"tracking_number": []any{"a", "b"}}, "tracking_number"},
		{map[string]any{"email": true, "full_name": []any{}}, "full_name"},
	} {
		rec, err := Shoptima(c, extract.Raw{Body: shoptimaJSON(tc.fields)})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %q", tc.fields, err, tc.want)
		}
		if rec.Order.OrderID != "X-1" || len(rec.Payments)+len(rec.Shipments) != 0 {
			t.Errorf("%v: failed record %+v", tc.fields, rec)
		}
	}
}

// TestShoptimaPaypalStatusOverride: the paypal_status table is a mapping
// table like the others, so a job can name a status the defaults do not
// know, or read one differently.
func TestShoptimaPaypalStatusOverride(t *testing.T) {
	t.Parallel()
	m, err := ShoptimaMapping.Compile("shoptima", map[string]map[string]string{"paypal_status": {"VOIDED": "failed", "PENDING": "paid"}})
	if err != nil {
		t.Fatal(err)
	}
	c := &Context{Meta: model.Meta{Platform: "shoptima", Shop: "st"}, Mapping: m}
	for status, want := range map[string]string{"VOIDED": model.PaymentFailed, "PENDING": model.PaymentPaid} {
		rec, err := Shoptima(c, extract.Raw{Body: shoptimaJSON(map[string]any{"status": 0, "paypal_status": status})})
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Payments) != 1 || rec.Payments[0].Status != want || slices.ContainsFunc(rec.Order.Anomalies, func(a string) bool {
			return strings.HasPrefix(a, "unknown_status")
		}) {
			t.Errorf("%s: payments %+v anomalies %v", status, rec.Payments, rec.Order.Anomalies)
		}
	}
}

// TestShoptimaAmountsThatDisagreeAreLoaded: amounts that disagree with each
// other, each one possible, are loaded as sent and flagged on the order,
// never quarantined (SPEC §6). Expected values by hand from shoptimaJSON:
// one line 10.00 × 1, freight 5.00, total 15.00, paid (status 1).
func TestShoptimaAmountsThatDisagreeAreLoaded(t *testing.T) {
	t.Parallel()
	c := &Context{Meta: model.Meta{Platform: "shoptima", Shop: "st"}}
	for _, tc := range []struct {
		name           string
		fields         map[string]any
		paid, refunded string
		lineTotal      string
		refundRow      string // the refund row's amount, "" for no row
		anomalies      string
	}{
		{"a line discount above the line: its total below zero, as the numbers make it",
			map[string]any{"order_goods": []any{map[string]any{"goods_title": "Mask", "count": 2, "price": "10.00", "discount": "25.00", "sku": "M-1"}}},
			"15.00", "0", "-5.00", "", "line_discount_exceeds_line:1"},
		{"a refund above what was paid", map[string]any{"is_refund": 1, "refund_type": 3, "refund_price": "20.00"},
			"15.00", "20.00", "10.00", "20.00", "refund_exceeds_paid"},
		{"a partial refund above what was paid", map[string]any{"is_refund": 1, "refund_type": 2, "refund_price": "15.01"},
			"15.00", "15.01", "10.00", "15.01", "refund_exceeds_paid"},
		{"a refund of an unpaid order", map[string]any{"status": 0, "pay_time": nil, "paypal_payment_id": nil, "paypal_status": nil,
			"paypal_id": nil, "is_refund": 1, "refund_type": 3, "refund_price": "15.00"},
			"0", "15.00", "10.00", "15.00", "refund_exceeds_paid"},
		{"a refund of exactly what was paid is no disagreement", map[string]any{"is_refund": 1, "refund_type": 3, "refund_price": "15.00"},
			"15.00", "15.00", "10.00", "15.00", ""},
		{"a total that does not add up", map[string]any{"total": "17.00"}, "17.00", "0", "10.00", "", "total_mismatch"},
		{"refunded without an amount", map[string]any{"is_refund": 1, "refund_type": 3, "refund_price": "0.00"},
			"15.00", "0", "10.00", "-", "refund_flag_without_amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Shoptima(c, extract.Raw{Body: shoptimaJSON(tc.fields)})
			if err != nil {
				t.Fatalf("quarantined: %v", err)
			}
			o := rec.Order
			if !o.PaidAmount.Equal(dec(tc.paid)) || !o.RefundedAmount.Equal(dec(tc.refunded)) {
				t.Errorf("paid %s refunded %s, want %s %s", o.PaidAmount, o.RefundedAmount, tc.paid, tc.refunded)
			}
			if len(rec.Items) != 1 || !rec.Items[0].LineTotal.Equal(dec(tc.lineTotal)) {
				t.Errorf("items %+v, want one with total %s", rec.Items, tc.lineTotal)
			}
			switch {
			case tc.refundRow == "" && len(rec.Refunds) != 0:
				t.Errorf("refunds %+v, want none", rec.Refunds)
			case tc.refundRow == "-" && (len(rec.Refunds) != 1 || rec.Refunds[0].Amount != nil):
				t.Errorf("refunds %+v, want one without amount", rec.Refunds)
			case tc.refundRow != "" && tc.refundRow != "-" &&
				(len(rec.Refunds) != 1 || rec.Refunds[0].Amount == nil || !rec.Refunds[0].Amount.Equal(dec(tc.refundRow))):
				t.Errorf("refunds %+v, want one of %s", rec.Refunds, tc.refundRow)
			}
			if got := strings.Join(o.Anomalies, ","); got != tc.anomalies {
				t.Errorf("anomalies %q, want %q", got, tc.anomalies)
			}
		})
	}
}
