package dage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	json "github.com/goccy/go-json"

	"github.com/shopetl/shopetl/extract"
)

// MaxPageSize is the largest page orders/list serves: the doc's default
// ("pageSize int 每页数量 默认为50"), which is also Yii2 Pagination's
// pageSizeLimit; larger values are clamped by the server anyway.
const MaxPageSize = 50

// Order statuses the refund re-scan asks for (§1 status: 5 交易关闭,
// 6 等待卖家处理). A refund that closes an order or a buyer's cancel request
// are the only refund events that move an order into a status the list can
// filter by; see doc.go.
var refundStatuses = []int{6, 5}

// shopZone is the time zone assumed when a shop has none: the mall is
// Chinese and the job spec's default timezone is Asia/Shanghai.
var shopZone = time.FixedZone("CST", 8*3600)

// Extractor reads one dage shop.
type Extractor struct {
	shop extract.Shop
	size int
}

// New builds a dage extractor for one shop.
func New(s extract.Shop) (extract.Extractor, error) {
	size := s.PageSize
	if size <= 0 || size > MaxPageSize {
		size = MaxPageSize
	}
	if s.Concurrency <= 0 {
		s.Concurrency = 1
	}
	if s.Location == nil {
		s.Location = shopZone
	}
	return &Extractor{shop: s, size: size}, nil
}

// scan is one filtered listing of orders/list: orders created on the
// dates of [from, to) in the shop's time zone, of one status or all.
type scan struct {
	pass      int // 1 for the run's first scan (extract.Listing)
	from, to  time.Time
	status    int
	hasStatus bool
}

// scans plans a run: every order created in [CreatedFrom(rescan), To),
// then the orders in a refund status created before that, back to
// To−refund_rescan (a backfill that leaves the watermark reads no
// re-scan: extract.Window.Rescans).
func (e *Extractor) scans() []scan {
	w := e.shop.Window
	created := w.CreatedFrom(e.shop.Rescan)
	out := []scan{{from: created, to: w.To}}
	if r := w.CreatedFrom(e.shop.RefundRescan); r.Before(created) {
		for _, st := range refundStatuses {
			out = append(out, scan{from: r, to: created, status: st, hasStatus: true})
		}
	}
	return out
}

// dates are the scan's startTime and endTime: "date" values of create_time
// in the shop's time zone, both days included (the sim: "both days
// included"). A window that starts or ends inside a day reads the whole
// day; the extra orders are current reads, loaded like the others.
func (e *Extractor) dates(s scan) (start, end string) {
	const layout = "2006-01-02"
	return s.from.In(e.shop.Location).Format(layout), s.to.Add(-time.Nanosecond).In(e.shop.Location).Format(layout)
}

// Extract pages every scan of the window, one after the other.
func (e *Extractor) Extract(ctx context.Context, emit extract.Emit) error {
	for i, s := range e.scans() {
		s.pass = i + 1
		if err := e.page(ctx, s, emit); err != nil {
			return err
		}
	}
	return nil
}

// page reads one scan with extract.Paged, which handles orders entering or
// leaving the listing while it is paged (newest first: create_time desc,
// id desc). Yii2 serves the last page again for a page past the end; its
// currentPage then differs from the page asked for, which Paged reads as
// the listing having shrunk.
func (e *Extractor) page(ctx context.Context, s scan, emit extract.Emit) error {
	err := extract.Paged(ctx, e.shop.Concurrency, func(ctx context.Context, n int) (extract.Numbered, error) {
		r, err := e.fetch(ctx, s, n)
		pages := r.pageCount
		if r.next && pages <= r.current {
			pages = r.current + 1 // the next link says more follow
		}
		return extract.Numbered{Page: r.page, Total: r.total, Current: r.current, Pages: pages}, err
	}, emit)
	if errors.Is(err, extract.ErrShrinking) {
		start, end := e.dates(s)
		return fmt.Errorf("shop %s: orders/list %s..%s: %w", e.shop.Name, start, end, err)
	}
	return err
}

// listResponse is orders/list's envelope (§1 返回值: items, _links, _meta),
// Yii2's Serializer with collectionEnvelope "items".
type listResponse struct {
	Items json.RawMessage `json:"items"` // split by extract.Elements; absent or null: not this envelope
	Links struct {
		Next *struct {
			Href string `json:"href"`
		} `json:"next"`
	} `json:"_links"`
	Meta *struct {
		TotalCount  *int `json:"totalCount"`
		PageCount   *int `json:"pageCount"`
		CurrentPage *int `json:"currentPage"`
	} `json:"_meta"`
}

type fetched struct {
	page                      extract.Page
	total, pageCount, current int
	next                      bool // _links.next present
}

