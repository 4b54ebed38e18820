package shoptima

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/shopetl/shopetl/extract"
)

func init() { extract.Register("shoptima", New) }

// MaxRows is the largest page the API serves ("rows ... 最大值为120").
const MaxRows = 120

// Time filters of GET /order (time_type).
const (
	byPayTime   = 1
	byOrderTime = 2
)

// Extractor reads one shoptima shop.
type Extractor struct {
	shop extract.Shop
	rows int
}

// New builds a shoptima extractor for one shop.
func New(s extract.Shop) (extract.Extractor, error) {
	rows := s.PageSize
	if rows <= 0 || rows > MaxRows {
		rows = MaxRows
	}
	if s.Concurrency <= 0 {
		s.Concurrency = 1
	}
	return &Extractor{shop: s, rows: rows}, nil
}

// scan is one filtered listing of GET /order.
type scan struct {
	timeType int
	isRefund bool
	pass     int // 1 for the run's first scan (extract.Listing)
	from, to time.Time
	// skipCreated, when set, drops rows whose order_time falls in
	// [skipFrom, skipTo): the order-time scan, which runs first, read them.
	skipCreated      bool
	skipFrom, skipTo time.Time
}

// scans plans a run: orders created in [min(From, To−rescan), To), then
// orders paid in the window but created before that (late payments), then
// refund-flagged orders created before that, back to To−refund_rescan.
//
// The later scans leave out what the first one read, so an order is read
// once a run: an order created in the first scan's range and paid or
// flagged after that scan read it was changed after To (To is in the past
// when the run starts), and the next run's re-scan reads it.
func (e *Extractor) scans() []scan {
	w := e.shop.Window
	created := w.From
	if r := w.To.Add(-e.shop.Rescan); e.shop.Rescan > 0 && r.Before(created) {
		created = r
	}
	out := []scan{
		{timeType: byOrderTime, from: created, to: w.To},
		{timeType: byPayTime, from: w.From, to: w.To, skipCreated: true, skipFrom: created, skipTo: w.To},
	}
	if r := w.To.Add(-e.shop.RefundRescan); e.shop.RefundRescan > 0 && r.Before(created) {
		out = append(out, scan{timeType: byOrderTime, isRefund: true, from: r, to: created})
	}
	return out
}

// readByFirstScan reports whether a row of s was read by the order-time
// scan. A row whose order_time cannot be read is kept: the transform
// quarantines it.
func (s scan) readByFirstScan(raw json.RawMessage) bool {
	if !s.skipCreated {
		return false
	}
	var row struct {
		OrderTime json.Number `json:"order_time"`
	}
	if json.Unmarshal(raw, &row) != nil {
		return false
	}
	t, err := row.OrderTime.Int64()
	if err != nil {
		return false
	}
	return t >= s.skipFrom.Unix() && t < s.skipTo.Unix()
}

// Extract pages every scan of the window.
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
// leaving the listing while it is paged (newest first by order_time).
func (e *Extractor) page(ctx context.Context, s scan, emit extract.Emit) error {
	err := extract.Paged(ctx, e.shop.Concurrency, func(ctx context.Context, n int) (extract.Numbered, error) {
		r, err := e.fetch(ctx, s, n)
		return extract.Numbered{Page: r.page, Total: r.total, Current: r.current, Pages: r.lastPage}, err
	}, emit)
	if errors.Is(err, extract.ErrShrinking) {
		return fmt.Errorf("shop %s: GET /order: %w", e.shop.Name, err)
	}
	return err
}

// listResponse is the envelope of GET /order (§1.4).
type listResponse struct {
	Status string `json:"status"`
	Code   int    `json:"code"`
	Data   *struct {
		CurrentPage int               `json:"current_page"`
		Data        []json.RawMessage `json:"data"`
		LastPage    int               `json:"last_page"`
		Total       int               `json:"total"`
	} `json:"data"`
}

type fetched struct {
	page                     extract.Page
	lastPage, total, current int
}

func (e *Extractor) fetch(ctx context.Context, s scan, n int) (fetched, error) {
	q := url.Values{}
	q.Set("rows", strconv.Itoa(e.rows))
	q.Set("page", strconv.Itoa(n))
	q.Set("time_type", strconv.Itoa(s.timeType))
	q.Set("begin_time", strconv.FormatInt(s.from.Unix(), 10))
	// end_time is inclusive on the API; our windows are half-open.
	q.Set("end_time", strconv.FormatInt(s.to.Unix()-1, 10))
	if s.isRefund {
		q.Set("is_refund", "1")
	}
	endpoint := "GET /order?" + q.Encode()
	var out fetched
	err := e.shop.Client.Do(ctx, endpoint, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.shop.Client.BaseURL()+"/order?"+q.Encode(), nil)
		if tok := e.shop.Client.Token(); err == nil && tok.IsSet() {
			req.Header.Set("Authorization", "Bearer "+tok.Reveal())
		}
		return req, err
	}, func(body []byte) error {
		var r listResponse
		if err := json.Unmarshal(body, &r); err != nil {
			return err
		}
		if r.Status != "success" || r.Code != 200 || r.Data == nil {
			return fmt.Errorf("envelope status %q code %d", r.Status, r.Code)
		}
		out = fetched{lastPage: max(r.Data.LastPage, 1), total: r.Data.Total, current: r.Data.CurrentPage}
		out.page = extract.Page{Endpoint: endpoint, FetchedAt: time.Now(), Records: make([]extract.Raw, 0, len(r.Data.Data)),
			Listing: extract.Listing{Pass: s.pass, Rows: len(r.Data.Data), Total: r.Data.Total}}
		for _, raw := range r.Data.Data {
			if !s.readByFirstScan(raw) {
				out.page.Records = append(out.page.Records, extract.Raw{Body: raw})
			}
		}
		return nil
	})
	return out, err
}
