package shopex_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// inFlight serves a shop and counts the requests it is answering at once.
// It holds every detail request until want requests are in flight
// together, then lets the oldest one go, one for each request that comes
// while want are in flight: what a shop at its concurrency sees. Lists are
// never held; after the listing's last page (lists of them) every detail
// goes at once. A shop that never has want in flight stays held.
type inFlight struct {
	h           http.Handler
	want, lists int
	full        chan struct{} // closed the first time want requests were in flight

	mu        sync.Mutex // guards everything below, and closing full
	now, most int
	listed    int             // list requests answered
	held      []chan struct{} // the details waiting, oldest first
	drained   bool            // hold nothing any more
}

func newInFlight(h http.Handler, want, lists int) *inFlight {
	return &inFlight{h: h, want: want, lists: lists, full: make(chan struct{})}
}

func (f *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	q, _ := url.ParseQuery(string(body))
	list := q.Get("act") == "ome:fetch_order_list"
	wait := make(chan struct{})
	f.mu.Lock()
	if list {
		close(wait)
	} else {
		f.held = append(f.held, wait)
	}
	f.now++
	f.most = max(f.most, f.now)
	if f.now >= f.want {
		select {
		case <-f.full:
		default:
			close(f.full)
		}
		f.let(1)
	}
	f.let(0)
	f.mu.Unlock()
	select {
	case <-wait:
		f.h.ServeHTTP(w, r)
	case <-r.Context().Done():
	}
	f.mu.Lock()
	f.now--
	if list {
		f.listed++
		f.drained = f.drained || f.listed == f.lists
	}
	f.let(0)
	f.mu.Unlock()
}

// peak is the most requests seen in flight together.
func (f *inFlight) peak() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.most
}

// drain lets every held detail go, and every one to come.
func (f *inFlight) drain() {
	f.mu.Lock()
	f.drained = true
	f.let(0)
	f.mu.Unlock()
}

// let lets the n oldest held details go, or all of them once drained.
// f.mu must be held.
func (f *inFlight) let(n int) {
	if f.drained {
		n = len(f.held)
	}
	for ; n > 0 && len(f.held) > 0; n-- {
		close(f.held[0])
		f.held = f.held[1:]
	}
}

// The list and the details share the shop's concurrency: with a page of
// rows to fetch, details fill every slot while the list waits for its next
// page (the list does not keep one for itself), and list and details
// together never have more in flight than concurrency. Rate-limited, a
// slot kept idle for the list is a request the limiter could have sent.
//
// A list request sent beside concurrency details races the release of the
// oldest one, so a shop that sends one too many is caught in about half of
// the extractions; each concurrency is extracted ten times.
func TestDetailsFillTheShopsConcurrency(t *testing.T) {
	t.Parallel()
	for _, concurrency := range []int{1, 2, 4} {
		t.Run(fmt.Sprint(concurrency), func(t *testing.T) {
			t.Parallel()
			for range 10 {
				if most := extractThroughGate(t, concurrency); most > concurrency {
					t.Fatalf("%d requests in flight together, concurrency %d", most, concurrency)
				}
			}
		})
	}
}

// extractThroughGate extracts 100 orders in pages of 5 through inFlight
// and returns the most requests it saw in flight together. The test fails
// unless concurrency requests were in flight together and every order was
// fetched once.
func extractThroughGate(t *testing.T, concurrency int) int {
	t.Helper()
	f := newFakeShop(100)
	// Pages of 5 bring 5, then 4 new rows each (the cursor's row again),
	// then the end: 25 list requests, each at the end of a page's details.
	gate := newInFlight(f, concurrency, 25)
	srv := httptest.NewServer(gate)
	defer srv.Close()
	ex := newExtractor(t, srv.URL, fakeWindow, shopOpts{pageSize: 5, concurrency: concurrency})
	var c collected
	done := make(chan error, 1)
	go func() { done <- ex.Extract(context.Background(), c.emit) }()
	select {
	case <-gate.full:
	case err := <-done:
		t.Fatalf("the extraction ended (%v) before %d requests were in flight together", err, concurrency)
	case <-time.After(10 * time.Second):
		// Not a timing check: a shop that keeps a slot back never reaches
		// concurrency, and would wait for it forever.
		gate.drain()
		<-done
		t.Fatalf("%d requests in flight at most with a page of details to fetch, want %d", gate.peak(), concurrency)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := c.keys()
	requireAll(t, f, got)
	once(t, got)
	if f.lists != 25 {
		t.Errorf("%d list requests, want 25", f.lists)
	}
	return gate.peak()
}
