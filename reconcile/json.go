package reconcile

import (
	"encoding/json"
	"io"
)

// The JSON contract (SPEC §6): amounts are strings with four places, unknown
// ones and the refund rate of a day without payments null, days
// YYYY-MM-DD, every list present (empty, never null).
type (
	jsonReport struct {
		Source       string          `json:"source"`
		From         string          `json:"from"`
		To           string          `json:"to"`
		Totals       []jsonTotal     `json:"totals"`
		RefundsByDay []jsonRefundDay `json:"refunds_by_day"`
		Exceptions   []jsonException `json:"exceptions"`
	}
	jsonTotal struct {
		Shop       string  `json:"shop"`
		Platform   string  `json:"platform"`
		Currency   string  `json:"currency"`
		Day        string  `json:"day"`
		Orders     int64   `json:"orders"`
		GrossPaid  string  `json:"gross_paid"`
		Refunded   string  `json:"refunded"`
		Net        string  `json:"net"`
		RefundRate *string `json:"refund_rate"`
	}
	jsonRefundDay struct {
		Shop     string `json:"shop"`
		Platform string `json:"platform"`
		Currency string `json:"currency"`
		Day      string `json:"day"`
		Refunds  int64  `json:"refunds"`
		Amount   string `json:"amount"`
	}
	jsonException struct {
		Kind      Kind    `json:"kind"`
		Shop      string  `json:"shop"`
		Platform  string  `json:"platform"`
		OrderID   string  `json:"order_id"`
		Currency  string  `json:"currency"`
		Paid      *string `json:"paid"`
		Refunded  *string `json:"refunded"`
		Total     *string `json:"total"`
		RawStatus string  `json:"raw_status"`
		Detail    string  `json:"detail"`
	}
)

// WriteJSON prints r as the JSON contract, indented, one object.
func WriteJSON(w io.Writer, r *Report) error {
	out := jsonReport{Source: r.Source, From: r.From, To: r.To, Totals: []jsonTotal{},
		RefundsByDay: []jsonRefundDay{}, Exceptions: []jsonException{}}
	for _, t := range r.Totals {
		out.Totals = append(out.Totals, jsonTotal{Shop: t.Shop, Platform: t.Platform, Currency: t.Currency, Day: t.Day,
			Orders: t.Orders, GrossPaid: fixed(t.GrossPaid), Refunded: fixed(t.Refunded), Net: fixed(t.Net),
			RefundRate: fixedOrNil(t.RefundRate)})
	}
	for _, d := range r.RefundsByDay {
		out.RefundsByDay = append(out.RefundsByDay, jsonRefundDay{Shop: d.Shop, Platform: d.Platform,
			Currency: d.Currency, Day: d.Day, Refunds: d.Refunds, Amount: fixed(d.Amount)})
	}
	for _, e := range r.Exceptions {
		out.Exceptions = append(out.Exceptions, jsonException{Kind: e.Kind, Shop: e.Shop, Platform: e.Platform,
			OrderID: e.OrderID, Currency: e.Currency, Paid: fixedOrNil(e.Paid), Refunded: fixedOrNil(e.Refunded),
			Total: fixedOrNil(e.Total), RawStatus: e.RawStatus, Detail: e.Detail})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
