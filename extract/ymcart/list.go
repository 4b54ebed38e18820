package ymcart

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	json "github.com/goccy/go-json"
	"github.com/sourcegraph/conc/pool"

	"github.com/shopetl/shopetl/extract"
)

// DefaultPageSize is orderList's page_size "缺省值 50", used when the job
// sets none.
const DefaultPageSize = 50

// MaxPageSize caps page_size. The doc gives no maximum; an order row with
// its sub-lists is about 5 KB, so a page stays around a megabyte.
const MaxPageSize = 200

// orderListPath is "POST http://域名/api-erp-orderList.html".
const orderListPath = "/api-erp-orderList.html"

// boundedAfter is how far in the past a window's last day must have ended
// for its act_time scan to get an end_time (see doc.go, "Backfills").
const boundedAfter = 24 * time.Hour

// maxRereads bounds how often one scan is read again when the listing
// moved in a way its paging cannot absorb.
const maxRereads = 3

// Extractor reads one YMCart shop's orderList.
type Extractor struct {
	shop extract.Shop
	size int
	now  func() time.Time // our clock, for the bounded/open choice
}

// New builds a ymcart extractor for one shop.
func New(s extract.Shop) (extract.Extractor, error) {
	if s.Client == nil {
		return nil, errors.New("ymcart: no client")
	}
	if s.Location == nil {
		// start_time/end_time are dates in the shop's zone; a wrong zone
		// could move a day bound past the window's edge.
		return nil, errors.New("ymcart: the shop's time zone is needed to read orderList's date-only bounds")
	}
	size := s.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	size = min(size, MaxPageSize)
	if s.Concurrency <= 0 {
		s.Concurrency = 1
	}
	return &Extractor{shop: s, size: size, now: time.Now}, nil
}

// drift says how a scan's listing can change while it is paged, and so
// how its paging recovers (doc.go, "Drift").
type drift int

const (
	// appends: rows only join at the end (create_time scan: new orders get
	// the highest id). Nothing already listed moves.
	appends drift = iota
	// inserts: rows only join, anywhere (act_time scan without end_time:
	// an operated order's act_time jumps to now, it never leaves). Listed
	// rows move to later positions.
	inserts
	// removals: rows only leave (act_time scan of a window long past: a
	// change stamps act_time after end_time). Listed rows move to earlier
	// positions.
	removals
)

// scan is one filtered listing of orderList, id ascending.
type scan struct {
	pass       int    // 1 for the run's first scan (extract.Listing)
	name       string // the filtered time, for errors
	timeType   string // "2" act_time; "" create_time ("留空: create_time")
	start, end string // Y-m-d in shop time; end "" = no end_time
	drift      drift
	keep       func(rowTimes) bool // which rows of the over-fetched days to emit
}

// rowTimes are the times of one row the scans filter on; ok false when a
// time could not be read (the row is then always kept).
type rowTimes struct {
	create, act     int64
	createOK, actOK bool
	itemno          string
}

// scans plans the listings of the window [From, To) (doc.go, "How
// changes are found"), in the order they must run: by creation, and by
// act_time since extract.Window.Changes, which a first run and a backfill
// that leaves the watermark do not read (the creation scan then keeps
// every row created in the window).
func (e *Extractor) scans() []scan {
	w, loc := e.shop.Window, e.shop.Location
	from, to := w.From.Unix(), w.To.Unix()
	if w.To.Nanosecond() > 0 {
		to++ // API times are whole seconds: [From, To) holds second to-1 at most
	}
	first, last := w.From.In(loc), w.To.Add(-time.Nanosecond).In(loc)
	startDate, endDate := ymd(first), ymd(last)
	lastDayEnd := time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, loc)
	changed, reads := w.Changes()
	acted := changed.Unix()

	created := scan{name: "create_time", start: startDate, end: endDate, drift: appends,
		keep: func(r rowTimes) bool {
			if r.createOK && (r.create < from || r.create >= to) {
				return false // the partial first and last days
			}
			// act_time in [changed, To): the act_time scan reads this order.
			return !reads || !r.actOK || r.act == 0 || r.act < acted || r.act >= to
		}}
	if !reads {
		return []scan{created}
	}
	act := scan{name: "act_time", timeType: "2", start: ymd(changed.In(loc)), drift: inserts,
		keep: func(r rowTimes) bool { return !r.actOK || r.act >= acted }}

	if lastDayEnd.Before(e.now().Add(-boundedAfter)) {
		act.end, act.drift = endDate, removals
		return []scan{act, created}
	}
	return []scan{created, act}
}

