package transform

import (
	"bytes"
	"fmt"
	json "github.com/goccy/go-json"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/extract"
)

var null = []byte("null")

// scalar returns a JSON scalar's text: a string's contents or a number's
// literal, a sub-slice of b unless the string holds escapes. ok is false
// for null.
func scalar(b []byte) (text []byte, ok bool, err error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, null) {
		return nil, false, nil
	}
	if b[0] == '"' {
		text, ok := extract.UnquoteBytes(b)
		if !ok {
			return nil, false, fmt.Errorf("bad string %s", shorten(b))
		}
		return text, true, nil
	}
	if b[0] == '{' || b[0] == '[' {
		return nil, false, fmt.Errorf("want a scalar, got %s", shorten(b))
	}
	return b, true, nil
}

// view is text as a string without a copy, for a parser that keeps
// nothing of it (decimal.NewFromString, strconv.ParseInt; their errors,
// which quote it, are replaced by ours).
func view(text []byte) string { return unsafe.String(unsafe.SliceData(text), len(text)) }

// kept is text as a string without a copy, for a value that outlives the
// call: UnmarshalJSON's bytes are its own, as decodeNamed calls it.
// goccy/go-json hands every UnmarshalJSON a copy of the value made for that
// call alone (its decoder's buffer is reused; see unmarshalJSONDecoder),
// so the string holds that copy, no larger than itself, and never the
// page. TestDecodedTextOutlivesTheBody breaks if that stops being so.
func kept(text []byte) string { return view(text) }

// Money is an exact amount sent as a number or a string; null and "" are
// "not given" (Valid false, value zero).
type Money struct {
	decimal.Decimal
	Valid bool
}

// UnmarshalJSON parses without ever going through float64.
func (m *Money) UnmarshalJSON(b []byte) error {
	s, ok, err := scalar(b)
	if err != nil || !ok || len(s) == 0 {
		*m = Money{}
		return err
	}
	if d, ok := zeroAmount(s); ok {
		*m = Money{Decimal: d, Valid: true}
		return nil
	}
	d, err := decimal.NewFromString(view(s))
	if err != nil {
		return fmt.Errorf("bad amount %s", shorten(b))
	}
	*m = Money{Decimal: d, Valid: true}
	return nil
}

// zeroAmounts are 0, 0.0, ... 0.0000 as NewFromString reads them, shared:
// a Decimal is never changed in place. Most discounts and fees a shop
// sends are "0.00", and parsing each took two allocations.
var zeroAmounts = func() (z [5]decimal.Decimal) {
	for i := range z {
		z[i] = decimal.New(0, -int32(i))
	}
	return z
}()

// zeroAmount is the shared zero written as s: "0" or "0." and up to four
// zeros.
func zeroAmount(s []byte) (decimal.Decimal, bool) {
	if len(s) == 0 || s[0] != '0' || len(s) == 2 || len(s) > 2+len(zeroAmounts)-1 {
		return decimal.Decimal{}, false
	}
	if len(s) == 1 {
		return zeroAmounts[0], true
	}
	if s[1] != '.' {
		return decimal.Decimal{}, false
	}
	for _, c := range s[2:] {
		if c != '0' {
			return decimal.Decimal{}, false
		}
	}
	return zeroAmounts[len(s)-2], true
}

// Int is an integer sent as a number or a string; null and "" are not given.
type Int struct {
	V     int64
	Valid bool
}

// UnmarshalJSON accepts 3, "3", null and "".
func (n *Int) UnmarshalJSON(b []byte) error {
	s, ok, err := scalar(b)
	if err != nil || !ok || len(s) == 0 {
		*n = Int{}
		return err
	}
	v, err := strconv.ParseInt(view(s), 10, 64)
	if err != nil {
		return fmt.Errorf("bad integer %s", shorten(b))
	}
	*n = Int{V: v, Valid: true}
	return nil
}

// Text is a string that may come as a number or null.
type Text string

// UnmarshalJSON accepts "x", 12 and null. It keeps b (see kept).
func (t *Text) UnmarshalJSON(b []byte) error {
	s, _, err := scalar(b)
	*t = Text(kept(s))
	return err
}

func trimText(t Text) string { return strings.TrimSpace(string(t)) }

