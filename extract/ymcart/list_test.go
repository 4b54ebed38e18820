package ymcart_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/extract/ymcart"
	"github.com/shopetl/shopetl/secret"
	"github.com/shopetl/shopetl/sim/fault"
	sim "github.com/shopetl/shopetl/sim/ymcart"
)

var cst = time.FixedZone("CST", 8*3600) // the simulator's default shop zone

const token = "s3cret-token"

// shop is a simulated YMCart shop over HTTP that records the form of every
// request.
type shop struct {
	store *sim.Store
	srv   *httptest.Server

	mu    sync.Mutex // guards forms
	forms []url.Values
}

func newShop(t *testing.T, opts sim.Options) *shop {
	t.Helper()
	if opts.Token == "" {
		opts.Token = token
	}
	if opts.Location == nil {
		opts.Location = cst
	}
	store, err := sim.NewStore(opts)
	if err != nil {
		t.Fatal(err)
	}
	s := &shop{store: store}
	h := store.Handler()
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		f, _ := url.ParseQuery(string(b))
		if r.Method != http.MethodPost || r.URL.Path != "/api-erp-orderList.html" || r.URL.RawQuery != "" {
			f = url.Values{"bad_request": {r.Method + " " + r.URL.String()}}
		}
		s.mu.Lock()
		s.forms = append(s.forms, f)
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *shop) requests() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.forms...)
}

