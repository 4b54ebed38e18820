package table

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/shopetl/shopetl/money"
)

// SchemaVersion numbers the table declarations below. It grows by one
// whenever they change; changes are additive (new tables, new columns at
// any place), so a sink upgrades an older store in place and refuses a
// newer one.
//
//	1  orders, order_items, refunds, etl_quarantine (issue 2)
//	2  payments, shipments, etl_runs; buyer and ship-to columns on orders
//	3  shopetl_version on etl_runs (issue 16)
//	4  order_history, refund_history; refunded_at and state_hash on
//	   refunds (issue 17)
const SchemaVersion = 4

// Type is a column's logical type; each sink maps it to its own.
type Type int

const (
	String Type = iota
	UInt32
	UInt64
	Decimal         // Decimal(18,4), never null
	NullableDecimal // Decimal(18,4) or null
	DateTime        // UTC, seconds
	NullableDateTime
	StringArray
)

// Money columns are Decimal(18,4).
const (
	DecimalPrecision = money.Precision
	DecimalScale     = money.Scale
)

// Column is one column of a table.
type Column struct {
	Name string
	Type Type
}

// Table is one output table.
type Table struct {
	Name    string
	Columns []Column
	// Key is the table's identity: one current row per key after dedup.
	Key []string
	// Version orders a key's rows; the highest wins.
	Version string
	// PartitionTime names the DateTime column partitions are made of.
	PartitionTime string
	// Shard names the columns a cluster spreads rows over its shards by,
	// so that every version of a key lands on one shard; nil: platform
	// and shop.
	Shard []string
}

// ArrowType returns the Arrow type a column is batched as.
func (t Type) ArrowType() arrow.DataType {
	switch t {
	case String:
		return arrow.BinaryTypes.String
	case UInt32:
		return arrow.PrimitiveTypes.Uint32
	case UInt64:
		return arrow.PrimitiveTypes.Uint64
	case Decimal, NullableDecimal:
		return &arrow.Decimal128Type{Precision: DecimalPrecision, Scale: DecimalScale}
	case DateTime, NullableDateTime:
		return &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}
	case StringArray:
		return arrow.ListOf(arrow.BinaryTypes.String)
	}
	panic("table: unknown column type")
}

// Nullable reports whether the column admits nulls.
func (t Type) Nullable() bool { return t == NullableDecimal || t == NullableDateTime }

// Schema is the table's Arrow schema.
func (t *Table) Schema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.Columns))
	for i, c := range t.Columns {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type.ArrowType(), Nullable: c.Type.Nullable()}
	}
	return arrow.NewSchema(fields, nil)
}

