package dage

import (
	"fmt"
	"net/http"

	"github.com/shopetl/shopetl/sim"
)

// Platform is the simulator of dage, which package platform registers for
// `shopetl sim` (platform/all). The token is sent as a Bearer header
// rather than Yii2's access-token query parameter: Pagination copies
// query parameters into its links.
var Platform = sim.Platform{
	Name: "dage",
	New: func(o sim.Options) (sim.Shop, error) {
		return NewStore(Options{Orders: o.Orders, Seed: o.Seed, Start: o.Start, End: o.End, Token: o.Token, Faults: o.Faults, Exceptions: o.Exceptions})
	},
	Spec: func(base, tokenEnv string) string {
		s := fmt.Sprintf("  - name: sim-dage\n    platform: dage\n    base_url: %s\n    currency: CNY\n    timezone: Asia/Shanghai\n    page_size: %d\n", base, MaxPageSize)
		if tokenEnv != "" {
			s += fmt.Sprintf("    auth: {token: \"${%s}\"}\n", tokenEnv)
		}
		return s
	},
	List: func(base, token string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, base+"/orders/list?pageSize=2&page=1", nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		return r
	},
}

// Every simulator moves on between runs, for the chaos rounds.
var _ sim.Changer = (*Store)(nil)
