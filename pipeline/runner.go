package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/state"
	"github.com/shopetl/shopetl/table"
	"github.com/shopetl/shopetl/transform"
)

// RunOptions are the flags of `shopetl run`.
type RunOptions struct {
	Shops        []string      // only these shops; all when empty
	Since, Until string        // a backfill window: RFC 3339 or YYYY-MM-DD in shop time
	ShardIndex   int           // this worker's shard, 0 ≤ ShardIndex < ShardCount
	ShardCount   int           // 0 or 1: no sharding
	DryRun       bool          // extract and transform, write and commit nothing
	BatchRows    int           // a batch is written at this many orders; 0: 5000
	BatchBytes   int           // ... or its share of this many bytes of source records; 0: 32 MiB
	BatchEvery   time.Duration // ... or when its first page is this old; 0: 30s
	Now          func() time.Time
	Logger       *slog.Logger
	Progress     Progress // nil: none
}

// Progress hears about a shop's pages as they load (progress bars).
type Progress interface {
	Start(shop string)
	// Page reports a page's orders and quarantined records, and its place
	// in its listing (zero where the platform reports no total).
	Page(shop string, orders, quarantined int, listing extract.Listing)
	Done(shop string, err error)
}

// Runner runs a job's shops into its sinks.
type Runner struct {
	Spec  *jobspec.Spec
	Sinks []Sink
	State state.Store
	RunID string

	// Version names the shopetl build; etl_runs records it.
	Version string
}

// Run extracts every selected shop, at most max_shops at once. One shop's
// failure does not stop the others.
func (r *Runner) Run(ctx context.Context, opt RunOptions) (Result, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.BatchRows <= 0 {
		opt.BatchRows = 5000
	}
	if opt.BatchBytes <= 0 {
		opt.BatchBytes = 32 << 20
	}
	if opt.BatchEvery <= 0 {
		opt.BatchEvery = 30 * time.Second
	}
	shops, err := SelectShops(r.Spec, opt)
	if err != nil {
		return Result{}, err
	}
	if err := r.CheckWindows(ctx, opt); err != nil {
		return Result{}, err
	}
	res := Result{RunID: r.RunID, Shops: make([]ShopResult, len(shops))}
	atOnce := r.Spec.ShopsAtOnce(len(shops))
	// BatchBytes bounds the pending batches of all the shops running at
	// once, not of each: sixteen shops each holding 32 MiB of records (and
	// their Arrow builders) kept the heap above the soft memory limit, and
	// the garbage collector took more CPU than the work. Each shop gets an
	// equal share; a shop alone gets it all.
	opt.BatchBytes = max(opt.BatchBytes/max(atOnce, 1), 1)
	p := pool.New().WithMaxGoroutines(max(atOnce, 1))
	for i, s := range shops {
		p.Go(func() {
			res.Shops[i] = r.runShop(ctx, s, opt) // each goroutine owns its index
		})
	}
	p.Wait()
	return res, nil
}