// ColumnIndex returns the position of a column, or -1.
func (t *Table) ColumnIndex(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// ColumnNames lists the columns in order.
func (t *Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

var meta = []Column{{"platform", String}, {"shop", String}}
var trailer = []Column{{"run_id", String}, {"version", UInt64}}

func cols(middle ...Column) []Column {
	out := append([]Column{}, meta...)
	out = append(out, middle...)
	return append(out, trailer...)
}

// Orders has one row per order version.
var Orders = &Table{
	Name: "orders",
	Columns: cols(
		Column{"order_id", String}, Column{"source_id", String},
		Column{"status", String}, Column{"payment_status", String},
		Column{"shipping_status", String}, Column{"refund_status", String},
		Column{"raw_status", String}, Column{"currency", String},
		Column{"goods_amount", Decimal}, Column{"shipping_amount", Decimal},
		Column{"discount_amount", Decimal}, Column{"fee_amount", Decimal},
		Column{"total_amount", Decimal}, Column{"paid_amount", Decimal},
		Column{"refunded_amount", Decimal},
		Column{"created_at", DateTime}, Column{"paid_at", NullableDateTime},
		Column{"shipped_at", NullableDateTime}, Column{"updated_at", NullableDateTime},
		Column{"country", String}, Column{"payment_method", String},
		Column{"tracking_number", String},
		Column{"item_count", UInt32}, Column{"quantity", UInt32},
		Column{"anomalies", StringArray},
		Column{"buyer_id", String}, Column{"buyer_name", String},
		Column{"buyer_email", String}, Column{"buyer_phone", String},
		Column{"ship_name", String}, Column{"ship_phone", String},
		Column{"ship_address", String}, Column{"ship_city", String},
		Column{"ship_region", String}, Column{"ship_postcode", String},
	),
	Key:           []string{"platform", "shop", "order_id"},
	Version:       "version",
	PartitionTime: "created_at",
}

// OrderItems has one row per order line.
var OrderItems = &Table{
	Name: "order_items",
	Columns: cols(
		Column{"order_id", String}, Column{"line_no", UInt32},
		Column{"sku", String}, Column{"title", String},
		Column{"quantity", UInt32}, Column{"unit_price", Decimal},
		Column{"discount_amount", Decimal}, Column{"line_total", Decimal},
		Column{"currency", String}, Column{"refund_status", String},
		Column{"created_at", DateTime},
	),
	Key:           []string{"platform", "shop", "order_id", "line_no"},
	Version:       "version",
	PartitionTime: "created_at",
}

// Refunds has one row per refund, order- or line-level. refunded_at is
// the platform's own refund time, null where its document gives none
// (readers then take the first observation of the refund's state, see
// package history); state_hash is history.RefundState of status and
// amount, the refund_history key it joins on.
var Refunds = &Table{
	Name: "refunds",
	Columns: cols(
		Column{"order_id", String}, Column{"refund_id", String},
		Column{"line_no", UInt32}, Column{"status", String},
		Column{"amount", NullableDecimal}, Column{"currency", String},
		Column{"refunded_at", NullableDateTime}, Column{"state_hash", UInt64},
		Column{"created_at", DateTime},
	),
	Key:           []string{"platform", "shop", "order_id", "refund_id"},
	Version:       "version",
	PartitionTime: "created_at",
}

// Payments has one row per payment record.
var Payments = &Table{
	Name: "payments",
	Columns: cols(
		Column{"payment_id", String}, Column{"order_id", String},
		Column{"transaction_id", String}, Column{"method", String},
		Column{"status", String}, Column{"raw_status", String},
		Column{"amount", NullableDecimal}, Column{"currency", String},
		Column{"paid_at", NullableDateTime}, Column{"created_at", DateTime},
	),
	Key:           []string{"platform", "shop", "payment_id"},
	Version:       "version",
	PartitionTime: "created_at",
}

// Shipments has one row per delivery or return.
var Shipments = &Table{
	Name: "shipments",
	Columns: cols(
		Column{"shipment_id", String}, Column{"order_id", String},
		Column{"kind", String}, Column{"carrier", String},
		Column{"tracking_number", String}, Column{"status", String},
		Column{"cost", NullableDecimal}, Column{"currency", String},
		Column{"shipped_at", NullableDateTime}, Column{"created_at", DateTime},
	),
	Key:           []string{"platform", "shop", "shipment_id"},
	Version:       "version",
	PartitionTime: "created_at",
}

// OrderHistory has one row per observed state of an order: its status
// axes and amounts, keyed by their hash, holding when shopetl first saw
// it. Its version falls as observations get later (history.Version), so
// the dedup of both sinks keeps the earliest observation of each state.
var OrderHistory = &Table{
	Name: "order_history",
	Columns: cols(
		Column{"order_id", String}, Column{"state_hash", UInt64},
		Column{"status", String}, Column{"payment_status", String},
		Column{"shipping_status", String}, Column{"refund_status", String},
		Column{"paid_amount", Decimal}, Column{"refunded_amount", Decimal},
		Column{"total_amount", Decimal}, Column{"currency", String},
		Column{"observed_at", DateTime}, Column{"platform_time", NullableDateTime},
		Column{"created_at", DateTime},
	),
	Key:           []string{"platform", "shop", "order_id", "state_hash"},
	Version:       "version",
	PartitionTime: "created_at",
}

// RefundHistory has one row per observed state (status and amount) of a
// refund, holding when shopetl first saw it, as OrderHistory does.
var RefundHistory = &Table{
	Name: "refund_history",
	Columns: cols(
		Column{"order_id", String}, Column{"refund_id", String},
		Column{"state_hash", UInt64}, Column{"status", String},
		Column{"amount", NullableDecimal}, Column{"currency", String},
		Column{"observed_at", DateTime}, Column{"created_at", DateTime},
	),
	Key:           []string{"platform", "shop", "order_id", "refund_id", "state_hash"},
	Version:       "version",
	PartitionTime: "created_at",
}

// Quarantine keeps every rejected record with its raw payload and reason.
var Quarantine = &Table{
	Name: "etl_quarantine",
	Columns: cols(
		Column{"seq", UInt64}, Column{"endpoint", String},
		Column{"record_key", String}, Column{"reason", String},
		Column{"payload", String}, Column{"created_at", DateTime},
	),
	Key:           []string{"run_id", "shop", "seq"},
	Version:       "version",
	PartitionTime: "created_at",
}

// Runs has one row per shop run. The rows_* columns count what the run
// wrote to each table, in model.Run.Rows order (RunRowTables).
var Runs = &Table{
	Name: "etl_runs",
	Columns: cols(
		Column{"job", String}, Column{"shopetl_version", String},
		Column{"status", String}, Column{"error", String},
		Column{"window_from", NullableDateTime}, Column{"window_to", NullableDateTime},
		Column{"started_at", DateTime}, Column{"finished_at", DateTime},
		Column{"duration_ms", UInt64}, Column{"pages", UInt64},
		Column{"orders_read", UInt64}, Column{"quarantined", UInt64}, Column{"retries", UInt64},
		Column{"rows_orders", UInt64}, Column{"rows_order_items", UInt64},
		Column{"rows_refunds", UInt64}, Column{"rows_payments", UInt64},
		Column{"rows_shipments", UInt64},
	),
	Key:           []string{"run_id", "shop"},
	Version:       "version",
	PartitionTime: "started_at",
}

// RunRowTables are the tables model.Run.Rows counts, in its order. The
// history tables are not counted: most of their rows lose to an earlier
// observation, so a count of rows written would say little.
var RunRowTables = [5]*Table{Orders, OrderItems, Refunds, Payments, Shipments}

// All lists the tables in load order. Runs is last: a shop's run row is
// written after its data.
var All = []*Table{Orders, OrderItems, Refunds, Payments, Shipments, OrderHistory, RefundHistory, Quarantine, Runs}
