package pipeline_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/table"
)

// TestAmountsThatDisagreeAreLoaded: amounts that disagree with each other
// are loaded and flagged, never quarantined (SPEC §6). Among 100 simulated
// shoptima orders, one has a line discount above its line and another a
// refund above what it cost; both orders are in ClickHouse (FINAL) and
// Parquet with their anomalies, the over-discounted line with its total
// below zero, and etl_quarantine holds no row for either.
func TestAmountsThatDisagreeAreLoaded(t *testing.T) {
	addr, db := pipelinetest.ClickHouse(t)
	t.Setenv("IT_TOKEN", "x")
	store, err := shoptima.NewStore(shoptima.Options{Orders: 100, Seed: 11,
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	discounted, refunded := store.OrderNums()[23], store.OrderNums()[61]
	// The refund through the shop itself, so that the order is listed
	// where refund-flagged orders are (is_refund=1).
	if err := store.Refund(refunded, 3, "99999.00"); err != nil {
		t.Fatal(err)
	}
	h := store.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w, status: 200}
		h.ServeHTTP(rec, r)
		body := disagree(t, rec.buf.Bytes(), map[string]func(map[string]any){
			discounted: func(o map[string]any) {
				for _, g := range o["order_goods"].([]any) {
					g.(map[string]any)["discount"] = "99999.00" // above any line of the simulator
				}
			},
		})
		w.Header().Del("Content-Length")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.status)
		w.Write(body)
	}))
	defer srv.Close()
	spec := pipelinetest.Job(t, t.TempDir(), fmt.Sprintf(jobTemplate, srv.URL,
		fmt.Sprintf("  clickhouse: {addr: [%q], database: %s}\n", addr, db)))
	res := pipelinetest.Run(t, spec, pipeline.RunOptions{})
	pipelinetest.RequireOK(t, res)
	if q := res.Shops[0].Quarantined; q != 0 {
		t.Errorf("%d records quarantined, want none", q)
	}
	if n := pipelinetest.FinalRows(t, addr, db, table.Orders.Name, "st"); n != 100 {
		t.Errorf("ClickHouse holds %d orders, want all 100", n)
	}
	if n, err := parquet.CountLatest(spec.ResolvePath("./parquet"), table.Orders, "st"); err != nil || n != 100 {
		t.Errorf("Parquet holds %d orders (%v), want all 100", n, err)
	}
	for _, c := range []struct{ what, query, id string }{
		{"the order flagged line_discount_exceeds_line:1",
			"SELECT count() FROM " + db + ".orders FINAL WHERE shop = 'st' AND order_id = ? AND has(anomalies, 'line_discount_exceeds_line:1')", discounted},
		{"its first line, its total below zero",
			"SELECT count() FROM " + db + ".order_items FINAL WHERE shop = 'st' AND order_id = ? AND line_no = 1 AND line_total < 0", discounted},
		{"the order flagged refund_exceeds_paid, refunded 99999",
			"SELECT count() FROM " + db + ".orders FINAL WHERE shop = 'st' AND order_id = ? AND has(anomalies, 'refund_exceeds_paid') AND toString(refunded_amount) = '99999.0000'", refunded},
	} {
		if n := pipelinetest.Count(t, addr, c.query, c.id); n != 1 {
			t.Errorf("order %s: %s: %d rows, want 1", c.id, c.what, n)
		}
	}
	if n := pipelinetest.Count(t, addr, "SELECT count() FROM "+db+".etl_quarantine WHERE record_key IN (?, ?)", discounted, refunded); n != 0 {
		t.Errorf("etl_quarantine holds %d rows for the two orders, want none", n)
	}
}

// disagree rewrites, in a JSON response, every object whose order_num has
// a function in change: the list's rows and the detail's order alike.
func disagree(t *testing.T, body []byte, change map[string]func(map[string]any)) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // amounts pass through exactly
	var v any
	if err := dec.Decode(&v); err != nil {
		return body // not JSON: the extractor's business
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if id, ok := v["order_num"].(string); ok && change[id] != nil {
				change[id](v)
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	out, err := json.Marshal(v)
	if err != nil {
		t.Error(err)
		return body
	}
	return out
}
