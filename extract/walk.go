package extract

import "strconv"

// Walker reads JSON in one pass, checking every byte as it goes: a page
// envelope here, a record in a platform's transform (issue 18: each
// record decoded once, where goccy/go-json walked it by reflection and
// copied every value it handed an UnmarshalJSON, and the extractors walked
// it twice more to split a page and find a record's fields). It reads only
// plain JSON: the first thing it is not sure a reflecting decoder reads
// the same way (a key read by Key spelt with escapes, capitals or
// non-ASCII, which such a decoder may match to a field without regard to
// case, or by FoldKey with escapes or non-ASCII; a key given twice, see
// Seen; nesting deeper than maxWalkDepth; anything that is not JSON) makes
// it give up (Failed), and the caller decodes the bytes the way it did
// before, whose errors are the ones reported. So a Walker never writes an
// error. The keys inside a value skipped or kept whole (Skip, Value) match
// nothing, so any string will do there.
//
// Its calls read like the JSON they walk:
//
//	w := extract.NewWalker(b)
//	for more := w.Enter('{'); more; more = w.More('}') {
//		switch string(w.Key()) { ... default: w.Skip() }
//	}
//	ok := w.End()
type Walker struct {
	b     []byte
	i     int
	depth int
	bad   bool   // sticky: the walk gave up; every call after returns nothing
	fold  []byte // FoldKey's lower-cased key
	// folded: FoldKey lower-cased a key, which Key would have given up on.
	folded bool
}

// maxWalkDepth bounds the nesting the walker follows; a shoptima page
// nests five deep (envelope, data, rows, row, order_goods' lines). Deeper
// JSON is left to the reflecting decoder, which has its own limit.
const maxWalkDepth = 32

func (w *Walker) space() { w.i = skipSpace(w.b, w.i) }

// NewWalker walks b from its start.
func NewWalker(b []byte) Walker { return Walker{b: b} }

// Failed reports whether the walk gave up.
func (w *Walker) Failed() bool { return w.bad }

// Folded reports whether FoldKey lower-cased a key: a walk that read
// every key with FoldKey and did not fold one found the keys Key finds.
func (w *Walker) Folded() bool { return w.folded }

// Fail gives up the walk.
func (w *Walker) Fail() { w.bad = true }

// Enter opens the object ('{') or array ('[') at the cursor and reports
// whether it has a first member.
func (w *Walker) Enter(open byte) bool {
	if w.space(); w.bad || w.i >= len(w.b) || w.b[w.i] != open {
		w.Fail()
		return false
	}
	if w.depth++; w.depth > maxWalkDepth {
		w.Fail()
		return false
	}
	w.i++
	if w.space(); w.i < len(w.b) && w.b[w.i] == open+2 { // '{'+2 is '}', '['+2 is ']'
		w.i++
		w.depth--
		return false
	}
	return true
}

// More reads what follows a member of the object or array being walked:
// true after ',', false after its closing byte.
func (w *Walker) More(close byte) bool {
	if w.space(); w.bad || w.i >= len(w.b) {
		w.Fail()
		return false
	}
	switch c := w.b[w.i]; {
	case c == close:
		w.i++
		w.depth--
		return false
	case c == ',':
		w.i++
		return true
	}
	w.Fail()
	return false
}

// Key reads a member's key and its ':'. A key the walker cannot be sure
// of matching as a reflecting decoder does (see Walker) gives up.
func (w *Walker) Key() []byte {
	start, i, ok := w.keyStart()
	if !ok {
		return nil
	}
	return w.keyEnd(w.b[start:i], i)
}

// keyStart reads a key's opening quote and the bytes after it that need
// no second look: they are w.b[start:i].
func (w *Walker) keyStart() (start, i int, ok bool) {
	if w.space(); w.bad || w.i >= len(w.b) || w.b[w.i] != '"' {
		w.Fail()
		return 0, 0, false
	}
	b := w.b
	start = w.i + 1
	i = start
	for i < len(b) && keyByte[b[i]] {
		i++
	}
	return start, i, true
}

