package shopex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/sim/fault"
)

func faultOpts(kinds ...fault.Kind) fault.Options {
	return fault.Options{Rate: 1, Kinds: kinds, Latency: time.Millisecond, Stall: 200 * time.Millisecond}
}

// fetch posts a form with c and returns what came back, errors included.
func fetch(c *http.Client, u string, v url.Values) (*http.Response, []byte, error) {
	resp, err := c.Post(u+"/api", "application/x-www-form-urlencoded", strings.NewReader(withDefaults(v).Encode()))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// secondPage is the list request the fault tests send: offset 10, so the
// duplicate fault has a record before it.
func secondPage(extra url.Values) url.Values {
	v := listForm(window())
	v.Set("_offset_", "10")
	v.Set("_pagesize_", "10")
	for k, vs := range extra {
		v[k] = vs
	}
	return v
}

func TestFaults(t *testing.T) {
	t.Parallel()
	base := Options{Orders: 200, Seed: 5}
	_, clean := newServer(t, base)
	_, cleanBody, _ := fetch(clean.Client(), clean.URL, secondPage(nil))
	var cleanItems []item
	json.Unmarshal(mustSucceed(t, 200, cleanBody), &cleanItems)

	for _, k := range fault.Kinds() {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			o := base
			o.Faults = faultOpts(k)
			s, srv := newServer(t, o)
			c := srv.Client()
			// A stalled request is dropped after Stall (200ms); the client
			// waits for that, so the shop has surely seen the request.
			var before []Order
			if k == fault.Drift {
				before = snapshots(t, s)
			}
			resp, b, err := fetch(c, srv.URL, secondPage(nil))
			if got := s.Faults()[k]; got != 1 {
				t.Fatalf("Faults()[%s] = %d, want 1 (err %v)", k, got, err)
			}
			switch k {
			case fault.Latency:
				if err != nil || resp.StatusCode != 200 || !bytes.Equal(b, cleanBody) {
					t.Fatalf("want the page after the wait, got %v %v %.200s", err, resp, b)
				}
			case fault.ServerError:
				r := decodeReply(t, resp.StatusCode, b)
				if err != nil || (resp.StatusCode != 500 && resp.StatusCode != 502 && resp.StatusCode != 503) || r.Result != "fail" || r.Msg == nil || *r.Msg == "" {
					t.Fatalf("want 5xx with a fail envelope, got %v %d %s", err, resp.StatusCode, b)
				}
			case fault.RateLimited, fault.RateLimitedRetry:
				r := decodeReply(t, resp.StatusCode, b)
				if err != nil || resp.StatusCode != 429 || r.Result != "fail" {
					t.Fatalf("want 429 with a fail envelope, got %v %d %s", err, resp.StatusCode, b)
				}
				if ra := resp.Header.Get("Retry-After"); (k == fault.RateLimitedRetry) != (ra == "1") {
					t.Fatalf("%s: Retry-After %q", k, ra)
				}
			case fault.Stall:
				if err == nil {
					t.Fatalf("want the connection dropped without a response, got %v", resp)
				}
			case fault.Malformed:
				if err != nil || resp.StatusCode != 200 || json.Valid(b) {
					t.Fatalf("want 200 and not JSON, got %v %v %.200s", err, resp, b)
				}
			case fault.Truncated:
				if !errors.Is(err, io.ErrUnexpectedEOF) || json.Valid(b) {
					t.Fatalf("want io.ErrUnexpectedEOF, got %v (%d bytes)", err, len(b))
				}
			case fault.WrongType:
				var page struct {
					Info []map[string]json.RawMessage `json:"info"`
				}
				if err != nil || resp.StatusCode != 200 || json.Unmarshal(b, &page) != nil || bytes.Equal(b, cleanBody) {
					t.Fatalf("want valid JSON differing from the clean page, got %v %s", err, b)
				}
				wrong := 0
				for _, it := range page.Info {
					for _, f := range []string{"createtime", "lastmtime"} {
						if c := it[f][0]; c == '{' || c == '[' || c == 't' {
							wrong++
						}
					}
				}
				if wrong != 1 {
					t.Fatalf("want one wrong-typed time, got %d in %s", wrong, b)
				}
			case fault.Duplicate:
				var items []item
				json.Unmarshal(mustSucceed(t, resp.StatusCode, b), &items)
				_, firstBody, _ := fetch(clean.Client(), clean.URL, listForm(url.Values{"dtline[]": window()["dtline[]"], "_pagesize_": {"10"}}))
				var first []item
				json.Unmarshal(mustSucceed(t, 200, firstBody), &first)
				if len(items) != 11 || items[0] != first[9] || !slices.Equal(items[1:], cleanItems) {
					t.Fatalf("want page 1's last record, then page 2: %v", ids(items))
				}
				// The first page has nothing before it: served clean.
				_, b, _ := fetch(srv.Client(), srv.URL, listForm(url.Values{"dtline[]": window()["dtline[]"], "_pagesize_": {"10"}}))
				if !bytes.Equal(b, firstBody) {
					t.Fatal("duplicate changed the first page")
				}
				// Past the end there is no record before the page either.
				for _, extra := range []url.Values{nil, {"status[]": {"active", "finish"}}} {
					v := secondPage(extra)
					v.Set("_offset_", "5000")
					_, b, _ := fetch(srv.Client(), srv.URL, v)
					if info := mustSucceed(t, 200, b); string(info) != "[]" {
						t.Fatalf("%v: duplicate past the end: %s", extra, info)
					}
				}
				// With one status and with two (the two index paths).
				for _, extra := range []url.Values{{"status[]": {"active"}}, {"status[]": {"active", "finish"}}} {
					_, want, _ := fetch(clean.Client(), clean.URL, secondPage(extra))
					prev := secondPage(extra)
					prev.Set("_offset_", "9")
					prev.Set("_pagesize_", "1")
					_, before, _ := fetch(clean.Client(), clean.URL, prev)
					_, got, _ := fetch(srv.Client(), srv.URL, secondPage(extra))
					var w, bf, g []item
					json.Unmarshal(mustSucceed(t, 200, want), &w)
					json.Unmarshal(mustSucceed(t, 200, before), &bf)
					json.Unmarshal(mustSucceed(t, 200, got), &g)
					if len(g) != 11 || g[0] != bf[0] || !slices.Equal(g[1:], w) {
						t.Fatalf("%v: duplicate page %v, want %v then %v", extra, ids(g), ids(bf), ids(w))
					}
				}
			case fault.Drift:
				if err != nil || resp.StatusCode != 200 {
					t.Fatalf("want a page after the drift, got %v %v", err, resp)
				}
				mustSucceed(t, 200, b)
				if after := snapshots(t, s); reflect.DeepEqual(after, before) {
					t.Fatal("drift changed nothing")
				}
			default:
				t.Fatalf("kind %s has no test", k)
			}
		})
	}
}

