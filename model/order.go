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

	// The buyer and the ship-to address. Names, e-mails, phones and
	// street addresses are personal data: the job's PII policy hashes
	// (the default), drops or keeps them after the transform (see
	// transform.PII). BuyerID is the platform's member id, a pseudonym.
	BuyerID      string
	BuyerName    string
	BuyerEmail   string
	BuyerPhone   string
	ShipName     string
	ShipPhone    string
	ShipAddress  string // street lines, joined by ", "
	ShipCity     string
	ShipRegion   string // state or province
	ShipPostcode string

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
	Amount   *decimal.Decimal
	Currency string
	// RefundedAt is the platform's own time of the refund where its
	// document gives one; else nil at transform time, and readers fill it
	// with the first observation of the refund's state (package history).
	RefundedAt *time.Time
	CreatedAt  time.Time // the order's creation time (partitions by it)
}

// OrderObservation is one observed state of an order (order_history): its
// four status axes and its paid, refunded and total amounts, with when
// shopetl first saw the order in that state. Package history builds them.
type OrderObservation struct {
	Meta
	OrderID        string
	StateHash      uint64 // history.OrderState of the fields below
	Status         string
	PaymentStatus  string
	ShippingStatus string
	RefundStatus   string
	PaidAmount     decimal.Decimal
	RefundedAmount decimal.Decimal
	TotalAmount    decimal.Decimal
	Currency       string
	ObservedAt     time.Time  // the page's fetch time, whole seconds UTC
	PlatformTime   *time.Time // the order's updated_at, where the platform gives one
	CreatedAt      time.Time  // the order's creation time (partitions by it)
}

// RefundObservation is one observed state of a refund (refund_history):
// its status and amount, with when shopetl first saw it in that state.
type RefundObservation struct {
	Meta
	OrderID    string
	RefundID   string
	StateHash  uint64 // history.RefundState of Status and Amount
	Status     string
	Amount     *decimal.Decimal
	Currency   string
	ObservedAt time.Time // the page's fetch time, whole seconds UTC
	CreatedAt  time.Time // the order's creation time (partitions by it)
}

// Payment is one payment record: money that moved, or was meant to move,
// for an order.
type Payment struct {
	Meta
	PaymentID     string // the platform's id of the record, unique in the shop
	OrderID       string
	TransactionID string // the payment provider's id (PayPal, Alipay...), "" when not given
	Method        string
	Status        string // the payment_status vocabulary of SPEC §4
	RawStatus     string
	// Amount is nil when the record does not say how much.
	Amount    *decimal.Decimal
	Currency  string
	PaidAt    *time.Time
	CreatedAt time.Time // the record's creation time, else the order's (partitions by it)
}

// Shipment is one delivery to the buyer or one return from them.
type Shipment struct {
	Meta
	ShipmentID     string // the platform's id; the order id where an order has one tracking number
	OrderID        string
	Kind           string // ShipmentDelivery or ShipmentReturn
	Carrier        string
	TrackingNumber string
	Status         string // the platform's own word for the shipment's state
	// Cost is nil when the record does not say.
	Cost      *decimal.Decimal
	Currency  string
	ShippedAt *time.Time
	CreatedAt time.Time // the record's creation time, else the order's (partitions by it)
}

// Shipment kinds.
const (
	ShipmentDelivery = "delivery"
	ShipmentReturn   = "return"
)

// Record is everything one source record turns into: an order with its
// lines, refunds, payments and shipments, or (OrderID empty) payments or
// shipments listed on their own.
type Record struct {
	Order     Order
	Items     []Item
	Refunds   []Refund
	Payments  []Payment
	Shipments []Shipment
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

// Run is one shop's run of a job: what it asked for, what it read and
// wrote, and how it ended (etl_runs).
type Run struct {
	Meta
	Job                  string
	ShopetlVersion       string // the build that ran it, as `shopetl version` prints it
	Status               string // "ok" or "failed"
	Error                string // why it failed, "" when ok
	WindowFrom, WindowTo *time.Time
	StartedAt            time.Time
	FinishedAt           time.Time
	DurationMS           uint64
	Pages                uint64
	Orders               uint64 // order records read, re-reads included
	Quarantined          uint64
	Retries              uint64
	// Rows written per table: orders, order_items, refunds, payments,
	// shipments, in that order (see table.Runs).
	Rows [5]uint64
}
