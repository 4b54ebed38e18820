package parquet

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/table"
)

// Files written before a column was added (an older table.SchemaVersion)
// stay readable: the column reads as its empty value, and a later run's
// files, with every column, read alongside them.
func TestReadOlderFiles(t *testing.T) {
	dir := t.TempDir()
	fx := makeFixture("shoptima", "st", "r1", 1)
	full := fx.batches(t)[table.Orders]
	defer full.Release()

	// The orders table as schema version 1 had it: no buyer columns.
	writeOlderSchema(t, dir, table.Orders, full, func(c table.Column) bool {
		return strings.HasPrefix(c.Name, "buyer_") || strings.HasPrefix(c.Name, "ship_")
	})

	// A newer run writes one more order with every column.
	fx2 := makeFixture("shoptima", "st", "r2", 2)
	fx2.orders = fx2.orders[:1]
	fx2.orders[0].OrderID = "new-1"
	fx2.orders[0].BuyerEmail = "hashed"
	s2, err := New(Config{Dir: dir}, "r2")
	if err != nil {
		t.Fatal(err)
	}
	rec2 := fx2.batches(t)[table.Orders]
	defer rec2.Release()
	if err := s2.Write(context.Background(), "st", table.Orders, rec2); err != nil {
		t.Fatal(err)
	}
	if err := s2.Commit(context.Background(), "st"); err != nil {
		t.Fatal(err)
	}
	s2.Close()

	n, err := CountLatest(dir, table.Orders, "st")
	if err != nil || n != len(fx.orders)+1 {
		t.Fatalf("CountLatest = %d (%v), want %d", n, err, len(fx.orders)+1)
	}
	recs, err := ReadTable(dir, table.Orders)
	if err != nil {
		t.Fatal(err)
	}
	emails := map[string]string{}
	for _, r := range recs {
		if !r.Schema().Equal(table.Orders.Schema()) {
			t.Fatalf("read schema %v", r.Schema())
		}
		ids := r.Column(table.Orders.ColumnIndex("order_id")).(*array.String)
		em := r.Column(table.Orders.ColumnIndex("buyer_email")).(*array.String)
		for i := 0; i < int(r.NumRows()); i++ {
			if em.IsNull(i) {
				t.Errorf("order %s: buyer_email null, want empty", ids.Value(i))
			}
			emails[ids.Value(i)] = em.Value(i)
		}
		r.Release()
	}
	if len(emails) != len(fx.orders)+1 || emails["new-1"] != "hashed" || emails[fx.orders[0].OrderID] != "" {
		t.Fatalf("buyer_email by order: %v", emails)
	}

	// Columns out of the table's order are not an older version of it.
	if olderColumns([]string{"shop", "platform"}, table.Orders.ColumnNames()) {
		t.Error("reordered columns accepted")
	}
	if olderColumns([]string{"platform", "colour"}, table.Orders.ColumnNames()) {
		t.Error("an unknown column accepted")
	}
}

// Partition keys outlive their batch (writers keep them until the shop
// commits): they must not point into the batch's buffers, or every batch's
// platform and shop columns stay in memory for the whole run (a 1M-order
// run held about 90 MB of them).
func TestPartitionKeysDoNotPinTheBatch(t *testing.T) {
	fx := makeFixture("shoptima", "st", "r1", 1)
	rec := fx.batches(t)[table.Orders]
	defer rec.Release()
	spans, err := partition("st", table.Orders, rec)
	if err != nil || len(spans) == 0 {
		t.Fatalf("partition: %d spans, %v", len(spans), err)
	}
	within := func(s string, buf []byte) bool {
		p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
		return len(s) > 0 && len(buf) > 0 && p >= lo && p < lo+uintptr(len(buf))
	}
	platforms := rec.Column(table.Orders.ColumnIndex("platform")).(*array.String).ValueBytes()
	shops := rec.Column(table.Orders.ColumnIndex("shop")).(*array.String).ValueBytes()
	for _, sp := range spans {
		if within(sp.key.platform, platforms) || within(sp.key.rowShop, shops) {
			t.Fatalf("span %+v: its key points into the batch's buffers", sp.key)
		}
	}
}

// An etl_runs file of schema version 2, before shopetl_version, reads with
// the column empty.
func TestReadEtlRunsOfSchemaVersion2(t *testing.T) {
	dir := t.TempDir()
	b := table.NewBuilder(memory.DefaultAllocator, table.Runs)
	defer b.Release()
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	run := model.Run{Meta: model.Meta{Platform: "shoptima", Shop: "st", RunID: "r1", Version: 1},
		Job: "j", Status: "ok", StartedAt: at, FinishedAt: at}
	if err := b.AppendRun(&run); err != nil {
		t.Fatal(err)
	}
	full := b.Flush()
	defer full.Release()
	old := writeOlderSchema(t, dir, table.Runs, full, func(c table.Column) bool { return c.Name == "shopetl_version" })
	if len(old.Columns) != len(table.Runs.Columns)-1 {
		t.Fatalf("table.Runs has no shopetl_version column: %v", table.Runs.ColumnNames())
	}

	recs, err := ReadTable(dir, table.Runs)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		jobs := r.Column(table.Runs.ColumnIndex("job")).(*array.String)
		vs := r.Column(table.Runs.ColumnIndex("shopetl_version")).(*array.String)
		for i := 0; i < int(r.NumRows()); i++ {
			got = append(got, jobs.Value(i)+"|"+vs.Value(i))
		}
		r.Release()
	}
	if len(got) != 1 || got[0] != "j|" {
		t.Fatalf("etl_runs rows read %q, want [\"j|\"]", got)
	}
}

// writeOlderSchema commits, as run r1 of shop st, the columns of full that
// an older schema of t had: all but those dropped says. It returns that
// older table.
func writeOlderSchema(t *testing.T, dir string, tbl *table.Table, full arrow.RecordBatch, dropped func(table.Column) bool) *table.Table {
	t.Helper()
	old := *tbl
	old.Columns = slices.DeleteFunc(slices.Clone(old.Columns), dropped)
	var cols []arrow.Array
	for _, c := range old.Columns {
		cols = append(cols, full.Column(tbl.ColumnIndex(c.Name)))
	}
	oldRec := array.NewRecordBatch(old.Schema(), cols, full.NumRows())
	defer oldRec.Release()
	s := newSink(t, dir)
	if err := s.Write(context.Background(), "st", &old, oldRec); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(context.Background(), "st"); err != nil {
		t.Fatal(err)
	}
	return &old
}
