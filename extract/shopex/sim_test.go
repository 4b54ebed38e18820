package shopex_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/sim/fault"
	sim "github.com/shopetl/shopetl/sim/shopex"
	"github.com/shopetl/shopetl/transform"
)

var cst = time.FixedZone("CST", 8*3600)

// recorder keeps the form of every request a handler serves.
type recorder struct {
	mu    sync.Mutex // guards forms
	forms []url.Values
}

func (r *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		q, _ := url.ParseQuery(string(b))
		r.mu.Lock()
		r.forms = append(r.forms, q)
		r.mu.Unlock()
		req.Body = io.NopCloser(strings.NewReader(string(b)))
		h.ServeHTTP(w, req)
	})
}

// axes is SPEC §4's shopex table, restated from the simulator's raw codes.
func axes(o sim.Order) [4]string {
	ship := map[int]string{0: model.ShippingUnshipped, 1: model.ShippingShipped, 2: model.ShippingPartiallyShipped,
		3: model.ShippingPartiallyReturned, 4: model.ShippingReturned}[o.ShipStatus]
	pay := map[int]string{0: model.PaymentUnpaid, 1: model.PaymentPaid, 3: model.PaymentPartiallyPaid,
		4: model.PaymentPartiallyRefunded, 5: model.PaymentRefunded}[o.PayStatus]
	refund := map[int]string{4: model.RefundPartial, 5: model.RefundFull}[o.PayStatus]
	if refund == "" {
		refund = model.RefundNone
	}
	status := map[string]string{"dead": model.StatusCancelled, "finish": model.StatusCompleted}[o.Status]
	if status == "" {
		switch {
		case o.ShipStatus >= 1:
			status = model.StatusShipped
		case o.PayStatus == 1 || o.PayStatus == 4 || o.PayStatus == 5:
			status = model.StatusPaid
		default:
			status = model.StatusPending
		}
	}
	return [4]string{status, pay, ship, refund}
}

// latest returns, per order, the record of the latest request.
func latest(c *collected) map[string]extract.Raw {
	c.mu.Lock()
	defer c.mu.Unlock()
	at := map[string]time.Time{}
	out := map[string]extract.Raw{}
	for _, p := range c.pages {
		for _, r := range p.Records {
			if t, ok := at[r.Key]; !ok || p.FetchedAt.After(t) {
				at[r.Key], out[r.Key] = p.FetchedAt, r
			}
		}
	}
	return out
}

