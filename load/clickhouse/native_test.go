package clickhouse_test

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/shopetl/shopetl/extract/extracttest"
	"github.com/shopetl/shopetl/load/clickhouse"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/table"
)

// The native encoding puts into the driver's columns exactly what convert
// and Append put there: every column of every table's batch (a simulated
// shop's, the edge amounts, nulls and sliced batch of testOrders, and
// oddOrders), alone and two batches in one insert, encodes to the same
// bytes for the server either way. Every column takes the native encoding
// on this server, and goes to it as encoded (not decoded into the
// driver's column).
func TestNativeFillEncodesAsAppend(t *testing.T) {
	t.Parallel()
	s, _ := clickhouse.NewTestSink(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	batches := extracttest.Batches(t, 300)
	orders := clickhouse.EdgeOrders(t)
	sliced := orders.NewSlice(1, 3)
	defer sliced.Release()
	odd := oddOrders(t)
	defer odd.Release()
	cases := map[string]struct {
		t    *table.Table
		recs []arrow.RecordBatch
	}{
		"edge orders": {table.Orders, []arrow.RecordBatch{orders}},
		"odd orders":  {table.Orders, []arrow.RecordBatch{odd}},
		"two batches": {table.Orders, []arrow.RecordBatch{sliced, orders, batches[table.Orders]}},
	}
	for tb, rec := range batches {
		cases[tb.Name] = struct {
			t    *table.Table
			recs []arrow.RecordBatch
		}{tb, []arrow.RecordBatch{rec}}
	}
	for name, tc := range cases {
		rows := int64(0)
		for _, r := range tc.recs {
			rows += r.NumRows()
		}
		nat, err := s.Conn().PrepareBatch(ctx, clickhouse.InsertSQL(s.Database(), tc.t))
		if err != nil {
			t.Fatal(err)
		}
		if err := clickhouse.Fill(nat, tc.t, tc.recs, rows); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		app, err := s.Conn().PrepareBatch(ctx, clickhouse.InsertSQL(s.Database(), tc.t))
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range tc.t.Columns {
			for _, r := range tc.recs {
				v, err := clickhouse.Convert(c, r.Column(i))
				if err != nil {
					t.Fatal(err)
				}
				if err := app.Column(i).Append(v); err != nil {
					t.Fatal(err)
				}
			}
		}
		for i, c := range tc.t.Columns {
			dn, da := nat.Columns()[i], app.Columns()[i]
			// da is the driver's own column; dn took its place if encoded.
			nat := clickhouse.Native(c, da)
			if !nat {
				t.Errorf("%s: column %s (%s) does not take the native encoding", name, c.Name, da.Type())
			}
			if nat != clickhouse.Encoded(dn) {
				t.Errorf("%s: column %s (%s): native %t, sent as encoded %t: the batch's block cannot be reached",
					name, c.Name, da.Type(), nat, clickhouse.Encoded(dn))
			}
			var bn, ba proto.Buffer
			dn.Encode(&bn)
			da.Encode(&ba)
			if dn.Rows() != int(rows) || !bytes.Equal(bn.Buf, ba.Buf) {
				t.Errorf("%s: column %s: %d rows, %d bytes natively; %d rows, %d bytes by Append; equal %t",
					name, c.Name, dn.Rows(), len(bn.Buf), da.Rows(), len(ba.Buf), bytes.Equal(bn.Buf, ba.Buf))
			}
		}
		// One after the other, as the block is sent, into one buffer:
		// each column grows it at most once, and the same block sent again
		// through the buffer the first left (as a connection keeps it)
		// not at all.
		var all proto.Buffer
		for pass := range 2 {
			all.Reset()
			for _, dn := range nat.Columns() {
				all.PutString(dn.Name())
				all.PutString(string(dn.Type()))
				before := cap(all.Buf)
				dn.Encode(&all)
				if pass == 1 && cap(all.Buf) != before {
					t.Errorf("%s: column %s: sent again, the buffer grew from %d to %d bytes", name, dn.Name(), before, cap(all.Buf))
				}
			}
		}
		_ = nat.Abort()
		_ = app.Abort()
	}
}

// oddOrders is a batch of orders whose times DateTime cannot hold: the
// zero time.Time, before 1970, after 2106. The driver stores them as it
// does (the zero time as 0, others cut to 32 bits), and so must the
// native encoding. Their anomaly lists differ in length and values.
func oddOrders(t *testing.T) arrow.RecordBatch {
	b := table.NewBuilder(memory.DefaultAllocator, table.Orders)
	defer b.Release()
	early, far, zero := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{}
	for _, o := range []model.Order{
		{OrderID: "zero", UpdatedAt: &early, Anomalies: []string{"a", "bb"}},
		{OrderID: "far", CreatedAt: far, PaidAt: &zero, ShippedAt: &far},
		{OrderID: "third", Anomalies: []string{"ccc"}},
	} {
		if err := b.AppendOrder(&o); err != nil {
			t.Fatal(err)
		}
	}
	return b.Flush()
}

// A scaled amount beyond Decimal(18,4), which ToDecimal128 never makes,
// is refused rather than cut to 64 bits; so are nulls where the table
// allows none, and an Arrow type that is not the column's. Fill refuses
// them before the insert is sent, as the encoding cannot fail once it is.
func TestNativeRefusesWhatConvertRefuses(t *testing.T) {
	b := array.NewDecimal128Builder(memory.DefaultAllocator, &arrow.Decimal128Type{Precision: 38, Scale: table.DecimalScale})
	defer b.Release()
	b.Append(decimal128.FromI64(1_000_000_000_000_000_000)) // 10^18: the first scaled integer Decimal(18,4) cannot hold
	b.Append(decimal128.New(1, 0))                          // 2^64
	b.AppendNull()
	a := b.NewArray()
	defer a.Release()
	total := func(typ table.Type) table.Column { return table.Column{Name: "total_amount", Type: typ} }
	for i, want := range []string{"does not fit", "does not fit"} {
		sl := array.NewSlice(a, int64(i), int64(i+1))
		err := clickhouse.CheckNative(total(table.NullableDecimal), []arrow.Array{sl})
		sl.Release()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("row %d: err = %v, want %q", i, err, want)
		}
	}
	if err := clickhouse.CheckNative(total(table.Decimal), []arrow.Array{a}); err == nil || !strings.Contains(err.Error(), "non-nullable") {
		t.Errorf("err = %v, want nulls refused", err)
	}
	nulls := array.NewSlice(a, 2, 3)
	defer nulls.Release()
	if err := clickhouse.CheckNative(total(table.NullableDecimal), []arrow.Array{nulls}); err != nil {
		t.Errorf("a null where the column allows it: %v", err)
	}
	first := array.NewSlice(a, 0, 1)
	defer first.Release()
	if err := clickhouse.CheckNative(total(table.String), []arrow.Array{first}); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("a decimal for a String column: err = %v, want it refused", err)
	}
}

