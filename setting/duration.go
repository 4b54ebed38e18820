package setting

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Duration is a time.Duration whose text form also accepts days: any Go
// duration ("500ms", "1h30m") plus a "d" unit of 24h ("90d", "1d12h").
type Duration time.Duration

// Std returns the value as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String formats whole days as "Nd" and everything else like time.Duration.
func (d Duration) String() string {
	const day = 24 * time.Hour
	td := time.Duration(d)
	if td != 0 && td%day == 0 {
		return strconv.FormatInt(int64(td/day), 10) + "d"
	}
	return td.String()
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// DurationHelp says what a duration may be, for messages.
const DurationHelp = "want a number with a unit: 500ms, 30s, 15m, 2h, 30d"

// ParseDuration parses a Go duration string extended with a "d" (24h) unit.
// Day components may appear anywhere and may be fractional: "90d",
// "1d12h", "1.5d", "-2d".
func ParseDuration(s string) (Duration, error) {
	orig := s
	bad := func() (Duration, error) { return 0, fmt.Errorf("bad duration %s (%s)", Quote(orig), DurationHelp) }
	if s == "" {
		return bad()
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "0" {
		return 0, nil
	}
	if s == "" {
		return bad()
	}
	var rest strings.Builder
	var days time.Duration
	for len(s) > 0 {
		// number
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 {
			return bad()
		}
		num := s[:i]
		// unit
		j := i
		for j < len(s) && !(s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
			j++
		}
		unit := s[i:j]
		if unit == "" {
			return bad()
		}
		if unit == "d" {
			h, err := time.ParseDuration(num + "h")
			if err != nil || h > math.MaxInt64/24 {
				return bad()
			}
			if days > math.MaxInt64-h*24 {
				return bad()
			}
			days += h * 24
		} else {
			rest.WriteString(s[:j])
		}
		s = s[j:]
	}
	total := days
	if rest.Len() > 0 {
		r, err := time.ParseDuration(rest.String())
		if err != nil || total > math.MaxInt64-r {
			return bad()
		}
		total += r
	}
	if neg {
		total = -total
	}
	return Duration(total), nil
}

// RateLimit is "N per duration", written "10/s", "600/m", "5/1s",
// "100/500ms" or "1000/1h". The unit after "/" is s, m, h, d or any
// Duration. It is never slower than MinRate.
type RateLimit struct {
	N   int
	Per time.Duration
}

// MinRate is the slowest rate limit allowed, one request per hour: a
// slower one would leave a run silent between pages for longer than
// anyone waits for it, which looks like a hang.
const MinRate = time.Hour

// rateLimitHelp says what a rate limit may be, for messages.
const rateLimitHelp = "want a positive whole number of requests per duration, e.g. 10/s, 600/m, 5/500ms; at least 1 request per hour"

// ParseRateLimit parses "N/unit" (see RateLimit).
func ParseRateLimit(s string) (RateLimit, error) {
	bad := func(why string) (RateLimit, error) {
		if why != "" {
			why += "; "
		}
		return RateLimit{}, fmt.Errorf("bad rate limit %s (%s%s)", Quote(s), why, rateLimitHelp)
	}
	num, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return bad("")
	}
	num = strings.TrimSpace(num)
	n, err := strconv.Atoi(num)
	if err != nil {
		if f, ferr := strconv.ParseFloat(num, 64); ferr == nil && f > 0 && !math.IsInf(f, 0) {
			return bad(fmt.Sprintf("%s is not a whole number of requests: for fewer, make the duration longer, e.g. 1/2s", Quote(num)))
		}
		return bad("")
	}
	if n <= 0 {
		return bad(fmt.Sprintf("%d requests per duration would never send one", n))
	}
	per = strings.TrimSpace(per)
	var d time.Duration
	switch per {
	case "s":
		d = time.Second
	case "m":
		d = time.Minute
	case "h":
		d = time.Hour
	case "d":
		d = 24 * time.Hour
	default:
		pd, err := ParseDuration(per)
		if err != nil {
			return bad(fmt.Sprintf("%s is not a duration", Quote(per)))
		}
		d = time.Duration(pd)
	}
	if d <= 0 {
		return bad("the duration must be positive")
	}
	if d/time.Duration(n) > MinRate {
		return bad(fmt.Sprintf("it is slower than the slowest allowed, 1 request per hour: a run would wait %s between requests", Duration(d/time.Duration(n))))
	}
	return RateLimit{N: n, Per: d}, nil
}

// String formats the limit back to "N/unit".
func (r RateLimit) String() string {
	switch r.Per {
	case time.Second:
		return fmt.Sprintf("%d/s", r.N)
	case time.Minute:
		return fmt.Sprintf("%d/m", r.N)
	case time.Hour:
		return fmt.Sprintf("%d/h", r.N)
	}
	return fmt.Sprintf("%d/%s", r.N, Duration(r.Per))
}

// MarshalText implements encoding.TextMarshaler.
func (r RateLimit) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *RateLimit) UnmarshalText(b []byte) error {
	v, err := ParseRateLimit(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Limit returns events per second for golang.org/x/time/rate; a zero
// RateLimit means no limit (rate.Inf).
func (r RateLimit) Limit() rate.Limit {
	if r.N <= 0 || r.Per <= 0 {
		return rate.Inf
	}
	return rate.Limit(float64(r.N) / r.Per.Seconds())
}

// Burst is one second's worth of events (at least 1), so "600/m" allows
// bursts of 10 and "5/1s" of 5 rather than a whole minute's quota at once.
func (r RateLimit) Burst() int {
	if r.N <= 0 || r.Per <= 0 {
		return 1
	}
	b := int(math.Ceil(float64(r.N) / r.Per.Seconds()))
	if b < 1 {
		b = 1
	}
	return b
}
