package reconcile

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/load/clickhouse"
)

// clickhouseSource reads the current rows with FINAL (refunds through
// refunds_latest, which dates each refund): the rows a run left, merged
// or not.
type clickhouseSource struct{ r *clickhouse.Reader }

// OpenClickHouse connects to the job's ClickHouse for reading.
func OpenClickHouse(ctx context.Context, cfg clickhouse.Config) (Source, error) {
	r, err := clickhouse.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return clickhouseSource{r}, nil
}

func (s clickhouseSource) Name() string { return "clickhouse" }
func (s clickhouseSource) Close() error { return s.r.Close() }

// each runs query for shop and calls scan on every row.
func (s clickhouseSource) each(ctx context.Context, what, query string, shop Shop, scan func(driver.Rows) error) error {
	rows, err := s.r.Query(ctx, what, query+" WHERE `platform` = ? AND `shop` = ?", shop.Platform, shop.Name)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return s.r.Wrap(err, what)
		}
	}
	return s.r.Wrap(rows.Err(), what)
}

func (s clickhouseSource) Orders(ctx context.Context, shop Shop, fn func(Order) error) error {
	return s.each(ctx, "orders", "SELECT `order_id`, `payment_status`, `raw_status`, `currency`, `goods_amount`, "+
		"`shipping_amount`, `fee_amount`, `discount_amount`, `total_amount`, `paid_amount`, `refunded_amount`, `created_at` FROM "+
		s.r.Table("orders")+" FINAL", shop, func(rows driver.Rows) error {
		var o Order
		if err := rows.Scan(&o.OrderID, &o.PaymentStatus, &o.RawStatus, &o.Currency, &o.Goods, &o.Shipping,
			&o.Fee, &o.Discount, &o.Total, &o.Paid, &o.Refunded, &o.CreatedAt); err != nil {
			return err
		}
		o.CreatedAt = o.CreatedAt.UTC()
		return fn(o)
	})
}

func (s clickhouseSource) Refunds(ctx context.Context, shop Shop, fn func(Refund) error) error {
	return s.each(ctx, "refunds_latest", "SELECT `order_id`, `refund_id`, `currency`, `amount`, `refunded_at` FROM "+
		s.r.Table("refunds_latest"), shop, func(rows driver.Rows) error {
		var f Refund
		var amount *decimal.Decimal
		var at *time.Time
		if err := rows.Scan(&f.OrderID, &f.RefundID, &f.Currency, &amount, &at); err != nil {
			return err
		}
		f.Amount = amount
		if at != nil {
			u := at.UTC()
			f.RefundedAt = &u
		}
		return fn(f)
	})
}

func (s clickhouseSource) Payments(ctx context.Context, shop Shop, fn func(Payment) error) error {
	return s.each(ctx, "payments", "SELECT `order_id`, `transaction_id` FROM "+s.r.Table("payments")+" FINAL", shop,
		func(rows driver.Rows) error {
			var p Payment
			if err := rows.Scan(&p.OrderID, &p.TransactionID); err != nil {
				return err
			}
			return fn(p)
		})
}
