package dage_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/extract/dage"
	"github.com/shopetl/shopetl/secret"
	sim "github.com/shopetl/shopetl/sim/dage"
	"github.com/shopetl/shopetl/sim/fault"
	"github.com/shopetl/shopetl/transform"
)

var cst = time.FixedZone("CST", 8*3600)

const day = 24 * time.Hour

// request is what a test server saw of one request.
type request struct {
	q    url.Values
	auth string
}

// shop serves a simulated store through before (which may block or change
// the store first) and records every request.
type shop struct {
	store *sim.Store
	srv   *httptest.Server
	mu    sync.Mutex // guards reqs
	reqs  []request
}

func newShop(t *testing.T, opts sim.Options, before func(r *http.Request)) *shop {
	t.Helper()
	store, err := sim.NewStore(opts)
	if err != nil {
		t.Fatal(err)
	}
	s := &shop{store: store}
	h := store.Handler()
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, request{q: r.URL.Query(), auth: r.Header.Get("Authorization")})
		s.mu.Unlock()
		if before != nil {
			before(r)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *shop) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.reqs...)
}

// count counts the requests whose query has every pair of want.
func (s *shop) count(want map[string]string) int {
	n := 0
	for _, r := range s.requests() {
		match := true
		for k, v := range want {
			match = match && r.q.Get(k) == v
		}
		if match {
			n++
		}
	}
	return n
}

