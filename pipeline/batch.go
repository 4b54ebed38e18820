package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/sourcegraph/conc/pool"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/history"
	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/table"
	"github.com/shopetl/shopetl/transform"
)

// shopLoad is one shop's load: pages in, batches out. Its builders and
// counters are owned by the single goroutine that consumes pages.
type shopLoad struct {
	runner    *Runner
	shop      jobspec.Shop
	opt       RunOptions
	log       *slog.Logger
	res       *ShopResult
	transform transform.Func
	mapping   transform.Mapping   // the platform's status tables with the job's overrides
	pii       *transform.PII      // applied to every record before it is batched
	redact    func(string) string // masks the shop's credentials in what is quarantined
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
	key, reason = l.redact(key), l.redact(reason)
	l.log.Warn("record quarantined", slog.String("endpoint", endpoint), slog.String("record", key), slog.String("reason", reason))
	q := model.Quarantined{
		Meta: model.Meta{Platform: l.shop.Platform, Shop: l.shop.Name, RunID: l.runner.RunID, Version: uint64(time.Now().UnixNano())},
		Seq:  l.seq, Endpoint: endpoint, Key: key, Reason: reason, Payload: l.redact(string(payload)), At: time.Now().UTC(),
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
