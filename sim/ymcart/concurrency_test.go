package ymcart

import (
	"fmt"
	"io"
	"net/url"
	"sync"
	"testing"
)

// TestConcurrentReadsAndWrites mixes list pages, write endpoints, helpers,
// Add and Snapshot from several goroutines; run with -race.
func TestConcurrentReadsAndWrites(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 300, Seed: 23})
	ids := s.OrderIDs()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 12 {
				id := ids[(i*12+j)%len(ids)]
				var name string
				var f url.Values
				switch (i + j) % 6 {
				case 0:
					name, f = "orderList", form("time_type", "2", "start_time", "2024-1-1", "page_size", "50", "page_no", fmt.Sprint(1+j%4))
				case 1:
					name, f = "orderStatus", form("status_res", batch(map[string]any{"itemno": id, "status": 200}))
				case 2:
					name, f = "orderShip", form("shipno_res", batch(map[string]any{"itemno": id, "delivery_no": "C1", "shipping_corp_name": "DHL"}))
				case 3:
					name, f = "deliveryList", form("page_size", "20", "page_no", "1")
				case 4:
					s.Add(1)
					s.Remark(id, "concurrent")
					s.Snapshot(id)
					continue
				case 5:
					name, f = "orderEdit", form("itemno", id, "order", `{"cost_shipping":1}`)
				}
				resp, err := srv.Client().PostForm(srv.URL+"/api-erp-"+name+".html", f)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	if got := len(orderListAll(t, srv, url.Values{})); got != s.Count() {
		t.Fatalf("listed %d of %d", got, s.Count())
	}
	// The indexes still agree with the orders.
	s.mu.RLock()
	defer s.mu.RUnlock()
	for i := 1; i < len(s.byAct); i++ {
		if cmpTime(s.byAct[i-1], s.byAct[i-1].act, s.byAct[i], s.byAct[i].act) >= 0 {
			t.Fatal("byAct out of order")
		}
	}
	for i := 1; i < len(s.byPay); i++ {
		if cmpTime(s.byPay[i-1], s.byPay[i-1].paid, s.byPay[i], s.byPay[i].paid) >= 0 {
			t.Fatal("byPay out of order")
		}
	}
	if len(s.byAct) != len(s.orders) || len(s.byPay) != len(s.orders) {
		t.Fatal("index sizes")
	}
}
