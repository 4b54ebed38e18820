package shopex_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/extract/shopex"
	"github.com/shopetl/shopetl/secret"
)

// collected gathers what an extractor emits; emit runs on several
// goroutines.
type collected struct {
	mu    sync.Mutex // guards pages
	pages []extract.Page
}

func (c *collected) emit(_ context.Context, p extract.Page) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pages = append(c.pages, p)
	return nil
}

// keys counts the records emitted per key.
func (c *collected) keys() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for _, p := range c.pages {
		for _, r := range p.Records {
			out[r.Key]++
		}
	}
	return out
}

type shopOpts struct {
	pageSize, concurrency int
	token                 string
	loc                   *time.Location
}

func newExtractor(t *testing.T, base string, w extract.Window, o shopOpts) extract.Extractor {
	t.Helper()
	ex, err := shopex.New(extract.Shop{
		Name: "sx", Platform: "shopex", Location: o.loc, PageSize: o.pageSize, Concurrency: o.concurrency, Window: w,
		Client: extract.NewClient(extract.ClientOptions{Shop: "sx", BaseURL: base, Token: secret.New(o.token),
			Timeout: 5 * time.Second, MaxRetries: 8, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// fakeWindow holds the fake shop's 35 orders, and is in the past for any
// change made "now" (fakeBase + 10 days).
var fakeWindow = extract.Window{From: fakeBase, To: fakeBase.Add(24 * time.Hour)}

const fakeNow = 10 * 24 * 3600

func requireAll(t *testing.T, f *fakeShop, got map[string]int, ids ...string) {
	t.Helper()
	for _, id := range append(f.inWindow(fakeWindow.From, fakeWindow.To), ids...) {
		if got[id] == 0 {
			t.Errorf("order %s was never fetched", id)
			got[id] = -1 // said once
		}
	}
}

// paging is how a walk test's shop serves list pages of p rows: asked for
// p, or asked for 2p with a cap of p (the seed names no cap, so a shop may
// serve fewer rows than asked while more follow). Every walk test runs
// both: the requests, pages and rows are the same.
type paging struct {
	name     string
	ask, cap int
}

func pagings(p int) []paging { return []paging{{"uncapped", p, 0}, {"capped", 2 * p, p}} }

// once fails the test unless every order was fetched exactly once.
func once(t *testing.T, got map[string]int) {
	t.Helper()
	for id, n := range got {
		if n != 1 {
			t.Errorf("order %s fetched %d times", id, n)
		}
	}
}

// A steady listing is walked once: 35 rows in pages of 10, each page
// starting at the last row's lastmtime (that row again, skipped).
func TestSteadyListingIsWalkedOnce(t *testing.T) {
	t.Parallel()
	for _, pg := range pagings(10) {
		t.Run(pg.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeShop(35)
			f.cap = pg.cap
			var c collected
			if err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{pageSize: pg.ask, concurrency: 4}).Extract(context.Background(), c.emit); err != nil {
				t.Fatal(err)
			}
			got := c.keys()
			requireAll(t, f, got)
			once(t, got)
			// Pages bring 10, 9, 9, 7 new rows: four requests; the last
			// page, shorter than the first, ends the listing.
			if f.lists != 4 || len(f.details) != 35 {
				t.Errorf("%d list and %d detail requests, want 4 and 35", f.lists, len(f.details))
			}
		})
	}
}

// An order changed while the listing pages leaves its place (lastmtime now,
// past the window), and offsets after it would move up one and skip a row.
// The walk starts each page at the last lastmtime read, so nothing after
// the cursor moves.
func TestOrderLeavingWhilePagingSkipsNothing(t *testing.T) {
	t.Parallel()
	for _, pg := range pagings(10) {
		t.Run(pg.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeShop(35)
			f.cap = pg.cap
			f.before = func(f *fakeShop, n, offset int) {
				if n == 2 || n == 3 { // orders already read change
					f.orders[n].mtime = fakeBase.Unix() + fakeNow
				}
			}
			var c collected
			if err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{pageSize: pg.ask, concurrency: 3}).Extract(context.Background(), c.emit); err != nil {
				t.Fatal(err)
			}
			got := c.keys()
			requireAll(t, f, got, "20200301000002", "20200301000003")
			once(t, got)
		})
	}
}

// Two orders share the second at a page's end; the one read leaves before
// the next page. Offsets would skip its twin; the walk asks for that second
// again and finds it.
func TestOrderLeavingAtTheCursorSkipsNothing(t *testing.T) {
	t.Parallel()
	for _, pg := range pagings(10) {
		t.Run(pg.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeShop(35)
			f.cap = pg.cap
			f.orders[10].mtime = f.orders[9].mtime
			f.before = func(f *fakeShop, n, offset int) {
				if n == 2 {
					f.sorted()
					f.orders[9].mtime = fakeBase.Unix() + fakeNow // the last row of page 1 leaves
				}
			}
			var c collected
			if err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{pageSize: pg.ask, concurrency: 2}).Extract(context.Background(), c.emit); err != nil {
				t.Fatal(err)
			}
			got := c.keys()
			requireAll(t, f, got, "20200301000009")
			once(t, got)
		})
	}
}

// More orders share one second than a page holds: the walk pages inside
// that second by offset. A capped shop's page of that second's rows, all
// read, may have been cut: the walk goes on by offset there too.
func TestCrowdedSecond(t *testing.T) {
	t.Parallel()
	for _, pg := range pagings(300) {
		t.Run(pg.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeShop(1200)
			f.cap = pg.cap
			for i := range f.orders {
				if i >= 100 && i < 1150 {
					f.orders[i].mtime = f.orders[100].mtime
				}
			}
			var c collected
			if err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{pageSize: pg.ask, concurrency: 4}).Extract(context.Background(), c.emit); err != nil {
				t.Fatal(err)
			}
			got := c.keys()
			requireAll(t, f, got)
			once(t, got)
			if len(got) != 1200 {
				t.Errorf("%d orders fetched, want 1200", len(got))
			}
		})
	}
}

