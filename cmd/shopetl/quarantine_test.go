package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/table"
)

// TestRunQuarantinesOneBrokenOrder is issue 5's "done when" through the
// command: one order whose amount is not a number, among 100 on one page.
// `shopetl run` exits 0, its summary shows 1 quarantined, 99 orders are in
// the sink and the one is in etl_quarantine with its raw JSON and reason.
func TestRunQuarantinesOneBrokenOrder(t *testing.T) {
	// A shop that reads is_refund=0 as "no filter": its first page lists
	// all 100 orders (shopetl keeps the refund-flagged ones for its
	// is_refund=1 listing).
	store, err := shoptima.NewStore(shoptima.Options{Orders: 100, Seed: 11, IsRefund: shoptima.IsRefundUnfiltered,
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	victim := store.OrderNums()[42]
	h := store.Handler()
	var listPages, firstPageOrders int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.String()
		if strings.Contains(body, `"order_num":"`+victim+`"`) {
			if listPages++; listPages == 1 {
				firstPageOrders = strings.Count(body, `"order_num":`)
			}
		}
		// The victim's order_price becomes "12,50" wherever it is listed.
		if i := strings.Index(body, `"order_num":"`+victim+`"`); i >= 0 {
			re := regexp.MustCompile(`"order_price":"[^"]*"`)
			loc := re.FindStringIndex(body[i:])
			body = body[:i+loc[0]] + `"order_price":"12,50"` + body[i+loc[1]:]
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		w.Write([]byte(body))
	}))
	defer srv.Close()

	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	spec := `version: 1
name: quarantine
state: {backend: file, path: ./state}
defaults: {start: 2020-01-01, page_size: 100, retries: {max: 2, min_backoff: 1ms, max_backoff: 5ms}}
shops:
  - {name: st, platform: shoptima, base_url: "` + srv.URL + `", currency: USD}
sinks:
  parquet: {dir: ./out}
`
	if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"run", job}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d, want 0\n%s%s", code, out.String(), errb.String())
	}
	// Read first among the 100 of one page (later scans list it again and
	// skip what the first read).
	if listPages == 0 || firstPageOrders != 100 {
		t.Fatalf("the victim was first listed among %d orders, want 100", firstPageOrders)
	}
	// SHOP PLATFORM STATUS WINDOW PAGES ORDERS QUARANTINED ...
	line := regexp.MustCompile(`(?m)^st\s+shoptima\s+ok\s+.*?\s(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+[\d.]+$`).FindStringSubmatch(out.String())
	if line == nil || line[2] != "99" || line[3] != "1" {
		t.Fatalf("summary does not show 99 orders and 1 quarantined:\n%s", out.String())
	}

	pq := filepath.Join(dir, "out")
	if n, err := parquet.CountLatest(pq, table.Orders, "st"); err != nil || n != 99 {
		t.Fatalf("parquet holds %d orders (%v), want 99", n, err)
	}
	recs, err := parquet.ReadTable(pq, table.Quarantine)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, r := range recs {
		for i := 0; i < int(r.NumRows()); i++ {
			col := func(name string) string { return r.Column(table.Quarantine.ColumnIndex(name)).ValueStr(i) }
			rows = append(rows, col("record_key")+" | "+col("reason")+" | "+col("payload"))
		}
		r.Release()
	}
	if len(rows) != 1 {
		t.Fatalf("%d quarantine rows, want 1: %q", len(rows), rows)
	}
	if !strings.HasPrefix(rows[0], victim+" | ") || !strings.Contains(rows[0], "order_price") ||
		!strings.Contains(rows[0], `"order_price":"12,50"`) || !strings.Contains(rows[0], `"order_num":"`+victim+`"`) {
		t.Fatalf("quarantine row does not name %s, its field and its raw JSON: %s", victim, rows[0])
	}
}
