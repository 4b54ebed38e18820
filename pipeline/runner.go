package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/sourcegraph/conc/pool"
	"golang.org/x/time/rate"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/history"
	"github.com/shopetl/shopetl/model"
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

// Shop run outcomes.
const (
	ShopOK          = "ok"
	ShopFailed      = "failed"
	ShopInterrupted = "interrupted" // the run was cancelled (SIGINT, SIGTERM) while the shop ran
	ShopNotRun      = "not run"     // nothing could run, e.g. no sink was reachable
)

// ErrInterrupted is the error of a shop stopped by the run's cancellation.
var ErrInterrupted = errors.New("interrupted")

// ShopResult is one shop's line of the summary.
type ShopResult struct {
	Shop, Platform string
	Status         string
	Window         extract.Window
	Pages          int64
	Orders         int64
	Quarantined    int64
	Retries        int64
	Seconds        float64
	Bytes          int64 // source bytes of the records read
	Err            error
	// Rows counts the rows written per table (table.RunRowTables order).
	Rows [5]int64
}

// Result is the outcome of one run of a job.
type Result struct {
	RunID string
	Shops []ShopResult
	Err   error // why no shop ran (NotRun); nil when they did
}

// Failed counts the shops that failed.
func (r Result) Failed() int { return r.count(ShopFailed) }

// Interrupted counts the shops stopped by the run's cancellation.
func (r Result) Interrupted() int { return r.count(ShopInterrupted) }

func (r Result) count(status string) int {
	n := 0
	for _, s := range r.Shops {
		if s.Status == status {
			n++
		}
	}
	return n
}

// NotRun is the result of a run that could not start: every shop is
// listed as not run, and err says why.
func NotRun(runID string, shops []Shop, err error) Result {
	res := Result{RunID: runID, Err: err}
	for _, s := range shops {
		res.Shops = append(res.Shops, ShopResult{Shop: s.Name, Platform: s.Platform, Status: ShopNotRun})
	}
	return res
}

// NewRunID returns a run id that sorts by time.
func NewRunID(now time.Time) string {
	return now.UTC().Format("20060102T150405.000000000Z")
}

// Runner runs a job's shops into its sinks.
type Runner struct {
	Spec  *Spec
	Sinks []Sink
	State *FileState
	RunID string

	// Version names the shopetl build; etl_runs records it.
	Version string
}

