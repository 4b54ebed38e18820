package jobspec

import (
	"strings"
	"time"
	_ "time/tzdata" // shop timezones must resolve even without system zoneinfo

	"github.com/shopetl/shopetl/setting"
	"gopkg.in/yaml.v3"
)

// Retries bounds retrying of one request.
type Retries struct {
	Max        int              `yaml:"max"`
	MinBackoff setting.Duration `yaml:"min_backoff"`
	MaxBackoff setting.Duration `yaml:"max_backoff"`
}

// ShopOptions are the knobs that `defaults` sets and every shop may override.
type ShopOptions struct {
	PageSize     int               `yaml:"page_size"`
	Concurrency  int               `yaml:"concurrency"` // requests in flight per shop
	RateLimit    setting.RateLimit `yaml:"rate_limit"`  // per shop
	Timeout      setting.Duration  `yaml:"timeout"`
	Retries      Retries           `yaml:"retries"`
	Lookback     setting.Duration  `yaml:"lookback"`
	SafetyLag    setting.Duration  `yaml:"safety_lag"`
	Rescan       setting.Duration  `yaml:"rescan"`
	RefundRescan setting.Duration  `yaml:"refund_rescan"`
	MaxShops     int               `yaml:"max_shops"` // only meaningful in Spec.Defaults
	Start        time.Time         `yaml:"start"`     // YYYY-MM-DD values are read in Location
	Timezone     string            `yaml:"timezone"`  // IANA name
	// Location is Timezone loaded; never nil after Load/Parse.
	Location *time.Location `yaml:"-" json:"-"`
}

// specBuiltins are the built-in defaults of everything in a job spec.
type specBuiltins struct {
	shop       ShopOptions
	pii        string
	clickhouse ClickHouseSink
	parquet    ParquetSink
}

// specBuiltinDefaults is the one place built-in defaults live.
func specBuiltinDefaults() specBuiltins {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil { // cannot happen: time/tzdata is embedded
		panic(err)
	}
	return specBuiltins{
		shop: ShopOptions{
			PageSize:     100,
			Concurrency:  4,
			RateLimit:    setting.RateLimit{N: 10, Per: time.Second},
			Timeout:      setting.Duration(30 * time.Second),
			Retries:      Retries{Max: 6, MinBackoff: setting.Duration(500 * time.Millisecond), MaxBackoff: setting.Duration(30 * time.Second)},
			Lookback:     setting.Duration(15 * time.Minute),
			SafetyLag:    setting.Duration(time.Minute),
			Rescan:       setting.Duration(30 * 24 * time.Hour),
			RefundRescan: setting.Duration(90 * 24 * time.Hour),
			MaxShops:     8,
			Start:        time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("+08:00", 8*60*60)),
			Timezone:     "Asia/Shanghai",
			Location:     loc,
		},
		pii:        "hash",
		clickhouse: ClickHouseSink{Database: "shop", Username: "default", DialTimeout: setting.Duration(10 * time.Second)},
		parquet:    ParquetSink{Compression: "zstd"},
	}
}

// DefaultShopOptions returns the built-in defaults used when a spec's
// `defaults` leaves a key out.
func DefaultShopOptions() ShopOptions { return specBuiltinDefaults().shop }

// specOptLayer is one level of ShopOptions as written (defaults or a shop).
type specOptLayer struct {
	opts      ShopOptions
	set       map[string]*yaml.Node // key as written ("retries.max") → value node
	startDate *specDate             // start given as YYYY-MM-DD
}

type specDate struct{ y, m, d int }

func specParseStart(s string) (time.Time, *specDate, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return time.Time{}, &specDate{t.Year(), int(t.Month()), t.Day()}, true
	}
	return time.Time{}, nil, false
}