// TestExtractAgainstTheSimulator reads a window of a signed simulated shop
// and checks the requests (window in shop time, paging to a short page,
// page size capped, token signing every call) and what comes out: exactly
// the orders changed in the window, each of which the transform turns into
// the shop's truth. A shop that serves 50 rows where 100 are asked (its own
// cap; the seed names none) loses nothing either.
func TestExtractAgainstTheSimulator(t *testing.T) {
	t.Parallel()
	start := time.Date(2012, 4, 30, 16, 0, 0, 0, time.UTC) // the simulator's default Start
	w := extract.Window{From: start.AddDate(0, 0, 20).Add(1234 * time.Millisecond), To: start.AddDate(0, 0, 70)}
	for _, tc := range []struct {
		name                     string
		pageSize, cap            int
		wantSize, served, wantLs int // _pagesize_ asked, rows a page serves, list requests
	}{
		{"7", 7, 0, 7, 7, 0}, {"5000", 5000, 0, sim.MaxPageSize, sim.MaxPageSize, 2}, {"100 capped at 50", 100, 50, 100, 50, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store, err := sim.NewStore(sim.Options{Orders: 400, Seed: 7, Token: "s1gn-me", PageCap: tc.cap})
			if err != nil {
				t.Fatal(err)
			}
			var rec recorder
			srv := httptest.NewServer(rec.wrap(store.Handler()))
			defer srv.Close()
			var c collected
			ex := newExtractor(t, srv.URL+"/api", w, shopOpts{pageSize: tc.pageSize, concurrency: 4, token: "s1gn-me", loc: cst})
			if err := ex.Extract(context.Background(), c.emit); err != nil {
				t.Fatal(err)
			}

			want := map[string]bool{}
			for _, id := range store.OrderIDs() {
				o, _ := store.Snapshot(id)
				if !o.Modified.Before(w.From.Truncate(time.Second)) && o.Modified.Before(w.To) {
					want[id] = true
				}
			}
			got := latest(&c)
			if len(got) != len(want) || len(want) < 100 {
				t.Errorf("%d orders emitted, %d changed in the window", len(got), len(want))
			}
			ctx := &transform.Context{Meta: model.Meta{Platform: "shopex", Shop: "sx"}, Currency: "CNY", Location: cst}
			for id := range want {
				raw, ok := got[id]
				if !ok {
					t.Errorf("order %s not emitted", id)
					continue
				}
				r, err := transform.Shopex(ctx, raw)
				if err != nil {
					t.Errorf("order %s: %v", id, err)
					continue
				}
				so, _ := store.Snapshot(id)
				o := r.Order
				if [4]string{o.Status, o.PaymentStatus, o.ShippingStatus, o.RefundStatus} != axes(so) ||
					!o.TotalAmount.Equal(so.TotalFee) || !o.PaidAmount.Equal(so.PaidFee) || !o.RefundedAmount.Equal(so.RefundFee) ||
					int(o.ItemCount) != len(so.Lines) || !o.CreatedAt.Equal(so.Created) || len(r.Refunds) != len(so.Refunds) {
					t.Errorf("order %s: %s/%s/%s/%s total %s paid %s refunded %s lines %d, the shop %v total %s paid %s refunded %s lines %d",
						id, o.Status, o.PaymentStatus, o.ShippingStatus, o.RefundStatus, o.TotalAmount, o.PaidAmount, o.RefundedAmount, o.ItemCount,
						axes(so), so.TotalFee, so.PaidFee, so.RefundFee, len(so.Lines))
				}
				if len(o.Anomalies) != 0 {
					t.Errorf("order %s: anomalies %v", id, o.Anomalies)
				}
			}

			from, to := w.From.In(cst).Format("2006-01-02 15:04:05"), w.To.In(cst).Format("2006-01-02 15:04:05")
			if from != "2012-05-21 00:00:01" || to != "2012-07-10 00:00:00" {
				t.Fatalf("window %s..%s", from, to)
			}
			var lists, details int
			cursor := from
			for _, q := range rec.forms {
				if q.Get("api_version") != "2.0" || q.Get("return_data") != "json" || q.Get("sign") == "" {
					t.Fatalf("request without the common parameters: %v", q)
				}
				if _, err := time.ParseInLocation("2006-01-02 15:04:05", q.Get("date"), cst); err != nil {
					t.Fatalf("date %q", q.Get("date"))
				}
				switch q.Get("act") {
				case "ome:fetch_order_list":
					lists++
					// A keyset walk: dtline starts at the window, then at the
					// last lastmtime read, never going back.
					if q.Get("dtline[0]") < cursor || q.Get("dtline[1]") != to || q.Get("_pagesize_") != strconv.Itoa(tc.wantSize) || q.Get("_offset_") != "0" {
						t.Fatalf("list request %v after dtline start %s", q, cursor)
					}
					cursor = q.Get("dtline[0]")
				case "ome:fetch_order_detail":
					details++
					if !want[q.Get("order_id")] {
						t.Errorf("detail of order %s, not in the window", q.Get("order_id"))
					}
				default:
					t.Fatalf("act %q", q.Get("act"))
				}
			}
			// One walk: pages of served-1 new rows (the cursor's row comes
			// again), up to a page shorter than the first; a window of
			// fewer rows than a page holds is asked again from its last
			// row. One detail per order.
			wantLists := len(want)/(tc.served-1) + 1
			if tc.wantLs > 0 {
				wantLists = tc.wantLs
			}
			if lists != wantLists || details != len(want) {
				t.Errorf("%d list requests (want %d), %d details (want %d)", lists, wantLists, details, len(want))
			}
		})
	}
}

