package table

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/history"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/money"
)

// maxDecimal is the first value that does not fit Decimal(18,4).
var maxDecimal = decimal.New(1, DecimalPrecision-DecimalScale)

// ToDecimal128 converts an amount exactly, refusing any value Decimal(18,4)
// cannot hold instead of rounding it.
func ToDecimal128(d decimal.Decimal) (decimal128.Num, error) {
	if v, ok := money.Scaled(d); ok {
		return decimal128.FromI64(v), nil
	}
	if d.Abs().GreaterThanOrEqual(maxDecimal) {
		return decimal128.Num{}, fmt.Errorf("amount %s does not fit Decimal(18,4)", d)
	}
	scaled := d.Shift(DecimalScale)
	if !scaled.IsInteger() {
		return decimal128.Num{}, fmt.Errorf("amount %s has more than %d decimal places", d, DecimalScale)
	}
	// Below 10^18 in magnitude, so it fits an int64: no big.Int on this
	// per-amount path.
	return decimal128.FromI64(scaled.IntPart()), nil
}

// ScaledInt64 is n, an amount as ToDecimal128 writes it, as the int64 of
// its scaled integer (ClickHouse's Decimal(18,4) on the wire), and whether
// it fits Decimal(18,4).
func ScaledInt64(n decimal128.Num) (int64, bool) {
	v := int64(n.LowBits())
	// Sign-extended into the high half: the value is an int64.
	limit := money.Exp10(DecimalPrecision)
	return v, n.HighBits() == v>>63 && v < limit && v > -limit
}

// FromDecimal128 is the inverse of ToDecimal128. Values outside int64
// (never written by ToDecimal128) take the exact big.Int path.
func FromDecimal128(n decimal128.Num) decimal.Decimal {
	lo := int64(n.LowBits())
	if (n.HighBits() == 0 && lo >= 0) || (n.HighBits() == -1 && lo < 0) {
		return decimal.New(lo, -DecimalScale)
	}
	return decimal.NewFromBigInt(n.BigInt(), -DecimalScale)
}

// Builder accumulates one table's rows into an Arrow record batch.
type Builder struct {
	Table  *Table
	schema *arrow.Schema
	mem    memory.Allocator
	// Each column is built by fields[i], Arrow's builder of its type, but
	// a String column by strCols[i] (fields[i] is nil there): see strColumn.
	fields  []array.Builder
	strCols []strColumn
	rows    int
	col     int
	err     error
	// room is the size of the last batch flushed, each column's rows and
	// string bytes, reserved when the next batch starts: a shop's batches
	// of a table are most often alike, and the builders then grow once per
	// batch instead of doubling their way up (issue 18).
	room []size
}

// size is a column's rows and, inside them, a string column's bytes or a
// list column's values.
type size struct{ rows, inner int }

// sizeOf measures an array for reserve.
func sizeOf(a arrow.Array) size {
	switch a := a.(type) {
	case *array.String:
		return size{a.Len(), len(a.ValueBytes())}
	case *array.List:
		return size{a.Len(), a.ListValues().Len()}
	}
	return size{rows: a.Len()}
}

// reserve makes room in column i for what sizeOf measured, and a
// sixteenth more: most batches differ a little from the last (ids and
// names vary in length, orders in their lines), and a column one row or
// byte short of its room doubled and copied it whole. The room is taken
// at its size (Arrow's Reserve rounds rows up to a power of two, up to
// twice what the batch needs), from buffers of a size class an eighth
// apart (Memory) (issue 18). A list's values are reserved as strings, the
// one list type of the tables.
func (b *Builder) reserve(i int, s size) {
	rows, inner := withMargin(s.rows), withMargin(s.inner)
	f := b.fields[i]
	if f == nil {
		b.strCols[i].reserve(b.mem, rows, inner)
		return
	}
	f.Resize(rows)
	if f, ok := f.(*array.ListBuilder); ok {
		f.ValueBuilder().Resize(inner)
	}
}

// withMargin is n and a sixteenth more.
func withMargin(n int) int { return n + n/16 }

// NewBuilder starts an empty batch of t.
func NewBuilder(mem memory.Allocator, t *Table) *Builder {
	b := &Builder{Table: t, schema: t.Schema(), mem: mem,
		fields: make([]array.Builder, len(t.Columns)), strCols: make([]strColumn, len(t.Columns))}
	for i, c := range t.Columns {
		if c.Type != String {
			b.fields[i] = array.NewBuilder(mem, c.Type.ArrowType())
		}
	}
	return b
}

// Rows is the number of rows appended since the last Flush.
func (b *Builder) Rows() int { return b.rows }