func (r *Runner) runShop(ctx context.Context, s jobspec.Shop, opt RunOptions) (res ShopResult) {
	start := time.Now()
	defer func() { r.recordRun(ctx, s, opt, start, res) }() // runs last: the status is final
	log := opt.Logger.With(slog.String("run_id", r.RunID), slog.String("shop", s.Name), slog.String("platform", s.Platform))
	res = ShopResult{Shop: s.Name, Platform: s.Platform, Status: ShopOK}
	if opt.Progress != nil {
		opt.Progress.Start(s.Name)
	}
	defer func() {
		res.Seconds = time.Since(start).Seconds()
		for _, sink := range r.Sinks {
			// Sinks that retry writes (ClickHouse) count them per shop.
			if rs, ok := sink.(interface{ Retries(shop string) int64 }); ok {
				res.Retries += rs.Retries(s.Name)
			}
		}
		switch {
		case errors.Is(res.Err, state.ErrLocked):
			// Another run has the shop: not a failure of this one.
			res.Status = ShopSkipped
			log.Warn("shop skipped", slog.String("status", res.Status), slog.String("error", res.Err.Error()))
		case res.Err != nil && ctx.Err() != nil:
			// Stopped by SIGINT or SIGTERM (or its caller): say so plainly
			// rather than "context canceled".
			res.Status, res.Err = ShopInterrupted, ErrInterrupted
			log.Warn("shop interrupted", slog.String("status", res.Status), slog.String("error", res.Err.Error()),
				slog.String("cause", context.Cause(ctx).Error()))
		case res.Err != nil:
			res.Status = ShopFailed
			log.Error("shop failed", slog.String("status", res.Status), slog.String("error", res.Err.Error()))
		default:
			log.Info("shop done", slog.String("status", res.Status), slog.Int64("orders", res.Orders), slog.Int64("pages", res.Pages),
				slog.Int64("quarantined", res.Quarantined), slog.Int64("retries", res.Retries))
		}
		if opt.Progress != nil {
			opt.Progress.Done(s.Name, res.Err)
		}
	}()

	lease, err := r.State.Lock(ctx, s.Name)
	if err != nil {
		res.Err = err
		return res
	}
	defer lease.Release()
	// A lost lease stops the shop's work; what it read is not committed.
	work, stop := whileHeld(ctx, lease)
	defer stop()

	w, next, move, err := r.window(work, s, opt)
	res.Window = w
	if err != nil {
		res.Err = err
		return res
	}
	if !w.To.After(w.From) {
		log.Info("nothing to do: empty window", slog.Time("from", w.From), slog.Time("to", w.To))
		return res
	}
	p, ok := platform.Lookup(s.Platform)
	if missing := p.Missing(); !ok || len(missing) > 0 { // validate refuses this; a Spec made in code may not be
		res.Err = fmt.Errorf("shop %s: platform %q is not registered whole (missing: %v)", s.Name, s.Platform, missing)
		return res
	}
	mapping, err := p.Mapping.Compile(s.Platform, r.Spec.Transform.Statuses[s.Platform])
	if err != nil {
		res.Err = fmt.Errorf("shop %s: %w", s.Name, err)
		return res
	}
	pii, err := transform.NewPII(r.Spec.Transform.PII, r.Spec.Transform.PIIKey)
	if err != nil {
		res.Err = fmt.Errorf("shop %s: %w", s.Name, err)
		return res
	}
	ex, client, err := extractor(s, w, log, p.RowReader)
	if err != nil {
		res.Err = err
		return res
	}

	l := &shopLoad{
		runner: r, shop: s, opt: opt, log: log, res: &res, transform: p.Transform, mapping: mapping, pii: pii, redact: client.Redact,
		builders: map[*table.Table]*table.Builder{},
	}
	for _, t := range table.All {
		l.builders[t] = table.NewBuilder(table.Memory, t)
	}
	defer func() {
		for _, b := range l.builders {
			b.Release()
		}
	}()
	log.Info("extracting", slog.Time("from", w.From), slog.Time("to", w.To))
	err = orLost(work, l.run(work, ex))
	res.Retries = client.Retries()
	// PAGES means the same on every platform: responses read from the
	// shop, list and detail requests alike.
	res.Pages = client.Requests()
	if err != nil {
		var unreadable *extract.UnreadableError
		if errors.As(err, &unreadable) {
			// Keep what stayed broken after the retries, so finance can
			// see it; the shop still fails and its watermark stays.
			l.quarantine(unreadable.Endpoint, "", "unreadable response after retries: "+unreadable.Err.Error(), unreadable.Body)
			res.Quarantined++
			if ferr := l.flushAndCommit(context.WithoutCancel(work)); ferr != nil {
				log.Error("could not keep the unreadable response", slog.String("error", ferr.Error()))
			}
		}
		res.Err = err
		return res
	}
	if err := l.flushAndCommit(work); err != nil {
		res.Err = orLost(work, err)
		return res
	}
	if opt.DryRun || !move {
		return res
	}
	// The sinks have committed; the watermark moves only if the shop is
	// still this run's.
	if err := lease.Check(work); err != nil {
		res.Err = err
		return res
	}
	if err := r.State.Save(work, s.Name, state.Shop{Watermark: next, RunID: r.RunID, Committed: time.Now().UTC()}); err != nil {
		res.Err = err
	}
	return res
}

// orLost is err, or the lease's loss when that is what stopped work.
func orLost(work context.Context, err error) error {
	if lost := context.Cause(work); err != nil && errors.Is(lost, state.ErrLeaseLost) {
		return lost
	}
	return err
}

// whileHeld is ctx, cancelled when lease is lost with the lease's error
// (ErrLeaseLost, saying why) as its cause.
func whileHeld(ctx context.Context, lease state.Lease) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		select {
		case <-lease.Lost():
			cancel(lease.Check(context.Background()))
		case <-done:
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}
