package setting

import (
	"fmt"
	"math"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestParseDuration(t *testing.T) {
	day := 24 * time.Hour
	for _, c := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"90d", 90 * day, false},
		{"1d12h", 36 * time.Hour, false},
		{"500ms", 500 * time.Millisecond, false},
		{"30s", 30 * time.Second, false},
		{"1h30m", 90 * time.Minute, false},
		{"1.5d", 36 * time.Hour, false},
		{"2d30m", 2*day + 30*time.Minute, false},
		{"-2d", -2 * day, false},
		{"0", 0, false},
		{"30x", 0, true},
		{"d", 0, true},
		{"", 0, true},
		{"12", 0, true},
		{"1dd", 0, true},
		{"999999999d", 0, true},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseDuration(c.in)
			if (err != nil) != c.err || (!c.err && got.Std() != c.want) {
				t.Errorf("ParseDuration(%q) = %v, %v; want %v, err=%v", c.in, got.Std(), err, c.want, c.err)
			}
			if err != nil && err.Error() != fmt.Sprintf("bad duration %q (want a number with a unit: 500ms, 30s, 15m, 2h, 30d)", c.in) {
				t.Errorf("error = %q", err)
			}
		})
	}
	for in, want := range map[Duration]string{Duration(90 * day): "90d", Duration(36 * time.Hour): "36h0m0s", 0: "0s"} {
		if in.String() != want {
			t.Errorf("String(%d) = %q, want %q", in, in.String(), want)
		}
	}
	var d Duration
	if err := d.UnmarshalText([]byte("1d12h")); err != nil || d.Std() != 36*time.Hour {
		t.Errorf("UnmarshalText = %v, %v", d, err)
	}
}

func TestParseRateLimit(t *testing.T) {
	for _, c := range []struct {
		in    string
		want  RateLimit
		limit rate.Limit
		burst int
		str   string
		err   bool
	}{
		{in: "10/s", want: RateLimit{10, time.Second}, limit: 10, burst: 10, str: "10/s"},
		{in: "600/m", want: RateLimit{600, time.Minute}, limit: 10, burst: 10, str: "600/m"},
		{in: "5/1s", want: RateLimit{5, time.Second}, limit: 5, burst: 5, str: "5/s"},
		{in: "1/m", want: RateLimit{1, time.Minute}, limit: rate.Limit(1.0 / 60), burst: 1, str: "1/m"},
		{in: "3/500ms", want: RateLimit{3, 500 * time.Millisecond}, limit: 6, burst: 6, str: "3/500ms"},
		{in: "100/1d", want: RateLimit{100, 24 * time.Hour}, limit: rate.Limit(100.0 / 86400), burst: 1, str: "100/1d"},
		{in: "10", err: true},
		{in: "0/s", err: true},
		{in: "-1/s", err: true},
		{in: "x/s", err: true},
		{in: "10/x", err: true},
		{in: "10/0s", err: true},
		{in: "1/h", want: RateLimit{1, time.Hour}, limit: rate.Limit(1.0 / 3600), burst: 1, str: "1/h"},
		{in: "24/1d", want: RateLimit{24, 24 * time.Hour}, limit: rate.Limit(1.0 / 3600), burst: 1, str: "24/1d"},
		{in: "1/61m", err: true},
		{in: "1/1000d", err: true},
		{in: "0.5/s", err: true},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseRateLimit(c.in)
			if (err != nil) != c.err {
				t.Fatalf("err = %v", err)
			}
			if c.err {
				return
			}
			if got != c.want || math.Abs(float64(got.Limit()-c.limit)) > 1e-9 || got.Burst() != c.burst || got.String() != c.str {
				t.Errorf("got %+v limit %v burst %d str %q", got, got.Limit(), got.Burst(), got.String())
			}
		})
	}
	if (RateLimit{}).Limit() != rate.Inf {
		t.Errorf("zero RateLimit should be unlimited")
	}
}
