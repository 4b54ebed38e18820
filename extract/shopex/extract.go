package shopex

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/shopetl/shopetl/extract"
)

func init() { extract.Register("shopex", New) }

// Page sizes of ome:fetch_order_list (_pagesize_, "每页大小,最多查询的数据
// 行数"): the seed's example asks for 300; the API serves at most MaxPageSize.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// MaxPasses bounds how often the window's listing is read in one run when
// it keeps changing under the extractor.
const MaxPasses = 8

// shopTime is ShopEx's zone when the shop has none configured.
var shopTime = time.FixedZone("CST", 8*3600)

// Extractor reads one ShopEx shop.
type Extractor struct {
	shop     extract.Shop
	size     int
	workers  int
	loc      *time.Location
	from, to string // the window as dtline, in shop time
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
	// One list request is in flight at a time; details take the rest of
	// the shop's concurrency, at least one.
	e.workers = max(s.Concurrency-1, 1)
	// dtline is [from, to) on lastmtime, to the second: From is rounded
	// down and To up, so the window is never narrowed.
	from := s.Window.From.Truncate(time.Second)
	to := s.Window.To.Truncate(time.Second)
	if to.Before(s.Window.To) {
		to = to.Add(time.Second)
	}
	e.from, e.to = from.In(e.loc).Format(dateTimeLayout), to.In(e.loc).Format(dateTimeLayout)
	if !to.After(from) {
		e.from = "" // empty window
	}
	return e, nil
}

// Extract lists the window's orders and fetches each one's detail, pass
// after pass, until a pass finds the listing as the one before left it
// (see doc.go).
func (e *Extractor) Extract(ctx context.Context, emit extract.Emit) error {
	if e.from == "" {
		return nil
	}
	fetched := map[string]int64{} // order_id -> lastmtime listed when its detail was asked for
	quarantined := map[string]bool{}
	var prev map[string]int64
	var last passResult
	for pass := 1; pass <= MaxPasses; pass++ {
		var err error
		last, err = e.pass(ctx, emit, prev, fetched, quarantined)
		if err != nil {
			return err
		}
		if last.continuous && prev != nil && sameListing(prev, last.ids) {
			return nil
		}
		if last.continuous && pass == 1 && len(last.ids) == 0 {
			return nil // nothing listed, in one request: nothing can have moved
		}
		prev = last.ids
	}
	// Still changing after MaxPasses: orders keep leaving the window (they
	// are changed now, so the next run reads them too). If the last pass
	// was continuous and listed nothing new, every order the window held
	// when it was listed has been fetched, and so has every order that
	// left since; only an order appearing with an old lastmtime after that
	// listing could be missing, as after any run. Else fail: the watermark
	// stays and the next run reads the window again.
	if last.continuous && last.news == 0 {
		return nil
	}
	return fmt.Errorf("shop %s: %s: the listing of [%s, %s) kept changing while it was paged (%d passes); the next run reads the window again",
		e.shop.Name, actList, e.from, e.to, MaxPasses)
}

type passResult struct {
	listing
	news int // orders whose detail this pass asked for from the listing
}

// pass lists the window once, fetching the detail of every order listed
// for the first time or with a later lastmtime, while the listing goes on;
// then the detail of every order the previous pass listed and this one did
// not (it left the window, or an order leaving made the offsets skip it).
// It returns when every detail is in.
func (e *Extractor) pass(ctx context.Context, emit extract.Emit, prev, fetched map[string]int64, quarantined map[string]bool) (passResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	details := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError().WithMaxGoroutines(e.workers)
	get := func(id string) {
		details.Go(func(dctx context.Context) error {
			err := e.detail(dctx, id, emit)
			if err != nil {
				cancel() // stops the listing too
			}
			return err
		})
	}
	var res passResult
	var err error
	res.listing, err = e.list(ctx, func(r row) {
		if m, ok := fetched[r.id]; ok && r.mtime <= m {
			return
		}
		fetched[r.id] = r.mtime
		res.news++
		get(r.id)
	}, func(endpoint string, r row) error {
		// A row without an order number cannot be fetched: it goes to
		// the transform as it is, which rejects it into quarantine.
		if quarantined[string(r.raw)] {
			return nil
		}
		quarantined[string(r.raw)] = true
		return emit(ctx, extract.Page{Endpoint: endpoint, FetchedAt: time.Now(), Records: []extract.Raw{{Body: r.raw}}})
	})
	if err == nil {
		for id := range prev {
			if _, ok := res.ids[id]; !ok {
				get(id)
			}
		}
	} else {
		cancel()
	}
	// A detail's failure cancels the listing: report the cause, not the
	// cancellation.
	if werr := details.Wait(); werr != nil && (err == nil || errors.Is(err, context.Canceled)) {
		err = werr
	}
	return res, err
}
