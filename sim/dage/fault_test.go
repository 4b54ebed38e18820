package dage

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/shopetl/shopetl/sim/fault"
)

func faulty(t *testing.T, k fault.Kind, limit int) (*Store, *httptest.Server, string, *http.Client) {
	t.Helper()
	s, srv := newServer(t, Options{Orders: 120, Seed: 53, Faults: fault.Options{
		Rate: 1, Kinds: []fault.Kind{k}, Limit: limit, Seed: 5, Latency: time.Millisecond, Stall: 100 * time.Millisecond,
	}})
	return s, srv, srv.URL, srv.Client()
}

func fetch(c *http.Client, u string) (*http.Response, []byte, error) {
	resp, err := c.Get(u)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestFaults(t *testing.T) {
	t.Parallel()
	for _, k := range fault.Kinds() {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			s, _, base, c := faulty(t, k, 0)
			// A stalled request is dropped after Stall (100ms); the client
			// waits for that, so the shop has surely seen the request.
			resp, b, err := fetch(c, base+"/orders/list?page=2")
			if got := s.Faults()[k]; got != 1 {
				t.Fatalf("Faults()[%s] = %d, want 1 (%v)", k, got, s.Faults())
			}
			if k != fault.Stall && k != fault.Truncated && err != nil {
				t.Fatal(err)
			}
			switch k {
			case fault.Latency:
				if resp.StatusCode != 200 || !json.Valid(b) {
					t.Fatalf("latency: HTTP %d", resp.StatusCode)
				}
			case fault.ServerError:
				var e yiiError
				if !slices.Contains([]int{500, 502, 503}, resp.StatusCode) || json.Unmarshal(b, &e) != nil || e.Status != resp.StatusCode || e.Name == "" {
					t.Fatalf("HTTP %d %s", resp.StatusCode, b)
				}
			case fault.RateLimited, fault.RateLimitedRetry:
				want := map[fault.Kind]string{fault.RateLimited: "", fault.RateLimitedRetry: "1"}[k]
				if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != want ||
					string(b) != `{"name":"Too Many Requests","message":"Rate limit exceeded.","code":0,"status":429}` {
					t.Fatalf("HTTP %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
				}
			case fault.Stall:
				if err == nil {
					t.Fatalf("stall: HTTP %d, want the client to give up", resp.StatusCode)
				}
			case fault.Malformed:
				if resp.StatusCode != 200 || json.Valid(b) {
					t.Fatalf("malformed: HTTP %d, valid JSON", resp.StatusCode)
				}
			case fault.Truncated:
				if !errors.Is(err, io.ErrUnexpectedEOF) || json.Valid(b) {
					t.Fatalf("truncated: %v, %d bytes", err, len(b))
				}
			case fault.WrongType:
				if resp.StatusCode != 200 || !json.Valid(b) || !hasWrongType(t, b) {
					t.Fatalf("wrongtype: HTTP %d %.300s", resp.StatusCode, b)
				}
			case fault.Drift:
				if resp.StatusCode != 200 || s.Count() != 121 {
					t.Fatalf("drift: HTTP %d, %d orders", resp.StatusCode, s.Count())
				}
			case fault.Duplicate:
				var p listBody
				if json.Unmarshal(b, &p) != nil || len(p.Items) != 51 {
					t.Fatalf("duplicate: %d items", len(p.Items))
				}
			}
		})
	}
}

// hasWrongType reports whether a wrongtype field holds an object, an array
// or a boolean somewhere in a list page.
func hasWrongType(t *testing.T, b []byte) bool {
	var p struct{ Items []map[string]json.RawMessage }
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	bad := func(v json.RawMessage) bool { return v[0] == '{' || v[0] == '[' || v[0] == 't' }
	for _, it := range p.Items {
		for _, f := range wrongTypeFields {
			if v, ok := it[f]; ok && bad(v) {
				return true
			}
		}
		var lines []map[string]json.RawMessage
		json.Unmarshal(it["details"], &lines)
		for _, l := range lines {
			for _, f := range wrongTypeFields {
				if v, ok := l[f]; ok && bad(v) {
					return true
				}
			}
		}
	}
	return false
}

