package extract

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/shopetl/shopetl/secret"
)

// masked is what a secret is replaced with in errors and logs.
const masked = "[redacted]"

// secretParam reports whether a query parameter or form field carries a
// credential by its name: token, access-token, sign, password, secret, key,
// in any case and with any prefix (app_secret, api_key).
func secretParam(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"token", "sign", "password", "passwd", "secret", "key"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// secrets lists the values that must never be shown: the token and every
// configured header value, with the credential after a scheme word
// ("Bearer x" gives x too), each also as a URL-encoded form would carry it.
// They stay secret.Values, so that printing the Client shows none.
func (c *Client) secrets() []secret.Value {
	var out []secret.Value
	add := func(v string) {
		if v == "" {
			return
		}
		out = append(out, secret.New(v))
		if q := url.QueryEscape(v); q != v {
			out = append(out, secret.New(q))
		}
	}
	add(c.opt.Token.Reveal())
	for _, h := range c.opt.Header {
		v := h.Reveal()
		add(v)
		if _, cred, ok := strings.Cut(v, " "); ok {
			add(strings.TrimSpace(cred))
		}
	}
	return out
}

// Redact replaces every secret value of the shop in s: what a shop sent
// back may hold its credentials (an echoing proxy, a debug page), and a
// quarantined body is stored.
func (c *Client) Redact(s string) string { return c.redact(s) }

// redact replaces every secret value in s.
func (c *Client) redact(s string) string {
	for _, v := range c.secretValues {
		s = strings.ReplaceAll(s, v.Reveal(), masked)
	}
	return s
}

// describe names a request in errors and logs as it was asked: the method,
// the URL (scheme, host, path, query, fragment) and, for a form body, its
// fields, with userinfo passwords, secret parameters and anything equal to a
// secret masked. Today the token travels in a header, a form field or a
// signature, never in the URL; but a base_url may carry anything.
func (c *Client) describe(req *http.Request) string {
	u := *req.URL
	u.RawQuery = c.maskQuery(u.RawQuery)
	s := req.Method + " " + u.Redacted()
	if form := formBody(req); form != "" {
		const n = 300
		form = c.maskQuery(form)
		if len(form) > n {
			form = form[:n] + "…"
		}
		s += " form " + form
	}
	return c.redact(s)
}

// describeOr describes req, or says name when there is no request yet
// (the first attempt failed before building one).
func (c *Client) describeOr(req *http.Request, name string) string {
	if req == nil {
		return name
	}
	return c.describe(req)
}

// maskQuery masks the values of secret parameters in an encoded query or
// form, keeping the order it was sent in.
func (c *Client) maskQuery(raw string) string {
	if raw == "" {
		return raw
	}
	secrets := c.secretValues
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			value = v
		}
		for _, s := range secrets {
			if value == s.Reveal() || v == s.Reveal() {
				value = masked
			}
		}
		if secretParam(name) || value == masked {
			parts[i] = k + "=" + masked
		}
	}
	return strings.Join(parts, "&")
}

// formBody returns a URL-encoded form body without consuming the request's.
func formBody(req *http.Request) string {
	if req.GetBody == nil || !strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return ""
	}
	body, err := req.GetBody()
	if err != nil {
		return ""
	}
	defer body.Close()
	b, _ := io.ReadAll(io.LimitReader(body, 4<<10))
	return string(b)
}

// maskedError is an error whose message had its secrets masked; the chain
// below stays for errors.Is and errors.As.
type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }

// mask hides secrets in an error's message. A *url.Error (http.NewRequest
// on a bad URL) names its URL whole, so its query is masked like a request's.
func (c *Client) mask(err error) error {
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		raw := ue.URL
		if u, perr := url.Parse(raw); perr == nil {
			u.RawQuery = c.maskQuery(u.RawQuery)
			raw = u.Redacted()
		} else if base, q, ok := strings.Cut(raw, "?"); ok {
			raw = base + "?" + c.maskQuery(q)
		}
		msg = ue.Op + " " + `"` + raw + `": ` + ue.Err.Error()
		if ue != err {
			// Wrapped: keep what was said around it.
			msg = strings.Replace(err.Error(), ue.Error(), msg, 1)
		}
	}
	return &maskedError{msg: c.redact(msg), err: err}
}