// TestExtractThroughFaults reads a whole simulated shop while it fails
// (5xx, 429, cut-short and malformed replies, duplicated rows) and drifts
// (orders appearing inside the window, orders changing and leaving it):
// every order in the window at the end was emitted, in its final state.
func TestExtractThroughFaults(t *testing.T) {
	t.Parallel()
	for _, pg := range pagings(20) {
		t.Run(pg.name, func(t *testing.T) {
			t.Parallel()
			extractThroughFaults(t, pg)
		})
	}
}

func extractThroughFaults(t *testing.T, pg paging) {
	store, err := sim.NewStore(sim.Options{Orders: 300, Seed: 21, PageCap: pg.cap, Faults: fault.Options{Rate: 0.3, Seed: 5, Latency: time.Millisecond,
		Kinds: []fault.Kind{fault.ServerError, fault.RateLimited, fault.Truncated, fault.Malformed, fault.Latency,
			fault.Drift, fault.Drift, fault.Drift, fault.Duplicate, fault.Duplicate},
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(store.Handler())
	defer srv.Close()
	start := time.Date(2012, 4, 30, 16, 0, 0, 0, time.UTC)
	w := extract.Window{From: start, To: start.AddDate(0, 0, 91)}
	var c collected
	if err := newExtractor(t, srv.URL, w, shopOpts{pageSize: pg.ask, concurrency: 4}).Extract(context.Background(), c.emit); err != nil {
		t.Fatal(err)
	}
	fired := store.Faults()
	if fired[fault.Drift] == 0 || fired[fault.Duplicate] == 0 || fired[fault.Truncated] == 0 {
		t.Fatalf("faults fired: %v", fired)
	}
	got := latest(&c)
	n := 0
	for _, id := range store.OrderIDs() {
		o, _ := store.Snapshot(id)
		if o.Modified.Before(w.From) || !o.Modified.Before(w.To) {
			continue // changed while read: the next window's
		}
		n++
		raw, ok := got[id]
		if !ok {
			t.Errorf("order %s (modified %s) lost", id, o.Modified)
			continue
		}
		var d struct{ Lastmodify int64 }
		if err := json.Unmarshal(raw.Body, &d); err != nil || d.Lastmodify != o.Modified.Unix() {
			t.Errorf("order %s: emitted lastmodify %d, the shop's %d (%v)", id, d.Lastmodify, o.Modified.Unix(), err)
		}
	}
	if n < 250 {
		t.Fatalf("only %d orders left in the window", n)
	}
	t.Logf("%d orders in the window, %d emitted; faults %v", n, len(got), fired)
}

// TestBrokenDetailDoesNotStopTheShop: a detail whose fields have the wrong
// types is still a record; the extractor hands it on and the transform
// rejects it, naming the order, for the quarantine.
func TestBrokenDetailDoesNotStopTheShop(t *testing.T) {
	t.Parallel()
	store, err := sim.NewStore(sim.Options{Orders: 40, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	broken := store.OrderIDs()[17]
	h := store.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		q, _ := url.ParseQuery(string(b))
		if q.Get("order_id") != broken {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		w.Write(fault.WrongTypeValue(rec.Body.Bytes(), []string{"total_goods_fee"}, 0))
	}))
	defer srv.Close()
	start := time.Date(2012, 4, 30, 16, 0, 0, 0, time.UTC)
	var c collected
	if err := newExtractor(t, srv.URL, extract.Window{From: start, To: start.AddDate(0, 0, 91)}, shopOpts{}).Extract(context.Background(), c.emit); err != nil {
		t.Fatal(err)
	}
	got := latest(&c)
	if len(got) != 40 {
		t.Fatalf("%d records", len(got))
	}
	ctx := &transform.Context{Meta: model.Meta{Platform: "shopex"}, Currency: "CNY", Location: cst}
	for id, raw := range got {
		r, err := transform.Shopex(ctx, raw)
		if (err != nil) != (id == broken) {
			t.Errorf("order %s: %v", id, err)
		}
		if id == broken && (r.Order.OrderID != broken || !strings.Contains(err.Error(), "total_goods_fee")) {
			t.Errorf("broken order: id %q, %v", r.Order.OrderID, err)
		}
	}
}

// TestBackfillSelectsByCreation: a backfill window (ByCreation) lists
// dtline from From up to ScanTo, not To, and fetches the detail of exactly
// the orders created in [From, To) - those changed after To included -
// plus any listed row whose createtime cannot be read (here one created
// outside the window, which is fetched rather than risk dropping one).
func TestBackfillSelectsByCreation(t *testing.T) {
	t.Parallel()
	for _, pg := range pagings(25) {
		t.Run(pg.name, func(t *testing.T) {
			t.Parallel()
			backfillSelectsByCreation(t, pg)
		})
	}
}

func backfillSelectsByCreation(t *testing.T, pg paging) {
	store, err := sim.NewStore(sim.Options{Orders: 400, Seed: 7, PageCap: pg.cap})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2012, 4, 30, 16, 0, 0, 0, time.UTC) // the simulator's default Start
	w := extract.Window{From: start.AddDate(0, 0, 20), To: start.AddDate(0, 0, 50), ByCreation: true, ScanTo: start.AddDate(0, 0, 91)}
	want, late := map[string]bool{}, 0
	var unreadable string // an order created before the window, changed in it
	for _, id := range store.OrderIDs() {
		o, _ := store.Snapshot(id)
		switch {
		case !o.Created.Before(w.From) && o.Created.Before(w.To):
			want[id] = true
			if !o.Modified.Before(w.To) {
				late++
			}
		case o.Created.Before(w.From) && !o.Modified.Before(w.From) && unreadable == "":
			unreadable = id
		}
	}
	if late < 10 || unreadable == "" {
		t.Fatalf("%d orders of the window changed after it, unreadable %q: the shop does not test the point", late, unreadable)
	}
	want[unreadable] = true

	// The list rows are served with the unreadable order's createtime
	// replaced by a word.
	h := store.Handler()
	var rec recorder
	srv := httptest.NewServer(rec.wrap(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		out := httptest.NewRecorder()
		h.ServeHTTP(out, r)
		var reply map[string]any
		if json.Unmarshal(out.Body.Bytes(), &reply) == nil {
			if rows, ok := reply["info"].([]any); ok {
				for _, row := range rows {
					if m, ok := row.(map[string]any); ok && m["order_id"] == unreadable {
						m["createtime"] = "unknown"
					}
				}
				b, _ := json.Marshal(reply)
				rw.Write(b)
				return
			}
		}
		rw.Write(out.Body.Bytes())
	})))
	defer srv.Close()
	var c collected
	if err := newExtractor(t, srv.URL, w, shopOpts{pageSize: pg.ask, concurrency: 4, loc: cst}).Extract(context.Background(), c.emit); err != nil {
		t.Fatal(err)
	}

	got := latest(&c)
	for id := range want {
		if _, ok := got[id]; !ok {
			o, _ := store.Snapshot(id)
			t.Errorf("order %s created %s, changed %s: not emitted", id, o.Created, o.Modified)
		}
	}
	for id := range got {
		if !want[id] {
			o, _ := store.Snapshot(id)
			t.Errorf("order %s created %s, outside the window: emitted", id, o.Created)
		}
	}
	from, scanTo := w.From.In(cst).Format("2006-01-02 15:04:05"), w.ScanTo.In(cst).Format("2006-01-02 15:04:05")
	details := map[string]int{}
	for _, q := range rec.forms {
		switch q.Get("act") {
		case "ome:fetch_order_list":
			if q.Get("dtline[0]") < from || q.Get("dtline[1]") != scanTo {
				t.Fatalf("list request dtline [%s, %s), want within [%s, %s)", q.Get("dtline[0]"), q.Get("dtline[1]"), from, scanTo)
			}
		case "ome:fetch_order_detail":
			details[q.Get("order_id")]++
		}
	}
	if len(details) != len(want) {
		t.Errorf("%d details fetched, %d orders selected", len(details), len(want))
	}
}