// joinNonEmpty joins the trimmed, non-empty parts with sep: names from
// first and last, street lines from their parts.
func joinNonEmpty(sep string, parts ...Text) string {
	var out []string
	for _, p := range parts {
		if s := trimText(p); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}

// Unix is a unix-seconds time sent as a number or a string; 0, "0", "" and
// null mean "no time" (nil).
type Unix struct{ T *time.Time }

// UnmarshalJSON reads seconds since the epoch.
func (u *Unix) UnmarshalJSON(b []byte) error {
	var n Int
	if err := n.UnmarshalJSON(b); err != nil {
		return fmt.Errorf("bad unix time %s", shorten(b))
	}
	if !n.Valid || n.V == 0 {
		u.T = nil
		return nil
	}
	t := time.Unix(n.V, 0).UTC()
	u.T = &t
	return nil
}

// LocalTime is a time the shop writes in its own zone: "2006-01-02
// 15:04:05", a date ("2006-01-02", "2016-9-9"), or unix seconds as a number
// or a string. null, "", "0" and MySQL's zero date "0000-00-00 ..." mean no
// time. The zone is the shop's, known only to the Context, so the text is
// kept when decoding and read by In.
type LocalTime struct{ s string }

// UnmarshalJSON keeps the text of a string or a number, and b (see kept).
func (t *LocalTime) UnmarshalJSON(b []byte) error {
	text, ok, err := scalar(b)
	if err != nil {
		return fmt.Errorf("bad time %s", shorten(b))
	}
	s := strings.TrimSpace(kept(text))
	if !ok || s == "0" || strings.HasPrefix(s, "0000-00-00") {
		s = ""
	}
	*t = LocalTime{s: s}
	return nil
}

// Given reports whether there is a time (it may still fail to parse).
func (t LocalTime) Given() bool { return t.s != "" }

// localLayouts are the datetime and date shapes of the seed documents;
// time.Parse's "1" and "2" read one or two digits, so "2016-9-9" fits the
// second.
var localLayouts = []string{"2006-1-2 15:04:05", "2006-1-2"}

// In reads the time in loc and returns it in UTC, nil for no time.
func (t LocalTime) In(loc *time.Location) (*time.Time, error) {
	if t.s == "" {
		return nil, nil
	}
	if n, err := strconv.ParseInt(t.s, 10, 64); err == nil {
		if n == 0 {
			return nil, nil
		}
		u := time.Unix(n, 0).UTC()
		return &u, nil
	}
	for _, layout := range localLayouts {
		if v, err := time.ParseInLocation(layout, t.s, loc); err == nil {
			u := v.UTC()
			return &u, nil
		}
	}
	return nil, fmt.Errorf("bad time %q: want \"2006-01-02 15:04:05\", a date or unix seconds", t.s)
}

func shorten(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// decodeNamed unmarshals a JSON object into the struct v points to. When
// that fails, the error names the first field that does not decode
// ("order_total", "details[2].back_status"): the decoder does not say
// which field an Unmarshaler rejected, and a quarantine reason must. Only
// failed records pay for the search.
//
// A body that is not JSON decodes to nothing, as with encoding/json, which
// checks the whole body first; the decoder here fills fields as it goes,
// and a half-read record must not pass for a readable one.
func decodeNamed(body []byte, v any) error {
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	if !json.Valid(body) {
		reflect.ValueOf(v).Elem().SetZero()
		return err
	}
	if field := badField("", body, reflect.TypeOf(v).Elem()); field != "" {
		return fmt.Errorf("%s: %w", field, err)
	}
	return err
}

// badField walks a struct type's JSON fields over body and returns the
// path of the first one that does not decode on its own, or "".
func badField(prefix string, body []byte, t reflect.Type) string {
	if t.Kind() != reflect.Struct {
		return ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		v, ok := m[name]
		if !ok || name == "" || name == "-" {
			continue
		}
		if f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct {
			var elems []json.RawMessage
			if json.Unmarshal(v, &elems) != nil {
				return prefix + name
			}
			for j, e := range elems {
				if bad := badField(fmt.Sprintf("%s%s[%d].", prefix, name, j+1), e, f.Type.Elem()); bad != "" {
					return bad
				}
			}
			continue
		}
		if json.Unmarshal(v, reflect.New(f.Type).Interface()) != nil {
			if bad := badField(prefix+name+".", v, f.Type); bad != "" {
				return bad
			}
			return prefix + name
		}
	}
	return ""
}