func (s *shop) extractor(t *testing.T, w extract.Window, pageSize, conc int, clientToken string) (extract.Extractor, *extract.Client) {
	t.Helper()
	c := extract.NewClient(extract.ClientOptions{Shop: "ym", BaseURL: s.srv.URL, Token: secret.New(clientToken),
		Timeout: 2 * time.Second, MaxRetries: 12, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	ex, err := ymcart.New(extract.Shop{Name: "ym", Platform: "ymcart", Location: cst, PageSize: pageSize,
		Concurrency: conc, Window: w, Client: c})
	if err != nil {
		t.Fatal(err)
	}
	return ex, c
}

// read runs ex and counts the records it emits, by itemno.
func read(t *testing.T, ex extract.Extractor) (map[string]int, []extract.Page, error) {
	t.Helper()
	var mu sync.Mutex // guards seen and pages: emit runs on several goroutines
	seen := map[string]int{}
	var pages []extract.Page
	err := ex.Extract(context.Background(), func(_ context.Context, p extract.Page) error {
		mu.Lock()
		defer mu.Unlock()
		pages = append(pages, p)
		for _, r := range p.Records {
			seen[r.Key]++
		}
		return nil
	})
	return seen, pages, err
}

// inWindow: created in the window, or operated on in it.
func inWindow(o sim.Order, w extract.Window) bool {
	in := func(t time.Time) bool { return !t.Before(w.From) && t.Before(w.To) }
	return in(o.CreateTime) || (o.ActTime != nil && in(*o.ActTime))
}

// snapshot keeps every order's state.
func snapshot(s *sim.Store) map[string]sim.Order {
	out := map[string]sim.Order{}
	for _, id := range s.OrderIDs() {
		out[id], _ = s.Snapshot(id)
	}
	return out
}

func sameAct(a, b sim.Order) bool {
	return (a.ActTime == nil) == (b.ActTime == nil) && (a.ActTime == nil || a.ActTime.Equal(*b.ActTime))
}

// TestIncrementalWindowIsReadOnce: a window ending now is read with a
// create_time scan, then an act_time scan without end_time; every order of
// the window comes once, and nothing else.
func TestIncrementalWindowIsReadOnce(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := newShop(t, sim.Options{Orders: 800, Seed: 5, Start: now.AddDate(0, 0, -40), End: now.Add(-time.Hour)})
	w := extract.Window{From: now.Add(-77 * time.Hour), To: now.Add(-time.Minute).Truncate(time.Second)}
	ex, _ := s.extractor(t, w, 1000, 3, token)
	seen, pages, err := read(t, ex)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for id, o := range snapshot(s.store) {
		switch {
		case inWindow(o, w):
			want++
			if seen[id] != 1 {
				t.Errorf("order %s (created %v, act %v) read %d times, want 1", id, o.CreateTime, o.ActTime, seen[id])
			}
		case seen[id] > 0:
			t.Errorf("order %s (created %v, act %v) is outside the window but was emitted", id, o.CreateTime, o.ActTime)
		}
	}
	if want < 50 {
		t.Fatalf("only %d orders in the window: the test shop is too small", want)
	}

	start, end := w.From.In(cst).Format("2006-1-2"), w.To.Add(-time.Second).In(cst).Format("2006-1-2")
	reqs := s.requests()
	for i, f := range reqs {
		if f.Get("token") != token || f.Get("page_size") != strconv.Itoa(ymcart.MaxPageSize) || f.Get("order_by") != "0" ||
			f.Get("start_time") != start || f.Get("page_no") == "" {
			t.Fatalf("request %d: %v", i, f)
		}
		// The create_time scan (no time_type) comes first and is bounded;
		// the act_time scan (time_type 2) has no end_time.
		created := !f.Has("time_type")
		if created && f.Get("end_time") != end || !created && (f.Get("time_type") != "2" || f.Has("end_time")) {
			t.Fatalf("request %d: %v", i, f)
		}
		if i > 0 && created && reqs[i-1].Has("time_type") {
			t.Fatalf("request %d: the create_time scan must run before the act_time scan", i)
		}
	}
	for _, p := range pages {
		if strings.Contains(p.Endpoint, token) || !strings.Contains(p.Endpoint, "orderList") || p.FetchedAt.IsZero() {
			t.Fatalf("page endpoint %q fetched %v", p.Endpoint, p.FetchedAt)
		}
	}
}

// TestBackfillWindowIsBounded: a window long past bounds its act_time scan
// too, and reads it first.
func TestBackfillWindowIsBounded(t *testing.T) {
	t.Parallel()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, cst)
	s := newShop(t, sim.Options{Orders: 600, Seed: 6, Start: start, End: start.AddDate(0, 0, 30)})
	w := extract.Window{From: time.Date(2024, 1, 10, 9, 30, 0, 0, cst), To: time.Date(2024, 1, 14, 0, 0, 0, 0, cst)}
	ex, _ := s.extractor(t, w, 0, 2, token)
	seen, _, err := read(t, ex)
	if err != nil {
		t.Fatal(err)
	}
	for id, o := range snapshot(s.store) {
		if want := map[bool]int{true: 1}[inWindow(o, w)]; seen[id] != want {
			t.Errorf("order %s (created %v, act %v) read %d times, want %d", id, o.CreateTime, o.ActTime, seen[id], want)
		}
	}
	reqs := s.requests()
	if len(reqs) == 0 || reqs[0].Get("time_type") != "2" {
		t.Fatalf("the act_time scan must come first: %v", reqs)
	}
	for i, f := range reqs {
		// To is midnight: the last day is the 13th, through 23:59:59.
		if f.Get("page_size") != strconv.Itoa(ymcart.DefaultPageSize) || f.Get("start_time") != "2024-1-10" || f.Get("end_time") != "2024-1-13" {
			t.Fatalf("request %d: %v", i, f)
		}
	}
}

// TestInsertDriftIsCaught: orders operated on while the act_time scan pages
// join it anywhere in id order and push rows to later pages; every order
// of the window that stayed as it was must still be read.
func TestInsertDriftIsCaught(t *testing.T) {
	t.Parallel()
	now := time.Now()
	rereads := 0
	for seed := int64(1); seed <= 4; seed++ {
		s := newShop(t, sim.Options{Orders: 600, Seed: seed, Start: now.AddDate(0, 0, -20), End: now.Add(-time.Hour),
			Faults: fault.Options{Rate: 0.6, Seed: seed, Kinds: []fault.Kind{fault.Drift}}})
		w := extract.Window{From: now.Add(-100 * time.Hour), To: now.Add(-time.Minute)}
		before := snapshot(s.store)
		ex, _ := s.extractor(t, w, 7, 4, token)
		seen, _, err := read(t, ex)
		if err != nil {
			t.Fatal(err)
		}
		if s.store.Faults()[fault.Drift] == 0 {
			t.Fatal("no drift fired")
		}
		after := snapshot(s.store)
		for id, o := range before {
			if inWindow(o, w) && sameAct(o, after[id]) && seen[id] == 0 {
				t.Errorf("seed %d: order %s (created %v, act %v) of the window was not read", seed, id, o.CreateTime, o.ActTime)
			}
		}
		if rereadInOrder(s.requests()) {
			rereads++
		}
	}
	// Whether a drift lands on the scan while it pages depends on timing
	// (under -race on a loaded machine, not always); across four shops at
	// least one must have made the scan read again in order.
	if rereads == 0 {
		t.Error("the act_time scan grew while paged in none of four shops, or was never read again in order")
	}
}

// rereadInOrder reports whether a page of the act_time scan was asked
// twice (the forward re-read).
func rereadInOrder(reqs []url.Values) bool {
	asked := map[string]bool{}
	for _, f := range reqs {
		if f.Get("time_type") != "2" {
			continue
		}
		if asked[f.Get("page_no")] {
			return true
		}
		asked[f.Get("page_no")] = true
	}
	return false
}

// TestRemovalDriftIsCaught: in a backfill, orders operated on while the
// act_time scan pages leave it (their act_time becomes now) and pull rows
// back onto pages already read; every order that stayed must be read.
func TestRemovalDriftIsCaught(t *testing.T) {
	t.Parallel()
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, cst)
	for seed := int64(1); seed <= 4; seed++ {
		s := newShop(t, sim.Options{Orders: 400, Seed: seed, Start: start, End: start.AddDate(0, 0, 12),
			Faults: fault.Options{Rate: 0.6, Seed: seed, Kinds: []fault.Kind{fault.Drift}}})
		w := extract.Window{From: start.AddDate(0, 0, 2), To: start.AddDate(0, 0, 9)}
		before := snapshot(s.store)
		ex, _ := s.extractor(t, w, 6, 4, token)
		seen, _, err := read(t, ex)
		if err != nil {
			t.Fatal(err)
		}
		after := snapshot(s.store)
		moved := 0
		for id, o := range before {
			if !sameAct(o, after[id]) && inWindow(o, w) {
				moved++
			}
			if inWindow(o, w) && sameAct(o, after[id]) && seen[id] == 0 {
				t.Errorf("seed %d: order %s (created %v, act %v) of the window was not read", seed, id, o.CreateTime, o.ActTime)
			}
		}
		if moved == 0 {
			t.Errorf("seed %d: no order of the window moved: the test shows nothing", seed)
		}
	}
}

