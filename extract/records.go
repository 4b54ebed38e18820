package extract

import (
	"bytes"
	"errors"
	"unicode/utf8"

	json "github.com/goccy/go-json"
)

// Records and their fields are found here without being decoded: a page's
// envelope is decoded once, its record array kept as bytes, and each
// record's bytes go to the transform, the one place that decodes them
// (issue 18). These functions walk JSON that a decoder has already read
// whole; on anything else they stop without panicking, and Elements says
// so.

var errNotArray = errors.New("not a JSON array")

// Elements returns the elements of the JSON array arr, each as a sub-slice
// of arr: a record's own bytes, as the shop sent them. null, or nothing
// (an absent member), has none, as when decoding into a slice.
func Elements(arr []byte) ([][]byte, error) {
	i := skipSpace(arr, 0)
	if rest := arr[i:]; len(rest) == 0 || string(bytes.TrimSpace(rest)) == "null" {
		return nil, nil
	}
	if arr[i] != '[' {
		return nil, errNotArray
	}
	var out [][]byte
	for i = skipSpace(arr, i+1); i < len(arr) && arr[i] != ']'; {
		end := skipValue(arr, i)
		if end == i {
			return nil, errNotArray
		}
		out = append(out, arr[i:end])
		if i = skipSpace(arr, end); i < len(arr) && arr[i] == ',' {
			i = skipSpace(arr, i+1)
		}
	}
	if i >= len(arr) {
		return nil, errNotArray
	}
	return out, nil
}

// Fields returns the values of the top-level members of the JSON object
// obj named names, in that order, as sub-slices of obj; nil for a member
// that is absent (or for all, when obj is not an object). A name given
// twice yields its last value, as encoding/json reads it. Names are
// compared as written: a key spelt with escapes is not found.
func Fields(obj []byte, names ...string) [][]byte {
	out := make([][]byte, len(names))
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return out
	}
	for i = skipSpace(obj, i+1); i < len(obj) && obj[i] == '"'; {
		keyEnd := skipString(obj, i)
		key := obj[i+1 : max(keyEnd-1, i+1)]
		if i = skipSpace(obj, keyEnd); i >= len(obj) || obj[i] != ':' {
			return out
		}
		start := skipSpace(obj, i+1)
		end := skipValue(obj, start)
		if end == start {
			return out
		}
		for n, name := range names {
			if string(key) == name {
				out[n] = obj[start:end]
			}
		}
		if i = skipSpace(obj, end); i < len(obj) && obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
	return out
}

// Unquote returns the contents of the JSON string b, unescaped as
// encoding/json does; ok is false when b is not a string. Most strings
// hold no escape: their contents are taken as they are.
func Unquote(b []byte) (s string, ok bool) {
	text, ok := UnquoteBytes(b)
	return string(text), ok
}

// UnquoteBytes is Unquote without the string: the contents of a string
// with no escape are a sub-slice of b, those of any other a new slice.
func UnquoteBytes(b []byte) (text []byte, ok bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil, false
	}
	if inner := b[1 : len(b)-1]; plain(inner) {
		return inner, true
	}
	var s string
	if json.Unmarshal(b, &s) != nil {
		return nil, false
	}
	return []byte(s), true
}

// plain reports whether a string's inside needs no unescaping: no
// backslash, no quote, no control character and only valid UTF-8 (the
// full decoder replaces invalid bytes with U+FFFD).
func plain(b []byte) bool {
	ascii := true
	for _, c := range b {
		switch {
		case c < 0x20 || c == '"' || c == '\\':
			return false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return ascii || utf8.Valid(b)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index past the string opening at b[i]. It
// looks for the closing quote with bytes.IndexByte, then for a backslash
// before it; most strings have none (issue 18).
func skipString(b []byte, i int) int {
	for i++; i < len(b); {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return len(b)
		}
		e := bytes.IndexByte(b[i:i+q], '\\')
		if e < 0 {
			return i + q + 1
		}
		i += e + 2 // the escaped byte, whatever it is
	}
	return len(b)
}

// skipValue returns the index past the value starting at b[i]: a string,
// an object or array with everything in it, or a literal.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
	}
	return i
}