func (e *Extractor) fetch(ctx context.Context, s scan, n int) (fetched, error) {
	start, end := e.dates(s)
	q := url.Values{}
	q.Set("startTime", start)
	q.Set("endTime", end)
	if s.hasStatus {
		q.Set("status", strconv.Itoa(s.status))
	}
	q.Set("page", strconv.Itoa(n))
	q.Set("pageSize", strconv.Itoa(e.size))
	endpoint := "GET /orders/list?" + q.Encode()
	var out fetched
	var sent time.Time
	err := e.shop.Client.Do(ctx, endpoint, func(ctx context.Context) (*http.Request, error) {
		sent = time.Now()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.shop.Client.BaseURL()+"/orders/list?"+q.Encode(), nil)
		// The token travels as HttpBearerAuth's header, not QueryParamAuth's
		// access-token: Yii2 copies query parameters into _links.
		if tok := e.shop.Client.Token(); err == nil && tok.IsSet() {
			req.Header.Set("Authorization", "Bearer "+tok.Reveal())
		}
		return req, err
	}, func(body []byte) error {
		var err error
		out, err = s.decode(endpoint, body)
		out.page.FetchedAt = sent
		return err
	})
	return out, err
}

// walkResponse reads an orders/list response in one checked pass (issue
// 18; see extract.Walker) into what decode reads of it, its items kept as
// their bytes. It reports false where the walker gave up, and decode
// reads the response with goccy/go-json, whose errors are the ones
// reported. Keys are matched as that decoder matches them to fields,
// whatever their ASCII case (FoldKey): "totalCount".
func walkResponse(body []byte) (r listResponse, ok bool) {
	w := extract.NewWalker(body)
	var seen uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "items":
			w.Seen(&seen, 0)
			r.Items = w.Value()
		case "_links":
			w.Seen(&seen, 1)
			if w.Null() {
				continue
			}
			var links uint64
			for more := w.Enter('{'); more; more = w.More('}') {
				if string(w.FoldKey()) != "next" {
					w.Skip()
					continue
				}
				w.Seen(&links, 0)
				r.Links.Next = nil
				if w.Null() {
					continue
				}
				r.Links.Next = &struct {
					Href string `json:"href"`
				}{}
				var next uint64
				for more := w.Enter('{'); more; more = w.More('}') {
					if string(w.FoldKey()) != "href" {
						w.Skip()
						continue
					}
					if w.Seen(&next, 0); w.Null() {
						continue
					}
					mark := w.Mark()
					w.Str()
					r.Links.Next.Href, _ = extract.Unquote(w.Since(mark))
				}
			}
		case "_meta":
			w.Seen(&seen, 2)
			if w.Null() {
				continue
			}
			r.Meta = &struct {
				TotalCount  *int `json:"totalCount"`
				PageCount   *int `json:"pageCount"`
				CurrentPage *int `json:"currentPage"`
			}{}
			var meta uint64
			for more := w.Enter('{'); more; more = w.More('}') {
				var n **int
				switch string(w.FoldKey()) {
				case "totalcount":
					w.Seen(&meta, 0)
					n = &r.Meta.TotalCount
				case "pagecount":
					w.Seen(&meta, 1)
					n = &r.Meta.PageCount
				case "currentpage":
					w.Seen(&meta, 2)
					n = &r.Meta.CurrentPage
				default:
					w.Skip()
					continue
				}
				if !w.Null() {
					v := w.Int()
					*n = &v
				}
			}
		default:
			w.Skip()
		}
	}
	return r, w.End()
}

// decode reads one orders/list response of s: its _meta and its items.
func (s scan) decode(endpoint string, body []byte) (fetched, error) {
	r, ok := walkResponse(body)
	if !ok {
		r = listResponse{}
		if err := json.Unmarshal(body, &r); err != nil {
			return fetched{}, err
		}
	}
	if items := bytes.TrimSpace(r.Items); len(items) == 0 || string(items) == "null" || r.Meta == nil ||
		r.Meta.TotalCount == nil || r.Meta.PageCount == nil || r.Meta.CurrentPage == nil {
		return fetched{}, errors.New("envelope without items or _meta")
	}
	rows, err := extract.Elements(r.Items)
	if err != nil {
		return fetched{}, fmt.Errorf("items: %w", err)
	}
	m := r.Meta
	out := fetched{total: *m.TotalCount, pageCount: *m.PageCount, current: *m.CurrentPage, next: r.Links.Next != nil}
	out.page = extract.Page{Endpoint: endpoint, Records: make([]extract.Raw, len(rows)),
		Listing: extract.Listing{Pass: s.pass, Rows: len(rows), Total: *m.TotalCount}}
	for i, raw := range rows {
		out.page.Records[i] = extract.Raw{Body: raw}
	}
	out.page.Body = body
	return out, nil
}
