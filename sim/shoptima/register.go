package shoptima

import (
	"fmt"
	"net/http"

	"github.com/shopetl/shopetl/sim"
)

// Platform is the simulator of shoptima, for package platform.
var Platform = sim.Platform{
	Name: "shoptima",
	New: func(o sim.Options) (sim.Shop, error) {
		return NewStore(Options{Orders: o.Orders, Seed: o.Seed, Start: o.Start, End: o.End, Token: o.Token, Faults: o.Faults, Exceptions: o.Exceptions})
	},
	Spec: func(base, tokenEnv string) string {
		s := fmt.Sprintf("  - name: sim-shoptima\n    platform: shoptima\n    base_url: %s\n    currency: USD\n    page_size: %d\n", base, MaxRows)
		if tokenEnv != "" {
			s += fmt.Sprintf("    auth: {token: \"${%s}\"}\n", tokenEnv)
		}
		return s
	},
	List: func(base, token string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, base+"/order?rows=2&page=1", nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		return r
	},
}

// Every simulator moves on between runs, for the chaos rounds.
var _ sim.Changer = (*Store)(nil)
