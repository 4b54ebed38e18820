package reconcile

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/shopspring/decimal"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleReport has what a writer must handle: two shops, two currencies,
// a day with nothing paid (no refund rate), an exception with unknown
// amounts, and shop data with a tab, quotes, a comma and markup.
func sampleReport() *Report {
	d := func(s string) *decimal.Decimal { v := decimal.RequireFromString(s); return &v }
	return &Report{Source: "finance", From: "2026-11-01", To: "2026-11-30",
		Totals: []Total{
			{Shop: "eu-shop", Platform: "shoptima", Currency: "EUR", Day: "2026-11-01", Orders: 3,
				GrossPaid: *d("300.5"), Refunded: *d("20"), Net: *d("280.5"), RefundRate: d("0.0666")},
			{Shop: "eu-shop", Platform: "shoptima", Currency: "EUR", Day: "2026-11-02", Orders: 1},
			{Shop: "hk-shop", Platform: "shopex", Currency: "HKD", Day: "2026-11-02", Orders: 2,
				GrossPaid: *d("1000"), Refunded: *d("1000"), Net: decimal.Zero, RefundRate: d("1")},
		},
		RefundsByDay: []RefundDay{
			{Shop: "eu-shop", Platform: "shoptima", Currency: "EUR", Day: "2026-11-03", Refunds: 2, Amount: *d("20")},
			{Shop: "hk-shop", Platform: "shopex", Currency: "HKD", Day: "2026-11-02", Refunds: 1, Amount: *d("1000")},
		},
		Exceptions: []Exception{
			{Kind: TotalMismatch, Shop: "eu-shop", Platform: "shoptima", OrderID: "E-1", Currency: "EUR",
				Paid: d("101"), Refunded: d("0"), Total: d("101"), RawStatus: "status=1\tis_refund=0",
				Detail: "total 101.0000 ≠ goods 100.0000 + shipping 0.0000 + fee 0.0000 − discount 0.0000 = 100.0000"},
			{Kind: RefundWithoutOrder, Shop: "hk-shop", Platform: "shopex", OrderID: `H-"2",<b>`, Currency: "HKD",
				Refunded: d("5.25"), Detail: "5.2500 of refunds of an order that is not loaded"},
		},
	}
}

// TestFormatsGolden: each format of sampleReport is as in testdata
// (go test -update rewrites it, to be read before committing).
func TestFormatsGolden(t *testing.T) {
	for _, f := range append(Formats, "summary") {
		var buf bytes.Buffer
		var err error
		if f == "summary" {
			err = WriteSummary(&buf, sampleReport())
		} else {
			err = Write(&buf, sampleReport(), f)
		}
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "report."+f)
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s: output differs from %s:\n%s", f, path, buf.Bytes())
		}
	}
}

// TestJSONContract reads the JSON as another tool would (SPEC §6): the
// fields by name, amounts as strings with four places or null, days
// YYYY-MM-DD, every list present.
func TestJSONContract(t *testing.T) {
	for _, r := range []*Report{sampleReport(), {Source: "empty", From: "2026-01-01", To: "2026-01-01"}} {
		var buf bytes.Buffer
		if err := WriteJSON(&buf, r); err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		amount := regexp.MustCompile(`^-?[0-9]+\.[0-9]{4}$`)
		day := regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
		check := func(list string, fields map[string]string) {
			rows, ok := doc[list].([]any)
			if !ok {
				t.Fatalf("%s: %s is %T, want a list", r.Source, list, doc[list])
			}
			for _, row := range rows {
				obj := row.(map[string]any)
				if len(obj) != len(fields) {
					t.Errorf("%s: %s row has %d fields, want %d: %v", r.Source, list, len(obj), len(fields), obj)
				}
				for name, kind := range fields {
					v, ok := obj[name]
					s, isString := v.(string)
					switch {
					case !ok:
						t.Errorf("%s: %s row has no %s", r.Source, list, name)
					case kind == "amount?" && v == nil:
					case kind == "amount" || kind == "amount?":
						if !isString || !amount.MatchString(s) {
							t.Errorf("%s: %s.%s = %#v, want a decimal string with four places", r.Source, list, name, v)
						}
					case kind == "day":
						if !isString || !day.MatchString(s) {
							t.Errorf("%s: %s.%s = %#v, want YYYY-MM-DD", r.Source, list, name, v)
						}
					case kind == "count":
						if _, isNum := v.(float64); !isNum {
							t.Errorf("%s: %s.%s = %#v, want a number", r.Source, list, name, v)
						}
					case !isString:
						t.Errorf("%s: %s.%s = %#v, want a string", r.Source, list, name, v)
					}
				}
			}
		}
		for _, k := range []string{"source", "from", "to"} {
			if _, ok := doc[k].(string); !ok {
				t.Errorf("%s: %s missing", r.Source, k)
			}
		}
		check("totals", map[string]string{"shop": "", "platform": "", "currency": "", "day": "day", "orders": "count",
			"gross_paid": "amount", "refunded": "amount", "net": "amount", "refund_rate": "amount?"})
		check("refunds_by_day", map[string]string{"shop": "", "platform": "", "currency": "", "day": "day",
			"refunds": "count", "amount": "amount"})
		check("exceptions", map[string]string{"kind": "", "shop": "", "platform": "", "order_id": "", "currency": "",
			"paid": "amount?", "refunded": "amount?", "total": "amount?", "raw_status": "", "detail": ""})
	}
}
