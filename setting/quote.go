package setting

import (
	"fmt"
	"strconv"
)

// MaxQuote is how many characters of a value a message quotes: a
// 10 MB value must not be echoed whole to a terminal.
const MaxQuote = 60

// Clip cuts s to MaxQuote characters, saying how long it was.
func Clip(s string) string {
	if cut, ok := cut(s); ok {
		return fmt.Sprintf("%s… (%d bytes)", cut, len(s))
	}
	return s
}

// Quote quotes a value for a message, cut like Clip.
func Quote(s string) string {
	if cut, ok := cut(s); ok {
		return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(cut), len(s))
	}
	return strconv.Quote(s)
}

// cut returns the first MaxQuote characters of s, and whether
// that is shorter than s.
func cut(s string) (string, bool) {
	n := 0
	for i := range s {
		if n == MaxQuote {
			return s[:i], true
		}
		n++
	}
	return s, false
}