// TestDuplicatesAndTransientFaults: repeated rows, 5xx, 429 with and without
// Retry-After, stalls, bodies that are not JSON or cut short, a wrong-typed
// value: the scan still reads every order of the window, and a row with a
// broken value is emitted all the same, for the transform to quarantine.
//
// The window is relative to now, so how many requests it takes varies with
// the time of day: 500 orders made about 35 faults, and a day came when
// no 500 was among them. 2,000 make about 120, some 10 of each kind.
func TestDuplicatesAndTransientFaults(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := newShop(t, sim.Options{Orders: 2000, Seed: 9, Start: now.AddDate(0, 0, -10), End: now.Add(-time.Hour),
		Faults: fault.Options{Rate: 0.5, Seed: 4, Latency: time.Millisecond, Stall: 5 * time.Second,
			Kinds: []fault.Kind{fault.Duplicate, fault.Duplicate, fault.ServerError, fault.RateLimited, fault.RateLimitedRetry,
				fault.Malformed, fault.Truncated, fault.WrongType, fault.WrongType, fault.Latency, fault.Stall}}})
	w := extract.Window{From: now.Add(-80 * time.Hour), To: now.Add(-time.Minute)}
	c := extract.NewClient(extract.ClientOptions{Shop: "ym", BaseURL: s.srv.URL, Token: secret.New(token),
		Timeout: 300 * time.Millisecond, MaxRetries: 20, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	ex, err := ymcart.New(extract.Shop{Name: "ym", Location: cst, PageSize: 9, Concurrency: 3, Window: w, Client: c})
	if err != nil {
		t.Fatal(err)
	}
	seen, _, err := read(t, ex)
	if err != nil {
		t.Fatal(err)
	}
	for id, o := range snapshot(s.store) {
		if inWindow(o, w) && seen[id] == 0 {
			t.Errorf("order %s (created %v, act %v) of the window was not read", id, o.CreateTime, o.ActTime)
		}
	}
	fired := s.store.Faults()
	for _, k := range []fault.Kind{fault.Duplicate, fault.ServerError, fault.Malformed, fault.Truncated, fault.WrongType} {
		if fired[k] == 0 {
			t.Errorf("fault %s never fired: %v", k, fired)
		}
	}
	if c.Retries() == 0 {
		t.Error("no retries")
	}
}

// TestRefusedTokenFailsAtOnce: TOKEN_ERROR is not retried, and the error
// does not show the token.
func TestRefusedTokenFailsAtOnce(t *testing.T) {
	t.Parallel()
	s := newShop(t, sim.Options{Orders: 10, Seed: 1})
	ex, c := s.extractor(t, extract.Window{From: time.Now().Add(-time.Hour), To: time.Now()}, 0, 1, "wrong-token")
	_, _, err := read(t, ex)
	if err == nil || !strings.Contains(err.Error(), "TOKEN_ERROR") || strings.Contains(err.Error(), "wrong-token") {
		t.Fatalf("error %v", err)
	}
	if c.Retries() != 0 || len(s.requests()) != 1 {
		t.Fatalf("%d retries, %d requests: a refused token must not be retried", c.Retries(), len(s.requests()))
	}
}

// TestBrokenRowsAreEmitted: rows whose times cannot be read are kept, in
// both scans, for the transform to quarantine.
func TestBrokenRowsAreEmitted(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"code":0,"count":"3","data":["oops",{"itemno":"SY-2","create_time":{"value":"1"},"act_time":"0"},`+
			`{"itemno":"SY-3","create_time":"1","act_time":"1"}]}`)
	}))
	defer srv.Close()
	now := time.Now()
	ex, err := ymcart.New(extract.Shop{Name: "ym", Location: cst, Window: extract.Window{From: now.Add(-time.Hour), To: now},
		Client: extract.NewClient(extract.ClientOptions{Shop: "ym", BaseURL: srv.URL, Timeout: time.Second})})
	if err != nil {
		t.Fatal(err)
	}
	seen, _, err := read(t, ex)
	if err != nil {
		t.Fatal(err)
	}
	// Each scan keeps "oops"; SY-2, act_time "0", belongs to the
	// create_time scan; SY-3 (created and operated on
	// 1970) is outside the window.
	if seen[""] != 2 || seen["SY-2"] != 1 || seen["SY-3"] != 0 {
		t.Fatalf("seen %v", seen)
	}
}

func TestNewNeedsTheShopZone(t *testing.T) {
	t.Parallel()
	if _, err := ymcart.New(extract.Shop{Name: "ym", Client: extract.NewClient(extract.ClientOptions{})}); err == nil {
		t.Fatal("no error without Location")
	}
}

// TestEmptyListing: a count of "0", with data [] or null, is one request
// per scan.
func TestEmptyListing(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"code":0,"count":"0","data":[]}`, `{"code":0,"count":0,"data":null}`} {
		var n atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			io.WriteString(w, body)
		}))
		now := time.Now()
		ex, err := ymcart.New(extract.Shop{Name: "ym", Location: cst, Window: extract.Window{From: now.Add(-time.Hour), To: now},
			Client: extract.NewClient(extract.ClientOptions{Shop: "ym", BaseURL: srv.URL, Timeout: time.Second})})
		if err != nil {
			t.Fatal(err)
		}
		seen, pages, err := read(t, ex)
		srv.Close()
		if err != nil || len(seen) != 0 || len(pages) != 2 || n.Load() != 2 {
			t.Fatalf("%s: err %v, seen %v, %d pages, %d requests", body, err, seen, len(pages), n.Load())
		}
	}
}

