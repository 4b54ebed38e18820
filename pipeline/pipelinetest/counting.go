package pipelinetest

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// CountingServer serves h over real HTTP until the test ends and counts
// the requests it is asked.
func CountingServer(t testing.TB, h http.Handler) (url string, requests *atomic.Int64) {
	t.Helper()
	requests = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, requests
}
