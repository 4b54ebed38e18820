package sim

import (
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/shopetl/shopetl/sim/fault"
)

// Options are what every simulated platform takes from `shopetl sim`.
type Options struct {
	Orders     int
	Seed       int64
	Start, End time.Time // order creation times fall in [Start, End)
	Token      string    // the credential the shop requires, in the platform's way; empty: none
	Faults     fault.Options
	// Exceptions is how many orders get each reconciliation exception kind
	// that can happen on the platform (SPEC §6), chosen from Seed, one kind
	// per order at most; 0: none. The shop's Exceptions method (see
	// Exceptional) lists them.
	Exceptions int
}

// Shop is one running simulated shop.
type Shop interface {
	Handler() http.Handler
	Count() int
	Faults() map[fault.Kind]int
}

// Changer is a Shop whose orders move on between runs, as a real shop's
// do: a new order appears, or one is paid, shipped, refunded or remarked
// (the drift fault's change, made on demand; which, and to which order,
// comes from the shop's seeded generator). Every simulator is one.
type Changer interface {
	Change()
}

// Platform is a simulator as `shopetl sim` lists it.
type Platform struct {
	// Name is the platform key of job specs (shopex, ymcart, ...).
	Name string
	// New starts a shop.
	New func(Options) (Shop, error)
	// Spec returns the job-spec lines of a shop of this platform served at
	// base, its credential read from the environment variable tokenEnv
	// (empty: none), indented as an item of `shops:`.
	Spec func(base, tokenEnv string) string
	// List returns a request for the first page of the platform's order
	// list at base, with token; `shopetl sim` prints it as a curl line and
	// the tests of package platform/all send it to every platform.
	List func(base, token string) *http.Request
}

// Curl renders a request as a curl command line (method, headers, body),
// for people to paste.
func Curl(r *http.Request) string {
	var b strings.Builder
	b.WriteString("curl -s")
	if r.Method != http.MethodGet {
		b.WriteString(" -X " + r.Method)
	}
	keys := slices.Sorted(maps.Keys(r.Header))
	for _, k := range keys {
		for _, v := range r.Header[k] {
			b.WriteString(" -H " + shellQuote(k+": "+v))
		}
	}
	if r.GetBody != nil {
		if body, err := r.GetBody(); err == nil {
			data, _ := io.ReadAll(body)
			b.WriteString(" --data " + shellQuote(string(data)))
		}
	}
	b.WriteString(" " + shellQuote(r.URL.String()))
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
