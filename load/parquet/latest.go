package parquet

import (
	"fmt"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/history"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/table"
)

// latestRows reads t under dir and calls fn with each key's row of the
// highest version (the first one read on a tie), in key order: the rows
// ClickHouse FINAL keeps.
func latestRows(dir string, t *table.Table, fn func(r row) error) error {
	recs, err := ReadTable(dir, t)
	if err != nil {
		return err
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	type kept struct {
		r       row
		version uint64
	}
	latest := map[string]kept{}
	vi := t.ColumnIndex(t.Version)
	var b []byte
	for _, rec := range recs {
		versions := rec.Column(vi).(*array.Uint64)
		keys := make([]arrow.Array, len(t.Key))
		for j, k := range t.Key {
			keys[j] = rec.Column(t.ColumnIndex(k))
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			b = appendKey(b[:0], keys, i)
			v := versions.Value(i)
			if old, ok := latest[string(b)]; !ok || v > old.version {
				latest[string(b)] = kept{row{rec, i}, v}
			}
		}
	}
	order := make([]string, 0, len(latest))
	for k := range latest {
		order = append(order, k)
	}
	slices.Sort(order)
	for _, k := range order {
		if err := fn(latest[k].r); err != nil {
			return fmt.Errorf("parquet: %s: %w", t.Name, err)
		}
	}
	return nil
}

// row is row i of a batch of a table's exact schema (see conform).
type row struct {
	rec arrow.RecordBatch
	i   int
}

func (r row) col(name string) arrow.Array {
	idx := r.rec.Schema().FieldIndices(name)
	return r.rec.Column(idx[0])
}

func (r row) str(name string) string { return r.col(name).(*array.String).Value(r.i) }
func (r row) u64(name string) uint64 { return r.col(name).(*array.Uint64).Value(r.i) }
func (r row) u32(name string) uint32 { return r.col(name).(*array.Uint32).Value(r.i) }

func (r row) dec(name string) decimal.Decimal {
	return table.FromDecimal128(r.col(name).(*array.Decimal128).Value(r.i))
}

func (r row) decPtr(name string) *decimal.Decimal {
	if r.col(name).IsNull(r.i) {
		return nil
	}
	d := r.dec(name)
	return &d
}

// Timestamps are seconds in t's schema.
func (r row) ts(name string) time.Time {
	return time.Unix(int64(r.col(name).(*array.Timestamp).Value(r.i)), 0).UTC()
}

func (r row) tsPtr(name string) *time.Time {
	if r.col(name).IsNull(r.i) {
		return nil
	}
	t := r.ts(name)
	return &t
}

func (r row) meta() model.Meta {
	return model.Meta{Platform: r.str("platform"), Shop: r.str("shop"), RunID: r.str("run_id"), Version: r.u64("version")}
}

// ReadOrderHistory reads order_history under dir as ClickHouse FINAL
// does: one row per order and state, its earliest observation.
func ReadOrderHistory(dir string) ([]model.OrderObservation, error) {
	var out []model.OrderObservation
	err := latestRows(dir, table.OrderHistory, func(r row) error {
		out = append(out, model.OrderObservation{
			Meta: r.meta(), OrderID: r.str("order_id"), StateHash: r.u64("state_hash"),
			Status: r.str("status"), PaymentStatus: r.str("payment_status"),
			ShippingStatus: r.str("shipping_status"), RefundStatus: r.str("refund_status"),
			PaidAmount: r.dec("paid_amount"), RefundedAmount: r.dec("refunded_amount"), TotalAmount: r.dec("total_amount"),
			Currency: r.str("currency"), ObservedAt: r.ts("observed_at"), PlatformTime: r.tsPtr("platform_time"),
			CreatedAt: r.ts("created_at"),
		})
		return nil
	})
	return out, err
}

// ReadRefundHistory reads refund_history under dir as ClickHouse FINAL
// does: one row per refund and state, its earliest observation.
func ReadRefundHistory(dir string) ([]model.RefundObservation, error) {
	var out []model.RefundObservation
	err := latestRows(dir, table.RefundHistory, func(r row) error {
		out = append(out, model.RefundObservation{
			Meta: r.meta(), OrderID: r.str("order_id"), RefundID: r.str("refund_id"), StateHash: r.u64("state_hash"),
			Status: r.str("status"), Amount: r.decPtr("amount"), Currency: r.str("currency"),
			ObservedAt: r.ts("observed_at"), CreatedAt: r.ts("created_at"),
		})
		return nil
	})
	return out, err
}

// ReadRefunds reads the current refunds under dir, as ClickHouse's
// refunds_latest view gives them: one row per refund, the highest
// version, with RefundedAt the platform's own time or else the first
// observation of the refund's state (history.FillRefundedAt).
func ReadRefunds(dir string) ([]model.Refund, error) {
	var out []model.Refund
	err := latestRows(dir, table.Refunds, func(r row) error {
		out = append(out, model.Refund{
			Meta: r.meta(), OrderID: r.str("order_id"), RefundID: r.str("refund_id"), LineNo: r.u32("line_no"),
			Status: r.str("status"), Amount: r.decPtr("amount"), Currency: r.str("currency"),
			RefundedAt: r.tsPtr("refunded_at"), CreatedAt: r.ts("created_at"),
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	seen, err := ReadRefundHistory(dir)
	if err != nil {
		return nil, err
	}
	history.FillRefundedAt(out, seen)
	return out, nil
}
