package extract

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/net/http/httpguts"
)

// sendable checks a request the way http.Transport does before it dials,
// and says why it cannot be sent. The transport's own errors for these are
// plain strings (errors.New, fmt.Errorf), which errors.Is/As cannot tell
// from a network failure; checking first makes them permanent without
// matching their text. A header value holding "\r\n" (a token pasted with
// its newline) is the common case. The value is never named: it is a
// secret.
func sendable(req *http.Request) error {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("unsupported URL scheme %q (want http or https); nothing was sent", req.URL.Scheme)
	}
	if req.URL.Host == "" {
		return errors.New("no host in the URL; nothing was sent")
	}
	for k, vs := range req.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return fmt.Errorf("header name %q is not a valid header name; nothing was sent", k)
		}
		for _, v := range vs {
			if !httpguts.ValidHeaderFieldValue(v) {
				return fmt.Errorf("header %q: its value holds a character a header cannot carry (a newline or another control character; check the token); nothing was sent", k)
			}
		}
	}
	return nil
}

// untrusted reports whether a transport error is a TLS certificate the
// client does not trust, or a redirect it refused: asking again gets the
// same. Network
// errors, timeouts, resets and EOFs are not, and are retried.
func untrusted(err error) bool {
	var (
		verify    *tls.CertificateVerificationError
		authority x509.UnknownAuthorityError
		host      x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &authority) || errors.As(err, &host) || errors.As(err, &invalid) ||
		errors.As(err, new(*RedirectError))
}

// RedirectError is a redirect the client refused (see sameOrigin):
// asking again gets the same redirect.
type RedirectError struct{ From, To string }

func (e *RedirectError) Error() string {
	return fmt.Sprintf("redirect to %s refused: a shop's requests go only to %s", e.To, e.From)
}

// sameOrigin follows a redirect only to the scheme, host and port of the
// request that met it, 10 times at most: a shop's requests carry its
// credentials (headers, query, form), which must not go to another host,
// nor over http:// where they were sent over https://.
func sameOrigin(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return &RedirectError{From: first.Scheme + "://" + first.Host, To: req.URL.Scheme + "://" + req.URL.Host}
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}
