package ymcart

import (
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/extract/extracttest"
	sim "github.com/shopetl/shopetl/sim/ymcart"
	"github.com/shopetl/shopetl/transform"
)

// BenchmarkPage decodes full orderList pages (MaxPageSize rows) of a
// simulated shop and transforms every row: the work a run does per page
// once the bytes have arrived.
func BenchmarkPage(b *testing.B) {
	bodies := benchPages(b)
	e := &Extractor{}
	s := scan{pass: 1, keep: func(rowTimes) bool { return true }}
	extracttest.BenchPage(b, "ymcart", transform.Ymcart, "USD", bodies, func(body []byte) ([]extract.Raw, error) {
		f, err := e.decode(s, "POST "+orderListPath, body)
		return f.page.Records, err
	})
}

// benchPages are five full orderList pages (MaxPageSize rows) of a
// simulated shop of 1,000 orders.
func benchPages(b *testing.B) [][]byte {
	store, err := sim.NewStore(sim.Options{Orders: 1000, Seed: 18})
	if err != nil {
		b.Fatal(err)
	}
	var bodies [][]byte
	for n := 1; n <= 5; n++ {
		form := url.Values{"page_no": {strconv.Itoa(n)}, "page_size": {strconv.Itoa(MaxPageSize)}, "order_by": {"0"}}
		req := httptest.NewRequest("POST", orderListPath, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		bodies = append(bodies, extracttest.Serve(b, store.Handler(), req))
	}
	return bodies
}
