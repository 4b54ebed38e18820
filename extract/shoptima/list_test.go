package shoptima_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/extract/shoptima"
	"github.com/shopetl/shopetl/secret"
	sim "github.com/shopetl/shopetl/sim/shoptima"
)

// readings are the two readings of is_refund ("是否退款,默认0,1为退款") a
// shop may have; the extractor must lose nothing under either.
var readings = []sim.IsRefundReading{sim.IsRefundLiteral, sim.IsRefundUnfiltered}

func TestExtractReadsEveryOrderOfTheWindowAndSendsTimeType(t *testing.T) {
	t.Parallel()
	for _, reading := range readings {
		t.Run(reading.String(), func(t *testing.T) {
			t.Parallel()
			testExtractReadsEveryOrder(t, reading)
		})
	}
}

func testExtractReadsEveryOrder(t *testing.T, reading sim.IsRefundReading) {
	start := time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)
	store, err := sim.NewStore(sim.Options{Orders: 500, Seed: 5, Start: start, End: start.AddDate(0, 0, 60), IsRefund: reading})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex // guards queries
	var queries []map[string]string
	h := store.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := map[string]string{}
		for k := range r.URL.Query() {
			q[k] = r.URL.Query().Get(k)
		}
		mu.Lock()
		queries = append(queries, q)
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()

	to := start.AddDate(0, 0, 60)
	ex, err := shoptima.New(extract.Shop{
		Name: "st", PageSize: 500, Concurrency: 3,
		Window: extract.Window{From: to.Add(-time.Hour), To: to},
		Rescan: 30 * 24 * time.Hour, RefundRescan: 90 * 24 * time.Hour,
		Client: extract.NewClient(extract.ClientOptions{Shop: "st", BaseURL: srv.URL, Timeout: 5 * time.Second}),
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	var seenMu sync.Mutex // guards seen: emit runs on several goroutines
	err = ex.Extract(context.Background(), func(_ context.Context, p extract.Page) error {
		seenMu.Lock()
		defer seenMu.Unlock()
		for _, r := range p.Records {
			var row struct {
				OrderNum string `json:"order_num"`
			}
			if err := json.Unmarshal(r.Body, &row); err != nil {
				return err
			}
			seen[row.OrderNum]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every order created in the last 30 days (the rescan) must be read,
	// and every refund-flagged one of the whole 60 days (refund_rescan 90d).
	for _, num := range store.OrderNums() {
		o, _ := store.Snapshot(num)
		inRescan := !o.OrderTime.Before(to.Add(-30 * 24 * time.Hour))
		if (inRescan || o.IsRefund == 1) && seen[num] == 0 {
			t.Fatalf("order %s (created %s, refund %d) was not read", num, o.OrderTime, o.IsRefund)
		}
	}
	for _, q := range queries {
		if q["time_type"] == "" || q["rows"] != strconv.Itoa(shoptima.MaxRows) {
			t.Fatalf("request without time_type or with rows above the cap: %v", q)
		}
		if q["is_refund"] != "0" && q["is_refund"] != "1" {
			t.Fatalf("request without is_refund 0 or 1, which the shop may read either way: %v", q)
		}
		if q["end_time"] != strconv.FormatInt(to.Unix()-1, 10) {
			t.Fatalf("end_time %s, want the scan's end minus one second (inclusive): %v", q["end_time"], q)
		}
	}
	// Nothing changed while paging: each order is read once, whatever
	// scans it matches.
	for num, n := range seen {
		if n != 1 {
			t.Errorf("order %s read %d times", num, n)
		}
	}
}

// TestABaseURLWithAQueryIsNamedInTheError: a base_url with a query string
// makes every request ask for the wrong path; the error shows the URL that
// was asked, so the person can see why, and never the token.
func TestABaseURLWithAQueryIsNamedInTheError(t *testing.T) {
	t.Parallel()
	const token = "st-T0KEN-s3cret"
	start := time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)
	store, err := sim.NewStore(sim.Options{Orders: 5, Seed: 5, Start: start, End: start.AddDate(0, 0, 10), Token: token})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(store.Handler())
	defer srv.Close()
	ex, err := shoptima.New(extract.Shop{
		Name: "st", PageSize: 50, Concurrency: 1,
		Window: extract.Window{From: start, To: start.AddDate(0, 0, 10)},
		Client: extract.NewClient(extract.ClientOptions{Shop: "st", BaseURL: srv.URL + "?v=2", Token: secret.New(token), Timeout: 5 * time.Second}),
	})
	if err != nil {
		t.Fatal(err)
	}
	err = ex.Extract(context.Background(), func(context.Context, extract.Page) error { return nil })
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.Contains(msg, "shop st: GET "+srv.URL+"?v=2/order?") || !strings.Contains(msg, ": HTTP 404: ") {
		t.Errorf("error %q does not name the URL asked", msg)
	}
	if strings.Contains(msg, token) || strings.TrimSpace(msg) != msg {
		t.Errorf("error %q shows the token or ends in white space", msg)
	}
}

// Every page carries its listing's size as the simulator's `total` says it,
// numbered by pass (the order-time scan first), for the progress line.
func TestPagesReportTheirListingTotal(t *testing.T) {
	t.Parallel()
	for _, reading := range readings {
		t.Run(reading.String(), func(t *testing.T) {
			t.Parallel()
			testPagesReportTheirListingTotal(t, reading)
		})
	}
}

func testPagesReportTheirListingTotal(t *testing.T, reading sim.IsRefundReading) {
	start := time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)
	store, err := sim.NewStore(sim.Options{Orders: 130, Seed: 7, Start: start, End: start.AddDate(0, 0, 20), IsRefund: reading})
	if err != nil {
		t.Fatal(err)
	}
	// The first pass lists is_refund=0: under the literal reading the
	// orders not refund-flagged, under the other every order.
	first := store.Count()
	if reading == sim.IsRefundLiteral {
		for _, num := range store.OrderNums() {
			if o, _ := store.Snapshot(num); o.IsRefund == 1 {
				first--
			}
		}
	}
	srv := httptest.NewServer(store.Handler())
	defer srv.Close()
	ex, err := shoptima.New(extract.Shop{
		Name: "st", PageSize: 50, Concurrency: 2,
		Window: extract.Window{From: start.AddDate(0, 0, -1), To: start.AddDate(0, 0, 21)},
		Client: extract.NewClient(extract.ClientOptions{Shop: "st", BaseURL: srv.URL, Timeout: 5 * time.Second}),
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex // guards the counts: emit runs on several goroutines
	pages, rows := map[int]int{}, map[int]int{}
	err = ex.Extract(context.Background(), func(_ context.Context, p extract.Page) error {
		mu.Lock()
		defer mu.Unlock()
		l := p.Listing
		if l.Pass == 1 && l.Total != first {
			t.Errorf("order-time page %s: total %d, the shop lists %d orders, all created in the window", p.Endpoint, l.Total, first)
		}
		if l.Total <= 0 || l.Rows > 50 {
			t.Errorf("page %s: listing %+v", p.Endpoint, l)
		}
		pages[l.Pass]++
		rows[l.Pass] += l.Rows
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 123 or 130 orders at 50 a page: three pages in the first pass, every
	// row of the listing counted once; then the other three passes.
	if pages[1] != 3 || rows[1] != first || pages[2] == 0 || len(pages) != 4 {
		t.Errorf("pages per pass %v, rows per pass %v; want 3 pages and %d rows in pass 1, then passes 2 to 4", pages, rows, first)
	}
}
