package shopex_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/extract/shopex"
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
		Client: extract.NewClient(extract.ClientOptions{Shop: "sx", BaseURL: base, Token: extract.Secret(o.token),
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

func TestSteadyListingTakesTwoPasses(t *testing.T) {
	t.Parallel()
	f := newFakeShop(35)
	var c collected
	if err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{pageSize: 10, concurrency: 4}).Extract(context.Background(), c.emit); err != nil {
		t.Fatal(err)
	}
	got := c.keys()
	requireAll(t, f, got)
	for id, n := range got {
		if n != 1 {
			t.Errorf("order %s fetched %d times", id, n)
		}
	}
	// 35 rows in pages of 10: 4 list requests a pass, two passes.
	if f.lists != 8 || len(f.details) != 35 {
		t.Errorf("%d list and %d detail requests, want 8 and 35", f.lists, len(f.details))
	}
}

// An order changed while the listing pages leaves its place (its lastmtime
// is now, past the window): the rows after it move up one and the row that
// was at the next offset is skipped by the first pass. The second pass
// finds it.
func TestOrderLeavingWhilePagingSkipsNothing(t *testing.T) {
	t.Parallel()
	f := newFakeShop(35)
	skipped := f.orders[10].id
	f.before = func(f *fakeShop, n, offset int) {
		if n == 2 { // pass 1, offset 10: order 3 (already read) changes
			f.orders[3].mtime = fakeBase.Unix() + fakeNow
		}
	}
	var c collected
	if err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{pageSize: 10, concurrency: 3}).Extract(context.Background(), c.emit); err != nil {
		t.Fatal(err)
	}
	got := c.keys()
	requireAll(t, f, got, skipped, f.orders[34].id)
	// The order that left was fetched again, in its new state, by the
	// second pass, which no longer listed it.
	if n := got["20200301000003"]; n != 2 {
		t.Errorf("the changed order was fetched %d times, want 2", n)
	}
	if i := slices.Index(f.details, skipped); i < 34 {
		t.Errorf("the skipped order was fetched at request %d: the first pass should have missed it", i)
	}
}

// An order appearing inside the window behind the offsets already read
// (a late write with an old lastmtime) moves every row down one: the next
// page opens with a row already read. The pass is not trusted and the next
// one finds the newcomer.
func TestOrderAppearingBehindThePagingIsFound(t *testing.T) {
	t.Parallel()
	f := newFakeShop(35)
	late := "2020030100late"
	f.before = func(f *fakeShop, n, offset int) {
		if n == 3 { // pass 1, offset 20
			f.orders = append(f.orders, fakeOrder{id: late, mtime: fakeBase.Unix() + 30})
		}
	}
	var c collected
	if err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{pageSize: 10, concurrency: 2}).Extract(context.Background(), c.emit); err != nil {
		t.Fatal(err)
	}
	got := c.keys()
	requireAll(t, f, got, late)
	// Pass 2 (36 rows: 4 requests) differs from pass 1; pass 3 agrees.
	if f.lists != 12 {
		t.Errorf("%d list requests, want 12 (three passes)", f.lists)
	}
}

// A page that repeats, at its top, the row before it (the simulator's
// duplicate fault) is read without the repeat: each order is fetched once.
// A full page with the repeat is longer than asked, which tells it from
// rows shifted down by an insert; the last, short page cannot be told
// apart, so its pass is read again.
func TestDuplicatedRowsAreHarmless(t *testing.T) {
	t.Parallel()
	f := newFakeShop(35)
	f.dupTop = []int{3, 8}
	var c collected
	if err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{pageSize: 10, concurrency: 4}).Extract(context.Background(), c.emit); err != nil {
		t.Fatal(err)
	}
	got := c.keys()
	requireAll(t, f, got)
	// Request 3 (pass 1, offset 20, a full page) repeats: dropped. Request
	// 8 (pass 2, offset 30, the short page) repeats: pass 2 is not trusted.
	// Pass 3 (requests 9-12) lists what pass 2 did: settled.
	if f.lists != 12 || len(f.details) != 35 {
		t.Errorf("%d list and %d detail requests, want 12 and 35", f.lists, len(f.details))
	}
}

// A shop whose listing never holds still fails the run after MaxPasses
// passes, so that the watermark stays and the next run reads the window
// again.
func TestListingThatNeverSettlesFails(t *testing.T) {
	t.Parallel()
	f := newFakeShop(35)
	f.before = func(f *fakeShop, n, offset int) {
		if offset == 20 { // every pass: a newcomer behind the offsets
			f.orders = append(f.orders, fakeOrder{id: "late" + strings.Repeat("x", n), mtime: fakeBase.Unix() + int64(n)})
		}
	}
	var c collected
	err := newExtractor(t, f.server(t).URL, fakeWindow, shopOpts{pageSize: 10, concurrency: 2}).Extract(context.Background(), c.emit)
	if err == nil || !strings.Contains(err.Error(), "kept changing") {
		t.Fatalf("err %v", err)
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
