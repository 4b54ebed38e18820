package extract

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func get(url string) func(context.Context) (*http.Request, error) {
	return func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	}
}

func newTestClient(retries int) *Client {
	return NewClient(ClientOptions{Shop: "s", Timeout: 2 * time.Second, MaxRetries: retries,
		MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
		Header: map[string]string{"Authorization": "Bearer tok"}})
}

func TestClientRetriesTransientFailures(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("header not sent")
		}
		switch calls.Add(1) {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		case 3:
			w.Write([]byte(`{"cut`)) // unreadable: retried like a 5xx
		default:
			w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer srv.Close()
	c := newTestClient(5)
	reads := 0
	err := c.Do(context.Background(), "GET /x", get(srv.URL), func(b []byte) error {
		reads++
		if string(b) != `{"ok":true}` {
			return errors.New("not json")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 4 || c.Retries() != 3 || reads != 2 {
		t.Fatalf("calls %d retries %d reads %d, want 4 3 2", calls.Load(), c.Retries(), reads)
	}
}

func TestClientGivesUpAndKeepsUnreadableBody(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`not json`))
	}))
	defer srv.Close()
	c := newTestClient(2)
	err := c.Do(context.Background(), "GET /x", get(srv.URL), func([]byte) error { return errors.New("bad") })
	var ue *UnreadableError
	if !errors.As(err, &ue) || string(ue.Body) != "not json" || ue.Endpoint != "GET /x" {
		t.Fatalf("want UnreadableError with body, got %v", err)
	}
	if c.Retries() != 2 {
		t.Fatalf("retries %d, want 2", c.Retries())
	}
}

func TestClientDoesNotRetryClientErrors(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	err := newTestClient(5).Do(context.Background(), "GET /x", get(srv.URL), func([]byte) error { return nil })
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 401 || calls.Load() != 1 {
		t.Fatalf("want one 401 attempt, got %v after %d calls", err, calls.Load())
	}
}

func TestClientStopsOnCancel(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done() // a stalled server
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- newTestClient(5).Do(ctx, "GET /x", get(srv.URL), func([]byte) error { return nil })
	}()
	<-arrived
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}