// Flush returns the rows so far as a record batch (the caller releases it)
// and starts a new one. It returns nil when there are no rows.
func (b *Builder) Flush() arrow.RecordBatch {
	if b.rows == 0 {
		return nil
	}
	cols := make([]arrow.Array, len(b.fields))
	for i, f := range b.fields {
		if f == nil {
			cols[i] = b.strCols[i].newArray(b.mem)
		} else {
			cols[i] = f.NewArray()
		}
	}
	rec := array.NewRecordBatch(b.schema, cols, int64(b.rows))
	b.room = b.room[:0]
	for _, a := range cols {
		b.room = append(b.room, sizeOf(a))
		a.Release() // rec holds them
	}
	b.rows = 0
	return rec
}

// Release frees the builder's memory.
func (b *Builder) Release() {
	for i, f := range b.fields {
		if f == nil {
			b.strCols[i].release(b.mem)
		} else {
			f.Release()
		}
	}
}

func (b *Builder) next() array.Builder {
	f := b.fields[b.col]
	b.col++
	return f
}

func (b *Builder) str(s string) {
	b.strCols[b.col].append(b.mem, s)
	b.col++
}

func (b *Builder) u32(v uint32) { b.next().(*array.Uint32Builder).Append(v) }
func (b *Builder) u64(v uint64) { b.next().(*array.Uint64Builder).Append(v) }
func (b *Builder) ts(t time.Time) {
	b.next().(*array.TimestampBuilder).Append(arrow.Timestamp(t.Unix()))
}

func (b *Builder) tsPtr(t *time.Time) {
	f := b.next().(*array.TimestampBuilder)
	if t == nil {
		f.AppendNull()
		return
	}
	f.Append(arrow.Timestamp(t.Unix()))
}

func (b *Builder) dec(name string, d decimal.Decimal) {
	f := b.next().(*array.Decimal128Builder)
	n, err := ToDecimal128(d)
	if err != nil && b.err == nil {
		b.err = fmt.Errorf("%s.%s: %w", b.Table.Name, name, err)
	}
	f.Append(n)
}

func (b *Builder) decPtr(name string, d *decimal.Decimal) {
	if d == nil {
		b.next().(*array.Decimal128Builder).AppendNull()
		return
	}
	b.dec(name, *d)
}

func (b *Builder) strs(v []string) {
	f := b.next().(*array.ListBuilder)
	f.Append(true)
	vb := f.ValueBuilder().(*array.StringBuilder)
	for _, s := range v {
		vb.Append(s)
	}
}

func (b *Builder) begin(m model.Meta) {
	// Reserved at the next batch's first row, not at Flush, so that the
	// batch flushed is released before its successor's room is taken.
	for i, s := range b.room {
		b.reserve(i, s)
	}
	b.room = b.room[:0]
	b.col = 0
	b.err = nil
	b.str(m.Platform)
	b.str(m.Shop)
}

// end closes a row. A row that failed a check is still complete in the
// builder, so the caller must not flush after an error: it quarantines the
// record's source instead (see Batch.Add).
func (b *Builder) end(m model.Meta) error {
	b.str(m.RunID)
	b.u64(m.Version)
	if b.col != len(b.Table.Columns) {
		panic(fmt.Sprintf("table %s: appended %d of %d columns", b.Table.Name, b.col, len(b.Table.Columns)))
	}
	b.rows++
	return b.err
}

// AppendOrder appends one orders row.
func (b *Builder) AppendOrder(o *model.Order) error {
	b.begin(o.Meta)
	b.str(o.OrderID)
	b.str(o.SourceID)
	b.str(o.Status)
	b.str(o.PaymentStatus)
	b.str(o.ShippingStatus)
	b.str(o.RefundStatus)
	b.str(o.RawStatus)
	b.str(o.Currency)
	b.dec("goods_amount", o.GoodsAmount)
	b.dec("shipping_amount", o.ShippingAmount)
	b.dec("discount_amount", o.DiscountAmount)
	b.dec("fee_amount", o.FeeAmount)
	b.dec("total_amount", o.TotalAmount)
	b.dec("paid_amount", o.PaidAmount)
	b.dec("refunded_amount", o.RefundedAmount)
	b.ts(o.CreatedAt)
	b.tsPtr(o.PaidAt)
	b.tsPtr(o.ShippedAt)
	b.tsPtr(o.UpdatedAt)
	b.str(o.Country)
	b.str(o.PaymentMethod)
	b.str(o.TrackingNumber)
	b.u32(o.ItemCount)
	b.u32(o.Quantity)
	b.strs(o.Anomalies)
	b.str(o.BuyerID)
	b.str(o.BuyerName)
	b.str(o.BuyerEmail)
	b.str(o.BuyerPhone)
	b.str(o.ShipName)
	b.str(o.ShipPhone)
	b.str(o.ShipAddress)
	b.str(o.ShipCity)
	b.str(o.ShipRegion)
	b.str(o.ShipPostcode)
	return b.end(o.Meta)
}