// extractAll runs an extractor for the shop and counts each order_no read.
func extractAll(t *testing.T, s *shop, es extract.Shop) (map[string]int, error) {
	t.Helper()
	es.Name = "dg"
	if es.Client == nil {
		es.Client = extract.NewClient(extract.ClientOptions{Shop: "dg", BaseURL: s.srv.URL, Timeout: 5 * time.Second,
			MaxRetries: 8, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	}
	ex, err := dage.New(es)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	var mu sync.Mutex // guards seen: emit runs on several goroutines
	err = ex.Extract(context.Background(), func(_ context.Context, p extract.Page) error {
		mu.Lock()
		defer mu.Unlock()
		if p.FetchedAt.IsZero() || !strings.HasPrefix(p.Endpoint, "GET /orders/list?") {
			t.Errorf("page %q fetched at %v", p.Endpoint, p.FetchedAt)
		}
		for _, r := range p.Records {
			var row struct {
				OrderNo string `json:"order_no"`
			}
			if err := json.Unmarshal(r.Body, &row); err != nil {
				return err
			}
			seen[row.OrderNo]++
		}
		return nil
	})
	return seen, err
}

func TestExtractReadsTheRescanAndRefundStatusesWithDates(t *testing.T) {
	t.Parallel()
	start := time.Date(2020, 5, 1, 0, 0, 0, 0, cst)
	to := start.Add(60 * day) // midnight in shop time
	s := newShop(t, sim.Options{Orders: 800, Seed: 5, Start: start, End: to, Token: "s3cret"}, nil)
	seen, err := extractAll(t, s, extract.Shop{
		PageSize: 500, Concurrency: 3, Location: cst,
		Window: extract.Window{From: to.Add(-time.Hour), To: to},
		Rescan: 30 * day, RefundRescan: 90 * day,
		Client: extract.NewClient(extract.ClientOptions{Shop: "dg", BaseURL: s.srv.URL, Timeout: 5 * time.Second,
			Token: secret.New("s3cret")}),
	})
	if err != nil {
		t.Fatal(err)
	}
	rescanFrom := to.Add(-30 * day)
	var old, oldRefund int
	for _, no := range s.store.OrderIDs() {
		o, _ := s.store.Snapshot(no)
		refundStatus := o.Status == 5 || o.Status == 6
		switch {
		case !o.CreateTime.Before(rescanFrom) && seen[no] == 0:
			t.Errorf("order %s created %s, inside the rescan, was not read", no, o.CreateTime)
		case o.CreateTime.Before(rescanFrom) && refundStatus && seen[no] == 0:
			t.Errorf("order %s created %s in status %d (refund re-scan) was not read", no, o.CreateTime, o.Status)
		case o.CreateTime.Before(rescanFrom) && !refundStatus && seen[no] > 0:
			t.Errorf("order %s created %s in status %d, older than the rescan, was read", no, o.CreateTime, o.Status)
		}
		if o.CreateTime.Before(rescanFrom) {
			old++
			if refundStatus {
				oldRefund++
			}
		}
	}
	if old == 0 || oldRefund == 0 {
		t.Fatalf("the store has %d orders older than the rescan, %d in status 5 or 6: the test shows nothing", old, oldRefund)
	}
	scans := map[string]bool{}
	for _, r := range s.requests() {
		if r.auth != "Bearer s3cret" || r.q.Has("access-token") {
			t.Fatalf("credential sent as %q / access-token %q, want the bearer header only", r.auth, r.q.Get("access-token"))
		}
		if r.q.Get("pageSize") != "50" {
			t.Fatalf("pageSize %q, want the cap 50", r.q.Get("pageSize"))
		}
		scans[r.q.Get("status")+" "+r.q.Get("startTime")+".."+r.q.Get("endTime")] = true
	}
	// The rescan starts on 2020-05-31 (shop time) and ends on the window's
	// last day, 2020-06-29; the refund statuses are read for the 60 days
	// before it, both dates included.
	want := map[string]bool{
		" 2020-05-31..2020-06-29":  true,
		"6 2020-04-01..2020-05-30": true,
		"5 2020-04-01..2020-05-30": true,
	}
	if len(scans) != len(want) {
		t.Fatalf("scans %v, want %v", scans, want)
	}
	for k := range want {
		if !scans[k] {
			t.Fatalf("scans %v, want %v", scans, want)
		}
	}
}

func TestPagingReadsEachPageOnceAndStopsAtPageCount(t *testing.T) {
	t.Parallel()
	start := time.Date(2020, 5, 1, 0, 0, 0, 0, cst)
	s := newShop(t, sim.Options{Orders: 130, Seed: 7, Start: start, End: start.Add(3 * day)}, nil)
	seen, err := extractAll(t, s, extract.Shop{Concurrency: 4, Location: cst,
		Window: extract.Window{From: start, To: start.Add(3 * day)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 130 {
		t.Fatalf("read %d orders, want 130", len(seen))
	}
	for no, n := range seen {
		if n != 1 {
			t.Fatalf("order %s read %d times without drift", no, n)
		}
	}
	// 130 orders at the default page size 50: pages 1-3, each once; page 4
	// would serve page 3 again (Yii2's validatePage) and is never asked.
	for _, r := range s.requests() {
		if r.q.Get("pageSize") != "50" || r.q.Get("startTime") != "2020-05-01" || r.q.Get("endTime") != "2020-05-03" || r.q.Has("status") {
			t.Fatalf("query %v", r.q)
		}
	}
	for page, want := range map[string]int{"1": 1, "2": 1, "3": 1, "4": 0} {
		if got := s.count(map[string]string{"page": page}); got != want {
			t.Errorf("page %s asked %d times, want %d", page, got, want)
		}
	}
}

// An insertion between two pages served out of order (page 3 before it,
// page 2 after) pushes the last orders of page 2 onto page 3, already read:
// they are found because page 3 is read again.
func TestGrowthUnderOutOfOrderPagesIsReadAgainInOrder(t *testing.T) {
	t.Parallel()
	start := time.Date(2020, 5, 1, 0, 0, 0, 0, cst)
	end := start.Add(3 * day)
	now := end.Add(30 * time.Minute)
	page3 := make(chan struct{})
	var once sync.Once
	var s *shop
	s = newShop(t, sim.Options{Orders: 150, Seed: 9, Start: start, End: end, Now: func() time.Time { return now }},
		func(r *http.Request) {
			if r.URL.Query().Get("page") != "2" {
				return
			}
			once.Do(func() {
				select {
				case <-page3:
				case <-r.Context().Done():
				}
				s.store.Add(5) // at the top: the pages below shift by 5
			})
		})
	// Page 3 is served before page 2 is let go.
	h := s.srv.Config.Handler
	s.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if r.URL.Query().Get("page") == "3" && s.count(map[string]string{"page": "3"}) == 1 {
			close(page3)
		}
	})
	before := s.store.OrderIDs()
	seen, err := extractAll(t, s, extract.Shop{Concurrency: 2, Location: cst,
		Window: extract.Window{From: start, To: now.Add(30 * time.Minute)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, no := range before {
		if seen[no] == 0 {
			t.Errorf("order %s, there before the run, was not read", no)
		}
	}
	if got := s.count(map[string]string{"page": "3"}); got != 2 {
		t.Errorf("page 3 asked %d times, want 2 (once concurrently, once in order)", got)
	}
	if got := s.count(map[string]string{"page": "4"}); got != 1 {
		t.Errorf("page 4 (the listing grew past its last page) asked %d times, want 1", got)
	}
}

// cancelRequests makes n paid orders created in [from, to) wait for the
// seller (status 6) and returns them, newest first.
func cancelRequests(t *testing.T, store *sim.Store, from, to time.Time, n int) []sim.Order {
	t.Helper()
	var out []sim.Order
	ids := store.OrderIDs()
	for i := len(ids) - 1; i >= 0 && len(out) < n; i-- {
		o, _ := store.Snapshot(ids[i])
		if o.Status != 1 || o.CreateTime.Before(from) || !o.CreateTime.Before(to) {
			continue
		}
		if _, err := store.Cancel(o.ID, o.MemberID); err != nil {
			t.Fatal(err)
		}
		o, _ = store.Snapshot(ids[i])
		out = append(out, o)
	}
	if len(out) < n {
		t.Fatalf("only %d paid orders to cancel", len(out))
	}
	return out
}

// refuse has the seller refuse an order's cancel request: it leaves status 6.
func refuse(t *testing.T, store *sim.Store, o sim.Order) {
	t.Helper()
	for _, b := range o.Refunds {
		if b.Status == 1 {
			if err := store.RefuseRefund(b.ID, o.SupplierID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if o, _ := store.Snapshot(o.OrderNo); o.Status == 6 {
		t.Fatalf("order %s still waits for the seller", o.OrderNo)
	}
}

// newestInStatus6 is the first order of the status-6 listing of orders
// created before `before`.
func newestInStatus6(store *sim.Store, before time.Time) sim.Order {
	var best sim.Order
	for _, no := range store.OrderIDs() {
		o, _ := store.Snapshot(no)
		if o.Status == 6 && o.CreateTime.Before(before) && (best.ID == 0 || o.CreateTime.After(best.CreateTime) ||
			o.CreateTime.Equal(best.CreateTime) && o.ID > best.ID) {
			best = o
		}
	}
	return best
}

func shrinkShop(t *testing.T, times int) (*shop, time.Time, []sim.Order) {
	start := time.Date(2020, 5, 1, 0, 0, 0, 0, cst)
	end := start.Add(20 * day)
	var mu sync.Mutex // guards left
	left := times
	var s *shop
	s = newShop(t, sim.Options{Orders: 600, Seed: 13, Start: start, End: end, Now: func() time.Time { return end }},
		func(r *http.Request) {
			q := r.URL.Query()
			if q.Get("status") != "6" || q.Get("page") != "2" {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if left > 0 {
				left--
				refuse(t, s.store, newestInStatus6(s.store, end.Add(-day))) // page 1's first order leaves
			}
		})
	// The last day is the rescan; status 6 is read over the days before.
	cancelled := cancelRequests(t, s.store, end.Add(-5*day), end.Add(-day), 12)
	return s, end, cancelled
}

// An order leaving a status-filtered scan while it is paged moves the
// orders after it up, onto a page already read: the scan is read again.
func TestShrinkWhilePagedReadsTheScanAgain(t *testing.T) {
	t.Parallel()
	s, end, _ := shrinkShop(t, 1)
	seen, err := extractAll(t, s, extract.Shop{PageSize: 2, Concurrency: 1, Location: cst,
		Window: extract.Window{From: end.Add(-time.Hour), To: end}, Rescan: day, RefundRescan: 30 * day})
	if err != nil {
		t.Fatal(err)
	}
	for _, no := range s.store.OrderIDs() {
		if o, _ := s.store.Snapshot(no); o.Status == 6 && seen[no] == 0 {
			t.Errorf("order %s in status 6 was not read", no)
		}
	}
	if got := s.count(map[string]string{"status": "6", "page": "1"}); got != 2 {
		t.Errorf("status-6 scan started %d times, want 2", got)
	}
}

func TestShrinkingForeverFailsTheShop(t *testing.T) {
	t.Parallel()
	s, end, _ := shrinkShop(t, 100)
	_, err := extractAll(t, s, extract.Shop{PageSize: 2, Concurrency: 1, Location: cst,
		Window: extract.Window{From: end.Add(-time.Hour), To: end}, Rescan: day, RefundRescan: 30 * day})
	if err == nil || !strings.Contains(err.Error(), "kept leaving") {
		t.Fatalf("error %v, want the shop to fail after re-reads", err)
	}
	if got := s.count(map[string]string{"status": "6", "page": "1"}); got != 4 {
		t.Errorf("status-6 scan started %d times, want 4 (3 re-reads)", got)
	}
}

// Drift on every request (an order committed late at an old create_time,
// another one moving on) while pages are read concurrently: every order
// there before the run is read.
func TestDriftOnEveryRequestLosesNothing(t *testing.T) {
	t.Parallel()
	start := time.Date(2020, 5, 1, 0, 0, 0, 0, cst)
	end := start.Add(10 * day)
	s := newShop(t, sim.Options{Orders: 400, Seed: 17, Start: start, End: end, Now: func() time.Time { return end },
		Faults: fault.Options{Rate: 0.5, Seed: 2, Kinds: []fault.Kind{fault.Drift, fault.Duplicate}}}, nil)
	before := s.store.OrderIDs()
	seen, err := extractAll(t, s, extract.Shop{PageSize: 20, Concurrency: 4, Location: cst,
		Window: extract.Window{From: start, To: end}})
	if err != nil {
		t.Fatal(err)
	}
	for _, no := range before {
		if seen[no] == 0 {
			t.Errorf("order %s, there before the run, was not read", no)
		}
	}
	if f := s.store.Faults(); f[fault.Drift] == 0 || f[fault.Duplicate] == 0 {
		t.Fatalf("faults %v: want drift and duplicates", f)
	}
}

// Transient faults are retried by the client; a record with a wrong type
// reaches the transform, which rejects that record alone.
func TestFaultsAreRetriedAndABrokenRecordStaysAlone(t *testing.T) {
	t.Parallel()
	start := time.Date(2020, 5, 1, 0, 0, 0, 0, cst)
	end := start.Add(10 * day)
	s := newShop(t, sim.Options{Orders: 300, Seed: 19, Start: start, End: end,
		Faults: fault.Options{Rate: 0.4, Seed: 4, Latency: time.Millisecond,
			Kinds: []fault.Kind{fault.ServerError, fault.RateLimited, fault.Malformed, fault.Truncated, fault.WrongType, fault.Latency}}}, nil)
	client := extract.NewClient(extract.ClientOptions{Shop: "dg", BaseURL: s.srv.URL, Timeout: 5 * time.Second,
		MaxRetries: 10, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	ex, err := dage.New(extract.Shop{Name: "dg", PageSize: 10, Concurrency: 3, Location: cst,
		Window: extract.Window{From: start, To: end}, Client: client})
	if err != nil {
		t.Fatal(err)
	}
	tf := transform.Dage
	c := &transform.Context{Currency: "CNY", Location: cst}
	var mu sync.Mutex // guards good, bad
	good, bad := map[string]bool{}, 0
	err = ex.Extract(context.Background(), func(_ context.Context, p extract.Page) error {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range p.Records {
			rec, err := tf(c, r)
			if err != nil {
				bad++
				continue
			}
			good[rec.Order.OrderID] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if client.Retries() == 0 || s.store.Faults()[fault.WrongType] == 0 {
		t.Fatalf("retries %d, faults %v: the test shows nothing", client.Retries(), s.store.Faults())
	}
	if bad == 0 || bad > s.store.Faults()[fault.WrongType] {
		t.Errorf("%d records rejected for %d wrong-typed pages", bad, s.store.Faults()[fault.WrongType])
	}
	if len(good) < 300-bad {
		t.Errorf("%d orders transformed, %d rejected, of 300", len(good), bad)
	}
}

// Every page carries its listing's size as the simulator's
// _meta.totalCount says it, for the progress line.
func TestPagesReportTheirListingTotal(t *testing.T) {
	t.Parallel()
	start := time.Date(2020, 5, 1, 0, 0, 0, 0, cst)
	s := newShop(t, sim.Options{Orders: 130, Seed: 7, Start: start, End: start.Add(3 * day)}, nil)
	ex, err := dage.New(extract.Shop{Name: "dg", Concurrency: 2, Location: cst,
		Window: extract.Window{From: start, To: start.Add(3 * day)},
		Client: extract.NewClient(extract.ClientOptions{Shop: "dg", BaseURL: s.srv.URL, Timeout: 5 * time.Second})})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex // guards got: emit runs on several goroutines
	var got []extract.Listing
	err = ex.Extract(context.Background(), func(_ context.Context, p extract.Page) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, p.Listing)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, l := range got {
		if l.Pass != 1 || l.Total != 130 {
			t.Errorf("listing %+v, want pass 1 of 130 rows", l)
		}
		rows += l.Rows
	}
	if len(got) != 3 || rows != 130 {
		t.Errorf("%d pages holding %d rows, want 3 holding 130", len(got), rows)
	}
}
