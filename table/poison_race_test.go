//go:build race

package table

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/shopetl/shopetl/model"
)

// Under the race detector a batch's strings read poison once the batch is
// released: what lets `go test -race` catch a sink that keeps a value of a
// batch past its Release.
func TestReleasedBatchesArePoisoned(t *testing.T) {
	b := NewBuilder(newRecycler(), Orders)
	defer b.Release()
	if err := b.AppendOrder(&model.Order{
		Meta:    model.Meta{Platform: "shoptima", Shop: "st", RunID: "r1", Version: 1},
		OrderID: "order-1", CreatedAt: time.Unix(1, 0).UTC(),
	}); err != nil {
		t.Fatal(err)
	}
	rec := b.Flush()
	id := rec.Column(Orders.ColumnIndex("order_id")).(*array.String).Value(0) // not copied
	if id != "order-1" {
		t.Fatalf("order_id %q before Release", id)
	}
	rec.Release()
	if !isPoison(id) {
		t.Errorf("order_id reads %q after Release, want poison", id)
	}
}

func isPoison(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != poisonByte {
			return false
		}
	}
	return len(s) > 0
}
