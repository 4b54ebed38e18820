package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
)

var dageCST = time.FixedZone("CST", 8*3600)

func dageContext() *Context {
	return &Context{Meta: model.Meta{Platform: "dage", Shop: "dg", RunID: "r", Version: 1}, Currency: "CNY", Location: dageCST}
}

// dageStripComments removes // comments outside JSON strings: the seed's
// example has one after every value ("id": "43", //订单详情id, and
// "////产品图片" after the last), while the // of "http://pic.8dage.net/..."
// is inside a string and stays.
func dageStripComments(b []byte) []byte {
	var out bytes.Buffer
	inString, escaped := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && c == '/' && i+1 < len(b) && b[i+1] == '/':
			for i < len(b) && b[i] != '\n' {
				i++
			}
			if i < len(b) {
				out.WriteByte('\n')
			}
			continue
		}
		out.WriteByte(c)
	}
	return out.Bytes()
}

// dageSeedOrder is the golden input: the order the seed's field table
// describes (§1 items数据说明, written for this test: the doc has no whole
// example) holding the seed's own example line, verbatim but for its //
// comments, which JSON does not allow.
func dageSeedOrder(t *testing.T) []byte {
	t.Helper()
	line, err := os.ReadFile("testdata/dage_details_line_example.jsonc")
	if err != nil {
		t.Fatal(err)
	}
	line = dageStripComments(line)
	if !json.Valid(line) {
		t.Fatalf("the seed's line example is not JSON once its comments are gone:\n%s", line)
	}
	order, err := os.ReadFile("testdata/dage_list_order.json")
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(order, &fields); err != nil {
		t.Fatal(err)
	}
	fields["details"] = json.RawMessage("[" + string(line) + "]")
	// Re-marshalling a map reorders the keys; order_no must not need to
	// come early for the transform to work.
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func dageDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func dageUTC(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDageSeedExample(t *testing.T) {
	t.Parallel()
	rec, err := Dage(dageContext(), extract.Raw{Body: dageSeedOrder(t)})
	if err != nil {
		t.Fatal(err)
	}
	// Written by hand from the document: status 3 交易成功, paid and shipped;
	// one line, 2 × 22.00 = 44.00 ("quantity": "2", "price": "22.00",
	// "total": "44.00"); the order's discount 4.00 and freight 10.00 make
	// 50.00. The line's "back_status": "0" with "back_id": "5" is a refund
	// once asked for and withdrawn: a refund row, status none, no amount.
	// Times are shop time, UTC+8.
	o := rec.Order
	wantOrder := model.Order{
		Meta:    model.Meta{Platform: "dage", Shop: "dg", RunID: "r", Version: 1},
		OrderID: "2016050400000026", SourceID: "26",
		Status: model.StatusCompleted, PaymentStatus: model.PaymentPaid,
		ShippingStatus: model.ShippingShipped, RefundStatus: model.RefundNone,
		RawStatus: "status=3 back_status=0", Currency: "CNY",
		CreatedAt: dageUTC("2016-05-04 02:20:30"), TrackingNumber: "SF1234567890",
		ItemCount: 1, Quantity: 2,
		// "member_id int 买家ID" (§1) is the only buyer field the doc
		// prints: no consignee name, phone or address anywhere.
		BuyerID: "1001",
	}
	amounts := map[string][2]decimal.Decimal{
		"goods":    {o.GoodsAmount, dageDec("44.00")},
		"shipping": {o.ShippingAmount, dageDec("10.00")},
		"discount": {o.DiscountAmount, dageDec("4.00")},
		"fee":      {o.FeeAmount, decimal.Zero},
		"total":    {o.TotalAmount, dageDec("50.00")},
		"paid":     {o.PaidAmount, dageDec("50.00")},
		"refunded": {o.RefundedAmount, decimal.Zero},
	}
	for name, a := range amounts {
		if !a[0].Equal(a[1]) {
			t.Errorf("%s amount %s, want %s", name, a[0], a[1])
		}
	}
	if o.PaidAt == nil || !o.PaidAt.Equal(dageUTC("2016-05-04 02:25:00")) ||
		o.ShippedAt == nil || !o.ShippedAt.Equal(dageUTC("2016-05-05 01:00:00")) || o.UpdatedAt != nil {
		t.Errorf("paid_at %v shipped_at %v updated_at %v", o.PaidAt, o.ShippedAt, o.UpdatedAt)
	}
	if len(o.Anomalies) != 0 {
		t.Errorf("anomalies %v, want none", o.Anomalies)
	}
	got := o
	got.GoodsAmount, got.ShippingAmount, got.DiscountAmount, got.FeeAmount = decimal.Decimal{}, decimal.Decimal{}, decimal.Decimal{}, decimal.Decimal{}
	got.TotalAmount, got.PaidAmount, got.RefundedAmount = decimal.Decimal{}, decimal.Decimal{}, decimal.Decimal{}
	got.PaidAt, got.ShippedAt, got.Anomalies = nil, nil, nil
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", wantOrder) {
		t.Errorf("order\n got %+v\nwant %+v", got, wantOrder)
	}

	if len(rec.Items) != 1 {
		t.Fatalf("items %+v", rec.Items)
	}
	it := rec.Items[0]
	if it.OrderID != "2016050400000026" || it.LineNo != 1 || it.SKU != "3" || it.Title != "432432432" ||
		it.Quantity != 2 || !it.UnitPrice.Equal(dageDec("22.00")) || !it.LineTotal.Equal(dageDec("44.00")) ||
		!it.Discount.IsZero() || it.Currency != "CNY" || it.RefundStatus != model.RefundNone ||
		!it.CreatedAt.Equal(dageUTC("2016-05-04 02:20:30")) {
		t.Errorf("item %+v", it)
	}
	if len(rec.Refunds) != 1 {
		t.Fatalf("refunds %+v", rec.Refunds)
	}
	rf := rec.Refunds[0]
	if rf.OrderID != "2016050400000026" || rf.RefundID != "5" || rf.LineNo != 1 || rf.Status != model.RefundNone ||
		rf.Amount != nil || rf.Currency != "CNY" || !rf.CreatedAt.Equal(dageUTC("2016-05-04 02:20:30")) {
		t.Errorf("refund %+v", rf)
	}

	// One payment, made from the order: the doc prints no payment record,
	// only "pay_money": 50.00 and "pay_time": "2016-05-04 10:25:00" (shop
	// time, 02:25:00 UTC). Named by the order number, no transaction id
	// nor method (the doc prints neither), the order's status 3 paid and
	// its codes, created with the order.
	paidAt := dageUTC("2016-05-04 02:25:00")
	paid := dageDec("50.00")
	wantPay := []model.Payment{{
		Meta: wantOrder.Meta, PaymentID: "2016050400000026", OrderID: "2016050400000026",
		Status: model.PaymentPaid, RawStatus: "status=3 back_status=0", Amount: &paid,
		Currency: "CNY", PaidAt: &paidAt, CreatedAt: dageUTC("2016-05-04 02:20:30"),
	}}
	if len(rec.Payments) != 1 || rec.Payments[0].Amount == nil || !rec.Payments[0].Amount.Equal(paid) {
		t.Fatalf("payments %+v, want %+v", rec.Payments, wantPay)
	}
	gotPay := rec.Payments[0]
	gotPay.Amount = &paid // compared by value above: 50.00 and 50 are one amount
	if !reflect.DeepEqual([]model.Payment{gotPay}, wantPay) {
		t.Errorf("payments\n got %+v\nwant %+v", rec.Payments, wantPay)
	}
	// One delivery, named by the order ("order_no"): "express int 配送方式"
	// 1 is the carrier, kept as the code (the doc names no couriers);
	// "express_code string 运单号" SF1234567890 the waybill; ship_time
	// 2016-05-05 09:00:00 shop time; the order's status 3 (交易成功) its
	// state; no cost (shipping_costs is the buyer's freight, on the order);
	// created with the order (create_time 2016-05-04 10:20:30).
	shipped := dageUTC("2016-05-05 01:00:00")
	wantShip := []model.Shipment{{
		Meta: wantOrder.Meta, ShipmentID: "2016050400000026", OrderID: "2016050400000026",
		Kind: model.ShipmentDelivery, Carrier: "1", TrackingNumber: "SF1234567890", Status: "status=3",
		Currency: "CNY", ShippedAt: &shipped, CreatedAt: dageUTC("2016-05-04 02:20:30"),
	}}
	if !reflect.DeepEqual(rec.Shipments, wantShip) {
		t.Errorf("shipments\n got %+v\nwant %+v", rec.Shipments, wantShip)
	}
}

// dageOrderJSON builds a list item of the doc's shape: status, times
// (shop time, "" for null) and lines as back_status:back_id pairs, each
// line one piece at 10.00, no discount, freight 5.00.
func dageOrderJSON(status int, paid, shipped string, backs ...string) string {
	tm := func(s string) string {
		if s == "" {
			return "null"
		}
		return `"` + s + `"`
	}
	var lines []string
	for i, b := range backs {
		st, id, _ := strings.Cut(b, ":")
		if id == "" {
			id = "0"
		}
		lines = append(lines, fmt.Sprintf(`{"id":"%d","orders_id":"7","product_id":"1","sku_id":"%d","product_name":"p","properties":"",`+
			`"quantity":"1","price":"10.00","total":"10.00","cost":"5.00","back_status":"%s","back_id":"%s","pic1":""}`, 70+i, i+1, st, id))
	}
	goods := 10 * len(backs)
	return fmt.Sprintf(`{"id":7,"order_no":"2017030100000007","supplier_id":1,"member_id":1001,"order_type":1,`+
		`"order_money":%d.00,"discount":0.00,"shipping_costs":5.00,"order_total":%d.00,"pay_money":%d.00,"quantity":%d,`+
		`"create_time":"2017-03-01 08:00:00","pay_time":%s,"ship_time":%s,"complete_time":null,"express":0,"express_code":"",`+
		`"cancle_time":null,"status":%d,"memos":"","buyer_feedback":"","is_comment":0,"shopName":"s","details":[%s]}`,
		goods, goods+5, goods+5, len(backs), tm(paid), tm(shipped), status, strings.Join(lines, ","))
}

func TestDageStatusMapping(t *testing.T) {
	t.Parallel()
	const p, s = "2017-03-01 09:00:00", "2017-03-02 09:00:00"
	for _, tc := range []struct {
		name       string
		body       string
		axes       [4]string // status, payment, shipping, refund
		raw        string
		paid       string
		refundRows []string // refund_id=status
		anomaly    string
	}{
		{"0 待付款", dageOrderJSON(0, "", "", "0"), [4]string{"pending", "unpaid", "unshipped", "none"}, "status=0 back_status=0", "0", nil, ""},
		{"1 待发货", dageOrderJSON(1, p, "", "0"), [4]string{"paid", "paid", "unshipped", "none"}, "status=1 back_status=0", "15", nil, ""},
		{"2 待收货", dageOrderJSON(2, p, s, "0"), [4]string{"shipped", "paid", "shipped", "none"}, "status=2 back_status=0", "15", nil, ""},
		{"3 交易成功", dageOrderJSON(3, p, s, "0"), [4]string{"completed", "paid", "shipped", "none"}, "status=3 back_status=0", "15", nil, ""},
		{"7 待评价", dageOrderJSON(7, p, s, "0"), [4]string{"completed", "paid", "shipped", "none"}, "status=7 back_status=0", "15", nil, ""},
		{"4 交易取消 unpaid", dageOrderJSON(4, "", "", "0"), [4]string{"cancelled", "unpaid", "unshipped", "none"}, "status=4 back_status=0", "0", nil, ""},
		{"5 交易关闭 unpaid", dageOrderJSON(5, "", "", "0", "0"), [4]string{"cancelled", "unpaid", "unshipped", "none"}, "status=5 back_status=0,0", "0", nil, ""},
		{"5 交易关闭 every line refunded", dageOrderJSON(5, p, s, "2:8", "2:9"), [4]string{"cancelled", "refunded", "shipped", "full"},
			"status=5 back_status=2,2", "25", []string{"8=full", "9=full"}, "refund_amount_unknown"},
		{"6 等待卖家处理", dageOrderJSON(6, p, "", "1:3", "1:4"), [4]string{"paid", "paid", "unshipped", "requested"},
			"status=6 back_status=1,1", "25", []string{"3=requested", "4=requested"}, ""},
		{"6 with lines not flagged is still requested", dageOrderJSON(6, p, "", "0"), [4]string{"paid", "paid", "unshipped", "requested"},
			"status=6 back_status=0", "15", nil, ""},
		{"any processing wins", dageOrderJSON(2, p, s, "1:1", "4:2", "2:3"), [4]string{"shipped", "partially_refunded", "shipped", "processing"},
			"status=2 back_status=1,4,2", "35", []string{"1=requested", "2=processing", "3=full"}, "refund_amount_unknown"},
		{"requested before refunded", dageOrderJSON(3, p, s, "2:1", "1:2"), [4]string{"completed", "partially_refunded", "shipped", "requested"},
			"status=3 back_status=2,1", "25", []string{"1=full", "2=requested"}, "refund_amount_unknown"},
		{"some lines refunded", dageOrderJSON(7, p, s, "2:1", "0", "3:2"), [4]string{"completed", "partially_refunded", "shipped", "partial"},
			"status=7 back_status=2,0,3", "35", []string{"1=full", "2=rejected"}, "refund_amount_unknown"},
		{"refused only", dageOrderJSON(2, p, s, "3:5"), [4]string{"shipped", "paid", "shipped", "rejected"}, "status=2 back_status=3", "15", []string{"5=rejected"}, ""},
		{"withdrawn keeps its id", dageOrderJSON(2, p, s, "0:5", "0"), [4]string{"shipped", "paid", "shipped", "none"}, "status=2 back_status=0,0", "25", []string{"5=none"}, ""},
		{"unknown status", dageOrderJSON(9, "", "", "0"), [4]string{"pending", "unpaid", "unshipped", "none"}, "status=9 back_status=0", "0", nil, "unknown_status:9"},
		{"unknown back_status", dageOrderJSON(2, p, s, "8:5"), [4]string{"shipped", "paid", "shipped", "requested"}, "status=2 back_status=8", "15", []string{"5=requested"}, "unknown_status:back_status=8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Dage(dageContext(), extract.Raw{Body: json.RawMessage(tc.body)})
			if err != nil {
				t.Fatal(err)
			}
			o := rec.Order
			got := [4]string{o.Status, o.PaymentStatus, o.ShippingStatus, o.RefundStatus}
			if got != tc.axes || o.RawStatus != tc.raw {
				t.Errorf("axes %v raw %q, want %v %q", got, o.RawStatus, tc.axes, tc.raw)
			}
			if !o.PaidAmount.Equal(dageDec(tc.paid)) || !o.RefundedAmount.IsZero() {
				t.Errorf("paid %s refunded %s, want paid %s refunded 0", o.PaidAmount, o.RefundedAmount, tc.paid)
			}
			var rows []string
			for _, r := range rec.Refunds {
				if r.Amount != nil || r.LineNo == 0 {
					t.Errorf("refund %+v: want a line-level row without amount", r)
				}
				rows = append(rows, r.RefundID+"="+r.Status)
			}
			if !slices.Equal(rows, tc.refundRows) {
				t.Errorf("refund rows %v, want %v", rows, tc.refundRows)
			}
			if (tc.anomaly == "") != (len(o.Anomalies) == 0) || tc.anomaly != "" && !slices.Contains(o.Anomalies, tc.anomaly) {
				t.Errorf("anomalies %v, want %q", o.Anomalies, tc.anomaly)
			}
		})
	}
}

