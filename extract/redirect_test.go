package extract

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestClientFollowsRedirectsOnlyToItsShop: a redirect within the shop's
// scheme, host and port is followed; one to another host is refused at
// once, not retried, and that host never hears the request or its
// credentials.
func TestClientFollowsRedirectsOnlyToItsShop(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.Write([]byte(`{"stolen":true}`))
	}))
	defer other.Close()
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/orders", http.StatusFound)
		case "/away":
			http.Redirect(w, r, other.URL+"/orders", http.StatusFound)
		case "/orders":
			w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer shop.Close()
	c := newTestClient(3)
	var body string
	if err := c.Do(context.Background(), "GET /moved", get(shop.URL+"/moved"), func(b []byte) error { body = string(b); return nil }); err != nil || body != `{"ok":true}` {
		t.Fatalf("same-host redirect: %v, body %q", err, body)
	}
	err := c.Do(context.Background(), "GET /away", get(shop.URL+"/away"), func([]byte) error { return nil })
	var re *RedirectError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "redirect to "+other.URL+" refused") {
		t.Fatalf("redirect to another host: %v, want it refused naming %s", err, other.URL)
	}
	if n := elsewhere.Load(); n != 0 || c.Retries() != 0 {
		t.Fatalf("the other host got %d requests, %d retries; want none", n, c.Retries())
	}
}

// TestClientCapsResponseBodies: a body over MaxBody fails the request,
// without retrying it.
func TestClientCapsResponseBodies(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 2048)))
	}))
	defer srv.Close()
	c := newTestClient(3)
	c.opt.MaxBody = 1024
	err := c.Do(context.Background(), "GET /big", get(srv.URL), func([]byte) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "response larger than 1024 bytes") || c.Retries() != 0 {
		t.Fatalf("err %v, retries %d; want the cap named, no retry", err, c.Retries())
	}
}
