package reconcile

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/shopspring/decimal"
)

// csvHeader is the one header of the CSV format: every row is one line of
// a section (totals, refunds_by_day, exceptions) and fills its section's
// columns, which are the JSON contract's fields; the others stay empty.
var csvHeader = []string{"section", "shop", "platform", "currency", "day", "orders", "gross_paid", "refunded", "net",
	"refund_rate", "refunds", "amount", "kind", "order_id", "paid", "total", "raw_status", "detail"}

// WriteCSV prints r as one CSV table (RFC 4180) with csvHeader's columns,
// loadable as it is by a spreadsheet or a database and filtered by
// section.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	row := func(cols map[string]string) {
		rec := make([]string, len(csvHeader))
		for i, h := range csvHeader {
			rec[i] = cols[h]
		}
		_ = cw.Write(rec) // the error is cw.Error's, below
	}
	_ = cw.Write(csvHeader)
	for _, t := range r.Totals {
		rate := ""
		if t.RefundRate != nil {
			rate = fixed(*t.RefundRate)
		}
		row(map[string]string{"section": "totals", "shop": t.Shop, "platform": t.Platform, "currency": t.Currency,
			"day": t.Day, "orders": strconv.FormatInt(t.Orders, 10), "gross_paid": fixed(t.GrossPaid),
			"refunded": fixed(t.Refunded), "net": fixed(t.Net), "refund_rate": rate})
	}
	for _, d := range r.RefundsByDay {
		row(map[string]string{"section": "refunds_by_day", "shop": d.Shop, "platform": d.Platform,
			"currency": d.Currency, "day": d.Day, "refunds": strconv.FormatInt(d.Refunds, 10), "amount": fixed(d.Amount)})
	}
	for _, e := range r.Exceptions {
		row(map[string]string{"section": "exceptions", "shop": e.Shop, "platform": e.Platform, "currency": e.Currency,
			"kind": string(e.Kind), "order_id": e.OrderID, "paid": orEmpty(e.Paid), "refunded": orEmpty(e.Refunded),
			"total": orEmpty(e.Total), "raw_status": e.RawStatus, "detail": e.Detail})
	}
	cw.Flush()
	return cw.Error()
}

// orEmpty is an amount with four places, or "" when unknown.
func orEmpty(d *decimal.Decimal) string {
	if d == nil {
		return ""
	}
	return fixed(*d)
}