// ymd formats a date the doc's way: "2016-9-9".
func ymd(t time.Time) string { return t.Format("2006-1-2") }

// Extract reads every scan of the window.
func (e *Extractor) Extract(ctx context.Context, emit extract.Emit) error {
	for i, s := range e.scans() {
		s.pass = i + 1
		if err := e.read(ctx, s, emit); err != nil {
			return err
		}
	}
	return nil
}

// read pages one scan until a pass is known to have seen every row that
// stayed in the listing while it was paged.
func (e *Extractor) read(ctx context.Context, s scan, emit extract.Emit) error {
	for attempt := 0; ; attempt++ {
		done, err := e.pass(ctx, s, emit)
		if err != nil || done {
			return err
		}
		if attempt == maxRereads {
			return fmt.Errorf("shop %s: orderList by %s: the listing kept changing against its paging (%d re-reads)", e.shop.Name, s.name, attempt)
		}
	}
}

// pass reads page 1 for the count, then the other pages concurrently. When
// every reply gave the same count nothing moved and the pass is complete.
// Else the scan's drift says what the changes can have done: appended rows
// shifted nothing; inserted rows may have pushed a row past a page being
// read, so pages are read again one at a time, in order (forward); removed
// rows may have pulled one back onto a page already read, so pages are
// read again from the last to the first (backward). A count moving the
// other way than the scan expects makes the caller read it all again.
func (e *Extractor) pass(ctx context.Context, s scan, emit extract.Emit) (bool, error) {
	first, err := e.fetch(ctx, s, 1)
	if err != nil {
		return false, err
	}
	if err := emit(ctx, first.page); err != nil {
		return false, err
	}
	last := e.pages(first.count)
	counts := make([]int, max(last, 1)+1)
	counts[1] = first.count
	p := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError().WithMaxGoroutines(e.shop.Concurrency)
	for n := 2; n <= last; n++ {
		p.Go(func(ctx context.Context) error {
			r, err := e.fetch(ctx, s, n)
			if err != nil {
				return err
			}
			counts[n] = r.count // each goroutine owns its index
			return emit(ctx, r.page)
		})
	}
	if err := p.Wait(); err != nil {
		return false, err
	}
	lo, hi := first.count, first.count
	for n := 2; n <= last; n++ {
		lo, hi = min(lo, counts[n]), max(hi, counts[n])
	}
	switch {
	case lo == hi:
		return true, nil
	case s.drift == appends && lo == first.count:
		return true, nil
	case s.drift == inserts && lo == first.count:
		// While rows only join, the count orders the replies in time: as
		// long as it does not fall from one page to the next, those pages
		// were served as if read one after the other, in order. From the
		// first fall on (or past the last page, if the listing grew beyond
		// it), read in order.
		k := 2
		for k <= last && counts[k] >= counts[k-1] {
			k++
		}
		if k > last && last*e.size >= counts[last] {
			return true, nil
		}
		return e.forward(ctx, s, k, counts[k-1], emit)
	case s.drift == removals && hi == first.count:
		return e.backward(ctx, s, lo, emit)
	}
	return false, nil
}

func (e *Extractor) pages(count int) int { return (count + e.size - 1) / e.size }

// forward reads the listing one page at a time in order, from page n0 to
// the page that holds its last row; prev is the count of the reply before
// page n0. While rows only join, a row only moves to later positions: read
// in order, it cannot jump over the page being read without landing on one
// still to be read, and the last page read holds the end of the listing as
// it was then.
func (e *Extractor) forward(ctx context.Context, s scan, n0, prev int, emit extract.Emit) (bool, error) {
	for n := n0; ; n++ {
		r, err := e.fetch(ctx, s, n)
		if err != nil {
			return false, err
		}
		if err := emit(ctx, r.page); err != nil {
			return false, err
		}
		if r.count < prev {
			return false, nil // a row left: not the drift this scan expects
		}
		prev = r.count
		if n*e.size >= r.count {
			return true, nil
		}
		if n > 4*e.pages(r.count)+10 {
			return false, nil // far more pages than the listing has: give up this pass
		}
	}
}

