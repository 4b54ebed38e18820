package shoptima

import (
	"io"
	"net/http/httptest"
	"strconv"
	"testing"
)

// BenchmarkListPage pages a 1M-order store the way the extractor does (pay
// time over the whole range, 100 rows a page). A page must cost the page, not
// the store: the filter is matched once per store revision.
func BenchmarkListPage(b *testing.B) {
	s, err := NewStore(Options{Orders: 1_000_000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	q := "/order?rows=100&time_type=1&begin_time=0&end_time=4000000000&page="
	b.ResetTimer()
	for i := range b.N {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", q+strconv.Itoa(1+i%5000), nil))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
		io.Copy(io.Discard, rec.Body)
	}
}
