// Package secret holds credentials (shop tokens, auth header values, the
// ClickHouse password, the PII key) so that no printing path shows them.
//
// A Value prints as "****" through fmt (every verb, also inside structs,
// pointers, maps and slices), slog's text and JSON handlers,
// encoding/json, encoding.TextMarshaler and yaml.v3; an empty Value prints
// as empty, so that a missing credential can be seen in a diagnostic.
// Reveal gives the text, for the few places that hand it on: a request,
// the ClickHouse dial, the PII HMAC key.
package secret

import (
	"fmt"
	"io"
	"log/slog"
)

// Mask is what every printing path shows instead of a set Value.
const Mask = "****"

// Value is a credential. Its text sits behind a pointer to a string, which
// is the one thing fmt never follows, not even where it bypasses Format
// (an unexported field, or the value it prints after a bad verb such as
// %s of a pointer in a struct): those paths show an address. The zero
// Value is empty.
type Value struct{ text *string }

// New holds s; New("") is the empty Value.
func New(s string) Value {
	if s == "" {
		return Value{}
	}
	return Value{text: &s}
}

// Reveal returns the text. Call it only where the text is handed to what
// needs it, never to build a message.
func (v Value) Reveal() string {
	if v.text == nil {
		return ""
	}
	return *v.text
}

// IsSet reports whether the Value is not empty.
func (v Value) IsSet() bool { return v.text != nil && *v.text != "" }

// String is Mask, or "" for an empty Value.
func (v Value) String() string {
	if !v.IsSet() {
		return ""
	}
	return Mask
}

// GoString is what %#v prints.
func (v Value) GoString() string { return fmt.Sprintf("secret.Value(%q)", v.String()) }

// Format prints String for every verb: %q quotes it, %#v is GoString,
// and %s and %v keep their width and flags.
func (v Value) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, v.GoString())
	case verb == 's' || verb == 'v' || verb == 'q':
		fmt.Fprintf(f, fmt.FormatString(f, verb), v.String())
	default:
		_, _ = io.WriteString(f, v.String())
	}
}

// LogValue implements slog.LogValuer.
func (v Value) LogValue() slog.Value { return slog.StringValue(v.String()) }

// MarshalText implements encoding.TextMarshaler.
func (v Value) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// MarshalJSON implements json.Marshaler.
func (v Value) MarshalJSON() ([]byte, error) { return []byte(`"` + v.String() + `"`), nil }

// MarshalYAML implements yaml.Marshaler (yaml.v3).
func (v Value) MarshalYAML() (any, error) { return v.String(), nil }
