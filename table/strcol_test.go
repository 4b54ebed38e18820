package table

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/shopetl/shopetl/model"
)

// A String column comes out of the builder as Arrow's StringBuilder makes
// it: the same values, no nulls, whatever the strings' lengths (empty and
// long ones, more bytes than the room kept from the last batch, fewer
// rows, more rows) and whatever the recycled buffers held before.
func TestBuilderStringsAsArrowBuildsThem(t *testing.T) {
	b := NewBuilder(newRecycler(), Orders)
	defer b.Release()
	str := func(batch, i int) string {
		switch i % 4 {
		case 0:
			return ""
		case 1:
			return fmt.Sprintf("id-%d-%d", batch, i)
		case 2:
			return strings.Repeat(string(rune('a'+batch)), (i*batch)%300)
		}
		return "日本-" + fmt.Sprint(i)
	}
	for batch, rows := range []int{50, 200, 20, 1000, 1000} {
		for i := range rows {
			o := model.Order{Meta: model.Meta{Platform: "p", Shop: str(batch, i+1), RunID: str(batch, i+2)},
				OrderID: str(batch, i), BuyerName: str(batch, i+3), ShipAddress: str(batch, i*7)}
			if err := b.AppendOrder(&o); err != nil {
				t.Fatal(err)
			}
		}
		rec := b.Flush()
		for _, col := range []struct {
			name string
			at   func(i int) string
		}{
			{"platform", func(int) string { return "p" }},
			{"shop", func(i int) string { return str(batch, i+1) }},
			{"run_id", func(i int) string { return str(batch, i+2) }},
			{"order_id", func(i int) string { return str(batch, i) }},
			{"buyer_name", func(i int) string { return str(batch, i+3) }},
			{"ship_address", func(i int) string { return str(batch, i*7) }},
			{"status", func(int) string { return "" }},
		} {
			want := array.NewStringBuilder(memory.DefaultAllocator)
			for i := range rows {
				want.Append(col.at(i))
			}
			wa := want.NewArray()
			got := rec.Column(Orders.ColumnIndex(col.name))
			if !array.Equal(got, wa) || got.NullN() != 0 {
				t.Errorf("batch %d: column %s of %d rows, %d nulls, differs from Arrow's", batch, col.name, got.Len(), got.NullN())
			}
			wa.Release()
			want.Release()
		}
		rec.Release()
	}
}