// TestDriftFault: every list request first inserts a new order (created in
// the 20 s before now) or moves one on; the inserted orders appear in the
// list and the moved ones carry lastmtime now.
func TestDriftFault(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 200, Seed: 5, Faults: faultOpts(fault.Drift)})
	before := map[string]time.Time{}
	for _, o := range snapshots(t, s) {
		before[o.TID] = o.Modified
	}
	const n = 12
	var pages [][]string
	for i := range n {
		v := secondPage(nil)
		v.Set("_offset_", fmt.Sprint(i*10))
		resp, b, err := fetch(srv.Client(), srv.URL, v)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("drift request: %v %v", err, resp)
		}
		var items []item
		json.Unmarshal(mustSucceed(t, 200, b), &items)
		pages = append(pages, ids(items))
	}
	if got := s.Faults()[fault.Drift]; got != n {
		t.Fatalf("Faults()[drift] = %d, want %d", got, n)
	}
	var inserted, moved []string
	for _, o := range snapshots(t, s) {
		if m, ok := before[o.TID]; !ok {
			inserted = append(inserted, o.TID)
			if o.Created.Before(fixedNow.Add(-20*time.Second)) || o.Created.After(fixedNow) {
				t.Fatalf("inserted order %s created %v, want within the 20 s before now", o.TID, o.Created)
			}
		} else if !m.Equal(o.Modified) {
			moved = append(moved, o.TID)
			if !o.Modified.Equal(fixedNow) {
				t.Fatalf("moved order %s modified %v, want now", o.TID, o.Modified)
			}
		}
	}
	if len(inserted) == 0 || len(moved) == 0 || len(inserted)+len(moved) > n || s.Count() != 200+len(inserted) {
		t.Fatalf("%d drifts: %d inserted, %d moved, %d orders", n, len(inserted), len(moved), s.Count())
	}
	// Everything, the drifted orders included, is in the list now.
	all := ids(listAll(t, srv, window(), 1000))
	for _, id := range append(inserted, moved...) {
		if !slices.Contains(all, id) {
			t.Fatalf("drifted order %s is not listed", id)
		}
	}
	if len(all) != s.Count() {
		t.Fatalf("listed %d of %d", len(all), s.Count())
	}
	// And the offset pages shifted under the client: paging while orders
	// drifted did not yield each order exactly once.
	var paged []string
	for _, p := range pages {
		paged = append(paged, p...)
	}
	slices.Sort(paged)
	if len(slices.Compact(slices.Clone(paged))) == len(all) && len(paged) == len(all) {
		t.Fatal("drift left the offset pages intact")
	}
}

