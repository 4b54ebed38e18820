package fault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const page = `{"data":[{"id":"A1","price":"12.50","time":1590036055,"qty":2},{"id":"A2","price":"3.00","time":1590036099,"qty":1}]}`

// served counts how often the wrapped handler ran, and which kind it was told.
type served struct {
	n    atomic.Int64
	kind atomic.Value
}

func (s *served) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.n.Add(1)
	if k, ok := KindFrom(r.Context()); ok {
		s.kind.Store(k)
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, page)
}

func hooks(drifts *atomic.Int64) Hooks {
	return Hooks{
		ErrorBody: func(status int) []byte { return fmt.Appendf(nil, `{"result":"fail","code":%d}`, status) },
		Fields:    []string{"price", "time", "qty"},
		Drift:     func() { drifts.Add(1) },
	}
}

func start(t *testing.T, opts Options) (*Injector, *served, *httptest.Server, *atomic.Int64) {
	t.Helper()
	drifts := new(atomic.Int64)
	in, err := New(opts, hooks(drifts))
	if err != nil {
		t.Fatal(err)
	}
	h := &served{}
	srv := httptest.NewServer(in.Wrap(h))
	t.Cleanup(srv.Close)
	return in, h, srv, drifts
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, []byte, error) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestEveryKindFires(t *testing.T) {
	t.Parallel()
	for _, k := range Kinds() {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			in, h, srv, drifts := start(t, Options{Rate: 1, Kinds: []Kind{k}, Latency: time.Millisecond, Stall: 50 * time.Millisecond})
			// A stalled request is dropped after Stall (50ms): the client
			// waits for that, so the injector has surely seen the request
			// (a client giving up first could leave before it arrived).
			// TestStallHoldsUntilTheClientGivesUp checks the hang itself.
			client := srv.Client()
			resp, body, err := get(t, client, srv.URL+"/list?page=1")
			if got := in.Fired()[k]; got != 1 {
				t.Fatalf("Fired()[%s] = %d, want 1", k, got)
			}
			switch k {
			case Latency, Drift, Duplicate:
				if err != nil || resp.StatusCode != 200 || string(body) != page {
					t.Fatalf("%s: want the page served after the fault, got %v %v %q", k, err, resp, body)
				}
				if k == Drift && drifts.Load() != 1 {
					t.Fatalf("drift hook ran %d times", drifts.Load())
				}
				if got, _ := h.kind.Load().(Kind); got != k {
					t.Fatalf("handler saw kind %q, want %q", got, k)
				}
			case ServerError:
				if err != nil || resp.StatusCode < 500 || !strings.Contains(string(body), `"result":"fail"`) {
					t.Fatalf("want 5xx with the platform's error body, got %v %v %q", err, resp, body)
				}
			case RateLimited, RateLimitedRetry:
				if err != nil || resp.StatusCode != 429 {
					t.Fatalf("want 429, got %v %v", err, resp)
				}
				if ra := resp.Header.Get("Retry-After"); (k == RateLimitedRetry) != (ra == "1") {
					t.Fatalf("%s: Retry-After %q", k, ra)
				}
			case Stall:
				if err == nil {
					t.Fatalf("want the connection dropped without a response, got %v", resp)
				}
				if h.n.Load() != 0 {
					t.Fatal("a stalled request reached the handler")
				}
			case Malformed:
				if err != nil || resp.StatusCode != 200 || json.Valid(body) {
					t.Fatalf("want 200 with a body that is not JSON, got %v %v %q", err, resp, body)
				}
			case Truncated:
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("want io.ErrUnexpectedEOF, got %v (%q)", err, body)
				}
			case WrongType:
				if err != nil || !json.Valid(body) || string(body) == page {
					t.Fatalf("want valid JSON that differs, got %v %q", err, body)
				}
				var v struct {
					Data []struct {
						Price json.RawMessage
						Time  json.RawMessage
						Qty   json.RawMessage
					}
				}
				if err := json.Unmarshal(body, &v); err != nil {
					t.Fatal(err)
				}
				wrong := 0
				for _, r := range v.Data {
					for _, raw := range []json.RawMessage{r.Price, r.Time, r.Qty} {
						if c := raw[0]; c == '{' || c == '[' || c == 't' {
							wrong++
						}
					}
				}
				if wrong != 1 {
					t.Fatalf("want exactly one wrong-typed value, got %d in %s", wrong, body)
				}
			default:
				t.Fatalf("kind %s has no test", k)
			}
		})
	}
}

