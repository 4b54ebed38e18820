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

// Latest reads t under dir and calls fn with each key's row of the highest
// version (the first one read on a tie), in key order: the rows ClickHouse
// FINAL keeps. shop, when not "", reads only that shop's files. The rows
// of every file are held until fn has seen the last one.
func Latest(dir string, t *table.Table, shop string, fn func(r Row) error) error {
	var recs []arrow.RecordBatch
	err := relisting(func() error {
		files, err := Files(dir, t)
		if shop != "" {
			files, err = ShopFiles(dir, t, shop)
		}
		if err != nil {
			return err
		}
		recs, err = readFiles(files, t)
		return err
	})
	if err != nil {
		return err
	}
	defer func() { releaseAll(recs) }()
	latest := latestRows(recs, t)
	order := make([]string, 0, len(latest))
	for k := range latest {
		order = append(order, k)
	}
	slices.Sort(order)
	for _, k := range order {
		if err := fn(latest[k].Row); err != nil {
			return fmt.Errorf("parquet: %s: %w", t.Name, err)
		}
	}
	return nil
}

// keptRow is a key's row of the highest version so far.
type keptRow struct {
	Row
	version uint64
}

// latestRows maps each key of recs (batches of t's schema) to its row of
// the highest version, the first one in recs' order on a tie.
func latestRows(recs []arrow.RecordBatch, t *table.Table) map[string]keptRow {
	latest := map[string]keptRow{}
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
				latest[string(b)] = keptRow{Row{rec, i}, v}
			}
		}
	}
	return latest
}

// Row is one row of a batch of a table's exact schema (see conform); its
// getters take a column name of the table and panic on a column of
// another type, as a wrong name is a bug of the caller.
type Row struct {
	rec arrow.RecordBatch
	i   int
}

func (r Row) col(name string) arrow.Array {
	idx := r.rec.Schema().FieldIndices(name)
	return r.rec.Column(idx[0])
}

// String is a String column's value.
func (r Row) String(name string) string { return r.col(name).(*array.String).Value(r.i) }

// Uint64 is a UInt64 column's value.
func (r Row) Uint64(name string) uint64 { return r.col(name).(*array.Uint64).Value(r.i) }

// Uint32 is a UInt32 column's value.
func (r Row) Uint32(name string) uint32 { return r.col(name).(*array.Uint32).Value(r.i) }

// Decimal is a money column's value.
func (r Row) Decimal(name string) decimal.Decimal {
	return table.FromDecimal128(r.col(name).(*array.Decimal128).Value(r.i))
}

// DecimalOrNil is a nullable money column's value, nil for null.
func (r Row) DecimalOrNil(name string) *decimal.Decimal {
	if r.col(name).IsNull(r.i) {
		return nil
	}
	d := r.Decimal(name)
	return &d
}

// Time is a timestamp column's value, UTC (seconds in every table's
// schema).
func (r Row) Time(name string) time.Time {
	return time.Unix(int64(r.col(name).(*array.Timestamp).Value(r.i)), 0).UTC()
}

// TimeOrNil is a nullable timestamp column's value, nil for null.
func (r Row) TimeOrNil(name string) *time.Time {
	if r.col(name).IsNull(r.i) {
		return nil
	}
	t := r.Time(name)
	return &t
}

func (r Row) meta() model.Meta {
	return model.Meta{Platform: r.String("platform"), Shop: r.String("shop"), RunID: r.String("run_id"), Version: r.Uint64("version")}
}

// ReadOrderHistory reads order_history under dir (of shop, or every shop
// for "") as ClickHouse FINAL does: one row per order and state, its
// earliest observation.
func ReadOrderHistory(dir, shop string) ([]model.OrderObservation, error) {
	var out []model.OrderObservation
	err := Latest(dir, table.OrderHistory, shop, func(r Row) error {
		out = append(out, model.OrderObservation{
			Meta: r.meta(), OrderID: r.String("order_id"), StateHash: r.Uint64("state_hash"),
			Status: r.String("status"), PaymentStatus: r.String("payment_status"),
			ShippingStatus: r.String("shipping_status"), RefundStatus: r.String("refund_status"),
			PaidAmount: r.Decimal("paid_amount"), RefundedAmount: r.Decimal("refunded_amount"), TotalAmount: r.Decimal("total_amount"),
			Currency: r.String("currency"), ObservedAt: r.Time("observed_at"), PlatformTime: r.TimeOrNil("platform_time"),
			CreatedAt: r.Time("created_at"),
		})
		return nil
	})
	return out, err
}

// ReadRefundHistory reads refund_history under dir (of shop, or every
// shop for "") as ClickHouse FINAL does: one row per refund and state, its
// earliest observation.
func ReadRefundHistory(dir, shop string) ([]model.RefundObservation, error) {
	var out []model.RefundObservation
	err := Latest(dir, table.RefundHistory, shop, func(r Row) error {
		out = append(out, model.RefundObservation{
			Meta: r.meta(), OrderID: r.String("order_id"), RefundID: r.String("refund_id"), StateHash: r.Uint64("state_hash"),
			Status: r.String("status"), Amount: r.DecimalOrNil("amount"), Currency: r.String("currency"),
			ObservedAt: r.Time("observed_at"), CreatedAt: r.Time("created_at"),
		})
		return nil
	})
	return out, err
}

// ReadRefunds reads the current refunds under dir (of shop, or every shop
// for ""), as ClickHouse's
// refunds_latest view gives them: one row per refund, the highest
// version, with RefundedAt the platform's own time or else the first
// observation of the refund's state (history.FillRefundedAt).
func ReadRefunds(dir, shop string) ([]model.Refund, error) {
	var out []model.Refund
	err := Latest(dir, table.Refunds, shop, func(r Row) error {
		out = append(out, model.Refund{
			Meta: r.meta(), OrderID: r.String("order_id"), RefundID: r.String("refund_id"), LineNo: r.Uint32("line_no"),
			Status: r.String("status"), Amount: r.DecimalOrNil("amount"), Currency: r.String("currency"),
			RefundedAt: r.TimeOrNil("refunded_at"), CreatedAt: r.Time("created_at"),
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	seen, err := ReadRefundHistory(dir, shop)
	if err != nil {
		return nil, err
	}
	history.FillRefundedAt(out, seen)
	return out, nil
}
