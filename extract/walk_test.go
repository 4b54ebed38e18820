package extract

import "testing"

// TestFoldKey: FoldKey reads a key in capitals in lower case, as
// goccy/go-json matches it to a field, and gives up where Key does
// otherwise (escapes, non-ASCII, no ':').
func TestFoldKey(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in, key string
		ok      bool
	}{
		{`{"shopName":1}`, "shopname", true},
		{`{"ORDER_NUM" : 1}`, "order_num", true},
		{`{"order_num":1}`, "order_num", true},
		{`{"0":1}`, "0", true},
		{`{"Ab\u0043":1}`, "", false},
		{`{"Ké":1}`, "", false},
		{`{"Ab" 1}`, "", false},
		{`{"Ab`, "", false},
	} {
		w := NewWalker([]byte(c.in))
		w.Enter('{')
		k := string(w.FoldKey())
		if w.Skip(); w.More('}') || w.Failed() == c.ok || k != c.key || c.ok && !w.End() {
			t.Errorf("%s: key %q, failed %v; want %q, ok %v", c.in, k, w.Failed(), c.key, c.ok)
		}
	}
}

// TestSkipTakesAnyKey: a value skipped or kept whole may hold keys that
// Key would give up on; they match nothing. What is not JSON still gives
// up.
func TestSkipTakesAnyKey(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in string
		ok bool
	}{
		{`{"x":{"shopName":1,"a\u0042":[{"Ké":null}]},"y":2}`, true},
		{`{"x":{"a" 1},"y":2}`, false},
		{`{"x":{"a\q":1},"y":2}`, false},
		{`{"x":{1:1},"y":2}`, false},
	} {
		w := NewWalker([]byte(c.in))
		for more := w.Enter('{'); more; more = w.More('}') {
			w.Key()
			w.Skip()
		}
		if w.End() != c.ok {
			t.Errorf("%s: read %v, want %v", c.in, !c.ok, c.ok)
		}
	}
}
