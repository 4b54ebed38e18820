package transform

import (
	"encoding/json"
	"os"
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
	want := []struct {
		id             string
		goods, ship    string
		total, paid    string
		created, paidA int64
		country        string
		anomalies      []string
	}{
		{"asda-20200521-004", "16.55", "5.99", "22.54", "22.54", 1590081530, 1590081771, "HK", []string{"total_not_reported"}},
		{"asda-20200521-001", "27.90", "0.00", "27.90", "27.90", 1590052403, 1590052445, "AU", []string{"total_not_reported"}},
		{"asda-20200520-001", "16.55", "5.99", "22.54", "22.54", 1590036055, 1590036082, "AU", nil},
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
	}
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
