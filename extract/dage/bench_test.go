package dage

import (
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/extract/extracttest"
	sim "github.com/shopetl/shopetl/sim/dage"
	"github.com/shopetl/shopetl/transform"
)

// BenchmarkPage decodes full orders/list pages (MaxPageSize items) of a
// simulated shop and transforms every item: the work a run does per page
// once the bytes have arrived.
func BenchmarkPage(b *testing.B) {
	store, err := sim.NewStore(sim.Options{Orders: 1000, Seed: 18})
	if err != nil {
		b.Fatal(err)
	}
	var bodies [][]byte
	for n := 1; n <= 10; n++ {
		q := "/orders/list?pageSize=" + strconv.Itoa(MaxPageSize) + "&page=" + strconv.Itoa(n)
		bodies = append(bodies, extracttest.Serve(b, store.Handler(), httptest.NewRequest("GET", q, nil)))
	}
	s := scan{pass: 1}
	extracttest.BenchPage(b, "dage", transform.Dage, "CNY", bodies, func(body []byte) ([]extract.Raw, error) {
		f, err := s.decode("GET /orders/list", body)
		return f.page.Records, err
	})
}
