package shopex

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/extract/extracttest"
	sim "github.com/shopetl/shopetl/sim/shopex"
	"github.com/shopetl/shopetl/transform"
)

// BenchmarkPage decodes ome:fetch_order_detail replies of a simulated shop
// (one order each: the pages that carry shopex records) and transforms
// every order: the work a run does per reply once the bytes have arrived.
func BenchmarkPage(b *testing.B) {
	store, err := sim.NewStore(sim.Options{Orders: 200, Seed: 18})
	if err != nil {
		b.Fatal(err)
	}
	post := func(form url.Values) []byte {
		form.Set("api_version", "2.0")
		form.Set("return_data", "json")
		form.Set("date", "2026-01-01 00:00:00")
		req := httptest.NewRequest(http.MethodPost, "/api", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return extracttest.Serve(b, store.Handler(), req)
	}
	list := post(url.Values{"act": {actList}, "dtline[]": {"2000-01-01 00:00:00"}, "_offset_": {"0"}, "_pagesize_": {"200"}})
	e := &Extractor{}
	info, err := e.info(actList, list)
	if err != nil {
		b.Fatal(err)
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(info, &rows); err != nil {
		b.Fatal(err)
	}
	var ids []string
	var bodies [][]byte
	for _, raw := range rows {
		id := readRow(raw).id
		ids = append(ids, id)
		bodies = append(bodies, post(url.Values{"act": {actDetail}, "order_id": {id}}))
	}
	n := 0
	extracttest.BenchPage(b, "shopex", transform.Shopex, "CNY", bodies, func(body []byte) ([]extract.Raw, error) {
		id := ids[n%len(ids)]
		n++
		info, err := e.info(actDetail, body)
		if err == nil {
			info, err = detailOf(id, info)
		}
		return []extract.Raw{{Key: id, Body: info}}, err
	})
}
