package extract

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/time/rate"

	"github.com/shopetl/shopetl/secret"
)

// ClientOptions configure one shop's client.
type ClientOptions struct {
	Shop    string
	BaseURL string
	// Header is added to every request; its values are revealed there
	// only, and masked in errors and logs.
	Header map[string]secret.Value
	// Token is the shop's credential (auth.token), which each platform
	// sends in its own way: a bearer header, a form field, a signature key.
	Token      secret.Value
	Timeout    time.Duration // per attempt
	MaxRetries int
	MinBackoff time.Duration
	MaxBackoff time.Duration
	Limiter    *rate.Limiter // nil: unlimited
	MaxBody    int64         // bytes; 0: 64 MiB
	// Concurrency is how many requests the shop's extractor sends at once:
	// the connections kept open between them.
	Concurrency int
	HTTP        *http.Client // nil: a client of its own
	// Logger carries the shop's attributes (shop, run_id); the client adds
	// only the request's own.
	Logger *slog.Logger
}

// Client is the one HTTP client of a shop: every request waits for the
// shop's rate limiter, gets a timeout, and is retried with exponential
// backoff and jitter on transport errors, 5xx, 429 (honouring Retry-After)
// and responses that cannot be read.
type Client struct {
	opt ClientOptions
	// secretValues are the values errors and logs never show (see
	// secrets), worked out once: the options do not change.
	secretValues []secret.Value
	retries      atomic.Int64
	pages        atomic.Int64
}

// NewClient returns a client for one shop.
func NewClient(o ClientOptions) *Client {
	if o.MaxBody == 0 {
		o.MaxBody = 64 << 20
	}
	if o.HTTP == nil {
		// http.DefaultTransport keeps two idle connections a host: at
		// concurrency 4 two of four connections were closed after each
		// response and dialled again (84 connections for the 418 requests
		// of a 50,000-order shoptima shop, issue 18).
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = max(o.Concurrency, http.DefaultMaxIdleConnsPerHost)
		o.HTTP = &http.Client{Transport: t, CheckRedirect: sameOrigin}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 500 * time.Millisecond
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	c := &Client{opt: o}
	c.secretValues = c.secrets()
	return c
}

// Token is the shop's credential; see ClientOptions.Token.
func (c *Client) Token() secret.Value { return c.opt.Token }

// BaseURL is the shop's API root, without a trailing slash.
func (c *Client) BaseURL() string { return c.opt.BaseURL }

// Retries counts the retried attempts so far.
func (c *Client) Retries() int64 { return c.retries.Load() }

// Requests counts successful responses so far.
func (c *Client) Requests() int64 { return c.pages.Load() }

// HTTPError is a response with a status that is not 2xx.
type HTTPError struct {
	Shop, Endpoint string
	// Request is the method and URL that was asked, secrets masked (see
	// describe).
	Request string
	Status  int
	Snippet string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("shop %s: %s: HTTP %d: %s", e.Shop, cmp.Or(e.Request, e.Endpoint), e.Status, e.Snippet)
}

// UnreadableError is a response whose body could not be read as a whole
// (cut short, not JSON, the wrong envelope). Body keeps the raw bytes of the
// last attempt so that it can be quarantined.
type UnreadableError struct {
	Shop, Endpoint string
	Request        string // as in HTTPError
	Body           []byte
	Err            error
}

func (e *UnreadableError) Error() string {
	return fmt.Sprintf("shop %s: %s: unreadable response: %v", e.Shop, cmp.Or(e.Request, e.Endpoint), e.Err)
}

func (e *UnreadableError) Unwrap() error { return e.Err }

// Do sends the request build makes and hands the body to read. endpoint
// names the request for the caller (Page.Endpoint, quarantine): a path,
// never a URL with secrets. Errors and logs name the request as it was
// asked, method and URL, secrets masked (see describe).
// Transient failures are retried; a read error counts as transient; a
// request that cannot be sent as built is not retried.
func (c *Client) Do(ctx context.Context, endpoint string, build func(context.Context) (*http.Request, error), read func([]byte) error) error {
	bo := &backoff.ExponentialBackOff{
		InitialInterval:     c.opt.MinBackoff,
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         c.opt.MaxBackoff,
	}
	attempt := 0
	// The last attempt's request, described only when a retry is logged:
	// describing every request would cost each page a form read and a
	// masking pass that only errors and logs use.
	var last *http.Request
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		attempt++
		if attempt > 1 {
			c.retries.Add(1)
		}
		if c.opt.Limiter != nil {
			if err := c.opt.Limiter.Wait(ctx); err != nil {
				return struct{}{}, backoff.Permanent(err)
			}
		}
		return struct{}{}, c.once(ctx, endpoint, &last, build, read)
	},
		backoff.WithBackOff(bo),
		backoff.WithMaxTries(uint(c.opt.MaxRetries)+1),
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(err error, wait time.Duration) {
			// No shop attribute: the logger carries it (ClientOptions.Logger).
			c.opt.Logger.LogAttrs(ctx, slog.LevelWarn, "retrying request",
				slog.String("endpoint", endpoint), slog.String("request", c.describeOr(last, endpoint)),
				slog.String("error", err.Error()),
				slog.String("wait", roundWait(wait).String()))
		}))
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w (stopped: %v)", err, ctx.Err())
	}
	return err
}

