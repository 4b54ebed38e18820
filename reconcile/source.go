package reconcile

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
)

// Shop is one shop of the job, as a report groups by it.
type Shop struct {
	Name, Platform string
	Location       *time.Location // its days are counted in this timezone
}

// Order is what a report reads of an order's current row (orders FINAL).
type Order struct {
	OrderID, PaymentStatus, RawStatus, Currency           string
	Goods, Shipping, Fee, Discount, Total, Paid, Refunded decimal.Decimal
	CreatedAt                                             time.Time
}

// Refund is what a report reads of a current refund (refunds_latest).
type Refund struct {
	OrderID, RefundID, Currency string
	Amount                      *decimal.Decimal // nil: the platform states none
	RefundedAt                  *time.Time       // nil: never observed (rows older than refund_history)
}

// Payment is what a report reads of a current payment record.
type Payment struct {
	OrderID, TransactionID string
}

// Source reads one shop's current rows from a store. Each call streams
// the rows to fn in any order; a report does not depend on it.
type Source interface {
	Name() string // "clickhouse" or "parquet"
	Orders(ctx context.Context, shop Shop, fn func(Order) error) error
	Refunds(ctx context.Context, shop Shop, fn func(Refund) error) error
	Payments(ctx context.Context, shop Shop, fn func(Payment) error) error
	Close() error
}
