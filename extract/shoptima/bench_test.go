package shoptima

import (
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/extract/extracttest"
	sim "github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/transform"
)

// BenchmarkPage decodes full GET /order pages (120 rows, as a run asks)
// of a simulated shop and transforms every row: the work a run does per
// page once the bytes have arrived.
func BenchmarkPage(b *testing.B) {
	store, err := sim.NewStore(sim.Options{Orders: 1200, Seed: 18})
	if err != nil {
		b.Fatal(err)
	}
	var bodies [][]byte
	for n := 1; n <= 10; n++ {
		q := "/order?rows=120&time_type=2&begin_time=0&end_time=4000000000&is_refund=0&page=" + strconv.Itoa(n)
		bodies = append(bodies, extracttest.Serve(b, store.Handler(), httptest.NewRequest("GET", q, nil)))
	}
	s := scan{timeType: byOrderTime, pass: 1}
	extracttest.BenchPage(b, "shoptima", transform.Shoptima, "USD", bodies, func(body []byte) ([]extract.Raw, error) {
		f, err := s.decode("GET /order", body)
		return f.page.Records, err
	})
}
