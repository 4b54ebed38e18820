package shopex

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	json "github.com/goccy/go-json"
)

// The acts of the seed document this extractor calls (§1, §3).
const (
	actList   = "ome:fetch_order_list"
	actDetail = "ome:fetch_order_detail"
)

// dateTimeLayout is how dtline and date are written, in the shop's time
// zone (the seed's '2012-05-23 09:26:19').
const dateTimeLayout = "2006-01-02 15:04:05"

// params is one request's parameters as PHP will see them in $_POST:
// scalars, and lists sent as name[0]=..&name[1]=.. (the seed's
// 'dtline'=>array(...)).
type params struct {
	scalars map[string]string
	lists   map[string][]string
}

func newParams(act string) params {
	return params{scalars: map[string]string{"act": act}, lists: map[string][]string{}}
}

// clone returns a copy that the caller may change: every attempt of a
// request gets its own date and sign.
func (p params) clone() params {
	return params{scalars: maps.Clone(p.scalars), lists: maps.Clone(p.lists)}
}

func (p params) encode() string {
	v := url.Values{}
	for k, s := range p.scalars {
		v.Set(k, s)
	}
	for k, l := range p.lists {
		for i, s := range l {
			v.Set(k+"["+strconv.Itoa(i)+"]", s)
		}
	}
	return v.Encode()
}

// sign is the ShopEx matrix signature of the parameters (sign itself left
// out) for a shop's certificate token:
//
//	upper(md5(upper(md5(assemble(params))) + token))
//
// assemble writes, keys sorted as strings, each key and its value; a list
// is assembled the same way, its indexes being the keys ("10" sorts before
// "2", as PHP's ksort with SORT_STRING). See sim/shopex's doc.go.
func (p params) sign(token string) string {
	var b strings.Builder
	keys := slices.Sorted(maps.Keys(p.scalars))
	for k := range p.lists {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k == "sign" {
			continue
		}
		b.WriteString(k)
		l, isList := p.lists[k]
		if !isList {
			b.WriteString(p.scalars[k])
			continue
		}
		idx := make([]string, len(l))
		for i := range l {
			idx[i] = strconv.Itoa(i)
		}
		slices.Sort(idx)
		for _, i := range idx {
			n, _ := strconv.Atoi(i)
			b.WriteString(i)
			b.WriteString(l[n])
		}
	}
	return md5Upper(md5Upper(b.String()) + token)
}

func md5Upper(s string) string {
	h := md5.Sum([]byte(s))
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// envelope is every reply: {"result":"success","msg":"","info":...}, or
// result "fail" with the reason in msg.
type envelope struct {
	Result string          `json:"result"`
	Msg    *string         `json:"msg"`
	Info   json.RawMessage `json:"info"`
}

// refusedError is a well-formed "fail" reply: the shop refused the request
// (a bad signature, a parameter it does not take, an unknown order).
// Asking again the same way cannot help, so it is not retried.
type refusedError struct {
	shop, endpoint, msg string
}

func (e *refusedError) Error() string {
	return fmt.Sprintf("shop %s: %s: the shop answered result \"fail\": %s", e.shop, e.endpoint, e.msg)
}

// call posts one act and hands the reply's info to read. A reply that is
// not the envelope, or whose info read rejects, is unreadable and retried
// by the client; a "fail" reply is not. sent is when the last attempt was
// sent, the version of what it read.
//
// The request first takes one of the shop's slots (Shop.Concurrency), and
// only then waits for the rate limiter inside the client: a request sends
// as soon as the limiter lets it, so the limiter's tokens are spent at the
// rate it grants them. The slot is given back before read's caller emits.
func (e *Extractor) call(ctx context.Context, endpoint string, p params, read func(info json.RawMessage) error) (sent time.Time, err error) {
	select {
	case e.slots <- struct{}{}:
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
	defer func() { <-e.slots }()
	client := e.shop.Client
	build := func(ctx context.Context) (*http.Request, error) {
		q := p.clone()
		sent = time.Now()
		// "date" is the send time in shop time; every attempt sends (and
		// signs) its own.
		q.scalars["date"] = sent.In(e.loc).Format(dateTimeLayout)
		q.scalars["return_data"] = "json"
		q.scalars["api_version"] = "2.0"
		if tok := client.Token(); tok.IsSet() {
			q.scalars["sign"] = q.sign(tok.Reveal())
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, client.BaseURL(), strings.NewReader(q.encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req, nil
	}
	err = client.Do(ctx, endpoint, build, func(body []byte) error {
		info, err := e.info(endpoint, body)
		if err != nil {
			return err
		}
		return read(info)
	})
	return sent, err
}

// info reads a reply's envelope and returns its info. A "fail" reply is a
// permanent error: the shop refused the request.
func (e *Extractor) info(endpoint string, body []byte) (json.RawMessage, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	switch env.Result {
	case "success":
		return env.Info, nil
	case "fail":
		msg := ""
		if env.Msg != nil {
			msg = *env.Msg
		}
		return nil, backoff.Permanent(&refusedError{shop: e.shop.Name, endpoint: endpoint, msg: msg})
	}
	return nil, fmt.Errorf("envelope result %q", env.Result)
}

// isObject and isArray tell a JSON value's kind by its first byte.
func isObject(b json.RawMessage) bool { return firstByte(b) == '{' }
func isArray(b json.RawMessage) bool  { return firstByte(b) == '[' }

func firstByte(b json.RawMessage) byte {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

var errNotObject = errors.New("info is not an object")