// AppendItem appends one order_items row.
func (b *Builder) AppendItem(it *model.Item) error {
	b.begin(it.Meta)
	b.str(it.OrderID)
	b.u32(it.LineNo)
	b.str(it.SKU)
	b.str(it.Title)
	b.u32(it.Quantity)
	b.dec("unit_price", it.UnitPrice)
	b.dec("discount_amount", it.Discount)
	b.dec("line_total", it.LineTotal)
	b.str(it.Currency)
	b.str(it.RefundStatus)
	b.ts(it.CreatedAt)
	return b.end(it.Meta)
}

// AppendRefund appends one refunds row.
func (b *Builder) AppendRefund(r *model.Refund) error {
	b.begin(r.Meta)
	b.str(r.OrderID)
	b.str(r.RefundID)
	b.u32(r.LineNo)
	b.str(r.Status)
	b.decPtr("amount", r.Amount)
	b.str(r.Currency)
	b.tsPtr(r.RefundedAt)
	b.u64(history.RefundState(r.Status, r.Amount))
	b.ts(r.CreatedAt)
	return b.end(r.Meta)
}

// AppendOrderObservation appends one order_history row.
func (b *Builder) AppendOrderObservation(o *model.OrderObservation) error {
	b.begin(o.Meta)
	b.str(o.OrderID)
	b.u64(o.StateHash)
	b.str(o.Status)
	b.str(o.PaymentStatus)
	b.str(o.ShippingStatus)
	b.str(o.RefundStatus)
	b.dec("paid_amount", o.PaidAmount)
	b.dec("refunded_amount", o.RefundedAmount)
	b.dec("total_amount", o.TotalAmount)
	b.str(o.Currency)
	b.ts(o.ObservedAt)
	b.tsPtr(o.PlatformTime)
	b.ts(o.CreatedAt)
	return b.end(o.Meta)
}

// AppendRefundObservation appends one refund_history row.
func (b *Builder) AppendRefundObservation(r *model.RefundObservation) error {
	b.begin(r.Meta)
	b.str(r.OrderID)
	b.str(r.RefundID)
	b.u64(r.StateHash)
	b.str(r.Status)
	b.decPtr("amount", r.Amount)
	b.str(r.Currency)
	b.ts(r.ObservedAt)
	b.ts(r.CreatedAt)
	return b.end(r.Meta)
}

// AppendPayment appends one payments row.
func (b *Builder) AppendPayment(p *model.Payment) error {
	b.begin(p.Meta)
	b.str(p.PaymentID)
	b.str(p.OrderID)
	b.str(p.TransactionID)
	b.str(p.Method)
	b.str(p.Status)
	b.str(p.RawStatus)
	b.decPtr("amount", p.Amount)
	b.str(p.Currency)
	b.tsPtr(p.PaidAt)
	b.ts(p.CreatedAt)
	return b.end(p.Meta)
}

// AppendShipment appends one shipments row.
func (b *Builder) AppendShipment(s *model.Shipment) error {
	b.begin(s.Meta)
	b.str(s.ShipmentID)
	b.str(s.OrderID)
	b.str(s.Kind)
	b.str(s.Carrier)
	b.str(s.TrackingNumber)
	b.str(s.Status)
	b.decPtr("cost", s.Cost)
	b.str(s.Currency)
	b.tsPtr(s.ShippedAt)
	b.ts(s.CreatedAt)
	return b.end(s.Meta)
}

// AppendQuarantined appends one etl_quarantine row.
func (b *Builder) AppendQuarantined(q *model.Quarantined) error {
	b.begin(q.Meta)
	b.u64(q.Seq)
	b.str(q.Endpoint)
	b.str(q.Key)
	b.str(q.Reason)
	b.str(q.Payload)
	b.ts(q.At)
	return b.end(q.Meta)
}

// AppendRun appends one etl_runs row.
func (b *Builder) AppendRun(r *model.Run) error {
	b.begin(r.Meta)
	b.str(r.Job)
	b.str(r.ShopetlVersion)
	b.str(r.Status)
	b.str(r.Error)
	b.tsPtr(r.WindowFrom)
	b.tsPtr(r.WindowTo)
	b.ts(r.StartedAt)
	b.ts(r.FinishedAt)
	b.u64(r.DurationMS)
	b.u64(r.Pages)
	b.u64(r.Orders)
	b.u64(r.Quarantined)
	b.u64(r.Retries)
	for _, n := range r.Rows {
		b.u64(n)
	}
	return b.end(r.Meta)
}
