package ymcart

import (
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkOrderListPage pages a 1M-order store the way an extractor would
// (an act_time window over the whole range, by id, 100 a page). A page must
// cost the page, not the store: the window is matched once per revision.
func BenchmarkOrderListPage(b *testing.B) {
	s, err := NewStore(Options{Orders: 1_000_000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	f := form("time_type", "2", "start_time", "2024-1-1", "end_time", "2024-3-31", "page_size", "100")
	b.ResetTimer()
	for i := range b.N {
		f.Set("page_no", strconv.Itoa(1+i%5000))
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/api-erp-orderList.html", strings.NewReader(f.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h.ServeHTTP(rec, r)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
		io.Copy(io.Discard, rec.Body)
	}
}

// BenchmarkNewStore1M generates a million orders.
func BenchmarkNewStore1M(b *testing.B) {
	for range b.N {
		if _, err := NewStore(Options{Orders: 1_000_000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
