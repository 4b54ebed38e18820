package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
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
