package table

import (
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/model"
)

func TestToDecimal128IsExact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		wantErr bool
	}{
		{"0", false}, {"12.9300", false}, {"-16.55", false},
		{"99999999999999.9999", false}, {"100000000000000", true},
		{"0.00001", true}, {"-99999999999999.9999", false}, {"-0.0001", false},
	} {
		d := decimal.RequireFromString(tc.in)
		n, err := ToDecimal128(d)
		if (err != nil) != tc.wantErr {
			t.Fatalf("ToDecimal128(%s) error = %v, want error %v", tc.in, err, tc.wantErr)
		}
		if err == nil && !FromDecimal128(n).Equal(d) {
			t.Fatalf("round trip of %s gave %s", tc.in, FromDecimal128(n))
		}
	}
}

// TestToDecimal128AtEveryExponent checks the int64 path of amounts with
// up to four places against big.Int arithmetic, at and around the limit,
// and the exponents that path leaves to the general one.
func TestToDecimal128AtEveryExponent(t *testing.T) {
	t.Parallel()
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(DecimalPrecision), nil)
	for exp := int32(-7); exp <= 3; exp++ {
		for _, c := range []string{"1", "7", "12345", "100", "99999999999999", "100000000000000",
			"999999999999999", "9999999999999999", "99999999999999999", "100000000000000000",
			"999999999999999999", "1000000000000000000", "9223372036854775807", "9223372036854775808",
			"123456789012345678901234"} {
			for _, sign := range []string{"", "-"} {
				coef, _ := new(big.Int).SetString(sign+c, 10)
				d := decimal.NewFromBigInt(coef, exp)
				want := d.Shift(DecimalScale)
				fits := want.IsInteger() && want.BigInt().CmpAbs(limit) < 0
				n, err := ToDecimal128(d)
				if (err == nil) != fits {
					t.Fatalf("ToDecimal128(%s) error = %v, want error %v", d, err, !fits)
				}
				if err == nil && n.BigInt().Cmp(want.BigInt()) != 0 {
					t.Fatalf("ToDecimal128(%s) = %s, want %s", d, n.BigInt(), want.BigInt())
				}
			}
		}
	}
}

func TestFromDecimal128BeyondInt64(t *testing.T) {
	t.Parallel()
	big := decimal.RequireFromString("12345678901234567890.1234")
	n := decimal128.FromBigInt(big.Shift(DecimalScale).BigInt())
	if got := FromDecimal128(n); !got.Equal(big) {
		t.Fatalf("FromDecimal128 = %s, want %s", got, big)
	}
}

// checkedBuilder is a builder of tab whose allocator checks, when the
// test ends, that the builder and every batch it made were released.
func checkedBuilder(t *testing.T, tab *Table) *Builder {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	b := NewBuilder(mem, tab)
	t.Cleanup(func() {
		b.Release()
		mem.AssertSize(t, 0)
	})
	return b
}

func TestBuilderOrders(t *testing.T) {
	t.Parallel()
	b := checkedBuilder(t, Orders)
	paid := time.Date(2020, 5, 21, 17, 22, 51, 0, time.UTC)
	o := model.Order{
		Meta:        model.Meta{Platform: "shoptima", Shop: "st", RunID: "r1", Version: 7},
		OrderID:     "asda-20200521-004",
		GoodsAmount: decimal.RequireFromString("16.55"),
		TotalAmount: decimal.RequireFromString("22.54"),
		CreatedAt:   paid.Add(-time.Minute),
		PaidAt:      &paid,
		Anomalies:   []string{"total_mismatch"},
	}
	if err := b.AppendOrder(&o); err != nil {
		t.Fatal(err)
	}
	rec := b.Flush()
	defer rec.Release()
	if rec.NumRows() != 1 || int(rec.NumCols()) != len(Orders.Columns) {
		t.Fatalf("got %d rows %d cols", rec.NumRows(), rec.NumCols())
	}
	total := rec.Column(Orders.ColumnIndex("total_amount")).(*array.Decimal128)
	if got := FromDecimal128(total.Value(0)); !got.Equal(o.TotalAmount) {
		t.Fatalf("total_amount = %s", got)
	}
	shipped := rec.Column(Orders.ColumnIndex("shipped_at"))
	if !shipped.IsNull(0) {
		t.Fatal("shipped_at should be null")
	}
	an := rec.Column(Orders.ColumnIndex("anomalies")).(*array.List)
	if an.ListValues().(*array.String).Value(0) != "total_mismatch" {
		t.Fatal("anomalies not kept")
	}
	if b.Flush() != nil {
		t.Fatal("second flush should be empty")
	}
}

