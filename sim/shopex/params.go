package shopex

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// A request's parameters are a tree, the same whether they came as a form
// or as JSON: a value is a string, a json.Number, a bool, nil, a []any (a
// JSON array) or a map[string]any (a JSON object, or a PHP array built from
// bracketed form keys such as dtline[]= or orders[order][0][bn]=).

// isJSON tells a JSON body from a form: by Content-Type, or, without a
// usable one, by a body that opens with "{".
func isJSON(contentType string, body []byte) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return true
	case mt == "application/x-www-form-urlencoded":
		return false
	}
	return bytes.HasPrefix(bytes.TrimSpace(body), []byte("{"))
}

// parseParams reads a request body as JSON or as a PHP-style form.
func parseParams(contentType string, body []byte) (map[string]any, error) {
	if isJSON(contentType, body) {
		return parseJSONObject(body)
	}
	return parseForm(string(body))
}

func parseJSONObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("body is not a JSON object")
	}
	if dec.More() {
		return nil, errors.New("data after the JSON object")
	}
	return m, nil
}

// parseForm reads application/x-www-form-urlencoded the way PHP fills
// $_POST: "a[]=x&a[]=y" and "a[0]=x&a[1]=y" both make an array, "a[k][]=v"
// nests, and a repeated plain key keeps its last value.
func parseForm(body string) (map[string]any, error) {
	root := map[string]any{}
	for pair := range strings.SplitSeq(body, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		setPHP(root, key, val)
	}
	return root, nil
}

func setPHP(root map[string]any, key, val string) {
	base, rest, ok := strings.Cut(key, "[")
	if !ok || base == "" {
		root[key] = val
		return
	}
	var path []string
	for {
		seg, after, found := strings.Cut(rest, "]")
		if !found { // "a[b" is a plain key to PHP too
			root[key] = val
			return
		}
		path = append(path, seg)
		if !strings.HasPrefix(after, "[") {
			break // PHP ignores what follows the last ]
		}
		rest = after[1:]
	}
	m, k := root, base
	for _, seg := range path {
		child, ok := m[k].(map[string]any)
		if !ok {
			child = map[string]any{}
			m[k] = child
		}
		m = child
		if seg == "" {
			seg = nextIndex(m)
		}
		k = seg
	}
	m[k] = val
}

// nextIndex is PHP's $a[] key: one more than the largest integer key.
func nextIndex(m map[string]any) string {
	n := 0
	for k := range m {
		if i, err := strconv.Atoi(k); err == nil && i >= n {
			n = i + 1
		}
	}
	return strconv.Itoa(n)
}

// scalar returns a leaf value as PHP would see it as a string.
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		if x {
			return "1", true
		}
		return "", true
	}
	return "", false
}

// elems returns a list parameter's elements: a JSON array as is, a PHP
// array by its keys (integer keys in numeric order first), a lone scalar as
// a one-element list, or a JSON string holding an array.
func elems(v any) []any {
	switch x := decodeNested(v).(type) {
	case nil:
		return nil
	case []any:
		return x
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			ia, ea := strconv.Atoi(a)
			ib, eb := strconv.Atoi(b)
			switch {
			case ea == nil && eb == nil:
				return ia - ib
			case ea == nil:
				return -1
			case eb == nil:
				return 1
			}
			return strings.Compare(a, b)
		})
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = x[k]
		}
		return out
	default:
		return []any{x}
	}
}

// decodeNested decodes a string parameter holding JSON (matrix structures
// such as orders or items travel as JSON strings in forms); anything else is
// returned as is.
func decodeNested(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "{") && !strings.HasPrefix(t, "[") {
		return v
	}
	dec := json.NewDecoder(strings.NewReader(t))
	dec.UseNumber()
	var out any
	if dec.Decode(&out) != nil {
		return v
	}
	return out
}

// ---- signing ----

// Sign returns the ShopEx matrix signature of a form request's parameters
// for a shop whose token is token:
//
//	upper(md5(upper(md5(assemble(params))) + token))
//
// where assemble concatenates, keys sorted as strings, each key and its
// value, arrays (dtline[]=...) assembled the same way recursively; the
// "sign" parameter itself is left out. Send the result as "sign".
func Sign(form url.Values, token string) string {
	p, _ := parseForm(form.Encode())
	return signParams(p, token)
}

// SignJSON is Sign for a JSON body (an object): numbers count as their
// literal text, true as "1", false and null as "".
func SignJSON(body []byte, token string) (string, error) {
	p, err := parseJSONObject(body)
	if err != nil {
		return "", err
	}
	return signParams(p, token), nil
}

func signParams(p map[string]any, token string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(p)) {
		if k == "sign" {
			continue
		}
		b.WriteString(k)
		assemble(&b, p[k])
	}
	inner := md5Upper(b.String())
	return md5Upper(inner + token)
}

func assemble(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			b.WriteString(k)
			assemble(b, x[k])
		}
	case []any:
		keys := make([]string, len(x))
		for i := range x {
			keys[i] = strconv.Itoa(i)
		}
		slices.Sort(keys) // PHP's ksort SORT_STRING: "10" before "2"
		for _, k := range keys {
			i, _ := strconv.Atoi(k)
			b.WriteString(k)
			assemble(b, x[i])
		}
	default:
		s, _ := scalar(x)
		b.WriteString(s)
	}
}

func md5Upper(s string) string {
	h := md5.Sum([]byte(s))
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// ---- the fault draw's key ----

// faultKey names a request for the fault injector without its send time:
// the same request sent again at another second (another "date", hence
// another "sign") draws as a retry of the same request.
func faultKey(r *http.Request, body []byte) string {
	p, err := parseParams(r.Header.Get("Content-Type"), body)
	if err != nil {
		return "raw\n" + string(body)
	}
	delete(p, "date")
	delete(p, "sign")
	b, _ := json.Marshal(p) // map keys come out sorted
	return "shopex\n" + string(b)
}
