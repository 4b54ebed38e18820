package shopex

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shopetl/shopetl/sim"
)

// Platform is the simulator of shopex, for package platform.
var Platform = sim.Platform{
	Name: "shopex",
	New: func(o sim.Options) (sim.Shop, error) {
		return NewStore(Options{Orders: o.Orders, Seed: o.Seed, Start: o.Start, End: o.End, Token: o.Token, Faults: o.Faults, Exceptions: o.Exceptions})
	},
	Spec: func(base, tokenEnv string) string {
		s := fmt.Sprintf("  - name: sim-shopex\n    platform: shopex\n    base_url: %s/api\n    currency: CNY\n    timezone: Asia/Shanghai\n    page_size: %d\n", base, DefaultPageSize)
		if tokenEnv != "" {
			s += fmt.Sprintf("    auth: {token: \"${%s}\"}\n", tokenEnv)
		}
		return s
	},
	List: func(base, token string) *http.Request {
		form := url.Values{
			"act":         {ActFetchOrderList},
			"api_version": {"2.0"},
			"return_data": {"json"},
			"date":        {time.Now().In(time.FixedZone("CST", 8*3600)).Format(DateTimeLayout)},
			"dtline[]":    {"2000-01-01 00:00:00"},
			"_offset_":    {"0"},
			"_pagesize_":  {"2"},
		}
		if token != "" {
			form.Set("sign", Sign(form, token))
		}
		r, _ := http.NewRequest(http.MethodPost, base+"/api", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	},
}

// Every simulator moves on between runs, for the chaos rounds.
var _ sim.Changer = (*Store)(nil)
