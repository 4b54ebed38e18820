package transform

// walker reads a record's JSON in one pass, checking every byte as it goes,
// for a platform's hand-written decoder (issue 18: each record decoded
// once, where goccy/go-json walked it by reflection and copied every value
// it handed an UnmarshalJSON). It reads only plain JSON: the first thing
// it is not sure the reflecting decoder reads the same way (a key spelt
// with escapes, capitals or non-ASCII, which that decoder may match to a
// field without regard to case; a key given twice; nesting deeper than
// maxWalkDepth; anything that is not JSON) makes it give up, and the
// record is decoded again by decodeNamed, whose errors are the quarantine
// reasons. So a walker never writes a reason.
//
// Its calls read like the JSON they walk:
//
//	for more := w.enter('{'); more; more = w.more('}') {
//		switch string(w.key()) { ... default: w.skip() }
//	}
//	ok := w.end()
type walker struct {
	b     []byte
	i     int
	depth int
	bad   bool // sticky: the walk gave up; every call after returns nothing
}

// maxWalkDepth bounds the nesting the walker follows; a shop's record
// nests three deep.
const maxWalkDepth = 32

func (w *walker) space() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

// fail gives up the walk.
func (w *walker) fail() { w.bad = true }

// enter opens the object ('{') or array ('[') at the cursor and reports
// whether it has a first member.
func (w *walker) enter(open byte) bool {
	if w.space(); w.bad || w.i >= len(w.b) || w.b[w.i] != open {
		w.fail()
		return false
	}
	if w.depth++; w.depth > maxWalkDepth {
		w.fail()
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

// more reads what follows a member of the object or array being walked:
// true after ',', false after its closing byte.
func (w *walker) more(close byte) bool {
	if w.space(); w.bad || w.i >= len(w.b) {
		w.fail()
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
	w.fail()
	return false
}

// key reads a member's key and its ':'. A key the walker cannot be sure
// of matching as the reflecting decoder does (see walker) gives up.
func (w *walker) key() []byte {
	k := w.str()
	for _, c := range k {
		if c == '\\' || c >= 0x80 || 'A' <= c && c <= 'Z' {
			w.fail()
		}
	}
	if w.space(); w.bad || w.i >= len(w.b) || w.b[w.i] != ':' {
		w.fail()
		return nil
	}
	w.i++
	return k
}

// str reads a string at the cursor and returns its inside, escapes as
// written.
func (w *walker) str() []byte {
	if w.space(); w.bad || w.i >= len(w.b) || w.b[w.i] != '"' {
		w.fail()
		return nil
	}
	start := w.i + 1
	for i := start; i < len(w.b); i++ {
		switch c := w.b[i]; {
		case c == '"':
			w.i = i + 1
			return w.b[start:i]
		case c < 0x20:
			w.fail()
			return nil
		case c == '\\':
			if i+1 >= len(w.b) {
				w.fail()
				return nil
			}
			switch w.b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+5 >= len(w.b) || !hex4(w.b[i+2:i+6]) {
					w.fail()
					return nil
				}
				i += 5
			default:
				w.fail()
				return nil
			}
		}
	}
	w.fail()
	return nil
}

func hex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// value reads any value at the cursor and returns its bytes.
func (w *walker) value() []byte {
	if w.space(); w.bad || w.i >= len(w.b) {
		w.fail()
		return nil
	}
	start := w.i
	switch c := w.b[w.i]; {
	case c == '"':
		w.str()
	case c == '{':
		for more := w.enter('{'); more; more = w.more('}') {
			w.key()
			w.value()
		}
	case c == '[':
		for more := w.enter('['); more; more = w.more(']') {
			w.value()
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

// null reads a null at the cursor, if there is one there.
func (w *walker) null() bool {
	if w.space(); w.bad || w.i >= len(w.b) || w.b[w.i] != 'n' {
		return false
	}
	w.literal("null")
	return !w.bad
}

// skip reads a value the decoder has no field for.
func (w *walker) skip() { w.value() }

func (w *walker) literal(lit string) {
	if len(w.b)-w.i < len(lit) || string(w.b[w.i:w.i+len(lit)]) != lit {
		w.fail()
		return
	}
	w.i += len(lit)
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.
func (w *walker) number() {
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
		w.fail()
		return
	}
	if i < len(b) && b[i] == '.' {
		if j := digits(b, i+1); j > i+1 {
			i = j
		} else {
			w.fail()
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
			w.fail()
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

// end reports whether the walk read one whole value and nothing but
// space after it.
func (w *walker) end() bool {
	w.space()
	return !w.bad && w.i == len(w.b)
}

// seen marks field n of an object as read and gives up when it was read
// before: for a key given twice the reflecting decoder's answer is its own.
func (w *walker) seen(fields *uint64, n uint) {
	if *fields&(1<<n) != 0 {
		w.fail()
	}
	*fields |= 1 << n
}

// The scalar types of decode.go read from a walker. A value that does not
// decode gives the walk up, so that decodeNamed names the field.

func (w *walker) money(m *Money, fields *uint64, n uint) {
	w.seen(fields, n)
	if v := w.value(); !w.bad && m.UnmarshalJSON(v) != nil {
		w.fail()
	}
}

func (w *walker) integer(x *Int, fields *uint64, n uint) {
	w.seen(fields, n)
	if v := w.value(); !w.bad && x.UnmarshalJSON(v) != nil {
		w.fail()
	}
}

func (w *walker) unix(u *Unix, fields *uint64, n uint) {
	w.seen(fields, n)
	if v := w.value(); !w.bad && u.UnmarshalJSON(v) != nil {
		w.fail()
	}
}

// text reads a Text as Text.UnmarshalJSON does, into a string of its own:
// the walker reads the page itself, which the record must not keep alive.
func (w *walker) text(t *Text, fields *uint64, n uint) {
	w.seen(fields, n)
	v := w.value()
	if w.bad {
		return
	}
	s, _, err := scalar(v)
	if err != nil {
		w.fail()
		return
	}
	*t = Text(s)
}
