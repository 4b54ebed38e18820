package pipeline_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/platform"
	_ "github.com/shopetl/shopetl/platform/all"
	"github.com/shopetl/shopetl/sim"
	"github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/table"
)

// TestReloadingAWindowChangesNoCount: one simulated shop of every platform,
// the same backfill window (--since/--until) loaded three times. After
// every load each table's FINAL count per shop is what the first load
// left, orders being the simulator's count, and every current row carries
// that load's run_id: each load rewrote everything and nothing doubled
// (SPEC §5). This covers orders, order_items, refunds, payments and
// shipments, whichever of them a platform fills. order_history and
// refund_history keep their counts too, but every current row is load
// 1's: they hold the first observation of each state.
//
// etl_quarantine is keyed by run: a rejected record is kept once per run
// that met it, so each load adds exactly the rows its summary counted (one
// shoptima order here has an amount that is not a number) and the table
// holds the sum over loads.
func TestReloadingAWindowChangesNoCount(t *testing.T) {
	addr, db := pipelinetest.ClickHouse(t)
	var shops strings.Builder
	want := map[string]uint64{} // orders per shop
	for i, p := range platform.Sims() {
		s, err := p.New(sim.Options{Orders: 150, Seed: int64(40 + i),
			Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		h, orders := s.Handler(), s.Count()
		if st, ok := s.(*shoptima.Store); ok {
			// One order that cannot load, so that every load quarantines.
			h = breakOrderPrice(h, st.OrderNums()[17])
			orders--
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		shops.WriteString(p.Spec(srv.URL, ""))
		want["sim-"+p.Name] = uint64(orders)
	}
	if len(want) < 4 {
		t.Fatalf("only %d simulated platforms registered", len(want))
	}
	spec := pipelinetest.Job(t, t.TempDir(), fmt.Sprintf(`version: 1
name: reload
state: {backend: file, path: ./state}
defaults:
  start: 2020-01-01
  rate_limit: 1000/s
  retries: {max: 8, min_backoff: 1ms, max_backoff: 5ms}
  timeout: 5s
shops:
%ssinks:
  clickhouse: {addr: [%q], database: %s}
`, shops.String(), addr, db))
	// A window around all the simulators' orders, in UTC whatever the
	// shop's timezone.
	window := pipeline.RunOptions{Since: "2020-04-01T00:00:00Z", Until: "2020-07-01T00:00:00Z"}

	var tables []*table.Table // every table keyed by order data
	for _, tb := range table.All {
		if tb != table.Quarantine && tb != table.Runs {
			tables = append(tables, tb)
		}
	}
	first := map[string]uint64{} // shop/table: FINAL rows after load 1
	quarantined := map[string]uint64{}
	for load := 1; load <= 3; load++ {
		res := pipelinetest.Run(t, spec, window)
		pipelinetest.RequireOK(t, res)
		for _, s := range res.Shops {
			if uint64(s.Orders) < want[s.Shop] {
				t.Fatalf("load %d: %s read %d orders, the simulator has %d", load, s.Shop, s.Orders, want[s.Shop])
			}
			for _, tb := range tables {
				final := pipelinetest.FinalRows(t, addr, db, tb.Name, s.Shop)
				key := s.Shop + "/" + tb.Name
				if load == 1 {
					first[key] = final
					t.Logf("%s: %d rows", key, final)
				} else if final != first[key] {
					t.Errorf("load %d: %s holds %d current rows, load 1 left %d", load, key, final, first[key])
				}
				if tb == table.Orders && final != want[s.Shop] {
					t.Errorf("load %d: %s holds %d orders, the simulator %d", load, s.Shop, final, want[s.Shop])
				}
				ours := pipelinetest.Count(t, addr, "SELECT count() FROM "+db+"."+tb.Name+" FINAL WHERE shop = ? AND run_id = ?", s.Shop, res.RunID)
				wantOurs := final
				if load > 1 && (tb == table.OrderHistory || tb == table.RefundHistory) {
					// They keep the first observation of each state: the
					// reloads, seeing the same states, leave load 1's rows.
					wantOurs = 0
				}
				if ours != wantOurs {
					t.Errorf("load %d: %s: %d of %d current rows come from this load, want %d", load, key, ours, final, wantOurs)
				}
			}
			// etl_runs gains one row per shop and load.
			if n := pipelinetest.FinalRows(t, addr, db, table.Runs.Name, s.Shop); n != uint64(load) {
				t.Errorf("load %d: %s: etl_runs holds %d rows, want %d", load, s.Shop, n, load)
			}
			quarantined[s.Shop] += uint64(s.Quarantined)
			got := pipelinetest.Count(t, addr, "SELECT count() FROM "+db+".etl_quarantine FINAL WHERE shop = ? AND run_id = ?", s.Shop, res.RunID)
			if got != uint64(s.Quarantined) {
				t.Errorf("load %d: %s: etl_quarantine holds %d rows of this run, its summary %d", load, s.Shop, got, s.Quarantined)
			}
			if all := pipelinetest.FinalRows(t, addr, db, table.Quarantine.Name, s.Shop); all != quarantined[s.Shop] {
				t.Errorf("load %d: %s: etl_quarantine holds %d rows, the runs so far quarantined %d", load, s.Shop, all, quarantined[s.Shop])
			}
		}
	}
	t.Logf("etl_quarantine rows after three loads: %v", quarantined)
	if quarantined["sim-shoptima"] == 0 {
		t.Error("nothing was quarantined: the etl_quarantine checks prove nothing")
	}
	for _, tb := range []*table.Table{table.Orders, table.OrderItems, table.Refunds} {
		var n uint64
		for shop := range want {
			n += first[shop+"/"+tb.Name]
		}
		if n == 0 {
			t.Errorf("no shop has %s rows: the check proves nothing for that table", tb.Name)
		}
	}
}

// breakOrderPrice serves h with victim's order_price replaced by "12,50"
// wherever the order is listed, as in TestBrokenRecordIsQuarantinedAndTheRestLoads.
func breakOrderPrice(h http.Handler, victim string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w, status: 200}
		h.ServeHTTP(rec, r)
		body := rec.buf.String()
		if i := strings.Index(body, `"order_num":"`+victim+`"`); i >= 0 {
			if j := strings.Index(body[i:], `"order_price":"`); j >= 0 {
				j += i + len(`"order_price":"`)
				if k := strings.IndexByte(body[j:], '"'); k >= 0 {
					body = body[:j] + "12,50" + body[j+k:]
				}
			}
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.status)
		io.WriteString(w, body)
	})
}