func TestFaultsOnDetailNotOnWrites(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 50, Seed: 2, Faults: faultOpts(fault.ServerError)})
	tid := s.OrderIDs()[0]
	resp, b, err := fetch(srv.Client(), srv.URL, url.Values{"act": {ActFetchOrderDetail}, "order_id": {tid}})
	if err != nil || resp.StatusCode < 500 || !bytes.Contains(b, []byte(`"result":"fail"`)) {
		t.Fatalf("detail: want 5xx, got %v %v %s", err, resp, b)
	}
	resp, b, err = fetch(srv.Client(), srv.URL, url.Values{"act": {ActUpdateOrderInfo}, "tid": {tid}, "trade_memo": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, resp.StatusCode, b, infoOrderUpdated)
	if got := s.Faults()[fault.ServerError]; got != 1 {
		t.Fatalf("Faults()[500] = %d, want 1", got)
	}
}

// TestFaultsReproducible: the same seed meets the same faults, although
// every request carries another send time (date) and hence another sign.
func TestFaultsReproducible(t *testing.T) {
	t.Parallel()
	run := func(second int) []int {
		o := Options{Orders: 30, Seed: 4, Token: "tok", Faults: fault.Options{Rate: 0.4, Seed: 9, Kinds: []fault.Kind{fault.ServerError, fault.RateLimited}}}
		_, srv := newServer(t, o)
		var codes []int
		for i := range 40 {
			v := withDefaults(listForm(url.Values{"dtline[]": window()["dtline[]"], "_offset_": {fmt.Sprint(i % 4)}}))
			v.Set("date", fmt.Sprintf("2012-08-15 20:%02d:%02d", i%60, second))
			v.Set("sign", Sign(v, "tok"))
			resp, b, err := fetch(srv.Client(), srv.URL, v)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode == 200 {
				mustSucceed(t, 200, b)
			}
			codes = append(codes, resp.StatusCode)
		}
		return codes
	}
	a, b := run(1), run(59)
	if !slices.Equal(a, b) {
		t.Fatalf("fault sequences differ:\n%v\n%v", a, b)
	}
	count := map[int]int{}
	for _, c := range a {
		count[c]++
	}
	if count[200] < 10 || count[429] == 0 || count[500]+count[502]+count[503] == 0 {
		t.Fatalf("rate 0.4 gave %v", count)
	}
}