// Fill encodes no column itself: the batch's block reads the Arrow arrays
// as it is sent, into the connection's buffer. So what Fill allocates does
// not grow with the rows (it allocated a buffer of every column's bytes,
// which Send then copied into the connection's).
func TestFillEncodesAtSend(t *testing.T) {
	s, _ := clickhouse.NewTestSink(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rec := extracttest.Batches(t, 2400)[table.Orders]
	recs := []arrow.RecordBatch{rec}
	batch, err := s.Conn().PrepareBatch(ctx, clickhouse.InsertSQL(s.Database(), table.Orders))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = batch.Abort() }()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := clickhouse.Fill(batch, table.Orders, recs, rec.NumRows()); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	var sent proto.Buffer
	for _, c := range batch.Columns() {
		c.Encode(&sent)
	}
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(len(sent.Buf)/16); got > limit {
		t.Errorf("Fill of %d orders allocated %d bytes, want at most %d: a sixteenth of the %d bytes sent",
			rec.NumRows(), got, limit, len(sent.Buf))
	}
}

// An insert's block goes to the server as the driver sends it: each
// column's name, type and rows appended to the connection's buffer, which
// is written out and emptied once it holds a SendChunk. The buffer grows
// at the first column only, to what the block needs (a chunk and its
// largest column, not the whole block), and not at all for the next
// insert of the same connection.
func TestSendGrowsBufferOnce(t *testing.T) {
	t.Parallel()
	s, _ := clickhouse.NewTestSink(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rec := extracttest.Batches(t, 2400)[table.Orders]
	recs := []arrow.RecordBatch{rec, rec, rec} // about 2.2 MB
	var conn proto.Buffer                      // the connection's, kept across inserts
	for insert := range 2 {
		batch, err := s.Conn().PrepareBatch(ctx, clickhouse.InsertSQL(s.Database(), table.Orders))
		if err != nil {
			t.Fatal(err)
		}
		if err := clickhouse.Fill(batch, table.Orders, recs, 3*rec.NumRows()); err != nil {
			t.Fatal(err)
		}
		sent, largest := 0, 0
		for i, c := range batch.Columns() {
			before := cap(conn.Buf)
			conn.PutString(c.Name())
			conn.PutString(string(c.Type()))
			start := len(conn.Buf)
			c.Encode(&conn)
			largest = max(largest, len(conn.Buf)-start)
			if cap(conn.Buf) != before && (insert > 0 || i > 0) {
				t.Errorf("insert %d: column %s grew the buffer from %d to %d bytes", insert, c.Name(), before, cap(conn.Buf))
			}
			if len(conn.Buf) >= clickhouse.SendChunk {
				sent += len(conn.Buf)
				conn.Reset()
			}
		}
		_ = batch.Abort()
		sent += len(conn.Buf)
		conn.Reset()
		if sent < 2*clickhouse.SendChunk {
			t.Fatalf("the block is %d bytes, want it over two chunks", sent)
		}
		if limit := clickhouse.SendChunk + 2*largest; cap(conn.Buf) > limit {
			t.Errorf("insert %d: the buffer holds %d bytes, want at most %d (a chunk and its largest column twice over)", insert, cap(conn.Buf), limit)
		}
	}
}
