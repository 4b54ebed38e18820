package extract

import "fmt"

// Secret is a credential an extractor sends to its shop (a token, an app
// secret). Printing it in any way shows "[redacted]"; only Reveal gives the
// value, for the request that needs it.
type Secret string

// Reveal returns the value, to be put into a request and nowhere else.
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether there is a value.
func (s Secret) IsSet() bool { return s != "" }

func (s Secret) String() string   { return "[redacted]" }
func (s Secret) GoString() string { return `"[redacted]"` }

// Format hides the value from every fmt verb.
func (s Secret) Format(f fmt.State, verb rune) { fmt.Fprint(f, "[redacted]") }