// backward reads the listing page by page from the last one (by count, an
// upper bound of its length) to the first. While rows only leave, a row
// only moves to earlier positions: the mirror of forward.
func (e *Extractor) backward(ctx context.Context, s scan, count int, emit extract.Emit) (bool, error) {
	prev := count
	for n := e.pages(count); n >= 1; n-- {
		r, err := e.fetch(ctx, s, n)
		if err != nil {
			return false, err
		}
		if err := emit(ctx, r.page); err != nil {
			return false, err
		}
		if r.count > prev {
			return false, nil // a row joined: not the drift this scan expects
		}
		prev = r.count
	}
	return true, nil
}

// reply is orderList's envelope: {"code":0,"count":"400","data":[...]}, or
// {"code":1,"msg":"TOKEN_ERROR"} for a refused request.
type reply struct {
	Code  json.RawMessage `json:"code"`
	Msg   json.RawMessage `json:"msg"`
	Count json.RawMessage `json:"count"`
	Data  json.RawMessage `json:"data"` // the rows, split by extract.Elements
}

// refused are request-level errors that the same request would get again:
// retrying them only delays the failure.
// (The doc names no request-level errors; these are the simulator's.)
var refused = map[string]bool{"TOKEN_ERROR": true, "DATE_ERROR": true, "PARAM_ERROR": true}

type fetched struct {
	page  extract.Page
	count int
}

// fetch reads page n of a scan. The token travels in the form body only:
// endpoint, which names the request in logs and errors, never holds it.
func (e *Extractor) fetch(ctx context.Context, s scan, n int) (fetched, error) {
	form := url.Values{}
	form.Set("order_by", "0") // "0:按照 id 升序"
	form.Set("page_size", strconv.Itoa(e.size))
	form.Set("page_no", strconv.Itoa(n))
	if s.timeType != "" {
		form.Set("time_type", s.timeType)
	}
	form.Set("start_time", s.start)
	if s.end != "" {
		form.Set("end_time", s.end)
	}
	endpoint := "POST " + orderListPath + " " + form.Encode()
	var out fetched
	var sent time.Time
	err := e.shop.Client.Do(ctx, endpoint, func(ctx context.Context) (*http.Request, error) {
		body := url.Values{}
		for k, v := range form {
			body[k] = v
		}
		if tok := e.shop.Client.Token(); tok.IsSet() {
			body.Set("token", tok.Reveal())
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.shop.Client.BaseURL()+orderListPath, strings.NewReader(body.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sent = time.Now()
		return req, nil
	}, func(b []byte) error {
		var err error
		out, err = e.decode(s, endpoint, b)
		out.page.FetchedAt = sent
		return err
	})
	return out, err
}

// times reads the row's itemno, create_time and act_time, leniently: a row
// whose times cannot be read is kept, for the transform to judge. They are
// found in the row's bytes, not decoded with it: the transform decodes
// each row once.
func times(raw []byte) rowTimes {
	if len(raw) == 0 || raw[0] != '{' {
		return rowTimes{}
	}
	f := extract.Fields(raw, "itemno", "create_time", "act_time")
	return timesOf(f[0], f[1], f[2])
}

// timesOf reads a row's itemno, create_time and act_time from their bytes.
func timesOf(itemno, create, act []byte) rowTimes {
	var t rowTimes
	t.itemno, _ = jsonText(itemno)
	t.create, t.createOK = jsonUnix(create)
	t.act, t.actOK = jsonUnix(act)
	return t
}

// splitRows finds the rows of a reply's data and their times, where
// walkReply gave up.
func splitRows(data []byte) ([][]byte, []rowTimes, error) {
	rows, err := extract.Elements(data)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	ts := make([]rowTimes, len(rows))
	for i, raw := range rows {
		ts[i] = times(raw)
	}
	return rows, ts, nil
}

// walkReply reads an orderList reply in one checked pass (issue 18; see
// extract.Walker): the envelope's members as json.RawMessage keeps them,
// each row's bytes, and its times as times finds them (the last of a name
// given twice). It reports false where the walker gave up, and decode
// reads the reply as before, whose errors are the ones reported.
func walkReply(b []byte) (r reply, rows [][]byte, ts []rowTimes, ok bool) {
	w := extract.NewWalker(b)
	var seen uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.Key()) {
		case "code":
			w.Seen(&seen, 0)
			r.Code = w.Value()
		case "msg":
			w.Seen(&seen, 1)
			r.Msg = w.Value()
		case "count":
			w.Seen(&seen, 2)
			r.Count = w.Value()
		case "data":
			w.Seen(&seen, 3)
			if w.Null() {
				continue
			}
			rows, ts = make([][]byte, 0, MaxPageSize), make([]rowTimes, 0, MaxPageSize)
			for more := w.Enter('['); more; more = w.More(']') {
				start := w.Mark()
				var itemno, create, act []byte
				t := rowTimes{} // as times reads a row that is not an object
				if w.Peek() == '{' {
					for more := w.Enter('{'); more; more = w.More('}') {
						switch string(w.Key()) {
						case "itemno":
							itemno = w.Value()
						case "create_time":
							create = w.Value()
						case "act_time":
							act = w.Value()
						default:
							w.Skip()
						}
					}
					t = timesOf(itemno, create, act)
				} else {
					w.Skip()
				}
				rows = append(rows, w.Since(start))
				ts = append(ts, t)
			}
		default:
			w.Skip()
		}
	}
	return r, rows, ts, w.End()
}

