package shopex

import (
	"context"
	"errors"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/shopetl/shopetl/extract"
)

// Page sizes of ome:fetch_order_list (_pagesize_, "每页大小,最多查询的数据
// 行数"): the seed's example asks for 300; the API serves at most MaxPageSize.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// shopTime is ShopEx's zone when the shop has none configured.
var shopTime = time.FixedZone("CST", 8*3600)

// Extractor reads one ShopEx shop.
type Extractor struct {
	shop     extract.Shop
	size     int
	loc      *time.Location
	from, to string // the listing's dtline, in shop time
	fromUnix int64  // the window's start, to the second
	// byCreation: a backfill, which keeps only the listed orders whose
	// createtime is in [createdFrom, createdTo), the window to the second.
	byCreation             bool
	createdFrom, createdTo int64
	// changedFrom (unix seconds, 0: none) also keeps the rows changed
	// since then on a backfill that moves the watermark.
	changedFrom int64
	// slots bounds the shop's requests in flight, list and details
	// together, at Shop.Concurrency (see call).
	slots chan struct{}
}

// New builds a ShopEx extractor for one shop.
func New(s extract.Shop) (extract.Extractor, error) {
	if s.Client == nil {
		return nil, errors.New("shopex: no client")
	}
	e := &Extractor{shop: s, size: s.PageSize, loc: s.Location}
	if e.size <= 0 {
		e.size = DefaultPageSize
	}
	e.size = min(e.size, MaxPageSize)
	if e.loc == nil {
		e.loc = shopTime
	}
	// The list and the details share the shop's concurrency: the list
	// asks for a page only now and then (one in a page's worth of
	// requests), and a slot it kept for itself would stand idle the rest
	// of the time, while a rate-limited shop's limiter had tokens left.
	e.slots = make(chan struct{}, max(s.Concurrency, 1))
	// dtline is [from, to) on lastmtime, to the second: From is rounded
	// down and To up, so the window is never narrowed.
	from, to := s.Window.From.Truncate(time.Second), ceilSecond(s.Window.To)
	e.fromUnix = from.Unix()
	end := to
	if s.Window.ByCreation {
		// A backfill selects by creation time (SPEC §3), but dtline
		// filters lastmtime, and an order created in the window may have
		// changed at any time since. lastmtime is never before createtime,
		// so the listing from From up to the run's end (ScanTo) holds every
		// order created in the window; the rows created outside it are
		// dropped before their detail is fetched.
		e.byCreation, e.createdFrom, e.createdTo = true, from.Unix(), to.Unix()
		if !s.Window.ChangedFrom.IsZero() {
			e.changedFrom = s.Window.ChangedFrom.Unix()
		}
		if scanTo := ceilSecond(s.Window.ScanTo); scanTo.After(end) {
			end = scanTo
		}
	}
	e.from, e.to = from.In(e.loc).Format(dateTimeLayout), end.In(e.loc).Format(dateTimeLayout)
	if !to.After(from) {
		e.from = "" // empty window
	}
	return e, nil
}

// ceilSecond rounds t up to a whole second.
func ceilSecond(t time.Time) time.Time {
	s := t.Truncate(time.Second)
	if s.Before(t) {
		s = s.Add(time.Second)
	}
	return s
}

// selected says whether a listed order is the window's: on a backfill,
// when its createtime is in the window, or when it changed since the
// watermark the backfill moves (changedFrom). A row whose createtime cannot
// be read is kept: loading an order again is never wrong, dropping one is.
func (e *Extractor) selected(r row) bool {
	return !e.byCreation || r.ctime == 0 || (r.ctime >= e.createdFrom && r.ctime < e.createdTo) ||
		(e.changedFrom > 0 && r.mtime >= e.changedFrom)
}

// Extract walks the window's listing once (see walk) and fetches each
// listed order's detail through a pool while the listing goes on.
func (e *Extractor) Extract(ctx context.Context, emit extract.Emit) error {
	if e.from == "" {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	details := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError().WithMaxGoroutines(cap(e.slots))
	err := e.walk(ctx, func(r row) {
		if !e.selected(r) {
			return
		}
		details.Go(func(dctx context.Context) error {
			err := e.detail(dctx, r.id, emit)
			if err != nil {
				cancel() // stops the listing too
			}
			return err
		})
	}, func(endpoint string, r row) error {
		// A row without an order number cannot be fetched: it goes to
		// the transform as it is, which rejects it into quarantine.
		return emit(ctx, extract.Page{Endpoint: endpoint, FetchedAt: time.Now(), Records: []extract.Raw{{Body: r.raw}}})
	})
	if err != nil {
		cancel()
	}
	// A detail's failure cancels the listing: report the cause, not the
	// cancellation.
	if werr := details.Wait(); werr != nil && (err == nil || errors.Is(err, context.Canceled)) {
		err = werr
	}
	return err
}
