package ymcart

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/sim/fault"
)

// send posts a form with client c and returns whatever came back.
func send(c *http.Client, srv *httptest.Server, name string, f url.Values) (*http.Response, []byte, error) {
	resp, err := c.PostForm(srv.URL+"/api-erp-"+name+".html", f)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func faulty(t *testing.T, k fault.Kind, mod func(*fault.Options)) (*Store, *httptest.Server) {
	t.Helper()
	fo := fault.Options{Rate: 1, Kinds: []fault.Kind{k}, Seed: 3, Latency: time.Millisecond, Stall: 10 * time.Second}
	if mod != nil {
		mod(&fo)
	}
	return newServer(t, Options{Orders: 120, Seed: 8, Faults: fo})
}

func TestFaults(t *testing.T) {
	t.Parallel()
	_, clean := newServer(t, Options{Orders: 120, Seed: 8})
	page := form("page_size", "10", "page_no", "2")
	_, cleanPage := post(t, clean, "orderList", page)

	t.Run("latency", func(t *testing.T) {
		t.Parallel()
		s, srv := faulty(t, fault.Latency, nil)
		resp, b, err := send(srv.Client(), srv, "orderList", page)
		if err != nil || resp.StatusCode != 200 || !bytes.Equal(b, cleanPage) || s.Faults()[fault.Latency] != 1 {
			t.Fatalf("%v %v, fired %v", err, resp, s.Faults())
		}
	})
	t.Run("500", func(t *testing.T) {
		t.Parallel()
		s, srv := faulty(t, fault.ServerError, nil)
		for _, name := range []string{"orderList", "paymentList", "deliveryList"} {
			resp, b, err := send(srv.Client(), srv, name, form("page_size", "1", "page_no", "1"))
			if err != nil || resp.StatusCode < 500 || resp.StatusCode > 503 {
				t.Fatalf("%s: %v %v", name, err, resp)
			}
			if want := `{"code":` + resp.Status[:3] + `,"msg":"` + http.StatusText(resp.StatusCode) + `"}`; string(b) != want {
				t.Fatalf("%s: %s, want %s", name, b, want)
			}
		}
		if s.Faults()[fault.ServerError] != 3 {
			t.Fatalf("fired %v", s.Faults())
		}
		// The write endpoints are not wrapped.
		if _, b := post(t, srv, "orderRemark", form("remark_res", "[]")); string(b) != `{"code":0,"msg":[]}` {
			t.Fatalf("orderRemark: %s", b)
		}
	})
	for _, k := range []fault.Kind{fault.RateLimited, fault.RateLimitedRetry} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			s, srv := faulty(t, k, nil)
			resp, b, err := send(srv.Client(), srv, "orderList", page)
			if err != nil || resp.StatusCode != 429 || string(b) != `{"code":429,"msg":"Too Many Requests"}` || s.Faults()[k] != 1 {
				t.Fatalf("%v %v %s", err, resp, b)
			}
			want := ""
			if k == fault.RateLimitedRetry {
				want = "1"
			}
			if got, ok := resp.Header["Retry-After"]; want == "" && ok || want != "" && (len(got) != 1 || got[0] != want) {
				t.Fatalf("Retry-After %q, want %q", got, want)
			}
		})
	}
	t.Run("stall", func(t *testing.T) {
		t.Parallel()
		s, srv := faulty(t, fault.Stall, nil)
		c := srv.Client()
		c.Timeout = 50 * time.Millisecond
		_, _, err := send(c, srv, "orderList", page)
		var ue *url.Error
		if !errors.As(err, &ue) || !ue.Timeout() || s.Faults()[fault.Stall] != 1 {
			t.Fatalf("want a client timeout, got %v", err)
		}
	})
	t.Run("stall drops the connection", func(t *testing.T) {
		t.Parallel()
		_, srv := faulty(t, fault.Stall, func(o *fault.Options) { o.Stall = time.Millisecond })
		if _, _, err := send(srv.Client(), srv, "orderList", page); err == nil {
			t.Fatal("want the connection dropped")
		}
	})
	t.Run("malformed", func(t *testing.T) {
		t.Parallel()
		s, srv := faulty(t, fault.Malformed, nil)
		for range 4 { // both flavours: a gateway page and broken JSON
			resp, b, err := send(srv.Client(), srv, "orderList", page)
			if err != nil || resp.StatusCode != 200 || json.Valid(b) {
				t.Fatalf("%v %v %.100s", err, resp, b)
			}
		}
		if s.Faults()[fault.Malformed] != 4 {
			t.Fatal(s.Faults())
		}
	})
	t.Run("truncated", func(t *testing.T) {
		t.Parallel()
		s, srv := faulty(t, fault.Truncated, nil)
		resp, b, err := send(srv.Client(), srv, "orderList", page)
		if !errors.Is(err, io.ErrUnexpectedEOF) || resp.StatusCode != 200 || json.Valid(b) || s.Faults()[fault.Truncated] != 1 {
			t.Fatalf("%v, %d bytes", err, len(b))
		}
	})
	t.Run("wrongtype", func(t *testing.T) {
		t.Parallel()
		s, srv := faulty(t, fault.WrongType, nil)
		for range 5 {
			resp, b, err := send(srv.Client(), srv, "orderList", page)
			if err != nil || resp.StatusCode != 200 || !json.Valid(b) || bytes.Equal(b, cleanPage) {
				t.Fatalf("%v %v", err, resp)
			}
			// Exactly one documented money/time/quantity field is no longer
			// a string: an object, an array or a boolean.
			bad := 0
			var walk func(v any)
			walk = func(v any) {
				switch v := v.(type) {
				case map[string]any:
					for k, x := range v {
						if slices.Contains(faultFields, k) {
							if _, ok := x.(string); !ok && x != nil {
								bad++
								continue
							}
						}
						walk(x)
					}
				case []any:
					for _, x := range v {
						walk(x)
					}
				}
			}
			var doc any
			json.Unmarshal(b, &doc)
			walk(doc)
			if bad != 1 {
				t.Fatalf("%d wrong-typed fields", bad)
			}
		}
		if s.Faults()[fault.WrongType] != 5 {
			t.Fatal(s.Faults())
		}
	})
	t.Run("drift", func(t *testing.T) {
		t.Parallel()
		today := fixedNow.Format("2006-1-2")
		for seed := range int64(6) { // both ways of drifting: a new order, a changed one
			s, srv := newServer(t, Options{Orders: 120, Seed: 8 + seed, Faults: fault.Options{Rate: 1, Kinds: []fault.Kind{fault.Drift}, Limit: 1}})
			before := s.Count()
			resp, _, err := send(srv.Client(), srv, "orderList", page)
			if err != nil || resp.StatusCode != 200 || s.Faults()[fault.Drift] != 1 || s.Revision() == 0 {
				t.Fatalf("%v %v %v", err, resp, s.Faults())
			}
			created := list(t, srv, "orderList", form("start_time", today))
			acted := list(t, srv, "orderList", form("time_type", "2", "start_time", today))
			switch {
			case s.Count() == before+1 && created.count(t) == 1:
				if o, _ := s.Snapshot(created.Data[0].str(t, "itemno")); !o.CreateTime.Equal(fixedNow) {
					t.Fatal("the new order is created now")
				}
			case s.Count() == before && created.count(t) == 0 && acted.count(t) == 1:
				if o, _ := s.Snapshot(acted.Data[0].str(t, "itemno")); o.Revision != s.Revision() || !o.ActTime.Equal(fixedNow) {
					t.Fatal("the changed order's act_time is now")
				}
			default:
				t.Fatalf("seed %d: count %d→%d, created today %s, acted today %s", seed, before, s.Count(), created.Count, acted.Count)
			}
		}
	})
	t.Run("drift shifts offset pages", func(t *testing.T) {
		t.Parallel()
		// Paging an act_time window that has already ended while orders in it
		// are changed: each change moves an order out, and offset paging
		// skips orders it has not seen.
		s, srv := newServer(t, Options{Orders: 400, Seed: 8, Faults: fault.Options{Rate: 1, Kinds: []fault.Kind{fault.Drift}}})
		f := form("time_type", "2", "start_time", "2024-1-1", "end_time", "2024-3-31", "page_size", "20")
		var seen []string
		for p := 1; p <= 30; p++ {
			f.Set("page_no", strconv.Itoa(p))
			seen = append(seen, itemnos(t, list(t, srv, "orderList", f).Data)...)
		}
		want := len(snapshots(t, s))
		if len(seen) >= want || s.Faults()[fault.Drift] != 30 {
			t.Fatalf("paged %d of %d", len(seen), want)
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		t.Parallel()
		s, srv := faulty(t, fault.Duplicate, nil)
		p1 := list(t, srv, "orderList", form("page_size", "10", "page_no", "1"))
		p2 := list(t, srv, "orderList", page)
		var want listReply
		json.Unmarshal(cleanPage, &want)
		if len(p1.Data) != 10 || len(p2.Data) != 11 || p2.Data[0].str(t, "itemno") != p1.Data[9].str(t, "itemno") ||
			p2.Data[1].str(t, "itemno") != want.Data[0].str(t, "itemno") || p2.Count != want.Count {
			t.Fatalf("page 2 of %d rows starts with %s", len(p2.Data), p2.Data[0].str(t, "itemno"))
		}
		// Cursor lists: the row just before the cursor comes again.
		d1 := list(t, srv, "deliveryList", form("page_size", "5", "page_no", "1"))
		cursor := d1.Data[4].int(t, "id") - 1
		d2 := list(t, srv, "deliveryList", form("page_size", "5", "page_no", "1", "max_id", itoa(cursor)))
		if len(d1.Data) != 5 || len(d2.Data) != 6 || d2.Data[0].int(t, "id") != cursor+1 || d2.Data[1].int(t, "id") != cursor {
			t.Fatalf("deliveryList under max_id %d: %d rows from %s", cursor, len(d2.Data), d2.Data[0].str(t, "id"))
		}
		q1 := list(t, srv, "paymentList", form("page_size", "5", "page_no", "1"))
		q2 := list(t, srv, "paymentList", form("page_size", "5", "page_no", "2"))
		if len(q2.Data) != 6 || q2.Data[0].str(t, "id") != q1.Data[4].str(t, "id") {
			t.Fatal("paymentList page 2")
		}
		if s.Faults()[fault.Duplicate] != 6 {
			t.Fatal(s.Faults())
		}
	})
	t.Run("reproducible", func(t *testing.T) {
		t.Parallel()
		seq := func() []int {
			_, srv := newServer(t, Options{Orders: 30, Seed: 4, Faults: fault.Options{Rate: 0.4, Seed: 9, Kinds: []fault.Kind{fault.ServerError, fault.RateLimited}}})
			var codes []int
			for i := range 40 {
				resp, _, err := send(srv.Client(), srv, "orderList", form("page_no", itoa(int64(i%4+1)), "page_size", "10"))
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
			n[c/100]++
		}
		if n[2] < 10 || n[4] == 0 || n[5] == 0 {
			t.Fatalf("rate 0.4 gave %v", n)
		}
	})
	t.Run("unsupported", func(t *testing.T) {
		t.Parallel()
		if _, err := NewStore(Options{Faults: fault.Options{Rate: 1, Kinds: []fault.Kind{"nope"}}}); err == nil || !strings.Contains(err.Error(), "nope") {
			t.Fatalf("unknown kind: %v", err)
		}
		var s *Store
		if s.Faults() != nil {
			t.Fatal("nil store")
		}
	})
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