func TestMalformedBothShapes(t *testing.T) {
	t.Parallel()
	seen := map[bool]bool{} // is it the HTML page?
	for d := uint64(0); d < 4; d++ {
		b := malform([]byte(page), d)
		if json.Valid(b) {
			t.Fatalf("draw %d: still JSON: %s", d, b)
		}
		seen[strings.HasPrefix(string(b), "<html>")] = true
	}
	if !seen[true] || !seen[false] {
		t.Fatalf("want both the HTML page and broken JSON, saw %v", seen)
	}
	// Structural characters inside strings (ymcart's "Color:As shown") must
	// not be the ones replaced: that could leave valid JSON.
	tricky := []byte(`{"a":"x","sku_value":"Color:As shown, Size:S]}","b":"\\\",:"}`)
	for d := uint64(1); d < 8; d += 2 {
		if b := malform(tricky, d); json.Valid(b) {
			t.Fatalf("draw %d: still JSON: %s", d, b)
		}
	}
}

func TestSameSeedSameFaults(t *testing.T) {
	t.Parallel()
	run := func(seed int64) []string {
		in, _, srv, _ := start(t, Options{Rate: 0.5, Seed: seed, Kinds: []Kind{ServerError, RateLimited}})
		var got []string
		for i := range 40 {
			// Every page twice: a retried request draws again.
			for range 2 {
				resp, _, err := get(t, srv.Client(), fmt.Sprintf("%s/list?page=%d&rows=10", srv.URL, i))
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, resp.Status)
			}
		}
		if f := in.Fired(); f[ServerError]+f[RateLimited] == 0 || f[ServerError]+f[RateLimited] == 80 {
			t.Fatalf("rate 0.5 fired %v of 80", f)
		}
		return got
	}
	a, b, c := run(7), run(7), run(8)
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatal("same seed, different faults")
	}
	if strings.Join(a, ",") == strings.Join(c, ",") {
		t.Fatal("another seed, the same faults")
	}
}

func TestLimitAndZeroRate(t *testing.T) {
	t.Parallel()
	in, h, srv, _ := start(t, Options{Rate: 1, Limit: 2, Kinds: []Kind{ServerError}})
	var codes []int
	for range 4 {
		resp, _, err := get(t, srv.Client(), srv.URL+"/list")
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] < 500 || codes[1] < 500 || codes[2] != 200 || codes[3] != 200 || h.n.Load() != 2 {
		t.Fatalf("Limit 2: codes %v, handler ran %d", codes, h.n.Load())
	}
	if in.Fired()[ServerError] != 2 {
		t.Fatalf("Fired %v", in.Fired())
	}

	var nilIn *Injector
	plain := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	if fmt.Sprint(nilIn.Wrap(plain)) != fmt.Sprint(plain) {
		t.Fatal("a nil injector must not wrap")
	}
}

func TestAllowTurnsKindsOff(t *testing.T) {
	t.Parallel()
	var allowed atomic.Bool
	in, h, srv, _ := start(t, Options{Rate: 1, Kinds: []Kind{ServerError},
		Allow: func(k Kind) bool { return k != ServerError || allowed.Load() }})
	for _, want := range []bool{false, true, false} {
		allowed.Store(want)
		resp, _, err := get(t, srv.Client(), srv.URL+"/list")
		if err != nil {
			t.Fatal(err)
		}
		if failed := resp.StatusCode >= 500; failed != want {
			t.Fatalf("allowed %v: HTTP %d", want, resp.StatusCode)
		}
	}
	if in.Fired()[ServerError] != 1 || h.n.Load() != 2 {
		t.Fatalf("fired %v, handler ran %d times", in.Fired(), h.n.Load())
	}
}

