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
	// read is the shop's extract.RowReader, nil without one.
	read     extract.RowReader
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
// fields are found in the row's bytes (orderTime, isRefund: their values,
// nil when absent), not decoded with the row: the transform decodes each
// row once.
func (s scan) keeps(orderTime, isRefund []byte) bool {
	if refund, ok := integer(isRefund); ok && (refund == 1) != s.refunded {
		return false
	}
	if !s.skipCreated {
		return true
	}
	t, ok := integer(orderTime)
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
		s.pass, s.read = i+1, e.shop.ReadRow
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
// keeps. walk reads it in one pass; what walk is not sure of is read by
// unmarshal, as before issue 18, whose errors are the ones reported.
func (s scan) decode(endpoint string, body []byte) (fetched, error) {
	out, ok := s.walk(endpoint, body)
	if !ok {
		var err error
		if out, err = s.unmarshal(endpoint, body); err != nil {
			return out, err
		}
	}
	out.page.Body = body
	return out, nil
}

// row is a listed row's bytes and the values of its two filter fields,
// and the row as scan.read decoded it, if it did.
type row struct {
	body, orderTime, isRefund []byte
	decoded                   any
}

// Filtered is what the rows a RowReader decodes tell the scans: the bytes
// of their top-level order_time and is_refund values, nil when absent, as
// extract.Fields finds them. A decoded row that does not tell is read
// again by the scan.
type Filtered interface {
	FilterFields() (orderTime, isRefund []byte)
}

// unmarshal decodes the envelope with goccy/go-json, splits data.data with
// extract.Elements and finds each row's filter fields with extract.Fields:
// three walks over every row.
func (s scan) unmarshal(endpoint string, body []byte) (fetched, error) {
	var r listResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return fetched{}, err
	}
	if r.Status != "success" || r.Code != 200 || r.Data == nil {
		return fetched{}, fmt.Errorf("envelope status %q code %d", r.Status, r.Code)
	}
	elems, err := extract.Elements(r.Data.Data)
	if err != nil {
		return fetched{}, fmt.Errorf("data.data: %w", err)
	}
	rows := make([]row, len(elems))
	for i, e := range elems {
		f := extract.Fields(e, "order_time", "is_refund")
		rows[i] = row{body: e, orderTime: f[0], isRefund: f[1]}
	}
	return s.fetched(endpoint, r.Data.CurrentPage, r.Data.LastPage, r.Data.Total, rows), nil
}

// walk reads a response in one checked pass with extract.Walker: the
// envelope, each row's bytes and its filter fields. It reports false when
// the walker gave up or the envelope is not a success, for unmarshal to
// read (and name what is wrong).
func (s scan) walk(endpoint string, body []byte) (fetched, bool) {
	w := extract.NewWalker(body)
	var seen uint64
	var status []byte
	var code, current, last, total int
	var rows []row
	data := false
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.Key()) {
		case "status":
			w.Seen(&seen, 0)
			status = w.Str()
		case "code":
			w.Seen(&seen, 1)
			code = w.Int()
		case "data":
			w.Seen(&seen, 2)
			data = !w.Null()
			if !data {
				continue
			}
			var inner uint64
			for more := w.Enter('{'); more; more = w.More('}') {
				switch string(w.Key()) {
				case "current_page":
					w.Seen(&inner, 0)
					current = w.Int()
				case "last_page":
					w.Seen(&inner, 1)
					last = w.Int()
				case "total":
					w.Seen(&inner, 2)
					total = w.Int()
				case "data":
					w.Seen(&inner, 3)
					rows = walkRows(&w, s.read)
				default:
					w.Skip()
				}
			}
		default:
			w.Skip()
		}
	}
	if !w.End() || string(status) != "success" || code != 200 || !data {
		return fetched{}, false
	}
	return s.fetched(endpoint, current, last, total, rows), true
}

// walkRows reads data.data: null, or an array of rows, each decoded by
// read if there is one and it does not give up.
func walkRows(w *extract.Walker, read extract.RowReader) []row {
	if w.Null() {
		return nil
	}
	rows := make([]row, 0, MaxRows)
	for more := w.Enter('['); more; more = w.More(']') {
		var r row
		start := w.Mark()
		if read != nil && w.Peek() == '{' {
			at := *w
			rec, ok := read(w)
			// A key the reader folded to lower case is one this walk's
			// Key gives up on: the page is then read as without read.
			if f, tells := rec.(Filtered); ok && tells && !w.Folded() {
				r.orderTime, r.isRefund = f.FilterFields()
				r.decoded = rec
				r.body = w.Since(start)
				rows = append(rows, r)
				continue
			}
			*w = at // read again below, as without read
		}
		if w.Peek() == '{' {
			// As extract.Fields finds them: the last of a name given twice.
			for more := w.Enter('{'); more; more = w.More('}') {
				switch string(w.Key()) {
				case "order_time":
					r.orderTime = w.Value()
				case "is_refund":
					r.isRefund = w.Value()
				default:
					w.Skip()
				}
			}
		} else {
			w.Skip()
		}
		r.body = w.Since(start)
		rows = append(rows, r)
	}
	return rows
}

// fetched is a response of s with the rows s keeps.
func (s scan) fetched(endpoint string, current, last, total int, rows []row) fetched {
	out := fetched{lastPage: max(last, 1), total: total, current: current}
	out.page = extract.Page{Endpoint: endpoint, FetchedAt: time.Now(), Records: make([]extract.Raw, 0, len(rows)),
		Listing: extract.Listing{Pass: s.pass, Rows: len(rows), Total: total}}
	for _, r := range rows {
		if s.keeps(r.orderTime, r.isRefund) {
			out.page.Records = append(out.page.Records, extract.Raw{Body: r.body, Decoded: r.decoded})
		}
	}
	return out
}
