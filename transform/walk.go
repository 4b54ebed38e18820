package transform

import (
	"sync"

	json "github.com/goccy/go-json"

	"github.com/shopetl/shopetl/extract"
)

// walker is extract.Walker with the scalar types of decode.go: a
// platform's hand-written decoder reads a record with it in one pass. A
// value that does not decode gives the walk up, so that decodeNamed
// decodes the record again and names the field in the quarantine reason.
//
// The Text values of a record are gathered end to end and made strings in
// one allocation (setTexts), where goccy/go-json made one a value: the
// strings of a record live and die with it, and never keep the page.
type walker struct {
	extract.Walker
	texts []byte
	spans []textSpan
	// The first texts and spans of a record fit here, off the heap.
	textBuf [1024]byte
	spanBuf [32]textSpan
}

// textSpan is where a Text read by the walker lies in its texts.
type textSpan struct {
	t        *Text
	from, to int
}

// walkers keeps walkers, whose buffers are too large to make one a record.
var walkers = sync.Pool{New: func() any { return new(walker) }}

// getWalker returns a walker over b; putWalker when done with it.
func getWalker(b []byte) *walker {
	w := walkers.Get().(*walker)
	w.Walker = extract.NewWalker(b)
	w.texts, w.spans = w.textBuf[:0], w.spanBuf[:0]
	return w
}

// putWalker lets go of the page and of the record's fields, and keeps w.
func putWalker(w *walker) {
	w.Walker = extract.Walker{}
	clear(w.spans)
	walkers.Put(w)
}

// setTexts gives every Text read so far its string, all in one
// allocation. The Text values must not have moved since they were read:
// before a slice of lines grows, its texts are set.
func (w *walker) setTexts() {
	if len(w.spans) == 0 {
		return
	}
	all := string(w.texts)
	for _, s := range w.spans {
		*s.t = Text(all[s.from:s.to])
	}
	clear(w.spans)
	w.texts, w.spans = w.texts[:0], w.spans[:0]
}

// decoded reads a value into one of decode.go's scalar types (Money, Int,
// Unix), as goccy/go-json would call its UnmarshalJSON, and returns its
// bytes.
func (w *walker) decoded(v interface{ UnmarshalJSON([]byte) error }, fields *uint64, n uint) []byte {
	w.Seen(fields, n)
	b := w.Value()
	if !w.Failed() && v.UnmarshalJSON(b) != nil {
		w.Fail()
	}
	return b
}

// text reads a Text as Text.UnmarshalJSON does, into a string of the
// record's own (setTexts): the walker reads the page itself, which the
// record must not keep alive.
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
	from := len(w.texts)
	w.texts = append(w.texts, s...)
	w.spans = append(w.spans, textSpan{t, from, len(w.texts)})
}

// walkInto reads body into v in one pass with read, which walks one
// object; it reports false when the walk gave up (v then holds a part of
// the record, and the caller decodes it again).
func walkInto[T any](body []byte, v *T, read func(*T, *walker)) bool {
	w := getWalker(body)
	defer putWalker(w)
	read(v, w)
	if !w.End() {
		return false
	}
	w.setTexts()
	dropPage(v)
	return true
}

// pageHolder is a record whose read keeps bytes of the page, for the
// extractor (shoptimaOrder.FilterFields); dropPage lets go of them.
type pageHolder interface{ dropPage() }

// dropPage lets go of the page bytes v holds, if it is a pageHolder.
func dropPage(v any) {
	if p, ok := v.(pageHolder); ok {
		p.dropPage()
	}
}

// readAt reads the object at pw's cursor into v with read, as walkInto
// reads a record's bytes, and moves pw past it: for an extract.RowReader,
// which reads the records of a page as the extractor walks it. It reports
// false when the walk gave up.
func readAt[T any](pw *extract.Walker, v *T, read func(*T, *walker)) bool {
	w := getWalker(nil)
	defer putWalker(w)
	w.Walker = *pw
	read(v, w)
	if w.Failed() {
		return false
	}
	w.setTexts()
	*pw = w.Walker
	return true
}

// decodeWalked decodes a record into v: in one pass with read (see
// walkInto), else, where the walk gave up, with decodeNamed from a zero v,
// so that a record the walker is not sure of is decoded, and its failure
// worded, as before.
func decodeWalked[T any](body []byte, v *T, read func(*T, *walker)) error {
	if walkInto(body, v, read) {
		return nil
	}
	var zero T
	*v = zero
	return decodeNamed(body, v)
}

// list reads an array of objects into dst, each with read; null leaves
// dst nil, as does [] (goccy/go-json makes it empty, which reads the same).
func list[T any](w *walker, dst *[]T, read func(*T, *walker)) {
	if w.Null() {
		return
	}
	for more := w.Enter('['); more; more = w.More(']') {
		if len(*dst) == cap(*dst) {
			w.setTexts() // the elements read so far are about to move
		}
		var zero T
		*dst = append(*dst, zero)
		read(&(*dst)[len(*dst)-1], w)
	}
}

// raw keeps a value's bytes, as json.RawMessage does: a part of the
// record's own bytes, where goccy/go-json copies them.
func (w *walker) raw(r *json.RawMessage, fields *uint64, n uint) {
	w.Seen(fields, n)
	*r = w.Value()
}
