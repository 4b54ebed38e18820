package table

import (
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

func TestFromDecimal128BeyondInt64(t *testing.T) {
	t.Parallel()
	big := decimal.RequireFromString("12345678901234567890.1234")
	n := decimal128.FromBigInt(big.Shift(DecimalScale).BigInt())
	if got := FromDecimal128(n); !got.Equal(big) {
		t.Fatalf("FromDecimal128 = %s, want %s", got, big)
	}
}

func TestBuilderOrders(t *testing.T) {
	t.Parallel()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := NewBuilder(mem, Orders)
	defer b.Release()
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
