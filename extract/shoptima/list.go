package shoptima

import (
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
	// refunded selects the listing's is_refund, always sent: 1 when set,
	// else 0. Rows whose is_refund says otherwise are dropped: a shop that
	// reads 0 as "no filter" lists refund-flagged rows under 0 too, and the
	// is_refund=1 listing, read later, reads them.
	refunded bool
	pass     int // 1 for the run's first scan (extract.Listing)
	from, to time.Time
	// skipCreated, when set, drops rows whose order_time falls in
	// [skipFrom, skipTo): an order-time scan of the same is_refund, which
	// runs first, read them.
	skipCreated      bool
	skipFrom, skipTo time.Time
}

// scans plans a run. The seed documents is_refund as "是否退款,默认0,1为退
// 款" (whether refunded, default 0, 1 = refunded): read literally, a
// listing without it lists only orders that are not refund-flagged; read
// loosely, 0 is "no filter". Every time range is therefore read twice,
// with is_refund=0 and with is_refund=1, each listing keeping only its own
// rows, so that both readings give the same rows, each once:
//
//  1. not refund-flagged, created in [CreatedFrom(rescan), To);
//  2. not refund-flagged, paid since Changes() but created before that
//     (late payments);
//  3. refund-flagged, created in [CreatedFrom(refund_rescan), To), or
//     since scan 1's start if that is older: every refund-flagged order
//     inside refund_rescan, each run;
//  4. refund-flagged, paid since Changes() but created before that.
//
// A first run and a backfill read no pay-time scans (extract.Window.Changes):
// they would list again every order paid in the window, which the
// order-time scans read, to find the few created before those.
//
// Every is_refund=0 listing is read before the is_refund=1 ones, so a row
// dropped from one because it is refund-flagged is read by a later one
// (a flag is not taken back). An order created in a scan's range and paid
// or flagged after the scan read it was changed after To (To is in the
// past when the run starts), and the next run's re-scans read it.
func (e *Extractor) scans() []scan {
	w := e.shop.Window
	created := w.CreatedFrom(e.shop.Rescan)
	refunds := w.CreatedFrom(e.shop.RefundRescan)
	if created.Before(refunds) {
		refunds = created
	}
	changed, ok := w.Changes()
	out := []scan{
		{timeType: byOrderTime, from: created, to: w.To},
		{timeType: byPayTime, from: changed, to: w.To, skipCreated: true, skipFrom: created, skipTo: w.To},
		{timeType: byOrderTime, refunded: true, from: refunds, to: w.To},
		{timeType: byPayTime, refunded: true, from: changed, to: w.To, skipCreated: true, skipFrom: refunds, skipTo: w.To},
	}
	if !ok {
		return []scan{out[0], out[2]}
	}
	return out
}

// keeps reports whether a row of s is emitted: its is_refund is the one
// asked for, and no earlier scan read it. A row whose order_time or
// is_refund cannot be read is kept: the transform quarantines it. The two
// fields are found in the row's bytes, not decoded with the row: the
// transform decodes each row once.
func (s scan) keeps(raw []byte) bool {
	f := extract.Fields(raw, "order_time", "is_refund")
	if refund, ok := integer(f[1]); ok && (refund == 1) != s.refunded {
		return false
	}
	if !s.skipCreated {
		return true
	}
	t, ok := integer(f[0])
	return !ok || t < s.skipFrom.Unix() || t >= s.skipTo.Unix()
}

// integer reads a JSON integer, bare or quoted.
func integer(raw []byte) (int64, bool) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		raw = raw[1 : len(raw)-1]
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	return v, err == nil
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
		CurrentPage int             `json:"current_page"`
		Data        json.RawMessage `json:"data"` // the rows, split by extract.Elements
		LastPage    int             `json:"last_page"`
		Total       int             `json:"total"`
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
	q.Set("is_refund", "0")
	if s.refunded {
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
		var err error
		out, err = s.decode(endpoint, body)
		return err
	})
	return out, err
}

// decode reads one response of s: the envelope's counts and the rows s
// keeps.
func (s scan) decode(endpoint string, body []byte) (fetched, error) {
	var r listResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return fetched{}, err
	}
	if r.Status != "success" || r.Code != 200 || r.Data == nil {
		return fetched{}, fmt.Errorf("envelope status %q code %d", r.Status, r.Code)
	}
	rows, err := extract.Elements(r.Data.Data)
	if err != nil {
		return fetched{}, fmt.Errorf("data.data: %w", err)
	}
	out := fetched{lastPage: max(r.Data.LastPage, 1), total: r.Data.Total, current: r.Data.CurrentPage}
	out.page = extract.Page{Endpoint: endpoint, FetchedAt: time.Now(), Records: make([]extract.Raw, 0, len(rows)),
		Listing: extract.Listing{Pass: s.pass, Rows: len(rows), Total: r.Data.Total}}
	for _, raw := range rows {
		if s.keeps(raw) {
			out.page.Records = append(out.page.Records, extract.Raw{Body: raw})
		}
	}
	return out, nil
}
