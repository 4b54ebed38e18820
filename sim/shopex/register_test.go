package shopex_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/sim"
	"github.com/shopetl/shopetl/sim/shopex"
)

// TestRegistered: the simulator package platform registers (Platform): its
// list request (the one `shopetl sim` prints as curl) is served, signed.
func TestRegistered(t *testing.T) {
	t.Parallel()
	p := shopex.Platform
	shop, err := p.New(sim.Options{Orders: 20, Seed: 3, Token: "tok",
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if shop.Count() != 20 {
		t.Fatalf("Count %d", shop.Count())
	}
	srv := httptest.NewServer(shop.Handler())
	t.Cleanup(srv.Close)
	for token, want := range map[string]string{"tok": "success", "wrong": "fail"} {
		resp, err := http.DefaultClient.Do(p.List(srv.URL, token))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var r struct {
			Result string            `json:"result"`
			Info   []json.RawMessage `json:"info"`
		}
		if err := json.Unmarshal(b, &r); err != nil || resp.StatusCode != 200 || r.Result != want {
			t.Fatalf("token %q: HTTP %d %s", token, resp.StatusCode, b)
		}
		if want == "success" && len(r.Info) != 2 {
			t.Fatalf("first page: %s", b)
		}
	}
	spec := p.Spec("http://127.0.0.1:1/shopex", "SIM_TOKEN")
	for _, want := range []string{"platform: shopex", "base_url: http://127.0.0.1:1/shopex/api", "${SIM_TOKEN}"} {
		if !strings.Contains(spec, want) {
			t.Fatalf("spec lacks %q:\n%s", want, spec)
		}
	}
	if c := sim.Curl(p.List("http://h/shopex", "")); !strings.Contains(c, "act=ome%3Afetch_order_list") {
		t.Fatalf("curl: %s", c)
	}
}
