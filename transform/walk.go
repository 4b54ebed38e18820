package transform

import "github.com/shopetl/shopetl/extract"

// walker is extract.Walker with the scalar types of decode.go: a
// platform's hand-written decoder reads a record with it in one pass. A
// value that does not decode gives the walk up, so that decodeNamed
// decodes the record again and names the field in the quarantine reason.
type walker struct{ extract.Walker }

// decoded reads a value into one of decode.go's scalar types (Money, Int,
// Unix), as goccy/go-json would call its UnmarshalJSON.
func (w *walker) decoded(v interface{ UnmarshalJSON([]byte) error }, fields *uint64, n uint) {
	w.Seen(fields, n)
	if b := w.Value(); !w.Failed() && v.UnmarshalJSON(b) != nil {
		w.Fail()
	}
}

// text reads a Text as Text.UnmarshalJSON does, into a string of its own:
// the walker reads the page itself, which the record must not keep alive.
func (w *walker) text(t *Text, fields *uint64, n uint) {
	w.Seen(fields, n)
	v := w.Value()
	if w.Failed() {
		return
	}
	s, _, err := scalar(v)
	if err != nil {
		w.Fail()
		return
	}
	*t = Text(s)
}
