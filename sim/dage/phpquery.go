package dage

import (
	"net/url"
	"strconv"
	"strings"
)

// PHP's view of a query string, which Yii2's Pagination reads and copies
// into its links: parameters in the order sent, a repeated name keeping its
// first place and its last value; links built with http_build_query.

type kv struct{ k, v string }

type phpQuery []kv

func parsePHPQuery(raw string) phpQuery {
	var q phpQuery
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || k == "" {
			continue
		}
		q = q.set(k, v)
	}
	return q
}

func (q phpQuery) get(k string) (string, bool) {
	for _, p := range q {
		if p.k == k {
			return p.v, true
		}
	}
	return "", false
}

// set replaces k's value in place, or appends it.
func (q phpQuery) set(k, v string) phpQuery {
	for i := range q {
		if q[i].k == k {
			q[i].v = v
			return q
		}
	}
	return append(q, kv{k, v})
}

func (q phpQuery) del(k string) phpQuery {
	out := q[:0:0]
	for _, p := range q {
		if p.k != k {
			out = append(out, p)
		}
	}
	return out
}

// pageQuery is Pagination::createUrl()'s query: the request's parameters
// with page set to the 1-based page, and pageSize set when it is not the
// default (removed when it is).
func (q phpQuery) pageQuery(page, size, def int64) string {
	c := append(phpQuery(nil), q...)
	c = c.set("page", strconv.FormatInt(page, 10))
	if size != def {
		c = c.set("pageSize", strconv.FormatInt(size, 10))
	} else {
		c = c.del("pageSize")
	}
	var b strings.Builder
	for i, p := range c {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(phpEncode(p.k))
		b.WriteByte('=')
		b.WriteString(phpEncode(p.v))
	}
	return b.String()
}

// phpEncode is PHP's urlencode: letters, digits and -_. kept, space as +,
// every other byte %XX.
func phpEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// phpInt is PHP's (int) cast of a string: leading blanks, a sign and the
// digits that follow; anything else reads 0. Huge values saturate.
func phpInt(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	for i := 0; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		if n > (1<<62)/10 {
			n = 1 << 62
			break
		}
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
