package ymcart

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/shopetl/shopetl/sim"
)

// Platform is the simulator of ymcart, for package platform.
var Platform = sim.Platform{
	Name: "ymcart",
	New: func(o sim.Options) (sim.Shop, error) {
		return NewStore(Options{Orders: o.Orders, Seed: o.Seed, Start: o.Start, End: o.End, Token: o.Token, Faults: o.Faults, Exceptions: o.Exceptions})
	},
	Spec: func(base, tokenEnv string) string {
		s := fmt.Sprintf("  - name: sim-ymcart\n    platform: ymcart\n    base_url: %s\n    page_size: 100\n    timezone: Asia/Shanghai\n", base)
		if tokenEnv != "" {
			s += fmt.Sprintf("    auth: {token: \"${%s}\"}\n", tokenEnv)
		}
		return s
	},
	List: func(base, token string) *http.Request {
		form := url.Values{"page_no": {"1"}, "page_size": {"2"}}
		if token != "" {
			form.Set("token", token)
		}
		r, _ := http.NewRequest(http.MethodPost, base+"/api-erp-orderList.html", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	},
}

// Every simulator moves on between runs, for the chaos rounds.
var _ sim.Changer = (*Store)(nil)
