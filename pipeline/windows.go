package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/jobspec"
)

// SelectShops returns the shops a run covers, in spec order. A selection
// of no shop (a shard that holds none of them) is an error.
func SelectShops(spec *jobspec.Spec, opt RunOptions) ([]jobspec.Shop, error) {
	var out []jobspec.Shop
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
func (r *Runner) CheckWindows(ctx context.Context, opt RunOptions) error {
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
		w, _, _, err := r.window(ctx, s, opt)
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

// window is the range a shop's run asks for and where its watermark goes
// after it commits.
func (r *Runner) window(ctx context.Context, s jobspec.Shop, opt RunOptions) (w extract.Window, next time.Time, move bool, err error) {
	o := s.Options
	st, has, err := r.State.Load(ctx, s.Name)
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