// Every page carries its listing's size as the simulator's `count` says
// it, numbered by pass; without drift, each pass's pages hold its count.
func TestPagesReportTheirListingTotal(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := newShop(t, sim.Options{Orders: 300, Seed: 9, Start: now.AddDate(0, 0, -10), End: now.Add(-time.Hour)})
	w := extract.Window{From: now.Add(-77 * time.Hour), To: now.Add(-time.Minute).Truncate(time.Second)}
	ex, _ := s.extractor(t, w, 20, 2, token)
	_, pages, err := read(t, ex)
	if err != nil {
		t.Fatal(err)
	}
	rows, totals := map[int]int{}, map[int]int{}
	for _, p := range pages {
		l := p.Listing
		if l.Pass < 1 || l.Pass > 2 || l.Total <= 0 || (totals[l.Pass] != 0 && totals[l.Pass] != l.Total) {
			t.Fatalf("page %s: listing %+v (pass totals so far %v)", p.Endpoint, l, totals)
		}
		totals[l.Pass] = l.Total
		rows[l.Pass] += l.Rows
	}
	if len(totals) != 2 || rows[1] != totals[1] || rows[2] != totals[2] {
		t.Errorf("rows per pass %v, totals per pass %v; want both passes, each listed whole", rows, totals)
	}
}