// jsonText reads a JSON string or number as text.
func jsonText(b json.RawMessage) (string, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] == '{' || b[0] == '[' || string(b) == "null" {
		return "", false
	}
	if b[0] == '"' {
		s, ok := extract.Unquote(b)
		return strings.TrimSpace(s), ok
	}
	return string(b), true
}

// jsonInt reads 0, "0" or "400".
func jsonInt(b json.RawMessage) (int64, bool) {
	s, ok := jsonText(b)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// jsonUnix reads a unix time: "1472789032"; "0", "" and null are no time (0).
func jsonUnix(b json.RawMessage) (int64, bool) {
	if t := bytes.TrimSpace(b); len(t) == 0 || string(t) == "null" || string(t) == `""` {
		return 0, true
	}
	return jsonInt(b)
}

// decode reads one orderList reply of s: its count and the rows s keeps.
func (e *Extractor) decode(s scan, endpoint string, b []byte) (fetched, error) {
	r, rows, ts, walked := walkReply(b)
	if !walked {
		r = reply{}
		if err := json.Unmarshal(b, &r); err != nil {
			return fetched{}, err
		}
	}
	if code, ok := jsonInt(r.Code); !ok || code != 0 {
		msg, _ := jsonText(r.Msg)
		err := fmt.Errorf("code %s, msg %q", bytes.TrimSpace(r.Code), msg)
		if ok && refused[msg] {
			// Not transient: tell the client to stop retrying.
			return fetched{}, backoff.Permanent(fmt.Errorf("shop %s: %s: the shop refused the request: %w", e.shop.Name, endpoint, err))
		}
		return fetched{}, err
	}
	count, ok := jsonInt(r.Count)
	if !ok || count < 0 {
		return fetched{}, fmt.Errorf("bad count %s", bytes.TrimSpace(r.Count))
	}
	if !walked {
		var err error
		if rows, ts, err = splitRows(r.Data); err != nil {
			return fetched{}, err
		}
	}
	out := fetched{count: int(count)}
	out.page = extract.Page{Endpoint: endpoint, Records: make([]extract.Raw, 0, len(rows)),
		Listing: extract.Listing{Pass: s.pass, Rows: len(rows), Total: int(count)}}
	for i, raw := range rows {
		t := ts[i]
		if s.keep(t) {
			out.page.Records = append(out.page.Records, extract.Raw{Key: t.itemno, Body: raw})
		}
	}
	out.page.Body = b
	return out, nil
}