func TestDageAmountsAndTimes(t *testing.T) {
	t.Parallel()
	head := `{"id":1,"order_no":"N1","status":1,"create_time":"2017-03-01 00:30:00","pay_time":"2017-03-01 01:00:00",`
	line := `"details":[{"sku_id":"1","product_name":"p","quantity":"3","price":"19.99","total":"59.97","back_status":"0","back_id":"0"}]}`
	for _, tc := range []struct {
		name, body   string
		total, goods string
		anomalies    []string
	}{
		{"numbers with two decimals", head + `"order_money":59.97,"discount":0.00,"shipping_costs":8.00,"order_total":67.97,"pay_money":67.97,"quantity":3,` + line,
			"67.97", "59.97", nil},
		{"strings and integers", head + `"order_money":"59.97","discount":"5","shipping_costs":8,"order_total":"62.97","pay_money":"62.97","quantity":"3",` + line,
			"62.97", "59.97", nil},
		{"many decimals stay exact", head + `"order_money":59.970000000000000001,"discount":0,"shipping_costs":0,"order_total":59.970000000000000001,"pay_money":59.970000000000000001,` + line,
			"59.970000000000000001", "59.970000000000000001", []string{"goods_mismatch"}},
		{"total that does not add up", head + `"order_money":59.97,"discount":0.00,"shipping_costs":8.00,"order_total":70.00,"pay_money":70.00,` + line,
			"70.00", "59.97", []string{"total_mismatch"}},
		{"total missing", head + `"order_money":59.97,"discount":null,"shipping_costs":8.00,"order_total":null,"pay_money":67.97,` + line,
			"67.97", "59.97", []string{"total_not_reported"}},
		{"pay_money differs", head + `"order_money":59.97,"discount":0,"shipping_costs":8.00,"order_total":67.97,"pay_money":60.00,` + line,
			"67.97", "59.97", []string{"paid_mismatch"}},
		{"quantity differs", head + `"order_money":59.97,"discount":0,"shipping_costs":8.00,"order_total":67.97,"pay_money":67.97,"quantity":4,` + line,
			"67.97", "59.97", []string{"quantity_mismatch"}},
		// Amounts that disagree are loaded as sent and flagged, never
		// quarantined (SPEC §6).
		{"paid more than the total", head + `"order_money":59.97,"discount":0,"shipping_costs":8.00,"order_total":67.97,"pay_money":80.00,` + line,
			"67.97", "59.97", []string{"paid_mismatch"}},
		{"a discount above goods and freight", head + `"order_money":59.97,"discount":80.00,"shipping_costs":8.00,"order_total":0,"pay_money":0,` + line,
			"0", "59.97", []string{"total_mismatch"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Dage(dageContext(), extract.Raw{Body: json.RawMessage(tc.body)})
			if err != nil {
				t.Fatal(err)
			}
			o := rec.Order
			if !o.TotalAmount.Equal(dageDec(tc.total)) || !o.GoodsAmount.Equal(dageDec(tc.goods)) {
				t.Errorf("total %s goods %s, want %s %s", o.TotalAmount, o.GoodsAmount, tc.total, tc.goods)
			}
			if !slices.Equal(o.Anomalies, tc.anomalies) {
				t.Errorf("anomalies %v, want %v", o.Anomalies, tc.anomalies)
			}
			// 00:30 in UTC+8 is the day before in UTC.
			if !o.CreatedAt.Equal(dageUTC("2017-02-28 16:30:00")) || o.PaidAt == nil || !o.PaidAt.Equal(dageUTC("2017-02-28 17:00:00")) {
				t.Errorf("created %v paid %v", o.CreatedAt, o.PaidAt)
			}
			if len(rec.Items) != 1 || rec.Items[0].Quantity != 3 || !rec.Items[0].UnitPrice.Equal(dageDec("19.99")) {
				t.Errorf("items %+v", rec.Items)
			}
		})
	}

	// orders/detail names the lines "detail"; times without a value.
	body := `{"id":2,"order_no":"N2","status":0,"order_money":10,"discount":0,"shipping_costs":0,"order_total":10,"pay_money":10,` +
		`"create_time":"2017-03-01 00:00:00","pay_time":"","ship_time":"0000-00-00 00:00:00","shopServiceTel":"1",` +
		`"detail":[{"sku_id":"1","quantity":"1","price":"10.00","total":"10.00","back_status":"0","back_id":"0"}]}`
	rec, err := Dage(dageContext(), extract.Raw{Body: json.RawMessage(body)})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Order.PaidAt != nil || rec.Order.ShippedAt != nil || rec.Order.ItemCount != 1 || len(rec.Refunds) != 0 || !rec.Order.PaidAmount.IsZero() {
		t.Errorf("detail shape: %+v, refunds %+v", rec.Order, rec.Refunds)
	}
}