func TestUnsupportedKinds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Rate: 1, Kinds: []Kind{Drift}}, "does not support"},
		{Options{Rate: 1, Kinds: []Kind{WrongType}}, "does not support"},
		{Options{Rate: 1, Kinds: []Kind{"boom"}}, `kind "boom"`},
		{Options{Rate: 2}, "want 0..1"},
	} {
		_, err := New(tc.opts, Hooks{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want %q", tc.opts, err, tc.want)
		}
	}
	// Without hooks, the default kinds leave drift and wrongtype out.
	in, err := New(Options{Rate: 1}, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range in.kinds {
		if k == Drift || k == WrongType {
			t.Fatalf("default kinds include %s without its hook", k)
		}
	}
}

func TestKeyHookIgnoresSendTime(t *testing.T) {
	t.Parallel()
	in, err := New(Options{Rate: 0.5, Seed: 3, Kinds: []Kind{ServerError}}, Hooks{
		Key: func(r *http.Request, _ []byte) string {
			q := r.URL.Query()
			q.Del("date")
			return q.Encode()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(in.Wrap(&served{}))
	t.Cleanup(srv.Close)
	var a, b []int
	for i := range 20 {
		r1, _, _ := get(t, srv.Client(), fmt.Sprintf("%s/?p=%d&date=2020-01-01+10:00:0%d", srv.URL, i, i%10))
		a = append(a, r1.StatusCode)
	}
	in2, _ := New(Options{Rate: 0.5, Seed: 3, Kinds: []Kind{ServerError}}, Hooks{Key: in.hooks.Key})
	srv2 := httptest.NewServer(in2.Wrap(&served{}))
	t.Cleanup(srv2.Close)
	for i := range 20 {
		r2, _, _ := get(t, srv2.Client(), fmt.Sprintf("%s/?p=%d&date=2021-05-05+11:11:1%d", srv2.URL, i, i%10))
		b = append(b, r2.StatusCode)
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("send time changed the draw: %v vs %v", a, b)
	}
}

func TestWrongTypeValue(t *testing.T) {
	t.Parallel()
	body := []byte(`{"price" : "1.00", "name":"price", "n":{"price":null}, "qty":-3e2}`)
	got := map[string]bool{}
	for d := uint64(0); d < 6; d++ {
		out := WrongTypeValue(body, []string{"price", "qty"}, d)
		if !json.Valid(out) {
			t.Fatalf("draw %d: invalid JSON %s", d, out)
		}
		got[string(out)] = true
	}
	want := []string{
		`{"price" : {"value":"1.00"}, "name":"price", "n":{"price":null}, "qty":-3e2}`,
		`{"price" : "1.00", "name":"price", "n":{"price":null}, "qty":{"value":-3e2}}`,
		`{"price" : ["1.00"], "name":"price", "n":{"price":null}, "qty":-3e2}`,
		`{"price" : "1.00", "name":"price", "n":{"price":null}, "qty":true}`,
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("missing %s among %v", w, got)
		}
	}
	if out := WrongTypeValue([]byte(`{"a":1}`), []string{"price"}, 0); string(out) != `{"a":1}` {
		t.Fatalf("no field: changed to %s", out)
	}
}

func TestParseSpec(t *testing.T) {
	t.Parallel()
	o, err := ParseSpec("0.1:500, 429-retry,stall")
	if err != nil || o.Rate != 0.1 || len(o.Kinds) != 3 || o.Kinds[1] != RateLimitedRetry {
		t.Fatalf("ParseSpec = %+v, %v", o, err)
	}
	for _, bad := range []string{"x", "1.5", "0.1:nope"} {
		if _, err := ParseSpec(bad); err == nil {
			t.Errorf("ParseSpec(%q) accepted", bad)
		}
	}
}

func TestLatencyGivesUpWithTheClient(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	in, err := New(Options{Rate: 1, Kinds: []Kind{Latency}, Latency: time.Hour}, Hooks{
		Key: func(*http.Request, []byte) string { close(arrived); return "" },
	})
	if err != nil {
		t.Fatal(err)
	}
	h := &served{}
	srv := httptest.NewServer(in.Wrap(h))
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	done := make(chan error, 1)
	go func() {
		_, err := srv.Client().Do(req)
		done <- err
	}()
	<-arrived // the request is inside the latency fault
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	srv.Close() // waits for the handler: it must return although Latency is an hour
	if h.n.Load() != 0 {
		t.Fatal("the handler ran for a client that left")
	}
}

// A stalled request gets nothing for as long as the client waits: the
// client gives up (here: cancels) once the request has reached the shop,
// and its error is its own cancellation, not anything the shop sent.
func TestStallHoldsUntilTheClientGivesUp(t *testing.T) {
	t.Parallel()
	in, err := New(Options{Rate: 1, Kinds: []Kind{Stall}, Stall: time.Hour}, hooks(new(atomic.Int64)))
	if err != nil {
		t.Fatal(err)
	}
	h := &served{}
	arrived := make(chan struct{}, 1)
	inner := in.Wrap(h)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		inner.ServeHTTP(w, r)
	}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/list?page=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-arrived
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("want the client's own cancellation, got %v", err)
	}
	srv.Close() // waits for the stalled handler to see the client go
	if got := in.Fired()[Stall]; got != 1 || h.n.Load() != 0 {
		t.Fatalf("Fired()[stall] = %d, handler ran %d times; want 1 and 0", got, h.n.Load())
	}
}

func TestDelay(t *testing.T) {
	served := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served++ })
	if got := Delay(0, h); reflect.ValueOf(got).Pointer() != reflect.ValueOf(h).Pointer() {
		t.Error("Delay(0, h) wraps h; want h itself")
	}
	Delay(time.Millisecond, h).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/order", nil))
	if served != 1 {
		t.Fatalf("served %d after the delay, want 1", served)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	Delay(time.Hour, h).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/order", nil).WithContext(ctx))
	if served != 1 {
		t.Errorf("served %d after the client gave up, want still 1", served)
	}
}
