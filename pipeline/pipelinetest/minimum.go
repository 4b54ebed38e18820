package pipelinetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/sim"
	"github.com/shopetl/shopetl/sim/shopex"
)

// Needs is what decides a window's listings besides the window: the
// shop's page size, re-scans and time zone.
type Needs struct {
	PageSize             int
	Rescan, RefundRescan time.Duration
	Location             *time.Location
}

// MinRequests is the fewest requests a run of window w can make to a
// simulated shop of platform (issue 18): for every listing the window
// needs that no other listing can stand in for, ⌈its rows / page size⌉
// and at least one, plus one detail per order where the platform needs it
// (shopex). Rows are counted by the simulator, asked directly, not through
// the server whose requests a test counts.
//
// What a window needs is stated here on its own, not taken from the
// extractors' planning (extract/window.go), so that a test catches either
// going wrong: orders created since From, and since To − rescan (and
// To − refund_rescan for refund-flagged or refund-status ones) unless a
// backfill leaves the watermark; orders changed since From on an
// incremental run, or since ChangedFrom on a backfill that moves the
// watermark; no changes on a first run (see the README).
func MinRequests(t testing.TB, platform string, shop sim.Shop, w extract.Window, n Needs) int {
	t.Helper()
	min, err := Minimum(platform, shop, w, n)
	if err != nil {
		t.Fatal(err)
	}
	return min
}

// Minimum is MinRequests for callers without a testing.TB (the
// benchmark, bench/): the simulator must not require a token.
func Minimum(platform string, shop sim.Shop, w extract.Window, n Needs) (int, error) {
	f, ok := minimum[platform]
	if !ok {
		return 0, fmt.Errorf("no minimum for platform %s", platform)
	}
	a := &asker{shop: shop}
	min := f(a, w, n)
	return min, a.err
}

// asker asks a simulator directly and keeps the first error.
type asker struct {
	shop sim.Shop
	err  error
}

// pages is ⌈rows / size⌉, at least one: an empty listing is asked once.
func pages(rows, size int) int { return max((rows+size-1)/size, 1) }

// ranges is what w needs of a platform that cannot filter by change:
// creation since created (refund-flagged since refunds), and changes since
// changed when changes is set.
func ranges(w extract.Window, n Needs) (created, refunds, changed time.Time, changes bool) {
	created, refunds = w.From, w.From
	if !w.ByCreation || !w.ChangedFrom.IsZero() { // re-scans apply
		for _, r := range []struct {
			at *time.Time
			d  time.Duration
		}{{&created, n.Rescan}, {&refunds, n.RefundRescan}} {
			if t := w.To.Add(-r.d); r.d > 0 && t.Before(*r.at) {
				*r.at = t
			}
		}
	}
	if created.Before(refunds) {
		refunds = created
	}
	switch {
	case w.ByCreation:
		return created, refunds, w.ChangedFrom, !w.ChangedFrom.IsZero()
	case w.First:
		return created, refunds, time.Time{}, false
	}
	return created, refunds, w.From, true
}

var minimum = map[string]func(*asker, extract.Window, Needs) int{
	"shoptima": func(a *asker, w extract.Window, n Needs) int {
		created, refunds, changed, changes := ranges(w, n)
		list := func(timeType, isRefund int, from time.Time) int {
			q := url.Values{"rows": {"1"}, "page": {"1"}, "time_type": {strconv.Itoa(timeType)},
				"begin_time": {strconv.FormatInt(from.Unix(), 10)}, "end_time": {strconv.FormatInt(w.To.Unix()-1, 10)},
				"is_refund": {strconv.Itoa(isRefund)}}
			var r struct {
				Data struct{ Total int } `json:"data"`
			}
			a.ask(httptest.NewRequest(http.MethodGet, "/order?"+q.Encode(), nil), &r)
			return pages(r.Data.Total, n.PageSize)
		}
		sum := list(2, 0, created) + list(2, 1, refunds)
		if changes {
			sum += list(1, 0, changed) + list(1, 1, changed)
		}
		return sum
	},
	"dage": func(a *asker, w extract.Window, n Needs) int {
		list := func(from, to time.Time, status string) int {
			q := url.Values{"startTime": {from.In(n.Location).Format(time.DateOnly)},
				"endTime": {to.Add(-time.Nanosecond).In(n.Location).Format(time.DateOnly)}, "page": {"1"}, "pageSize": {"1"}}
			if status != "" {
				q.Set("status", status)
			}
			var r struct {
				Meta struct{ TotalCount int } `json:"_meta"`
			}
			a.ask(httptest.NewRequest(http.MethodGet, "/orders/list?"+q.Encode(), nil), &r)
			return pages(r.Meta.TotalCount, n.PageSize)
		}
		created, refunds, _, _ := ranges(w, n)
		sum := list(created, w.To, "")
		if refunds.Before(created) {
			sum += list(refunds, created, "6") + list(refunds, created, "5")
		}
		return sum
	},
	"ymcart": func(a *asker, w extract.Window, n Needs) int {
		list := func(timeType string, from, to time.Time) int {
			f := url.Values{"page_no": {"1"}, "page_size": {"1"}, "time_type": {timeType},
				"start_time": {from.In(n.Location).Format("2006-1-2")}}
			if !to.IsZero() {
				f.Set("end_time", to.Add(-time.Nanosecond).In(n.Location).Format("2006-1-2"))
			}
			r := httptest.NewRequest(http.MethodPost, "/api-erp-orderList.html", strings.NewReader(f.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			var out struct {
				Count json.Number `json:"count"`
			}
			a.ask(r, &out)
			c, _ := out.Count.Int64()
			return pages(int(c), n.PageSize)
		}
		// No re-scans: the act_time filter sees every change.
		_, _, changed, changes := ranges(w, n)
		sum := list("", w.From, w.To)
		if changes {
			sum += list("2", changed, time.Time{})
		}
		return sum
	},
	"shopex": func(a *asker, w extract.Window, n Needs) int {
		store, ok := a.shop.(*shopex.Store)
		if !ok {
			a.err = fmt.Errorf("shopex: a %T, not a *shopex.Store", a.shop)
			return 0
		}
		// One listing by lastmtime, on a backfill up to ScanTo; a detail
		// for each order the window selects.
		end := w.To
		if w.ByCreation && w.ScanTo.After(end) {
			end = w.ScanTo
		}
		listed, details := 0, 0
		for _, id := range store.OrderIDs() {
			o, _ := store.Snapshot(id)
			if o.Modified.Before(w.From) || !o.Modified.Before(end) {
				continue
			}
			listed++
			created := !o.Created.Before(w.From) && o.Created.Before(w.To)
			changed := !w.ChangedFrom.IsZero() && !o.Modified.Before(w.ChangedFrom)
			if !w.ByCreation || created || changed {
				details++
			}
		}
		return pages(listed, n.PageSize) + details
	},
}

// ask serves r from the simulator's handler and decodes its body into v;
// after an error it asks nothing more.
func (a *asker) ask(r *http.Request, v any) {
	if a.err != nil {
		return
	}
	rec := httptest.NewRecorder()
	a.shop.Handler().ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		a.err = fmt.Errorf("%s %s: %d %s", r.Method, r.URL, rec.Code, rec.Body)
		return
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		a.err = fmt.Errorf("%s %s: %v", r.Method, r.URL, err)
	}
}
