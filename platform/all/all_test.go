package all

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/sim"
	"github.com/shopetl/shopetl/sim/fault"
)

var base = sim.Options{Orders: 60, Seed: 7, Token: "tok",
	Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 7, 1, 0, 0, 0, 0, time.UTC)}

func serve(t *testing.T, p sim.Platform, o sim.Options) (sim.Shop, string) {
	t.Helper()
	shop, err := p.New(o)
	if err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
	srv := httptest.NewServer(shop.Handler())
	t.Cleanup(srv.Close)
	return shop, srv.URL
}

func fetch(c *http.Client, r *http.Request) (*http.Response, []byte, error) {
	resp, err := c.Do(r)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func firstPage(t *testing.T, p sim.Platform, url, token string) []byte {
	t.Helper()
	resp, b, err := fetch(http.DefaultClient, p.List(url, token))
	if err != nil || resp.StatusCode != 200 || !json.Valid(b) {
		t.Fatalf("%s list: %v %v %.300s", p.Name, err, resp, b)
	}
	return hostless(b, url)
}

// hostless replaces the test server's address, which some platforms echo in
// page links, so pages of two servers compare.
func hostless(b []byte, base string) []byte {
	u, _ := url.Parse(base)
	return bytes.ReplaceAll(b, []byte(u.Host), []byte("HOST"))
}

func TestAllFourPlatformsAreRegistered(t *testing.T) {
	var names []string
	for _, p := range platform.Sims() {
		names = append(names, p.Name)
	}
	want := []string{"dage", "shopex", "shoptima", "ymcart"}
	if len(names) != len(want) {
		t.Fatalf("registered %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("registered %v, want %v", names, want)
		}
	}
}

// TestSameSeedSameBytes: two shops from the same options serve
// byte-identical list pages; another seed serves other orders; a request
// without the token is refused.
func TestSameSeedSameBytes(t *testing.T) {
	for _, p := range platform.Sims() {
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			_, u1 := serve(t, p, base)
			_, u2 := serve(t, p, base)
			other := base
			other.Seed = 8
			_, u3 := serve(t, p, other)
			a, b, c := firstPage(t, p, u1, "tok"), firstPage(t, p, u2, "tok"), firstPage(t, p, u3, "tok")
			if !bytes.Equal(a, b) {
				t.Fatalf("same seed, different pages:\n%.400s\n%.400s", a, b)
			}
			if bytes.Equal(a, c) {
				t.Fatal("seeds 7 and 8 serve the same page")
			}
			resp, d, err := fetch(http.DefaultClient, p.List(u1, "wrong"))
			if err != nil || (resp.StatusCode == 200 && bytes.Equal(a, d)) {
				t.Fatalf("a wrong token was served the page: %v %v", err, resp)
			}
		})
	}
}

// TestEveryFaultKindFiresOnEveryPlatform sends each platform's list request
// to a shop that fails every request in one way.
func TestEveryFaultKindFiresOnEveryPlatform(t *testing.T) {
	for _, p := range platform.Sims() {
		for _, k := range fault.Kinds() {
			t.Run(p.Name+"/"+string(k), func(t *testing.T) {
				t.Parallel()
				_, cleanURL := serve(t, p, base)
				clean := firstPage(t, p, cleanURL, "tok")
				o := base
				// A stalled request is dropped after Stall; the client waits
				// for that, so the shop has surely seen the request.
				o.Faults = fault.Options{Rate: 1, Kinds: []fault.Kind{k}, Latency: time.Millisecond, Stall: 100 * time.Millisecond}
				shop, u := serve(t, p, o)
				c := http.DefaultClient
				resp, b, err := fetch(c, p.List(u, "tok"))
				if got := shop.Faults()[k]; got != 1 {
					t.Fatalf("Faults()[%s] = %d, want 1 (err %v)", k, got, err)
				}
				status := 0
				if resp != nil {
					status = resp.StatusCode
				}
				switch k {
				case fault.Latency, fault.Duplicate:
					if err != nil || status != 200 || !bytes.Equal(hostless(b, u), clean) {
						t.Fatalf("want the clean first page, got %v %d %.300s", err, status, b)
					}
				case fault.Drift:
					if err != nil || status != 200 || !json.Valid(b) {
						t.Fatalf("want a page after the drift, got %v %d", err, status)
					}
				case fault.ServerError:
					if err != nil || status < 500 || len(b) == 0 {
						t.Fatalf("want 5xx with a body, got %v %d", err, status)
					}
				case fault.RateLimited, fault.RateLimitedRetry:
					if err != nil || status != 429 {
						t.Fatalf("want 429, got %v %d", err, status)
					}
					if ra := resp.Header.Get("Retry-After"); (k == fault.RateLimitedRetry) != (ra != "") {
						t.Fatalf("%s: Retry-After %q", k, ra)
					}
				case fault.Stall:
					if err == nil {
						t.Fatalf("want the connection dropped without a response, got HTTP %d", status)
					}
				case fault.Malformed:
					if err != nil || status != 200 || json.Valid(b) {
						t.Fatalf("want 200 and not JSON, got %v %d", err, status)
					}
				case fault.Truncated:
					if !errors.Is(err, io.ErrUnexpectedEOF) {
						t.Fatalf("want io.ErrUnexpectedEOF, got %v", err)
					}
				case fault.WrongType:
					if err != nil || status != 200 || !json.Valid(b) || bytes.Equal(hostless(b, u), clean) {
						t.Fatalf("want valid JSON differing from the clean page, got %v %d", err, status)
					}
				default:
					t.Fatalf("no check for kind %s", k)
				}
			})
		}
	}
}