// TestBuilderReservesTheLastBatch flushes two batches from one builder:
// the second starts with room for the first's rows and string bytes, and
// both hold exactly their own rows.
func TestBuilderReservesTheLastBatch(t *testing.T) {
	t.Parallel()
	b := checkedBuilder(t, Orders)
	order := func(i int) *model.Order {
		return &model.Order{
			Meta:      model.Meta{Platform: "shoptima", Shop: "st", RunID: "r1", Version: uint64(i)},
			OrderID:   fmt.Sprintf("order-%04d", i),
			CreatedAt: time.Unix(int64(i), 0).UTC(),
			Anomalies: []string{"a", "b"},
		}
	}
	const rows = 300
	for batch := range 2 {
		for i := range rows {
			if err := b.AppendOrder(order(batch*rows + i)); err != nil {
				t.Fatal(err)
			}
			if i > 0 || batch == 0 {
				continue
			}
			id := b.strCols[Orders.ColumnIndex("order_id")]
			if len(id.ends) < rows+1 || len(id.bytes) < rows*len("order-0000") {
				t.Fatalf("second batch starts with room for %d ids of %d bytes, want %d and %d",
					len(id.ends)-1, len(id.bytes), rows, rows*len("order-0000"))
			}
			an := b.fields[Orders.ColumnIndex("anomalies")].(*array.ListBuilder)
			if an.Cap() < rows || an.ValueBuilder().Cap() < 2*rows {
				t.Fatalf("second batch starts with room for %d anomaly lists of %d values, want %d and %d",
					an.Cap(), an.ValueBuilder().Cap(), rows, 2*rows)
			}
		}
		rec := b.Flush()
		ids := rec.Column(Orders.ColumnIndex("order_id")).(*array.String)
		an := rec.Column(Orders.ColumnIndex("anomalies")).(*array.List)
		if ids.Len() != rows || an.ListValues().Len() != 2*rows {
			t.Fatalf("batch %d: %d rows, %d anomalies", batch, ids.Len(), an.ListValues().Len())
		}
		for i := range rows {
			if want := order(batch*rows + i).OrderID; ids.Value(i) != want {
				t.Fatalf("batch %d row %d: order_id %q, want %q", batch, i, ids.Value(i), want)
			}
		}
		rec.Release()
	}
}

// TestBuilderRoomCoversALongerBatch: a batch whose ids are a little
// longer than the last batch's (here 4%) fits the room reserved for it:
// its string buffer is never regrown and copied.
func TestBuilderRoomCoversALongerBatch(t *testing.T) {
	t.Parallel()
	b := checkedBuilder(t, Orders)
	const rows = 300
	id := func(batch, i int) string {
		if batch == 1 && i%10 == 0 {
			return fmt.Sprintf("order-%04d-x", i) // 12 bytes for 10: 4% more in all
		}
		return fmt.Sprintf("order-%04d", i)
	}
	caps := [2]int{}
	for batch := range 2 {
		for i := range rows {
			o := model.Order{Meta: model.Meta{Platform: "shoptima", Shop: "st", RunID: "r1"}, OrderID: id(batch, i)}
			if err := b.AppendOrder(&o); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				caps[0] = len(b.strCols[Orders.ColumnIndex("order_id")].bytes)
			}
		}
		caps[1] = len(b.strCols[Orders.ColumnIndex("order_id")].bytes)
		b.Flush().Release()
		if batch == 1 && caps[1] != caps[0] {
			t.Fatalf("second batch's order_id bytes: room for %d reserved, grown to %d", caps[0], caps[1])
		}
	}
}