// Drift: an order appears among the existing ones (so the offset pages
// after it shift) and another one moves on.
func TestFaultDrift(t *testing.T) {
	t.Parallel()
	s, srv, base, c := faulty(t, fault.Drift, 1)
	twin, twinSrv := newServer(t, Options{Orders: 120, Seed: 53})
	_, before, _ := fetch(c, twinSrv.URL+"/orders/list?page=2")
	_, after, err := fetch(c, base+"/orders/list?page=2")
	if err != nil || s.Faults()[fault.Drift] != 1 || s.Count() != 121 {
		t.Fatalf("drift: %v, %v, %d orders", err, s.Faults(), s.Count())
	}
	var pb, pa listBody
	json.Unmarshal(before, &pb)
	json.Unmarshal(after, &pa)
	if pa.Meta.TotalCount != 121 || bytes.Equal(before, after) {
		t.Fatal("page 2 did not move")
	}
	added := snapshots(t, s)
	var born Order
	changed := 0
	for _, o := range added {
		if o.ID == 121 {
			born = o
			continue
		}
		if was, _ := twin.Snapshot(o.OrderNo); was.Status != o.Status {
			changed++
			if !o.UpdatedAt.Equal(fixedNow) {
				t.Fatalf("moved order %s not touched now: %v", o.OrderNo, o.UpdatedAt)
			}
		}
	}
	if born.ID == 0 || changed != 1 {
		t.Fatalf("new order %+v, %d orders moved on", born, changed)
	}
	sameTime := 0
	for _, o := range added {
		if o.CreateTime.Equal(born.CreateTime) {
			sameTime++
		}
	}
	if sameTime < 2 {
		t.Fatal("the new order should share an existing order's create_time")
	}
	if !slices.Contains(nos(listAll(t, srv, "pageSize=50")), born.OrderNo) {
		t.Fatal("drifted order not listed")
	}
}

// Duplicate: the last order of page 1 comes again at the top of page 2.
func TestFaultDuplicate(t *testing.T) {
	t.Parallel()
	_, _, base, c := faulty(t, fault.Duplicate, 0)
	_, b1, _ := fetch(c, base+"/orders/list?page=1")
	_, b2, _ := fetch(c, base+"/orders/list?page=2")
	var p1, p2 listBody
	json.Unmarshal(b1, &p1)
	json.Unmarshal(b2, &p2)
	if len(p1.Items) != 50 || len(p2.Items) != 51 || !bytes.Equal(p2.Items[0], p1.Items[49]) || bytes.Equal(p2.Items[1], p1.Items[49]) {
		t.Fatalf("page 1: %d items, page 2: %d items", len(p1.Items), len(p2.Items))
	}
	if p2.Meta.PerPage != 50 || p2.Meta.TotalCount != 120 {
		t.Fatalf("meta %+v", p2.Meta)
	}
}

func TestFaultsOnDetailOnlyReadsFail(t *testing.T) {
	t.Parallel()
	s, _, base, c := faulty(t, fault.ServerError, 0)
	resp, _, err := fetch(c, base+"/orders/detail?orderId=1")
	if err != nil || resp.StatusCode < 500 {
		t.Fatalf("detail: %v %v", err, resp)
	}
	for _, p := range []string{"/orders/order-num-by-status?buyerId=1001", "/orders/calculate-shipping?destination=110000&buyCount=1&freightTemplate=1"} {
		if resp, _, err := fetch(c, base+p); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", p, err, resp)
		}
	}
	if s.Faults()[fault.ServerError] != 1 {
		t.Fatalf("fired %v", s.Faults())
	}
}

func TestFaultsReproducible(t *testing.T) {
	t.Parallel()
	seq := func() []int {
		_, srv := newServer(t, Options{Orders: 30, Seed: 4, Faults: fault.Options{Rate: 0.4, Seed: 9,
			Kinds: []fault.Kind{fault.ServerError, fault.RateLimited, fault.RateLimitedRetry}}})
		var codes []int
		for i := range 40 {
			resp, _, err := fetch(srv.Client(), srv.URL+"/orders/list?pageSize=5&page="+strconv.Itoa(1+i%6))
			if err != nil {
				t.Fatal(err)
			}
			codes = append(codes, resp.StatusCode)
		}
		return codes
	}
	a, b := seq(), seq()
	if !slices.Equal(a, b) {
		t.Fatalf("fault sequences differ:\n%v\n%v", a, b)
	}
	n := map[int]int{}
	for _, c := range a {
		n[c]++
	}
	if n[200] < 10 || n[429] == 0 || n[200] == len(a) {
		t.Fatalf("rate 0.4 gave %v", n)
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	for _, f := range []fault.Options{{Rate: 1, Kinds: []fault.Kind{"nope"}}, {Rate: 2}} {
		if _, err := NewStore(Options{Faults: f}); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
	if _, err := NewStore(Options{Orders: -1}); err == nil {
		t.Error("negative Orders accepted")
	}
	// A window shorter than a second still holds its orders.
	at := time.Date(2017, 3, 1, 0, 0, 0, 500, cst)
	s, err := NewStore(Options{Orders: 3, Start: at, End: at.Add(time.Millisecond)})
	if err != nil || s.Count() != 3 {
		t.Fatalf("sub-second window: %v", err)
	}
	if o, _ := s.Snapshot(s.OrderIDs()[0]); !o.CreateTime.Equal(at.Truncate(time.Second)) {
		t.Fatalf("created %v", o.CreateTime)
	}
}