// FoldKey is Key for a decoder that matches keys to its fields without
// regard to ASCII case, as goccy/go-json's struct decoder does: a key
// with capitals comes back in lower case, in a buffer of w's that the
// next FoldKey reuses. Compared with lower-case names, it finds what that
// decoder finds (dage sends "shopName" in every order, which Key gives up
// on). Escapes and non-ASCII still give up.
func (w *Walker) FoldKey() []byte {
	start, i, ok := w.keyStart()
	if !ok {
		return nil
	}
	b := w.b
	k := b[start:i]
	if i < len(b) && 'A' <= b[i] && b[i] <= 'Z' {
		w.fold = append(w.fold[:0], k...)
		for ; i < len(b) && (keyByte[b[i]] || 'A' <= b[i] && b[i] <= 'Z'); i++ {
			c := b[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			w.fold = append(w.fold, c)
		}
		k = w.fold
		w.folded = true
	}
	return w.keyEnd(k, i)
}

// keyEnd reads the closing quote of a key read up to b[i], and its ':'.
func (w *Walker) keyEnd(k []byte, i int) []byte {
	b := w.b
	if i >= len(b) || b[i] != '"' {
		w.Fail()
		return nil
	}
	w.i = i + 1
	if w.colon(); w.bad {
		return nil
	}
	return k
}

// colon reads the ':' after a key.
func (w *Walker) colon() {
	if w.space(); w.bad || w.i >= len(w.b) || w.b[w.i] != ':' {
		w.Fail()
		return
	}
	w.i++
}

// Str reads a string at the cursor and returns its inside, escapes as
// written.
func (w *Walker) Str() []byte {
	if w.space(); w.bad || w.i >= len(w.b) || w.b[w.i] != '"' {
		w.Fail()
		return nil
	}
	b, start := w.b, w.i+1
	for i := start; i < len(b); i++ {
		for i < len(b) && plainByte[b[i]] {
			i++
		}
		if i == len(b) {
			break
		}
		switch c := b[i]; {
		case c == '"':
			w.i = i + 1
			return b[start:i]
		case c < 0x20:
			w.Fail()
			return nil
		case c == '\\':
			if i+1 >= len(b) {
				w.Fail()
				return nil
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+5 >= len(b) || !hex4(b[i+2:i+6]) {
					w.Fail()
					return nil
				}
				i += 5
			default:
				w.Fail()
				return nil
			}
		}
	}
	w.Fail()
	return nil
}

// plainByte says which bytes stand for themselves inside a string: all
// but '"', '\\' and control characters.
var plainByte = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return t
}()

// keyByte says which bytes a key may hold for the walker: those of
// plainByte but capitals and non-ASCII (see Walker).
var keyByte = func() (t [256]bool) {
	for c := range t {
		t[c] = plainByte[c] && c < 0x80 && !('A' <= c && c <= 'Z')
	}
	return t
}()

func hex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Value reads any value at the cursor and returns its bytes.
func (w *Walker) Value() []byte {
	if w.space(); w.bad || w.i >= len(w.b) {
		w.Fail()
		return nil
	}
	start := w.i
	switch c := w.b[w.i]; {
	case c == '"':
		w.Str()
	case c == '{':
		// The keys of a value skipped or kept whole are matched to
		// nothing: any string will do.
		for more := w.Enter('{'); more; more = w.More('}') {
			w.Str()
			w.colon()
			w.Value()
		}
	case c == '[':
		for more := w.Enter('['); more; more = w.More(']') {
			w.Value()
		}
	case c == 't':
		w.literal("true")
	case c == 'f':
		w.literal("false")
	case c == 'n':
		w.literal("null")
	default:
		w.number()
	}
	if w.bad {
		return nil
	}
	return w.b[start:w.i]
}

// Int reads an int as goccy/go-json decodes one into an int: digits
// with an optional minus; anything else gives the walk up.
func (w *Walker) Int() int {
	v := w.Value()
	if w.bad {
		return 0
	}
	for i, c := range v {
		if !('0' <= c && c <= '9' || c == '-' && i == 0) {
			w.Fail()
			return 0
		}
	}
	n, err := strconv.Atoi(string(v))
	if err != nil {
		w.Fail()
	}
	return n
}

// Null reads a null at the cursor, if there is one there.
func (w *Walker) Null() bool {
	if w.space(); w.bad || w.i >= len(w.b) || w.b[w.i] != 'n' {
		return false
	}
	w.literal("null")
	return !w.bad
}

// Skip reads a value the caller has no use for.
func (w *Walker) Skip() { w.Value() }

func (w *Walker) literal(lit string) {
	if len(w.b)-w.i < len(lit) || string(w.b[w.i:w.i+len(lit)]) != lit {
		w.Fail()
		return
	}
	w.i += len(lit)
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.
func (w *Walker) number() {
	b, i := w.b, w.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		w.Fail()
		return
	}
	if i < len(b) && b[i] == '.' {
		if j := digits(b, i+1); j > i+1 {
			i = j
		} else {
			w.Fail()
			return
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			w.Fail()
			return
		}
		i = j
	}
	w.i = i
}

func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// Peek returns the first byte of the next value, 0 at the end.
func (w *Walker) Peek() byte {
	if w.space(); w.bad || w.i >= len(w.b) {
		return 0
	}
	return w.b[w.i]
}

// Mark returns the place of the next value, for Since.
func (w *Walker) Mark() int {
	w.space()
	return w.i
}

// Since returns the bytes walked from mark on: a value's own bytes,
// marked before it was read.
func (w *Walker) Since(mark int) []byte {
	if w.bad {
		return nil
	}
	return w.b[mark:w.i]
}

// End reports whether the walk read one whole value and nothing but
// space after it.
func (w *Walker) End() bool {
	w.space()
	return !w.bad && w.i == len(w.b)
}

// Seen marks field n (below 64) of an object as read in fields, and gives
// up when it was read before: for a key given twice a reflecting
// decoder's answer is its own.
func (w *Walker) Seen(fields *uint64, n uint) {
	if *fields&(1<<n) != 0 {
		w.Fail()
	}
	*fields |= 1 << n
}