func TestCheckRecordRejectsInexactAmounts(t *testing.T) {
	t.Parallel()
	r := model.Record{Order: model.Order{OrderID: "x", PaidAmount: decimal.RequireFromString("1.23456")}}
	if err := CheckRecord(&r); err == nil {
		t.Fatal("want error for 5 decimal places")
	}
	r.Order.PaidAmount = decimal.RequireFromString("1.2345")
	if err := CheckRecord(&r); err != nil {
		t.Fatal(err)
	}
}

func TestScaledInt64FitsDecimal18(t *testing.T) {
	const limit = 1_000_000_000_000_000_000 // 10^18
	for _, c := range []struct {
		n    decimal128.Num
		want bool
	}{
		{decimal128.FromI64(limit - 1), true},
		{decimal128.FromI64(-(limit - 1)), true},
		{decimal128.FromI64(-1), true},
		{decimal128.FromI64(limit), false},
		{decimal128.FromI64(-limit), false},
		{decimal128.New(1, 0), false}, // 2^64
	} {
		if v, ok := ScaledInt64(c.n); ok != c.want || (ok && v != int64(c.n.LowBits())) {
			t.Errorf("ScaledInt64(%s) = %d, %v; want fits %v", c.n.BigInt(), v, ok, c.want)
		}
	}
}

// growthCounter is Arrow's Go allocator counting the bytes it hands out
// and the buffers it regrows.
type growthCounter struct {
	memory.Allocator
	bytes, regrown int
}

func (g *growthCounter) Allocate(size int) []byte {
	g.bytes += size
	return g.Allocator.Allocate(size)
}

func (g *growthCounter) Reallocate(size int, b []byte) []byte {
	if size > len(b) {
		g.regrown++
		g.bytes += size - len(b)
	}
	return g.Allocator.Reallocate(size, b)
}

// A batch like the last takes each of its buffers once, at about the size
// the last batch needed: no buffer regrown and copied, none rounded up to
// twice its rows (1,100 rows take 2,048 rows' room from Arrow's Reserve).
func TestBuilderTakesTheLastBatchsSizeOnce(t *testing.T) {
	t.Parallel()
	mem := &growthCounter{Allocator: memory.NewGoAllocator()}
	b := NewBuilder(mem, Orders)
	defer b.Release()
	const rows = 1100
	for batch := range 2 {
		for i := range rows {
			paid := time.Unix(int64(i), 0).UTC()
			o := model.Order{
				Meta:    model.Meta{Platform: "shoptima", Shop: "st", RunID: "r1", Version: uint64(i)},
				OrderID: fmt.Sprintf("order-%d-%04d", batch, i), BuyerName: strings.Repeat("n", i%40),
				CreatedAt: paid, PaidAt: &paid, Quantity: uint32(i),
			}
			if err := b.AppendOrder(&o); err != nil {
				t.Fatal(err)
			}
		}
		before := *mem
		rec := b.Flush()
		used := 0
		for _, col := range rec.Columns() {
			for _, buf := range col.Data().Buffers() {
				if buf != nil {
					used += buf.Len()
				}
			}
		}
		rec.Release()
		if batch == 0 {
			mem.bytes, mem.regrown = 0, 0
			continue
		}
		if before.regrown > 0 || float64(before.bytes) > 1.15*float64(used) {
			t.Fatalf("second batch of %d bytes took %d bytes, %d buffers regrown; want at most 15%% more, none regrown",
				used, before.bytes, before.regrown)
		}
	}
}