// A time sent as unix seconds, number or string, is the same instant as the
// shop-time string (types are tolerated, SPEC §5).
func TestDageTimeAsUnixSeconds(t *testing.T) {
	t.Parallel()
	ok := dageOrderJSON(2, "2017-03-01 09:00:00", "2017-03-02 09:00:00", "0")
	want, err := Dage(dageContext(), extract.Raw{Body: json.RawMessage(ok)})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{`1488326400`, `"1488326400"`} {
		body := strings.Replace(ok, `"create_time":"2017-03-01 08:00:00"`, `"create_time":`+v, 1)
		if body == ok {
			t.Fatal("the case did not change the record")
		}
		got, err := Dage(dageContext(), extract.Raw{Body: json.RawMessage(body)})
		if err != nil || !got.Order.CreatedAt.Equal(want.Order.CreatedAt) {
			t.Fatalf("create_time %s: %v, created %v, want %v", v, err, got.Order.CreatedAt, want.Order.CreatedAt)
		}
	}
}

func TestDageBrokenRecords(t *testing.T) {
	t.Parallel()
	ok := dageOrderJSON(2, "2017-03-01 09:00:00", "2017-03-02 09:00:00", "0")
	for _, tc := range []struct {
		name, body, id, errHas string
		noCurrency             bool
	}{
		{"money as an object", strings.Replace(ok, `"order_total":15.00`, `"order_total":{"v":15}`, 1), "2017030100000007", "decode order: order_total:", false},
		{"line field as an array", strings.Replace(ok, `"back_status":"0"`, `"back_status":[]`, 1), "2017030100000007", "decode order: details[1].back_status:", false},
		{"id as an object stops the decoder before order_no", strings.Replace(ok, `"id":7`, `"id":[7]`, 1), "2017030100000007", "decode order: id:", false},
		{"time as a boolean", strings.Replace(ok, `"create_time":"2017-03-01 08:00:00"`, `"create_time":true`, 1), "2017030100000007", "create_time", false},
		{"time in another layout", strings.Replace(ok, `"2017-03-01 08:00:00"`, `"01/03/2017 08:00"`, 1), "2017030100000007", "create_time", false},
		{"no create_time", strings.Replace(ok, `"create_time":"2017-03-01 08:00:00"`, `"create_time":null`, 1), "2017030100000007", "create_time missing", false},
		{"status as a boolean", strings.Replace(ok, `"status":2`, `"status":true`, 1), "2017030100000007", "decode order: status:", false},
		{"no status", strings.Replace(ok, `"status":2,`, ``, 1), "2017030100000007", "status missing", false},
		{"line quantity negative", strings.Replace(ok, `"quantity":"1"`, `"quantity":"-1"`, 1), "2017030100000007", "quantity -1 out of range", false},
		{"no order_no", strings.Replace(ok, `"order_no":"2017030100000007",`, ``, 1), "", "order_no missing", false},
		{"not JSON", `<html>502</html>`, "", "decode", false},
		{"no currency anywhere", ok, "2017030100000007", "currency", true},
		{"express as an object", strings.Replace(ok, `"express":0`, `"express":{"id":1}`, 1), "2017030100000007", "decode order: express:", false},
		{"member_id as a list", strings.Replace(ok, `"member_id":1001`, `"member_id":[1001]`, 1), "2017030100000007", "decode order: member_id:", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.body == ok && !tc.noCurrency {
				t.Fatal("the case did not change the record")
			}
			c := dageContext()
			if tc.noCurrency {
				c.Currency = ""
			}
			rec, err := Dage(c, extract.Raw{Body: json.RawMessage(tc.body)})
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("error %v, want one naming %q", err, tc.errHas)
			}
			if rec.Order.OrderID != tc.id {
				t.Errorf("quarantined record named %q, want %q", rec.Order.OrderID, tc.id)
			}
		})
	}
}