// optionFields decodes the ShopOptions keys into layer.
func (d *specDecoder) optionFields(layer *specOptLayer, allowMaxShops bool) map[string]specFieldFn {
	o := &layer.opts
	mark := func(key string, v *yaml.Node) { layer.set[key] = v }
	intField := func(key string, dst *int, min int) specFieldFn {
		return func(p string, v *yaml.Node) {
			if x, ok := d.integer(p, v, min); ok {
				*dst = x
				mark(key, v)
			}
		}
	}
	durField := func(key string, dst *setting.Duration, positive bool) specFieldFn {
		return func(p string, v *yaml.Node) {
			if x, ok := d.duration(p, v, positive); ok {
				*dst = x
				mark(key, v)
			}
		}
	}
	fns := map[string]specFieldFn{
		"page_size":   intField("page_size", &o.PageSize, 1),
		"concurrency": intField("concurrency", &o.Concurrency, 1),
		"rate_limit": func(p string, v *yaml.Node) {
			s, ok := d.scalar(p, v)
			if !ok {
				return
			}
			rl, err := setting.ParseRateLimit(s)
			if err != nil {
				d.add(v, p, "%v", err)
				return
			}
			o.RateLimit = rl
			mark("rate_limit", v)
		},
		"timeout": durField("timeout", &o.Timeout, true),
		"retries": func(p string, v *yaml.Node) {
			d.fields(p, v, map[string]specFieldFn{
				"max":         intField("retries.max", &o.Retries.Max, 0),
				"min_backoff": durField("retries.min_backoff", &o.Retries.MinBackoff, true),
				"max_backoff": durField("retries.max_backoff", &o.Retries.MaxBackoff, true),
			})
		},
		"lookback":      durField("lookback", &o.Lookback, false),
		"safety_lag":    durField("safety_lag", &o.SafetyLag, false),
		"rescan":        durField("rescan", &o.Rescan, false),
		"refund_rescan": durField("refund_rescan", &o.RefundRescan, false),
		"max_shops":     intField("max_shops", &o.MaxShops, 1),
		"start": func(p string, v *yaml.Node) {
			s, ok := d.scalar(p, v)
			if !ok {
				return
			}
			t, date, ok := specParseStart(strings.TrimSpace(s))
			if !ok {
				d.add(v, p, "bad time %s (want RFC 3339 or YYYY-MM-DD)", setting.Quote(s))
				return
			}
			o.Start, layer.startDate = t, date
			mark("start", v)
		},
		"timezone": func(p string, v *yaml.Node) {
			s, ok := d.scalar(p, v)
			if !ok {
				return
			}
			if s == "" || s == "Local" {
				d.add(v, p, "bad timezone %s (want an IANA name such as Asia/Shanghai)", setting.Quote(s))
				return
			}
			loc, err := time.LoadLocation(s)
			if err != nil {
				d.add(v, p, "unknown timezone %s (want an IANA name such as Asia/Shanghai)", setting.Quote(s))
				return
			}
			o.Timezone, o.Location = s, loc
			mark("timezone", v)
		},
	}
	if !allowMaxShops {
		fns["max_shops"] = func(p string, v *yaml.Node) {
			d.add(v, p, "is only allowed in defaults")
		}
	}
	return fns
}

// applyTo overwrites o with the keys this layer set.
func (l *specOptLayer) applyTo(o *ShopOptions, start **specDate) {
	for key := range l.set {
		switch key {
		case "page_size":
			o.PageSize = l.opts.PageSize
		case "concurrency":
			o.Concurrency = l.opts.Concurrency
		case "rate_limit":
			o.RateLimit = l.opts.RateLimit
		case "timeout":
			o.Timeout = l.opts.Timeout
		case "retries.max":
			o.Retries.Max = l.opts.Retries.Max
		case "retries.min_backoff":
			o.Retries.MinBackoff = l.opts.Retries.MinBackoff
		case "retries.max_backoff":
			o.Retries.MaxBackoff = l.opts.Retries.MaxBackoff
		case "lookback":
			o.Lookback = l.opts.Lookback
		case "safety_lag":
			o.SafetyLag = l.opts.SafetyLag
		case "rescan":
			o.Rescan = l.opts.Rescan
		case "refund_rescan":
			o.RefundRescan = l.opts.RefundRescan
		case "max_shops":
			o.MaxShops = l.opts.MaxShops
		case "start":
			o.Start, *start = l.opts.Start, l.startDate
		case "timezone":
			o.Timezone, o.Location = l.opts.Timezone, l.opts.Location
		}
	}
}

// specFinishOptions reads a date-only start in the final timezone.
func specFinishOptions(o *ShopOptions, start *specDate) {
	if start != nil {
		o.Start = time.Date(start.y, time.Month(start.m), start.d, 0, 0, 0, 0, o.Location)
	}
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
