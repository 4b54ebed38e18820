package dage

import (
	"io"
	"net/http/httptest"
	"strconv"
	"testing"
)

// BenchmarkListPage pages a 1M-order store the way an extractor would (a
// creation-date window, 50 orders a page). A page must cost the page, not
// the store.
func BenchmarkListPage(b *testing.B) {
	s, err := NewStore(Options{Orders: 1_000_000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	q := "/orders/list?startTime=2017-03-01&endTime=2017-05-30&page="
	b.ResetTimer()
	for i := range b.N {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", q+strconv.Itoa(1+i%20000), nil))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
		io.Copy(io.Discard, rec.Body)
	}
}