// An order appearing ahead of the cursor (modified inside the window after
// the rows read) is read when the walk gets there.
func TestOrderAppearingAheadIsRead(t *testing.T) {
	t.Parallel()
	for _, pg := range pagings(10) {
		t.Run(pg.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeShop(35)
			f.cap = pg.cap
			late := "2020030100late"
			f.before = func(f *fakeShop, n, offset int) {
				if n == 2 {
					f.orders = append(f.orders, fakeOrder{id: late, mtime: fakeBase.Unix() + 30*60 + 30})
				}
			}
			var c collected
			if err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{pageSize: pg.ask, concurrency: 2}).Extract(context.Background(), c.emit); err != nil {
				t.Fatal(err)
			}
			got := c.keys()
			requireAll(t, f, got, late)
			once(t, got)
		})
	}
}

// A page that repeats rows (the same order twice) fetches each order once.
func TestDuplicatedRowsAreHarmless(t *testing.T) {
	t.Parallel()
	for _, pg := range pagings(10) {
		t.Run(pg.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeShop(35)
			f.cap = pg.cap
			f.dupTop = []int{1, 3}
			var c collected
			if err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{pageSize: pg.ask, concurrency: 4}).Extract(context.Background(), c.emit); err != nil {
				t.Fatal(err)
			}
			got := c.keys()
			requireAll(t, f, got)
			once(t, got)
		})
	}
}

// A page shorter than asked ends the listing only when an earlier page
// was longer: alone, it may be a shop's cap. A window that fits in one page
// is asked again from its last row (that row comes back alone: the end);
// one whose rows all share a second, one order say, once more past them.
func TestShortFirstPageIsNotTheEnd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		orders, cap, lists int
	}{
		{orders: 5, lists: 2},
		{orders: 1, lists: 3},
		{orders: 0, lists: 1},
		{orders: 5, cap: 5, lists: 2},
		{orders: 12, cap: 5, lists: 3},  // pages of 5, 5 (4 new) and 4 (3 new)
		{orders: 35, cap: 1, lists: 37}, // row 0 twice (a cut page?), then past each row by offset, then nothing
	} {
		t.Run(fmt.Sprintf("%d orders, cap %d", tc.orders, tc.cap), func(t *testing.T) {
			t.Parallel()
			f := newFakeShop(tc.orders)
			f.cap = tc.cap
			var c collected
			if err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{pageSize: 10, concurrency: 2}).Extract(context.Background(), c.emit); err != nil {
				t.Fatal(err)
			}
			got := c.keys()
			requireAll(t, f, got)
			once(t, got)
			if len(got) != tc.orders || f.lists != tc.lists {
				t.Errorf("%d orders fetched in %d list requests, want %d in %d", len(got), f.lists, tc.orders, tc.lists)
			}
		})
	}
}

func TestEmptyWindowIsOneRequest(t *testing.T) {
	t.Parallel()
	f := newFakeShop(35)
	var c collected
	w := extract.Window{From: fakeBase.Add(-48 * time.Hour), To: fakeBase.Add(-24 * time.Hour)}
	if err := newExtractor(t, f.server(t).URL, w, shopOpts{}).Extract(context.Background(), c.emit); err != nil {
		t.Fatal(err)
	}
	if f.lists != 1 || len(c.pages) != 0 {
		t.Errorf("%d list requests, %d pages", f.lists, len(c.pages))
	}
}

// A "fail" reply is the shop refusing (here a bad signature): it is not
// retried, and its msg reaches the error.
func TestFailReplyIsNotRetried(t *testing.T) {
	t.Parallel()
	f := newFakeShop(3)
	f.fail = "签名错误"
	var c collected
	err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{token: "t0k"}).Extract(context.Background(), c.emit)
	if err == nil || !strings.Contains(err.Error(), "签名错误") || strings.Contains(err.Error(), "t0k") {
		t.Fatalf("err %v", err)
	}
	if f.calls != 1 {
		t.Errorf("%d requests, want 1", f.calls)
	}
}

// A list row without an order number is handed on as it is (the transform
// rejects it into quarantine), once; the rest of the window loads.
func TestRowWithoutOrderNumberIsHandedOn(t *testing.T) {
	t.Parallel()
	f := newFakeShop(5)
	f.orders = append(f.orders, fakeOrder{id: "", mtime: fakeBase.Unix() + 90})
	var c collected
	if err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{pageSize: 10}).Extract(context.Background(), c.emit); err != nil {
		t.Fatal(err)
	}
	got := c.keys()
	requireAll(t, f, got)
	if got[""] != 1 {
		t.Fatalf("the row without order number was emitted %d times", got[""])
	}
	for _, p := range c.pages {
		if p.Records[0].Key == "" {
			var row map[string]any
			if json.Unmarshal(p.Records[0].Body, &row) != nil || row["order_id"] != "" || !strings.HasPrefix(p.Endpoint, "ome:fetch_order_list") {
				t.Errorf("emitted %s from %s", p.Records[0].Body, p.Endpoint)
			}
		}
	}
}

func TestCancelStopsTheExtraction(t *testing.T) {
	t.Parallel()
	f := newFakeShop(35)
	ctx, cancel := context.WithCancel(context.Background())
	var c collected
	err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{pageSize: 10, concurrency: 3}).Extract(ctx,
		func(ctx context.Context, p extract.Page) error {
			cancel()
			return c.emit(ctx, p)
		})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}