// SelectShops returns the shops a run covers, in spec order. A selection
// of no shop (a shard that holds none of them) is an error.
func SelectShops(spec *Spec, opt RunOptions) ([]Shop, error) {
	var out []Shop
	for _, name := range opt.Shops {
		if _, ok := spec.FindShop(name); !ok {
			return nil, fmt.Errorf("--shop %s: no such shop in %s", name, spec.Path)
		}
	}
	for i, s := range spec.Shops {
		if len(opt.Shops) > 0 && !slices.Contains(opt.Shops, s.Name) {
			continue
		}
		if opt.ShardCount > 1 && i%opt.ShardCount != opt.ShardIndex {
			continue
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		shard := fmt.Sprintf("--shard %d/%d", opt.ShardIndex, opt.ShardCount)
		if len(opt.Shops) > 0 {
			return nil, fmt.Errorf("%s with --shop %s selects no shop", shard, strings.Join(opt.Shops, " --shop "))
		}
		return nil, fmt.Errorf("%s selects no shop of job %s (%d shops)", shard, spec.Name, len(spec.Shops))
	}
	return out, nil
}

// CheckWindows refuses a backfill window that selects nothing, for every
// selected shop, before any shop is read: --until not after --since, --until
// alone not after where the shop's run would start (its watermark minus
// lookback, or start), --since alone not before now minus safety_lag.
func (r *Runner) CheckWindows(opt RunOptions) error {
	if opt.Since == "" && opt.Until == "" {
		return nil
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	shops, err := SelectShops(r.Spec, opt)
	if err != nil {
		return err
	}
	var problems []error
	for _, s := range shops {
		w, _, _, err := r.window(s, opt)
		if err != nil || w.To.After(w.From) {
			continue // a state that cannot be read fails that shop's run, as without a window
		}
		const f = time.RFC3339
		var why string
		switch {
		case opt.Since != "" && opt.Until != "":
			why = fmt.Sprintf("--until %s (%s) is not after --since %s (%s)", opt.Until, w.To.Format(f), opt.Since, w.From.Format(f))
		case opt.Until != "":
			why = fmt.Sprintf("--until %s (%s) is not after %s, where the shop's run starts (its watermark minus lookback, or start); give --since",
				opt.Until, w.To.Format(f), w.From.Format(f))
		default:
			why = fmt.Sprintf("--since %s (%s) is not before now minus safety_lag (%s); give --until", opt.Since, w.From.Format(f), w.To.Format(f))
		}
		problems = append(problems, fmt.Errorf("shop %s: %s: the window is empty", s.Name, why))
	}
	return errors.Join(problems...)
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
	if err := r.CheckWindows(opt); err != nil {
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

// window is the range a shop's run asks for and where its watermark goes
// after it commits.
func (r *Runner) window(s Shop, opt RunOptions) (w extract.Window, next time.Time, move bool, err error) {
	o := s.Options
	st, has, err := r.State.Load(s.Name)
	if err != nil {
		return w, next, false, err
	}
	w.From = o.Start
	if has {
		w.From = st.Watermark.Add(-o.Lookback.Std())
	}
	w.To = opt.Now().Add(-o.SafetyLag.Std()).Truncate(time.Second)
	if opt.Since == "" && opt.Until == "" {
		w.First = !has
		return w, w.To, w.To.After(st.Watermark), nil
	}
	// A backfill selects orders by creation time (SPEC §3); a list that
	// filters by modification time reads on to now − safety_lag.
	w.ByCreation, w.ScanTo = true, w.To
	// A backfill moves the watermark only forward, and only when its window
	// joins the loaded range, so that no gap is ever marked as loaded.
	if opt.Since != "" {
		if w.From, err = ParseTime(opt.Since, o.Location); err != nil {
			return w, next, false, fmt.Errorf("--since: %w", err)
		}
	}
	if opt.Until != "" {
		if w.To, err = ParseTime(opt.Until, o.Location); err != nil {
			return w, next, false, fmt.Errorf("--until: %w", err)
		}
		if w.To.After(w.ScanTo) {
			w.ScanTo = w.To
		}
	}
	move = has && !w.From.After(st.Watermark) && w.To.After(st.Watermark)
	if move {
		// What the incremental run this one replaces would have read.
		w.ChangedFrom = st.Watermark.Add(-o.Lookback.Std())
	}
	return w, w.To, move, nil
}

// ParseTime reads RFC 3339, or YYYY-MM-DD as midnight in loc.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q: want RFC 3339 or YYYY-MM-DD", s)
	}
	return t, nil
}

func (r *Runner) runShop(ctx context.Context, s Shop, opt RunOptions) (res ShopResult) {
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

	unlock, err := r.State.Lock(s.Name)
	if err != nil {
		res.Err = err
		return res
	}
	defer unlock()

	w, next, move, err := r.window(s, opt)
	res.Window = w
	if err != nil {
		res.Err = err
		return res
	}
	if !w.To.After(w.From) {
		log.Info("nothing to do: empty window", slog.Time("from", w.From), slog.Time("to", w.To))
		return res
	}
	tf, ok := transform.Lookup(s.Platform)
	if !ok {
		res.Err = fmt.Errorf("shop %s: no transform for platform %q", s.Name, s.Platform)
		return res
	}
	mapping, err := transform.Compile(s.Platform, r.Spec.Transform.Statuses[s.Platform])
	if err != nil {
		res.Err = fmt.Errorf("shop %s: %w", s.Name, err)
		return res
	}
	pii, err := transform.NewPII(r.Spec.Transform.PII, []byte(r.Spec.Transform.PIIKey.Reveal()))
	if err != nil {
		res.Err = fmt.Errorf("shop %s: %w", s.Name, err)
		return res
	}
	ex, client, err := extractor(s, w, log, transform.RowReader(s.Platform))
	if err != nil {
		res.Err = err
		return res
	}

	l := &shopLoad{
		runner: r, shop: s, opt: opt, log: log, res: &res, transform: tf, mapping: mapping, pii: pii,
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
	err = l.run(ctx, ex)
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
			if ferr := l.flushAndCommit(context.WithoutCancel(ctx)); ferr != nil {
				log.Error("could not keep the unreadable response", slog.String("error", ferr.Error()))
			}
		}
		res.Err = err
		return res
	}
	if err := l.flushAndCommit(ctx); err != nil {
		res.Err = err
		return res
	}
	if opt.DryRun || !move {
		return res
	}
	if err := r.State.Save(s.Name, ShopState{Watermark: next, RunID: r.RunID, Committed: time.Now().UTC()}); err != nil {
		res.Err = err
	}
	return res
}

// Extractor builds shop's client and its platform's extractor for window
// w: what a run reads, without the transform and the sinks.
func Extractor(s Shop, w extract.Window, log *slog.Logger) (extract.Extractor, *extract.Client, error) {
	return extractor(s, w, log, nil)
}

// extractor is Extractor with the platform's transform reading records as
// the pages are walked, when read is set (extract.RowReader).
func extractor(s Shop, w extract.Window, log *slog.Logger, read extract.RowReader) (extract.Extractor, *extract.Client, error) {
	factory, ok := extract.Lookup(s.Platform)
	if !ok {
		return nil, nil, fmt.Errorf("shop %s: no extractor for platform %q", s.Name, s.Platform)
	}
	o := s.Options
	client := extract.NewClient(extract.ClientOptions{
		Shop:       s.Name,
		BaseURL:    strings.TrimRight(s.BaseURL, "/"),
		Header:     authHeader(s.Auth),
		Token:      extract.Secret(s.Auth.Token.Reveal()),
		Timeout:    o.Timeout.Std(),
		MaxRetries: o.Retries.Max,
		MinBackoff: o.Retries.MinBackoff.Std(),
		MaxBackoff: o.Retries.MaxBackoff.Std(),
		Limiter:    rate.NewLimiter(o.RateLimit.Limit(), o.RateLimit.Burst()),
		Logger:     log, Concurrency: o.Concurrency,
	})
	ex, err := factory(extract.Shop{
		Name: s.Name, Platform: s.Platform, Currency: s.Currency, Location: o.Location,
		PageSize: o.PageSize, Concurrency: o.Concurrency, Window: w,
		Rescan: o.Rescan.Std(), RefundRescan: o.RefundRescan.Std(), Client: client, ReadRow: read,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("shop %s: %w", s.Name, err)
	}
	return ex, client, nil
}

// authHeader turns a shop's auth.header into request headers. This and the
// client's Token are the only places secrets are revealed, and only into
// requests; the token is the platform's to send (see extract.Client.Token).
func authHeader(a ShopAuth) map[string]string {
	h := map[string]string{}
	for k, v := range a.Header {
		h[k] = v.Reveal()
	}
	return h
}

// shopLoad is one shop's load: pages in, batches out. Its builders and
// counters are owned by the single goroutine that consumes pages.
type shopLoad struct {
	runner    *Runner
	shop      Shop
	opt       RunOptions
	log       *slog.Logger
	res       *ShopResult
	transform transform.Func
	mapping   transform.Mapping // the platform's status tables with the job's overrides
	pii       *transform.PII    // applied to every record before it is batched
	builders  map[*table.Table]*table.Builder
	seq       uint64
	// The pending batch: source bytes in it and when its first page came.
	batchBytes int
	batchStart time.Time
}

func (l *shopLoad) run(ctx context.Context, ex extract.Extractor) error {
	pages := make(chan extract.Page, 2*max(l.shop.Options.Concurrency, 1))
	p := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError()
	p.Go(func(ctx context.Context) error {
		defer close(pages)
		return ex.Extract(ctx, func(ctx context.Context, pg extract.Page) error {
			select {
			case pages <- pg:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	})
	p.Go(func(ctx context.Context) error {
		for pg := range pages {
			if err := l.page(ctx, pg); err != nil {
				return err
			}
		}
		return nil
	})
	return p.Wait()
}

func (l *shopLoad) page(ctx context.Context, pg extract.Page) error {
	c := &transform.Context{
		Meta: model.Meta{
			Platform: l.shop.Platform, Shop: l.shop.Name, RunID: l.runner.RunID,
			Version: uint64(pg.FetchedAt.UnixNano()),
		},
		Currency: l.shop.Currency,
		Location: l.shop.Options.Location,
		Mapping:  l.mapping,
	}
	orders, quarantined := 0, 0
	for _, raw := range pg.Records {
		rec, err := l.transform(c, raw)
		if err == nil {
			err = table.CheckRecord(&rec)
		}
		if err != nil {
			key := raw.Key
			if key == "" {
				key = rec.Order.OrderID
			}
			l.quarantine(pg.Endpoint, key, err.Error(), raw.Body)
			quarantined++
			continue
		}
		l.pii.Apply(&rec.Order)
		if err := l.append(&rec, pg.FetchedAt); err != nil {
			return fmt.Errorf("shop %s: %s: order %s: %w", l.shop.Name, pg.Endpoint, raw.Key, err)
		}
		if rec.Order.OrderID != "" {
			orders++
		}
	}
	l.res.Orders += int64(orders)
	l.res.Quarantined += int64(quarantined)
	if l.opt.Progress != nil {
		l.opt.Progress.Page(l.shop.Name, orders, quarantined, pg.Listing)
	}
	if l.batchStart.IsZero() {
		l.batchStart = time.Now()
	}
	for _, raw := range pg.Records {
		l.batchBytes += len(raw.Body)
		l.res.Bytes += int64(len(raw.Body))
	}
	// Every record is in the builders now, copied.
	pg.Release()
	if l.builders[table.Orders].Rows() >= l.opt.BatchRows || l.batchBytes >= l.opt.BatchBytes ||
		time.Since(l.batchStart) >= l.opt.BatchEvery {
		return l.flush(ctx)
	}
	return nil
}

// append batches rec's rows, and its order's and refunds' observations
// at fetched, the time their page was read (package history).
func (l *shopLoad) append(rec *model.Record, fetched time.Time) error {
	if rec.Order.OrderID != "" {
		if err := l.builders[table.Orders].AppendOrder(&rec.Order); err != nil {
			return err
		}
		l.count(table.Orders, 1)
		obs := history.Order(&rec.Order, fetched)
		if err := l.builders[table.OrderHistory].AppendOrderObservation(&obs); err != nil {
			return err
		}
	}
	l.count(table.OrderItems, len(rec.Items))
	l.count(table.Refunds, len(rec.Refunds))
	l.count(table.Payments, len(rec.Payments))
	l.count(table.Shipments, len(rec.Shipments))
	for i := range rec.Items {
		if err := l.builders[table.OrderItems].AppendItem(&rec.Items[i]); err != nil {
			return err
		}
	}
	for i := range rec.Refunds {
		if err := l.builders[table.Refunds].AppendRefund(&rec.Refunds[i]); err != nil {
			return err
		}
		obs := history.Refund(&rec.Refunds[i], fetched)
		if err := l.builders[table.RefundHistory].AppendRefundObservation(&obs); err != nil {
			return err
		}
	}
	for i := range rec.Payments {
		if err := l.builders[table.Payments].AppendPayment(&rec.Payments[i]); err != nil {
			return err
		}
	}
	for i := range rec.Shipments {
		if err := l.builders[table.Shipments].AppendShipment(&rec.Shipments[i]); err != nil {
			return err
		}
	}
	return nil
}

// count adds n rows of t to the shop's rows written (etl_runs).
func (l *shopLoad) count(t *table.Table, n int) {
	if i := slices.Index(table.RunRowTables[:], t); i >= 0 {
		l.res.Rows[i] += int64(n)
	}
}

func (l *shopLoad) quarantine(endpoint, key, reason string, payload []byte) {
	l.seq++
	l.log.Warn("record quarantined", slog.String("endpoint", endpoint), slog.String("record", key), slog.String("reason", reason))
	q := model.Quarantined{
		Meta: model.Meta{Platform: l.shop.Platform, Shop: l.shop.Name, RunID: l.runner.RunID, Version: uint64(time.Now().UnixNano())},
		Seq:  l.seq, Endpoint: endpoint, Key: key, Reason: reason, Payload: string(payload), At: time.Now().UTC(),
	}
	// Quarantine rows hold no amounts, so appending cannot fail.
	_ = l.builders[table.Quarantine].AppendQuarantined(&q)
}

// flush hands every table's pending rows to every sink.
func (l *shopLoad) flush(ctx context.Context) error {
	l.batchBytes, l.batchStart = 0, time.Time{}
	for _, t := range table.All {
		rec := l.builders[t].Flush()
		if rec == nil {
			continue
		}
		err := l.write(ctx, t, rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

func (l *shopLoad) write(ctx context.Context, t *table.Table, rec arrow.RecordBatch) error {
	if l.opt.DryRun {
		return nil
	}
	for _, s := range l.runner.Sinks {
		if err := s.Write(ctx, l.shop.Name, t, rec); err != nil {
			return fmt.Errorf("shop %s: sink %s: table %s: %w", l.shop.Name, s.Name(), t.Name, err)
		}
	}
	return nil
}

func (l *shopLoad) flushAndCommit(ctx context.Context) error {
	if err := l.flush(ctx); err != nil {
		return err
	}
	if l.opt.DryRun {
		return nil
	}
	for _, s := range l.runner.Sinks {
		if err := s.Commit(ctx, l.shop.Name); err != nil {
			return fmt.Errorf("shop %s: sink %s: commit: %w", l.shop.Name, s.Name(), err)
		}
	}
	return nil
}

// recordRun writes the shop's etl_runs row to every sink and commits it,
// after the shop's data and watermark: the row says how the run ended. It
// is written even when the run was cancelled or failed; a sink that cannot
// take it is logged, and does not change the shop's outcome, whose data is
// already committed or not.
func (r *Runner) recordRun(ctx context.Context, s Shop, opt RunOptions, start time.Time, res ShopResult) {
	if opt.DryRun || len(r.Sinks) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	end := time.Now().UTC()
	run := model.Run{
		Meta:        model.Meta{Platform: s.Platform, Shop: s.Name, RunID: r.RunID, Version: uint64(end.UnixNano())},
		Job:         r.Spec.Name,
		Status:      res.Status,
		StartedAt:   start.UTC(),
		FinishedAt:  end,
		DurationMS:  uint64(end.Sub(start).Milliseconds()),
		Pages:       uint64(res.Pages),
		Orders:      uint64(res.Orders),
		Quarantined: uint64(res.Quarantined),
		Retries:     uint64(res.Retries),
	}
	run.ShopetlVersion = r.Version
	if res.Err != nil {
		run.Error = res.Err.Error()
		// The failed run's uncommitted rows stay invisible; only the
		// etl_runs row is committed below.
		for _, sink := range r.Sinks {
			if err := sink.Abort(ctx, s.Name); err != nil {
				opt.Logger.Error("abort failed", slog.String("shop", s.Name),
					slog.String("sink", sink.Name()), slog.String("error", err.Error()))
			}
		}
	}
	if !res.Window.From.IsZero() {
		from, to := res.Window.From.UTC(), res.Window.To.UTC()
		run.WindowFrom, run.WindowTo = &from, &to
	}
	for i, n := range res.Rows {
		run.Rows[i] = uint64(n)
	}
	b := table.NewBuilder(memory.DefaultAllocator, table.Runs)
	defer b.Release()
	if err := b.AppendRun(&run); err != nil {
		opt.Logger.Error("etl_runs row not written", slog.String("shop", s.Name), slog.String("error", err.Error()))
		return
	}
	rec := b.Flush()
	defer rec.Release()
	for _, sink := range r.Sinks {
		err := sink.Write(ctx, s.Name, table.Runs, rec)
		if err == nil {
			err = sink.Commit(ctx, s.Name)
		}
		if err != nil {
			opt.Logger.Error("etl_runs row not written", slog.String("shop", s.Name),
				slog.String("sink", sink.Name()), slog.String("error", err.Error()))
		}
	}
}

// formatWindow prints a window for the summary.
func formatWindow(w extract.Window) string {
	if w.From.IsZero() {
		return "-"
	}
	return w.From.UTC().Format("2006-01-02T15:04Z") + " → " + w.To.UTC().Format("2006-01-02T15:04Z")
}