// The delivery and the buyer, from "express int 配送方式", "express_code
// string 运单号", ship_time and "member_id int 买家ID" (§1, §2).
func TestDageShipmentsAndBuyer(t *testing.T) {
	t.Parallel()
	const p, s = "2017-03-01 09:00:00", "2017-03-02 09:00:00"
	shipped := dageOrderJSON(2, p, s, "0")
	with := func(body string, pairs ...string) string {
		for i := 0; i < len(pairs); i += 2 {
			b := strings.Replace(body, pairs[i], pairs[i+1], 1)
			if b == body {
				panic("the case did not change the record: " + pairs[i])
			}
			body = b
		}
		return body
	}
	waybill := func(express, code string) []string {
		return []string{`"express":0,"express_code":""`, `"express":` + express + `,"express_code":` + code}
	}
	shipAt := dageUTC("2017-03-02 01:00:00")
	for _, tc := range []struct {
		name, body string
		buyer      string
		ship       string // "" for no shipment, else carrier|tracking|status
		shippedAt  *time.Time
		anomaly    string
	}{
		{"shipped with a waybill", with(shipped, waybill(`1`, `"SF1234567890"`)...), "1001", "1|SF1234567890|status=2", &shipAt, ""},
		{"codes as strings, padded", with(shipped, append(waybill(`"6"`, `" EA123456789CN "`), `"member_id":1001`, `"member_id":" 1001 "`)...),
			"1001", "6|EA123456789CN|status=2", &shipAt, ""},
		{"received: the order's status is the delivery's", with(dageOrderJSON(7, p, s, "0"), waybill(`3`, `"5123456789012"`)...),
			"1001", "3|5123456789012|status=7", &shipAt, ""},
		{"a waybill with no courier code", with(shipped, waybill(`0`, `"YT9988"`)...), "1001", "|YT9988|status=2", &shipAt, ""},
		{"a waybill with no ship_time", with(dageOrderJSON(1, p, "", "0"), waybill(`2`, `"YT9988"`)...), "1001", "2|YT9988|status=1", nil, ""},
		{"refunded and closed after shipping keeps its delivery", with(dageOrderJSON(5, p, s, "2:4"), waybill(`5`, `"3100"`)...),
			"1001", "5|3100|status=5", &shipAt, ""},
		{"unshipped: express 0, no waybill", dageOrderJSON(1, p, "", "0"), "1001", "", nil, ""},
		{"a blank waybill is none", with(shipped, waybill(`0`, `"  "`)...), "1001", "", &shipAt, ""},
		{"waybill null", with(shipped, waybill(`null`, `null`)...), "1001", "", &shipAt, ""},
		{"a courier without a waybill is kept as an anomaly", with(shipped, waybill(`4`, `""`)...), "1001", "", &shipAt, "express_without_tracking:4"},
		{"member_id 0 is no buyer", with(shipped, `"member_id":1001`, `"member_id":0`), "", "", &shipAt, ""},
		{"member_id null", with(shipped, `"member_id":1001`, `"member_id":null`), "", "", &shipAt, ""},
		{"member_id missing", with(shipped, `"member_id":1001,`, ``), "", "", &shipAt, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Dage(dageContext(), extract.Raw{Body: json.RawMessage(tc.body)})
			if err != nil {
				t.Fatal(err)
			}
			o := rec.Order
			if o.BuyerID != tc.buyer {
				t.Errorf("buyer_id %q, want %q", o.BuyerID, tc.buyer)
			}
			// Nothing but the member id: the doc prints no other buyer field.
			if o.BuyerName+o.BuyerEmail+o.BuyerPhone+o.ShipName+o.ShipPhone+o.ShipAddress+o.ShipCity+o.ShipRegion+o.ShipPostcode != "" {
				t.Errorf("buyer or ship-to fields the doc does not print: %+v", o)
			}
			var express []string
			for _, a := range o.Anomalies {
				if strings.HasPrefix(a, "express_") {
					express = append(express, a)
				}
			}
			if want := []string{tc.anomaly}; tc.anomaly == "" && len(express) > 0 || tc.anomaly != "" && !slices.Equal(express, want) {
				t.Errorf("anomalies %v, want %q", o.Anomalies, tc.anomaly)
			}
			if (o.ShippedAt == nil) != (tc.shippedAt == nil) || o.ShippedAt != nil && !o.ShippedAt.Equal(*tc.shippedAt) {
				t.Errorf("order shipped_at %v, want %v", o.ShippedAt, tc.shippedAt)
			}
			if tc.ship == "" {
				if len(rec.Shipments) != 0 || o.TrackingNumber != "" {
					t.Errorf("shipments %+v tracking %q, want none", rec.Shipments, o.TrackingNumber)
				}
				return
			}
			if len(rec.Shipments) != 1 {
				t.Fatalf("shipments %+v, want one", rec.Shipments)
			}
			sh := rec.Shipments[0]
			if got := sh.Carrier + "|" + sh.TrackingNumber + "|" + sh.Status; got != tc.ship {
				t.Errorf("carrier|tracking|status %q, want %q", got, tc.ship)
			}
			if sh.TrackingNumber != o.TrackingNumber {
				t.Errorf("shipment tracking %q, order's %q", sh.TrackingNumber, o.TrackingNumber)
			}
			if sh.ShipmentID != "2017030100000007" || sh.OrderID != "2017030100000007" || sh.Meta != o.Meta ||
				sh.Kind != model.ShipmentDelivery || sh.Cost != nil || sh.Currency != "CNY" ||
				!sh.CreatedAt.Equal(dageUTC("2017-03-01 00:00:00")) {
				t.Errorf("shipment %+v", sh)
			}
			if (sh.ShippedAt == nil) != (tc.shippedAt == nil) || sh.ShippedAt != nil && !sh.ShippedAt.Equal(*tc.shippedAt) {
				t.Errorf("shipped_at %v, want %v", sh.ShippedAt, tc.shippedAt)
			}
		})
	}
}