func (c *Client) once(ctx context.Context, endpoint string, last **http.Request, build func(context.Context) (*http.Request, error), read func([]byte) error) error {
	actx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	req, err := build(actx)
	if err != nil {
		return backoff.Permanent(fmt.Errorf("shop %s: %s: build request: %w", c.opt.Shop, endpoint, c.mask(err)))
	}
	for k, v := range c.opt.Header {
		req.Header.Set(k, v.Reveal())
	}
	*last = req
	if err := sendable(req); err != nil {
		return backoff.Permanent(fmt.Errorf("shop %s: %s: %w", c.opt.Shop, c.describe(req), err))
	}
	resp, err := c.opt.HTTP.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return backoff.Permanent(ctx.Err())
		}
		// The *url.Error names the URL unmasked: name ours instead.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		err = fmt.Errorf("shop %s: %s: %w", c.opt.Shop, c.describe(req), c.mask(err))
		if untrusted(err) {
			return backoff.Permanent(err)
		}
		return err
	}
	defer resp.Body.Close()
	body, err := readBody(resp.Body, resp.ContentLength, c.opt.MaxBody)
	if err != nil {
		if ctx.Err() != nil {
			return backoff.Permanent(ctx.Err())
		}
		return &UnreadableError{Shop: c.opt.Shop, Endpoint: endpoint, Request: c.describe(req), Body: body, Err: c.mask(err)}
	}
	if int64(len(body)) > c.opt.MaxBody {
		return backoff.Permanent(fmt.Errorf("shop %s: %s: response larger than %d bytes", c.opt.Shop, c.describe(req), c.opt.MaxBody))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		herr := &HTTPError{Shop: c.opt.Shop, Endpoint: endpoint, Request: c.describe(req), Status: resp.StatusCode, Snippet: c.redact(snippet(body))}
		switch {
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
				return &retryAfter{herr, time.Duration(s) * time.Second}
			}
			return herr
		default:
			return backoff.Permanent(herr)
		}
	}
	if err := read(body); err != nil {
		return &UnreadableError{Shop: c.opt.Shop, Endpoint: endpoint, Request: c.describe(req), Body: body, Err: err}
	}
	c.pages.Add(1)
	return nil
}

// retryAfter is an HTTP error whose server said when to come back. It
// unwraps to both the HTTP error and backoff's RetryAfterError.
type retryAfter struct {
	*HTTPError
	wait time.Duration
}

func (r *retryAfter) Unwrap() []error {
	return []error{r.HTTPError, &backoff.RetryAfterError{Duration: r.wait}}
}

// roundWait keeps a wait readable in logs ("522ms", not "521.97954ms"),
// and a wait under a millisecond above zero.
func roundWait(d time.Duration) time.Duration {
	if r := d.Round(time.Millisecond); r > 0 || d <= 0 {
		return r
	}
	return d.Round(time.Microsecond)
}

// snippet is the start of a body for an error, without the trailing
// newline most APIs end with.
func snippet(b []byte) string {
	const n = 200
	b = bytes.TrimRightFunc(b, unicode.IsSpace)
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
