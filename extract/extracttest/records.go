package extracttest

import (
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
	sim "github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/table"
	"github.com/shopetl/shopetl/transform"
)

// Records returns about n records as a run makes them: the GET /order
// pages of a simulated shoptima shop, transformed. The sinks' benchmarks
// load them.
func Records(tb testing.TB, n int) []model.Record {
	tb.Helper()
	store, err := sim.NewStore(sim.Options{Orders: n, Seed: 18})
	if err != nil {
		tb.Fatal(err)
	}
	tf := transform.Shoptima
	c := &transform.Context{Meta: model.Meta{Platform: "shoptima", Shop: "bench", RunID: "bench", Version: 1}, Currency: "USD", Location: time.UTC}
	var out []model.Record
	for page := 1; len(out) < n; page++ {
		q := "/order?rows=120&time_type=2&begin_time=0&end_time=4000000000&page=" + strconv.Itoa(page)
		var env struct {
			Data struct {
				Data []json.RawMessage `json:"data"`
			} `json:"data"`
		}
		if err := json.Unmarshal(Serve(tb, store.Handler(), httptest.NewRequest("GET", q, nil)), &env); err != nil {
			tb.Fatal(err)
		}
		if len(env.Data.Data) == 0 {
			break
		}
		for _, raw := range env.Data.Data {
			rec, err := tf(c, extract.Raw{Body: raw})
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, rec)
		}
	}
	return out
}

// Build batches recs' rows as the pipeline does, one batch per table that
// has rows; the caller releases them.
func Build(recs []model.Record) (map[*table.Table]arrow.RecordBatch, error) {
	b := map[*table.Table]*table.Builder{}
	for _, t := range []*table.Table{table.Orders, table.OrderItems, table.Refunds, table.Payments, table.Shipments} {
		b[t] = table.NewBuilder(memory.DefaultAllocator, t)
		defer b[t].Release()
	}
	for i := range recs {
		r := &recs[i]
		err := b[table.Orders].AppendOrder(&r.Order)
		for j := 0; err == nil && j < len(r.Items); j++ {
			err = b[table.OrderItems].AppendItem(&r.Items[j])
		}
		for j := 0; err == nil && j < len(r.Refunds); j++ {
			err = b[table.Refunds].AppendRefund(&r.Refunds[j])
		}
		for j := 0; err == nil && j < len(r.Payments); j++ {
			err = b[table.Payments].AppendPayment(&r.Payments[j])
		}
		for j := 0; err == nil && j < len(r.Shipments); j++ {
			err = b[table.Shipments].AppendShipment(&r.Shipments[j])
		}
		if err != nil {
			return nil, err
		}
	}
	out := map[*table.Table]arrow.RecordBatch{}
	for t, tb := range b {
		if tb.Rows() > 0 {
			out[t] = tb.Flush()
		}
	}
	return out, nil
}

// Batches is Build of a shoptima shop of n orders (Records), released
// when tb's test ends.
func Batches(tb testing.TB, n int) map[*table.Table]arrow.RecordBatch {
	tb.Helper()
	batches, err := Build(Records(tb, n))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		for _, rec := range batches {
			rec.Release()
		}
	})
	return batches
}