// One order read twice, its waybill changed in between (the seller sent it
// again, or corrected a typo), and read from orders/detail: one shipment
// id, so the second version replaces the first instead of adding a row.
func TestDageShipmentIDIsTheOrders(t *testing.T) {
	t.Parallel()
	list := strings.Replace(dageOrderJSON(2, "2017-03-01 09:00:00", "2017-03-02 09:00:00", "0"),
		`"express":0,"express_code":""`, `"express":1,"express_code":"SF1"`, 1)
	fixed := strings.Replace(list, `"express_code":"SF1"`, `"express_code":"SF2"`, 1)
	detail := strings.Replace(strings.Replace(fixed, `"details":`, `"detail":`, 1), `"shopName":"s"`, `"shopName":"s","shopServiceTel":"400"`, 1)
	var ids, waybills []string
	for _, body := range []string{list, fixed, detail} {
		rec, err := Dage(dageContext(), extract.Raw{Body: json.RawMessage(body)})
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range rec.Shipments {
			ids = append(ids, sh.ShipmentID)
			waybills = append(waybills, sh.TrackingNumber)
		}
	}
	if !slices.Equal(ids, []string{"2017030100000007", "2017030100000007", "2017030100000007"}) ||
		!slices.Equal(waybills, []string{"SF1", "SF2", "SF2"}) {
		t.Errorf("shipment ids %v waybills %v", ids, waybills)
	}
}

