package jobspec

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // shop timezones must resolve even without system zoneinfo

	"github.com/shopetl/shopetl/setting"
	"gopkg.in/yaml.v3"
)

// Retries bounds retrying of one request.
type Retries struct {
	Max        int
	MinBackoff setting.Duration
	MaxBackoff setting.Duration
}

// ShopOptions are the knobs that `defaults` sets and every shop may
// override; ShopKeys declares each.
type ShopOptions struct {
	PageSize     int
	Concurrency  int               // requests in flight per shop
	RateLimit    setting.RateLimit // per shop
	Timeout      setting.Duration
	Retries      Retries
	Lookback     setting.Duration
	SafetyLag    setting.Duration
	Rescan       setting.Duration
	RefundRescan setting.Duration
	MaxShops     int       // only meaningful in Spec.Defaults
	Start        time.Time // YYYY-MM-DD values are read in Location
	Timezone     string    // IANA name: Location's
	// Location is the shop's timezone; never nil after Load/Parse.
	Location *time.Location `json:"-"`

	start startAt // start as written, until the layers are merged
}

// startAt is a start as written: an instant, or a day (YYYY-MM-DD) read
// in the shop's timezone once every layer is merged.
type startAt struct {
	at  time.Time
	day *specDate
}

type specDate struct{ y, m, d int }

// ShopKeys are the keys of `defaults` and of each shop's options, each
// declared once: decoding, defaults, a shop's overrides and the README's
// reference all come from here.
var ShopKeys = []setting.Key[ShopOptions]{
	setting.Field("page_size", setting.IntAtLeast(1), "100", "orders asked per page; capped by the platform (shoptima: 120)",
		func(o *ShopOptions) *int { return &o.PageSize }),
	setting.Field("concurrency", setting.IntAtLeast(1), "4", "requests in flight per shop",
		func(o *ShopOptions) *int { return &o.Concurrency }),
	setting.Field("rate_limit", setting.Rate(), "10/s", "requests per duration, per shop: 10/s, 600/m, 5/500ms (at least 1/h)",
		func(o *ShopOptions) *setting.RateLimit { return &o.RateLimit }),
	setting.Field("timeout", setting.PositiveDuration(), "30s", "per request attempt",
		func(o *ShopOptions) *setting.Duration { return &o.Timeout }),
	setting.Field("retries.max", setting.IntAtLeast(0), "6", "retries of a request after its first attempt",
		func(o *ShopOptions) *int { return &o.Retries.Max }),
	setting.Field("retries.min_backoff", setting.PositiveDuration(), "500ms", "first wait before a retry; each further doubles, with jitter",
		func(o *ShopOptions) *setting.Duration { return &o.Retries.MinBackoff }),
	setting.Field("retries.max_backoff", setting.PositiveDuration(), "30s", "longest wait before a retry",
		func(o *ShopOptions) *setting.Duration { return &o.Retries.MaxBackoff }),
	setting.Field("lookback", setting.NonNegativeDuration(), "15m", "overlap every incremental window re-reads",
		func(o *ShopOptions) *setting.Duration { return &o.Lookback }),
	setting.Field("safety_lag", setting.NonNegativeDuration(), "1m", "windows end this long before now",
		func(o *ShopOptions) *setting.Duration { return &o.SafetyLag }),
	setting.Field("rescan", setting.NonNegativeDuration(), "30d", "how far back platforms without a modification-time filter re-read",
		func(o *ShopOptions) *setting.Duration { return &o.Rescan }),
	setting.Field("refund_rescan", setting.NonNegativeDuration(), "90d", "... and how far back refund-flagged orders",
		func(o *ShopOptions) *setting.Duration { return &o.RefundRescan }),
	setting.Field("max_shops", setting.IntAtLeast(1), "8", "shops extracted at once",
		func(o *ShopOptions) *int { return &o.MaxShops }).OnlyIn("defaults"),
	setting.Field("start", startKind, "2024-01-01T00:00:00+08:00", "where a shop's first run starts (RFC 3339, or YYYY-MM-DD in shop time)",
		func(o *ShopOptions) *startAt { return &o.start }),
	setting.Field("timezone", zoneKind, "Asia/Shanghai", "IANA timezone the shop's date/time strings are read in",
		func(o *ShopOptions) **time.Location { return &o.Location }),
}

var startKind = setting.Kind[startAt]{Want: "time", Parse: func(s string) (startAt, error) {
	t := strings.TrimSpace(s)
	if at, err := time.Parse(time.RFC3339Nano, t); err == nil {
		return startAt{at: at}, nil
	}
	if at, err := time.Parse(time.DateOnly, t); err == nil {
		return startAt{day: &specDate{at.Year(), int(at.Month()), at.Day()}}, nil
	}
	return startAt{}, fmt.Errorf("bad time %s (want RFC 3339 or YYYY-MM-DD)", setting.Quote(s))
}}

var zoneKind = setting.Kind[*time.Location]{Want: "IANA name", Parse: func(s string) (*time.Location, error) {
	if s == "" || s == "Local" {
		return nil, fmt.Errorf("bad timezone %s (want an IANA name such as Asia/Shanghai)", setting.Quote(s))
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, fmt.Errorf("unknown timezone %s (want an IANA name such as Asia/Shanghai)", setting.Quote(s))
	}
	return loc, nil
}}

// DefaultShopOptions returns the built-in defaults used when a spec's
// `defaults` leaves a key out.
func DefaultShopOptions() ShopOptions {
	o := setting.Defaults(ShopKeys)
	o.finish()
	return o
}

// specOptLayer is one level of ShopOptions as written (defaults or a shop).
type specOptLayer struct {
	opts ShopOptions
	set  map[string]*yaml.Node // key as written ("retries.max") → value node
}

// options decodes a layer of options: the mapping n at path, whose section
// is in ("defaults", "shops"). more are the keys of a shop beside them.
func (d *specDecoder) options(path string, n *yaml.Node, in string, more map[string]specFieldFn) (*specOptLayer, map[string]*yaml.Node, bool) {
	l := &specOptLayer{set: map[string]*yaml.Node{}}
	seen, ok := section(d, path, n, ShopKeys, &l.opts, in, l.set, more)
	return l, seen, ok
}

// merge lays layers over the built-in defaults, in order, and reads a
// day-only start in the timezone they end up with.
func merge(layers ...*specOptLayer) ShopOptions {
	o := setting.Defaults(ShopKeys)
	for _, l := range layers {
		for _, k := range ShopKeys {
			if l.set[k.Name] != nil {
				k.Copy(&o, &l.opts)
			}
		}
	}
	o.finish()
	return o
}

// finish works out Start and Timezone from what was written.
func (o *ShopOptions) finish() {
	o.Start = o.start.at
	if day := o.start.day; day != nil {
		o.Start = time.Date(day.y, time.Month(day.m), day.d, 0, 0, 0, 0, o.Location)
	}
	o.start = startAt{}
	o.Timezone = o.Location.String()
}

// checkBackoff reports min_backoff > max_backoff at the level that caused it.
func (d *specDecoder) checkBackoff(path string, l *specOptLayer, merged ShopOptions) {
	if merged.Retries.MinBackoff <= merged.Retries.MaxBackoff {
		return
	}
	n, key := l.set["retries.min_backoff"], "min_backoff"
	if m := l.set["retries.max_backoff"]; m != nil {
		n, key = m, "max_backoff"
	}
	if n == nil {
		return // inherited; reported where it was set
	}
	d.add(n, specJoin(path, "retries."+key), "min_backoff %s is greater than max_backoff %s",
		merged.Retries.MinBackoff, merged.Retries.MaxBackoff)
}
