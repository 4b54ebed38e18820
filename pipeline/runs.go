package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/table"
)

// recordRun writes the shop's etl_runs row to every sink and commits it,
// after the shop's data and watermark: the row says how the run ended. It
// is written even when the run was cancelled or failed; a sink that cannot
// take it is logged, and does not change the shop's outcome, whose data is
// already committed or not.
func (r *Runner) recordRun(ctx context.Context, s jobspec.Shop, opt RunOptions, start time.Time, res ShopResult) {
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