// One payment per paid order, made from the order's own pay_time and
// pay_money (§1: the doc prints no payment record), so that an order paid
// on dage has its payment as it does on shoptima. Paid is the order's
// payment axis: statuses 1, 2, 3, 6 and 7 by themselves; 4 交易取消 and 5
// 交易关闭 when the order has a pay_time (cancelled or closed after paying).
// Amounts by hand: dageOrderJSON's lines are 10.00 each, freight 5.00,
// pay_money = order_total.
func TestDagePayments(t *testing.T) {
	t.Parallel()
	const p, s = "2017-03-01 09:00:00", "2017-03-02 09:00:00"
	paidAt := dageUTC("2017-03-01 01:00:00")
	for _, tc := range []struct {
		name   string
		body   string
		status string // "" for no payment row
		amount string // "" for no amount
		paidAt *time.Time
	}{
		{"0 待付款: none", dageOrderJSON(0, "", "", "0"), "", "", nil},
		{"1 待发货", dageOrderJSON(1, p, "", "0"), "paid", "15.00", &paidAt},
		{"2 待收货", dageOrderJSON(2, p, s, "0"), "paid", "15.00", &paidAt},
		{"3 交易成功", dageOrderJSON(3, p, s, "0", "0"), "paid", "25.00", &paidAt},
		{"6 等待卖家处理", dageOrderJSON(6, p, "", "1:3"), "paid", "15.00", &paidAt},
		{"7 待评价", dageOrderJSON(7, p, s, "0"), "paid", "15.00", &paidAt},
		{"4 交易取消 before paying: none", dageOrderJSON(4, "", "", "0"), "", "", nil},
		{"4 交易取消 after paying", dageOrderJSON(4, p, "", "0"), "paid", "15.00", &paidAt},
		{"5 交易关闭 after paying, every line refunded", dageOrderJSON(5, p, s, "2:8", "2:9"), "refunded", "25.00", &paidAt},
		{"some lines refunded", dageOrderJSON(3, p, s, "2:1", "0"), "partially_refunded", "25.00", &paidAt},
		{"paid by status without a pay_time", dageOrderJSON(1, "", "", "0"), "paid", "15.00", nil},
		{"pay_money apart from the total is what was paid",
			strings.Replace(dageOrderJSON(2, p, s, "0"), `"pay_money":15.00`, `"pay_money":14.50`, 1), "paid", "14.50", &paidAt},
		{"pay_money missing: the total", strings.Replace(dageOrderJSON(2, p, s, "0"), `"pay_money":15.00`, `"pay_money":null`, 1),
			"paid", "15.00", &paidAt},
		{"a worked-out total below zero states no amount",
			strings.Replace(strings.Replace(dageOrderJSON(2, p, s, "0"), `"discount":0.00`, `"discount":20.00`, 1),
				`"order_total":15.00,"pay_money":15.00`, `"order_total":null,"pay_money":null`, 1), "paid", "", &paidAt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Dage(dageContext(), extract.Raw{Body: json.RawMessage(tc.body)})
			if err != nil {
				t.Fatal(err)
			}
			if tc.status == "" {
				if len(rec.Payments) != 0 {
					t.Errorf("payments %+v, want none", rec.Payments)
				}
				return
			}
			if len(rec.Payments) != 1 {
				t.Fatalf("payments %+v, want one", rec.Payments)
			}
			py, o := rec.Payments[0], rec.Order
			if py.PaymentID != "2017030100000007" || py.OrderID != "2017030100000007" || py.Meta != o.Meta ||
				py.TransactionID != "" || py.Method != "" || py.Currency != "CNY" ||
				py.RawStatus != o.RawStatus || !py.CreatedAt.Equal(dageUTC("2017-03-01 00:00:00")) {
				t.Errorf("payment %+v", py)
			}
			if py.Status != tc.status || py.Status != o.PaymentStatus {
				t.Errorf("status %q (order's %q), want %q", py.Status, o.PaymentStatus, tc.status)
			}
			switch {
			case tc.amount == "" && py.Amount != nil:
				t.Errorf("amount %s, want none", py.Amount)
			case tc.amount != "" && (py.Amount == nil || !py.Amount.Equal(dageDec(tc.amount))):
				t.Errorf("amount %v, want %s", py.Amount, tc.amount)
			}
			if (py.PaidAt == nil) != (tc.paidAt == nil) || py.PaidAt != nil && !py.PaidAt.Equal(*tc.paidAt) {
				t.Errorf("paid_at %v, want %v", py.PaidAt, tc.paidAt)
			}
		})
	}
}
