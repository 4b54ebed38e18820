package reconcile

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/table"
)

// parquetSource reads the Parquet files under a directory, each key's row
// of the highest version, as ClickHouse FINAL gives them; refunds are
// dated from refund_history as refunds_latest dates them.
type parquetSource struct{ dir string }

// OpenParquet reads the Parquet sink's directory dir, which a run must
// have created.
func OpenParquet(dir string) (Source, error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("parquet: no Parquet files yet under %s: no run has loaded it yet", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("parquet: %s is not a directory", dir)
	}
	return parquetSource{dir}, nil
}

func (s parquetSource) Name() string { return "parquet" }
func (s parquetSource) Close() error { return nil }

// latest calls fn with shop's current rows of t.
func (s parquetSource) latest(ctx context.Context, t *table.Table, shop Shop, fn func(parquet.Row) error) error {
	return parquet.Latest(s.dir, t, shop.Name, func(r parquet.Row) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if r.String("platform") != shop.Platform {
			return nil
		}
		return fn(r)
	})
}

func (s parquetSource) Orders(ctx context.Context, shop Shop, fn func(Order) error) error {
	return s.latest(ctx, table.Orders, shop, func(r parquet.Row) error {
		return fn(Order{OrderID: r.String("order_id"), PaymentStatus: r.String("payment_status"),
			RawStatus: r.String("raw_status"), Currency: r.String("currency"),
			Goods: r.Decimal("goods_amount"), Shipping: r.Decimal("shipping_amount"), Fee: r.Decimal("fee_amount"),
			Discount: r.Decimal("discount_amount"), Total: r.Decimal("total_amount"), Paid: r.Decimal("paid_amount"),
			Refunded: r.Decimal("refunded_amount"), CreatedAt: r.Time("created_at")})
	})
}

func (s parquetSource) Refunds(ctx context.Context, shop Shop, fn func(Refund) error) error {
	refunds, err := parquet.ReadRefunds(s.dir, shop.Name)
	if err != nil {
		return err
	}
	for _, f := range refunds {
		if f.Platform != shop.Platform {
			continue
		}
		if err := fn(Refund{OrderID: f.OrderID, RefundID: f.RefundID, Currency: f.Currency,
			Amount: f.Amount, RefundedAt: f.RefundedAt}); err != nil {
			return err
		}
	}
	return nil
}

func (s parquetSource) Payments(ctx context.Context, shop Shop, fn func(Payment) error) error {
	return s.latest(ctx, table.Payments, shop, func(r parquet.Row) error {
		return fn(Payment{OrderID: r.String("order_id"), TransactionID: r.String("transaction_id")})
	})
}
