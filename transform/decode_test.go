package transform

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
)

// TestMoneyShapes: every shape the seed documents send an amount in reads
// exactly, never through a float.
func TestMoneyShapes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in    string
		want  string
		valid bool
	}{
		{`"12.9300"`, "12.93", true}, // ymcart
		{`"16.55"`, "16.55", true},   // shoptima
		{`16.55`, "16.55", true},
		{`66.00`, "66", true}, // dage
		{`0`, "0", true},
		{`2.5`, "2.5", true},
		{`"0.1"`, "0.1", true},
		{`0.1000000000000000055511151231257827`, "0.1000000000000000055511151231257827", true}, // no float rounding
		{`null`, "0", false},
		{`""`, "0", false},
	} {
		var m Money
		if err := json.Unmarshal([]byte(tc.in), &m); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if !m.Equal(decimal.RequireFromString(tc.want)) || m.Valid != tc.valid {
			t.Errorf("%s: got %s valid %v, want %s valid %v", tc.in, m.String(), m.Valid, tc.want, tc.valid)
		}
	}
	for _, bad := range []string{`"12,93"`, `"abc"`, `{}`, `[1]`, `true`} {
		var m Money
		if err := json.Unmarshal([]byte(bad), &m); err == nil {
			t.Errorf("%s: accepted as %s", bad, m.String())
		}
	}
}

// TestLocalTimeShapes: datetimes and dates in the shop's zone, unix seconds
// as numbers or strings, and the "no time" shapes.
func TestLocalTimeShapes(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	for _, tc := range []struct {
		in   string
		want string // RFC 3339 in UTC, "" for no time
	}{
		{`"2017-03-01 12:00:00"`, "2017-03-01T04:00:00Z"},
		{`"2016-9-9"`, "2016-09-08T16:00:00Z"}, // ymcart's date-only filter shape
		{`"2016-09-09"`, "2016-09-08T16:00:00Z"},
		{`"2016-9-9 7:05:00"`, "2016-09-08T23:05:00Z"},
		{`1590036055`, "2020-05-21T04:40:55Z"},
		{`"1590036055"`, "2020-05-21T04:40:55Z"},
		{`null`, ""},
		{`""`, ""},
		{`"0"`, ""},
		{`0`, ""},
		{`"0000-00-00 00:00:00"`, ""},
	} {
		var lt LocalTime
		if err := json.Unmarshal([]byte(tc.in), &lt); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		got, err := lt.In(cst)
		switch {
		case err != nil:
			t.Errorf("%s: %v", tc.in, err)
		case tc.want == "" && got != nil:
			t.Errorf("%s: got %v, want no time", tc.in, got)
		case tc.want != "" && (got == nil || got.Format(time.RFC3339) != tc.want):
			t.Errorf("%s: got %v, want %s", tc.in, got, tc.want)
		}
	}
	var lt LocalTime
	if err := json.Unmarshal([]byte(`"01/03/2017 08:00"`), &lt); err != nil {
		t.Fatal(err)
	}
	if _, err := lt.In(cst); err == nil || !strings.Contains(err.Error(), "01/03/2017") {
		t.Errorf("a layout of no seed was read: %v", err)
	}
	if err := json.Unmarshal([]byte(`{"t":1}`), &lt); err == nil {
		t.Error("an object was read as a time")
	}
}

// TestTextReadsStringsAsEncodingJSONDoes: the shortcut for strings without
// escapes gives what encoding/json gives, escapes, non-ASCII and invalid
// UTF-8 (replaced by U+FFFD) included.
func TestTextReadsStringsAsEncodingJSONDoes(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`"plain"`, `""`, `" spaced "`, `"café"`, `"caf\u00e9"`, `"a\"b"`, `"a\\b"`, `"tab\tx"`,
		"\"bad \xff utf-8\"", "\"cut \xe2\x82\"", `"\ud800"`, `"line\nnext"`} {
		var want string
		werr := json.Unmarshal([]byte(in), &want)
		var got Text
		gerr := got.UnmarshalJSON([]byte(in))
		if string(got) != want || (gerr == nil) != (werr == nil) {
			t.Errorf("%q: Text %q (%v), encoding/json %q (%v)", in, got, gerr, want, werr)
		}
	}
}

// TestDecodedTextOutlivesTheBody: the strings of a decoded record are
// read in place from the bytes the decoder hands each UnmarshalJSON (see
// kept), never from the page: a record decoded from a body that is then
// written over stays what it was.
func TestDecodedTextOutlivesTheBody(t *testing.T) {
	t.Parallel()
	c := &Context{Meta: model.Meta{Platform: "shoptima", Shop: "st", RunID: "r", Version: 1}}
	for i, row := range seedRows(t) {
		body := slices.Clone([]byte(row))
		got, err := Shoptima(c, extract.Raw{Body: body})
		if err != nil {
			t.Fatal(err)
		}
		for j := range body {
			body[j] = 'x'
		}
		want, err := Shoptima(c, extract.Raw{Body: row})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("row %d after its body was written over:\n got %+v\nwant %+v", i+1, got.Order, want.Order)
		}
	}
}

// TestZeroAmountsParseAsNewFromString: the shared zeros Money takes
// are the numbers, and the exponents, NewFromString reads; anything else
// is left to it.
func TestZeroAmountsParseAsNewFromString(t *testing.T) {
	for _, s := range []string{"0", "0.0", "0.00", "0.000", "0.0000", "0.00000", "0.", "00", "0.01", "-0.00", "10", "0e2", "0.0a", ""} {
		d, ok := zeroAmount([]byte(s))
		want, err := decimal.NewFromString(s)
		switch {
		case !ok && (s == "0" || s == "0.00" || s == "0.0000"):
			t.Errorf("%q: not taken as a zero", s)
		case ok && (err != nil || !d.Equal(want) || d.Exponent() != want.Exponent()):
			t.Errorf("%q: %s (exponent %d), NewFromString reads %s (%d, %v)", s, d, d.Exponent(), want, want.Exponent(), err)
		}
	}
}
