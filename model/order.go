package model

import (
	"time"

	"github.com/shopspring/decimal"
)

// Status axes: each holds one value of a fixed vocabulary (SPEC §4).
const (
	StatusPending   = "pending"
	StatusPaid      = "paid"
	StatusShipped   = "shipped"
	StatusCompleted = "completed"
	StatusCancelled = "cancelled"

	PaymentUnpaid            = "unpaid"
	PaymentPending           = "pending"
	PaymentFailed            = "failed"
	PaymentPartiallyPaid     = "partially_paid"
	PaymentPaid              = "paid"
	PaymentPartiallyRefunded = "partially_refunded"
	PaymentRefunded          = "refunded"

	ShippingUnshipped         = "unshipped"
	ShippingPartiallyShipped  = "partially_shipped"
	ShippingShipped           = "shipped"
	ShippingPartiallyReturned = "partially_returned"
	ShippingReturned          = "returned"

	RefundNone       = "none"
	RefundRequested  = "requested"
	RefundProcessing = "processing"
	RefundPartial    = "partial"
	RefundFull       = "full"
	RefundRejected   = "rejected"
)

// Meta identifies where and when a row was produced. Version orders the
// versions of one key: a later read of the shop's API gets a higher version,
// so ReplacingMergeTree and Parquet readers keep the most recent state.
type Meta struct {
	Platform string
	Shop     string
	RunID    string
	Version  uint64
}

// Order is one version of an order.
type Order struct {
	Meta
	OrderID  string // the number people see
	SourceID string // the platform's internal id, where there is one

	Status         string
	PaymentStatus  string
	ShippingStatus string
	RefundStatus   string
	RawStatus      string // the platform's own codes, e.g. "status=1 is_refund=0 refund_type=0"

	Currency       string
	GoodsAmount    decimal.Decimal
	ShippingAmount decimal.Decimal
	DiscountAmount decimal.Decimal
	FeeAmount      decimal.Decimal
	TotalAmount    decimal.Decimal
	PaidAmount     decimal.Decimal
	RefundedAmount decimal.Decimal

	CreatedAt time.Time
	PaidAt    *time.Time
	ShippedAt *time.Time
	UpdatedAt *time.Time

	Country        string
	PaymentMethod  string
	TrackingNumber string
	ItemCount      uint32 // lines
	Quantity       uint32 // pieces

	Anomalies []string
}

// Item is one order line.
type Item struct {
	Meta
	OrderID      string
	LineNo       uint32 // 1-based, in the platform's order
	SKU          string
	Title        string
	Quantity     uint32
	UnitPrice    decimal.Decimal
	Discount     decimal.Decimal
	LineTotal    decimal.Decimal
	Currency     string
	RefundStatus string
	CreatedAt    time.Time // the order's creation time (partitions by it)
}

// Refund is one refund, of a whole order (LineNo 0) or of one line.
type Refund struct {
	Meta
	OrderID  string
	RefundID string
	LineNo   uint32
	Status   string
	// Amount is nil when the platform flags a refund without saying how much.
	Amount    *decimal.Decimal
	Currency  string
	CreatedAt time.Time // the order's creation time (partitions by it)
}

// Record is everything one source order turns into.
type Record struct {
	Order   Order
	Items   []Item
	Refunds []Refund
}

// Quarantined is a source record that could not be turned into rows. Its raw
// payload is kept so that nothing is dropped silently.
type Quarantined struct {
	Meta
	Seq      uint64
	Endpoint string
	Key      string // the record's id where it could be read
	Reason   string
	Payload  string
	At       time.Time
}
