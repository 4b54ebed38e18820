package pipeline

import (
	"fmt"
	"log/slog"
)

// secretMask is what every printing path shows instead of a Secret's value.
const secretMask = "****"

// Secret is a string that never prints itself: String, every fmt verb
// (including %#v, %q, %x), JSON, text, YAML and slog all show "****"
// (or nothing when the secret is empty). Use Reveal for the real value.
type Secret string

// Reveal returns the real value. Only call it where the value is handed to
// the thing that needs it (an HTTP header, a database driver).
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether the secret is non-empty.
func (s Secret) IsSet() bool { return s != "" }

func (s Secret) masked() string {
	if s == "" {
		return ""
	}
	return secretMask
}

// String implements fmt.Stringer.
func (s Secret) String() string { return s.masked() }

// GoString implements fmt.GoStringer.
func (s Secret) GoString() string { return fmt.Sprintf("pipeline.Secret(%q)", s.masked()) }

// Format implements fmt.Formatter so that no verb can reveal the value.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", s.masked())
	case 'v':
		if f.Flag('#') {
			_, _ = f.Write([]byte(s.GoString()))
			return
		}
		_, _ = f.Write([]byte(s.masked()))
	default:
		_, _ = f.Write([]byte(s.masked()))
	}
}

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.masked() + `"`), nil }

// MarshalText implements encoding.TextMarshaler.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.masked()), nil }

// MarshalYAML implements yaml.Marshaler.
func (s Secret) MarshalYAML() (any, error) { return s.masked(), nil }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(secretMask) }
