package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

var null = []byte("null")

// unquote returns a JSON scalar's text: a string's contents or a number's
// literal. ok is false for null.
func unquote(b []byte) (s string, quoted, ok bool, err error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, null) {
		return "", false, false, nil
	}
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return "", true, false, err
		}
		return s, true, true, nil
	}
	if b[0] == '{' || b[0] == '[' {
		return "", false, false, fmt.Errorf("want a scalar, got %s", shorten(b))
	}
	return string(b), false, true, nil
}

// Money is an exact amount sent as a number or a string; null and "" are
// "not given" (Valid false, value zero).
type Money struct {
	decimal.Decimal
	Valid bool
}

// UnmarshalJSON parses without ever going through float64.
func (m *Money) UnmarshalJSON(b []byte) error {
	s, _, ok, err := unquote(b)
	if err != nil || !ok || s == "" {
		*m = Money{}
		return err
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("bad amount %s", shorten(b))
	}
	*m = Money{Decimal: d, Valid: true}
	return nil
}

// Int is an integer sent as a number or a string; null and "" are not given.
type Int struct {
	V     int64
	Valid bool
}

// UnmarshalJSON accepts 3, "3", null and "".
func (n *Int) UnmarshalJSON(b []byte) error {
	s, _, ok, err := unquote(b)
	if err != nil || !ok || s == "" {
		*n = Int{}
		return err
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("bad integer %s", shorten(b))
	}
	*n = Int{V: v, Valid: true}
	return nil
}

// Text is a string that may come as a number or null.
type Text string

// UnmarshalJSON accepts "x", 12 and null.
func (t *Text) UnmarshalJSON(b []byte) error {
	s, _, _, err := unquote(b)
	*t = Text(s)
	return err
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

func shorten(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// decodeNamed unmarshals a JSON object into the struct v points to. When
// that fails, the error names the first field that does not decode
// ("order_total", "details[2].back_status"): encoding/json does not say
// which field an Unmarshaler rejected, and a quarantine reason must. Only
// failed records pay for the search.
func decodeNamed(body []byte, v any) error {
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
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
