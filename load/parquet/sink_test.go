package parquet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/table"
)

// fixture is one shop's rows of one run.
type fixture struct {
	orders  []model.Order
	items   []model.Item
	refunds []model.Refund
}

var cst = time.FixedZone("CST", 8*3600)

// creations span three UTC dates, with both sides of a midnight and a
// time whose local date (Asia/Shanghai) is not its UTC date.
var creations = []time.Time{
	time.Date(2024, 3, 1, 23, 59, 59, 0, time.UTC), // 2024-03-01
	time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC),    // 2024-03-01
	time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC),    // 2024-03-02
	time.Date(2024, 3, 3, 12, 0, 0, 0, time.UTC),   // 2024-03-03
	time.Date(2024, 3, 3, 1, 0, 0, 0, cst),         // 2024-03-02 17:00 UTC
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func makeFixture(platform, shop, runID string, version uint64) fixture {
	var fx fixture
	meta := model.Meta{Platform: platform, Shop: shop, RunID: runID, Version: version}
	for i, created := range creations {
		id := fmt.Sprintf("%s-%03d", shop, i)
		paid := created.Add(time.Hour)
		o := model.Order{
			Meta: meta, OrderID: id, Status: model.StatusPaid, Currency: "EUR",
			GoodsAmount:    dec(fmt.Sprintf("%d.%04d", 100+i*7, 1234+i)),
			ShippingAmount: dec("4.9900"),
			DiscountAmount: dec("0"),
			FeeAmount:      dec("-0.0001"),
			TotalAmount:    dec(fmt.Sprintf("%d.%04d", 104+i*7, 6233+i)),
			PaidAmount:     dec("0.0001"),
			CreatedAt:      created,
			ItemCount:      2,
			Quantity:       3,
		}
		if i == 0 {
			// More digits than a float64 holds exactly.
			o.TotalAmount = dec("99999999999999.9999")
			o.Anomalies = []string{"total_mismatch", "unknown_status:9"}
		}
		if i%2 == 0 {
			o.PaidAt = &paid
		}
		fx.orders = append(fx.orders, o)
		for line := uint32(1); line <= 2; line++ {
			fx.items = append(fx.items, model.Item{
				Meta: meta, OrderID: id, LineNo: line, SKU: fmt.Sprintf("sku-%d", line),
				Quantity: line, UnitPrice: dec("12.3456"), Discount: dec("0.5"),
				LineTotal: dec(fmt.Sprintf("%d.3456", 12*line)), Currency: "EUR",
				RefundStatus: model.RefundNone, CreatedAt: created,
			})
		}
		if i == 0 || i == 2 || i == 3 {
			r := model.Refund{
				Meta: meta, OrderID: id, RefundID: "rf-" + id, Status: model.RefundPartial,
				Currency: "EUR", CreatedAt: created,
			}
			if i != 3 { // i == 3: refund without an amount
				a := dec("3.1416")
				r.Amount = &a
			}
			fx.refunds = append(fx.refunds, r)
		}
	}
	return fx
}

func build(t *testing.T, tb *table.Table, n int, add func(b *table.Builder, i int) error) arrow.RecordBatch {
	t.Helper()
	b := table.NewBuilder(memory.DefaultAllocator, tb)
	defer b.Release()
	for i := 0; i < n; i++ {
		if err := add(b, i); err != nil {
			t.Fatal(err)
		}
	}
	return b.Flush()
}

// batches returns the fixture's batch per table.
func (fx fixture) batches(t *testing.T) map[*table.Table]arrow.RecordBatch {
	return map[*table.Table]arrow.RecordBatch{
		table.Orders: build(t, table.Orders, len(fx.orders), func(b *table.Builder, i int) error {
			return b.AppendOrder(&fx.orders[i])
		}),
		table.OrderItems: build(t, table.OrderItems, len(fx.items), func(b *table.Builder, i int) error {
			return b.AppendItem(&fx.items[i])
		}),
		table.Refunds: build(t, table.Refunds, len(fx.refunds), func(b *table.Builder, i int) error {
			return b.AppendRefund(&fx.refunds[i])
		}),
	}
}

// writeShop writes the fixture's tables in the order orders, items, refunds.
func writeShop(t *testing.T, s *Sink, shop string, fx fixture) {
	t.Helper()
	bs := fx.batches(t)
	for _, tb := range []*table.Table{table.Orders, table.OrderItems, table.Refunds} {
		rec := bs[tb]
		if err := s.Write(context.Background(), shop, tb, rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
}

// allFiles lists every regular file under dir, relative and slash-separated.
func allFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// partFiles is allFiles without the manifests.
func partFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, f := range allFiles(t, dir) {
		if !strings.HasPrefix(f, manifestDir+"/") {
			out = append(out, f)
		}
	}
	return out
}

// runOf returns the run id in a part file's name, part-<run_id>-<n>.parquet.
func runOf(t *testing.T, name string) string {
	t.Helper()
	base := strings.TrimSuffix(strings.TrimPrefix(name, "part-"), ".parquet")
	i := strings.LastIndex(base, "-")
	if !isPartFile(name) || i < 0 {
		t.Fatalf("not a part file name: %s", name)
	}
	return base[:i]
}

// checkManifests holds the manifests under dir to the files on disk: each
// (run, shop) that has part files has a manifest, which lists exactly
// those files, each with its size and with the rows parquet-go reads from
// it. It returns the manifests.
func checkManifests(t *testing.T, dir string) []Manifest {
	t.Helper()
	ms, err := ReadManifests(dir)
	if err != nil {
		t.Fatal(err)
	}
	onDisk := map[[2]string][]string{} // run, shop → paths
	for _, f := range partFiles(t, dir) {
		parts := strings.Split(f, "/")
		if len(parts) != 5 {
			t.Fatalf("part file outside the layout: %s", f)
		}
		k := [2]string{runOf(t, parts[4]), strings.TrimPrefix(parts[2], "shop=")}
		onDisk[k] = append(onDisk[k], f)
	}
	for _, m := range ms {
		if m.Format != ManifestFormat || m.CommittedAt.IsZero() {
			t.Errorf("manifest %s/%s: format %d, committed at %v", m.RunID, m.Shop, m.Format, m.CommittedAt)
		}
		var listed []string
		for _, f := range m.Files {
			if f.Path != f.Table+"/"+f.Partition+"/"+f.File || runOf(t, f.File) != m.RunID {
				t.Errorf("manifest %s/%s: inconsistent entry %+v", m.RunID, m.Shop, f)
			}
			listed = append(listed, f.Path)
			path := filepath.Join(dir, filepath.FromSlash(f.Path))
			st, err := os.Stat(path)
			if err != nil {
				t.Errorf("manifest %s/%s lists %s: %v", m.RunID, m.Shop, f.Path, err)
				continue
			}
			if st.Size() != f.Bytes {
				t.Errorf("manifest %s/%s: %s has %d bytes, listed %d", m.RunID, m.Shop, f.Path, st.Size(), f.Bytes)
			}
			if n := len(readPQ(t, path).rows); int64(n) != f.Rows {
				t.Errorf("manifest %s/%s: %s holds %d rows, listed %d", m.RunID, m.Shop, f.Path, n, f.Rows)
			}
		}
		slices.Sort(listed)
		k := [2]string{m.RunID, m.Shop}
		if want := onDisk[k]; !slices.Equal(listed, want) {
			t.Errorf("manifest %s/%s lists\n%s\nthe disk holds\n%s", m.RunID, m.Shop, strings.Join(listed, "\n"), strings.Join(want, "\n"))
		}
		delete(onDisk, k)
	}
	for k, fs := range onDisk {
		t.Errorf("run %s shop %s: %d files and no manifest", k[0], k[1], len(fs))
	}
	return ms
}

// pqFile is a file read with parquet-go, independently of arrow-go.
type pqFile struct {
	schema *pq.Schema
	rows   []pq.Row
}

func readPQ(t *testing.T, path string) pqFile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := pq.OpenFile(f, st.Size())
	if err != nil {
		t.Fatalf("parquet-go cannot open %s: %v", path, err)
	}
	r := pq.NewReader(pf)
	defer r.Close()
	out := pqFile{schema: pf.Schema()}
	buf := make([]pq.Row, 1)
	for {
		n, err := r.ReadRows(buf)
		if n == 1 {
			out.rows = append(out.rows, buf[0].Clone())
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("parquet-go read %s: %v", path, err)
		}
	}
	if int64(len(out.rows)) != pf.NumRows() {
		t.Fatalf("%s: read %d rows, metadata says %d", path, len(out.rows), pf.NumRows())
	}
	return out
}

// values returns a row's values of a leaf column.
func (p pqFile) values(t *testing.T, row pq.Row, path ...string) []pq.Value {
	t.Helper()
	leaf, ok := p.schema.Lookup(path...)
	if !ok {
		t.Fatalf("no column %v in %s", path, p.schema)
	}
	var out []pq.Value
	row.Range(func(col int, vs []pq.Value) bool {
		if col == leaf.ColumnIndex {
			out = vs
			return false
		}
		return true
	})
	return out
}

func (p pqFile) value(t *testing.T, row pq.Row, col string) pq.Value {
	t.Helper()
	vs := p.values(t, row, col)
	if len(vs) != 1 {
		t.Fatalf("column %s has %d values", col, len(vs))
	}
	return vs[0]
}

// unscaled decodes a Parquet DECIMAL value (big-endian two's complement
// bytes, or an integer) to its unscaled integer, without floats.
func unscaled(t *testing.T, v pq.Value) string {
	t.Helper()
	switch v.Kind() {
	case pq.FixedLenByteArray, pq.ByteArray:
		b := v.ByteArray()
		n := new(big.Int).SetBytes(b)
		if len(b) > 0 && b[0]&0x80 != 0 {
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
		}
		return n.String()
	case pq.Int64:
		return fmt.Sprint(v.Int64())
	case pq.Int32:
		return fmt.Sprint(v.Int32())
	}
	t.Fatalf("decimal stored as %v", v.Kind())
	return ""
}

func wantUnscaled(t *testing.T, d decimal.Decimal) string {
	t.Helper()
	n, err := table.ToDecimal128(d)
	if err != nil {
		t.Fatal(err)
	}
	return n.BigInt().String()
}

func checkDecimalType(t *testing.T, p pqFile, col string) {
	t.Helper()
	leaf, _ := p.schema.Lookup(col)
	lt := leaf.Node.Type().LogicalType()
	if lt == nil {
		t.Fatalf("%s: no logical type", col)
	}
	d, ok := lt.Value.(*format.DecimalType)
	if !ok || d.Precision != 18 || d.Scale != 4 {
		t.Fatalf("%s: logical type %v, want DECIMAL(18,4)", col, lt)
	}
}

// newSink is a sink of run r1 writing under dir, closed when the test ends.
func newSink(t *testing.T, dir string) *Sink {
	t.Helper()
	s, err := New(Config{Dir: dir}, "r1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestWriteCommitLayout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := newSink(t, dir)
	fx1 := makeFixture("shopex", "s1", "r1", 1)
	fx2 := makeFixture("dage", "s2", "r1", 1)
	writeShop(t, s, "s1", fx1)
	writeShop(t, s, "s2", fx2)
	// Nothing is visible before Commit.
	for _, f := range allFiles(t, dir) {
		if !strings.HasPrefix(filepath.Base(f), ".part-r1-") || !strings.HasSuffix(f, ".parquet.tmp") {
			t.Fatalf("visible before commit: %s", f)
		}
	}
	ctx := context.Background()
	if err := s.Commit(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, "s2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Partitions are numbered in order of first appearance: per shop,
	// orders, items, refunds, each over dates 03-01, 03-02, 03-03.
	var want []string
	n := 0
	for _, ps := range [][2]string{{"shopex", "s1"}, {"dage", "s2"}} {
		for _, tb := range []string{"orders", "order_items", "refunds"} {
			for _, d := range []string{"2024-03-01", "2024-03-02", "2024-03-03"} {
				n++
				want = append(want, fmt.Sprintf("%s/platform=%s/shop=%s/date=%s/part-r1-%d.parquet", tb, ps[0], ps[1], d, n))
			}
		}
	}
	slices.Sort(want)
	manifests := []string{"_manifests/run=r1/shop=s1.json", "_manifests/run=r1/shop=s2.json"}
	if got := allFiles(t, dir); !slices.Equal(got, append(slices.Clone(manifests), want...)) {
		t.Fatalf("files:\n%s\nwant:\n%s\n%s", strings.Join(got, "\n"), strings.Join(manifests, "\n"), strings.Join(want, "\n"))
	}
	if ms := checkManifests(t, dir); len(ms) != 2 || len(ms[0].Files) != 9 || len(ms[1].Files) != 9 {
		t.Fatalf("manifests: %+v", ms)
	}

	// Row counts per file, read with parquet-go.
	rowsPerDate := map[string]map[string]int{
		"orders":      {"2024-03-01": 2, "2024-03-02": 2, "2024-03-03": 1},
		"order_items": {"2024-03-01": 4, "2024-03-02": 4, "2024-03-03": 2},
		"refunds":     {"2024-03-01": 1, "2024-03-02": 1, "2024-03-03": 1},
	}
	for _, f := range want {
		p := readPQ(t, filepath.Join(dir, f))
		parts := strings.Split(f, "/")
		date := strings.TrimPrefix(parts[3], "date=")
		if w := rowsPerDate[parts[0]][date]; len(p.rows) != w {
			t.Errorf("%s: %d rows, want %d", f, len(p.rows), w)
		}
		for _, row := range p.rows {
			if got := p.value(t, row, "shop").String(); "shop="+got != parts[2] {
				t.Errorf("%s: row of shop %s", f, got)
			}
		}
	}

	// Values, read with parquet-go: decimals exact, nulls kept.
	for _, fx := range []fixture{fx1, fx2} {
		orders := map[string]model.Order{}
		for _, o := range fx.orders {
			orders[o.OrderID] = o
		}
		seen := 0
		for _, f := range want {
			if !strings.HasPrefix(f, "orders/") || !strings.Contains(f, "shop="+fx.orders[0].Shop+"/") {
				continue
			}
			p := readPQ(t, filepath.Join(dir, f))
			for _, col := range []string{"goods_amount", "total_amount", "fee_amount"} {
				checkDecimalType(t, p, col)
			}
			for _, row := range p.rows {
				id := p.value(t, row, "order_id").String()
				o, ok := orders[id]
				if !ok {
					t.Fatalf("%s: unexpected order %s", f, id)
				}
				seen++
				for col, d := range map[string]decimal.Decimal{
					"goods_amount": o.GoodsAmount, "total_amount": o.TotalAmount,
					"fee_amount": o.FeeAmount, "paid_amount": o.PaidAmount,
				} {
					if got, w := unscaled(t, p.value(t, row, col)), wantUnscaled(t, d); got != w {
						t.Errorf("%s %s %s = %s, want %s", f, id, col, got, w)
					}
				}
				// timestamp[s] is stored as Parquet TIMESTAMP(MILLIS, UTC).
				if got := p.value(t, row, "created_at").Int64(); got != o.CreatedAt.Unix()*1000 {
					t.Errorf("%s %s created_at = %d ms", f, id, got)
				}
				if paid := p.value(t, row, "paid_at"); paid.IsNull() != (o.PaidAt == nil) {
					t.Errorf("%s %s paid_at null = %v", f, id, paid.IsNull())
				}
				if !p.value(t, row, "shipped_at").IsNull() {
					t.Errorf("%s %s shipped_at not null", f, id)
				}
				var an []string
				for _, v := range p.values(t, row, "anomalies", "list", "element") {
					if !v.IsNull() {
						an = append(an, v.String())
					}
				}
				if !slices.Equal(an, o.Anomalies) {
					t.Errorf("%s %s anomalies = %q, want %q", f, id, an, o.Anomalies)
				}
			}
		}
		if seen != len(fx.orders) {
			t.Errorf("read %d orders, want %d", seen, len(fx.orders))
		}
		// The refund without an amount is null, the others exact.
		for _, f := range want {
			if !strings.HasPrefix(f, "refunds/") || !strings.Contains(f, "shop="+fx.orders[0].Shop+"/") {
				continue
			}
			p := readPQ(t, filepath.Join(dir, f))
			checkDecimalType(t, p, "amount")
			for _, row := range p.rows {
				amt := p.value(t, row, "amount")
				id := p.value(t, row, "order_id").String()
				if strings.HasSuffix(id, "-003") {
					if !amt.IsNull() {
						t.Errorf("%s: refund of %s has amount %v, want null", f, id, amt)
					}
				} else if got := unscaled(t, amt); got != "31416" {
					t.Errorf("%s: refund of %s amount %s, want 31416", f, id, got)
				}
			}
		}
	}

	// The Arrow reader gives the table back typed.
	recs, err := ReadTable(dir, table.Orders)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	total := 0
	byID := map[string]model.Order{}
	for _, fx := range []fixture{fx1, fx2} {
		for _, o := range fx.orders {
			byID[o.OrderID] = o
		}
	}
	for _, r := range recs {
		total += int(r.NumRows())
		// Exactly the table's schema: decimal128(18,4), timestamp[s, UTC]...
		if !r.Schema().Equal(table.Orders.Schema()) {
			t.Fatalf("read back as\n%s\nwant\n%s", r.Schema(), table.Orders.Schema())
		}
		ids := r.Column(table.Orders.ColumnIndex("order_id")).(*array.String)
		totals := r.Column(table.Orders.ColumnIndex("total_amount")).(*array.Decimal128)
		created := r.Column(table.Orders.ColumnIndex("created_at")).(*array.Timestamp)
		paid := r.Column(table.Orders.ColumnIndex("paid_at")).(*array.Timestamp)
		for i := 0; i < int(r.NumRows()); i++ {
			o := byID[ids.Value(i)]
			if got := table.FromDecimal128(totals.Value(i)); !got.Equal(o.TotalAmount) {
				t.Errorf("arrow: %s total %s, want %s", o.OrderID, got, o.TotalAmount)
			}
			if int64(created.Value(i)) != o.CreatedAt.Unix() {
				t.Errorf("arrow: %s created_at %d", o.OrderID, created.Value(i))
			}
			if paid.IsNull(i) != (o.PaidAt == nil) {
				t.Errorf("arrow: %s paid_at null %v", o.OrderID, paid.IsNull(i))
			}
		}
	}
	if total != 10 {
		t.Fatalf("arrow reader: %d orders, want 10", total)
	}
}

// TestSpilledPartsCoalesceAtCommit: with a budget of one byte, every run
// of one date is spilled to a file of its own; Commit merges them, so
// each partition gets one file holding every row written to it.
func TestSpilledPartsCoalesceAtCommit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := New(Config{Dir: dir, BufferBytes: 1, RowGroupRows: 2, Compression: "snappy"}, "r1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Dates interleave: 1 2 1 2 3 1, in two batches.
	days := []int{1, 2, 1, 2, 3, 1}
	var orders []model.Order
	for round := 0; round < 2; round++ {
		for i, d := range days {
			orders = append(orders, model.Order{
				Meta:        model.Meta{Platform: "ymcart", Shop: "y1", RunID: "r1", Version: 1},
				OrderID:     fmt.Sprintf("o%d-%d", round, i),
				TotalAmount: dec(fmt.Sprintf("%d.0001", i)),
				CreatedAt:   time.Date(2024, 1, d, i, 0, 0, 0, time.UTC),
			})
		}
	}
	for _, half := range [][]model.Order{orders[:6], orders[6:]} {
		rec := build(t, table.Orders, len(half), func(b *table.Builder, i int) error { return b.AppendOrder(&half[i]) })
		if err := s.Write(context.Background(), "y1", table.Orders, rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if err := s.Commit(context.Background(), "y1"); err != nil {
		t.Fatal(err)
	}
	checkManifests(t, dir)
	files := partFiles(t, dir)
	// Every run of one date got its own temporary file (12 of them), and
	// Commit published one per date.
	if len(files) != 3 {
		t.Fatalf("%d files, want 3:\n%s", len(files), strings.Join(files, "\n"))
	}
	if left := allFiles(t, dir); len(left) != 3+1 { // and the manifest
		t.Fatalf("left behind:\n%s", strings.Join(left, "\n"))
	}
	perDate := map[string]int{}
	total := 0
	for _, f := range files {
		if !isPartFile(filepath.Base(f)) {
			t.Fatalf("not a final part file: %s", f)
		}
		p := readPQ(t, filepath.Join(dir, f))
		total += len(p.rows)
		perDate[strings.Split(f, "/")[3]] += len(p.rows)
	}
	if total != len(orders) {
		t.Fatalf("%d rows in files, wrote %d", total, len(orders))
	}
	if perDate["date=2024-01-01"] != 6 || perDate["date=2024-01-02"] != 4 || perDate["date=2024-01-03"] != 2 {
		t.Fatalf("rows per date %v", perDate)
	}
	n, err := CountLatest(dir, table.Orders, "y1")
	if err != nil || n != len(orders) {
		t.Fatalf("CountLatest = %d, %v; want %d", n, err, len(orders))
	}
}

func TestCloseWithoutCommitLeavesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := New(Config{Dir: dir, BufferBytes: 1}, "r1") // spilled files too
	if err != nil {
		t.Fatal(err)
	}
	writeShop(t, s, "s1", makeFixture("shopex", "s1", "r1", 1))
	writeShop(t, s, "s2", makeFixture("dage", "s2", "r1", 1))
	if err := s.Commit(context.Background(), "s2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if ms := checkManifests(t, dir); len(ms) != 1 || ms[0].Shop != "s2" {
		t.Fatalf("want only s2's manifest, got %+v", ms)
	}
	files := partFiles(t, dir)
	if len(files) != 9 {
		t.Fatalf("want only s2's 9 files, got:\n%s", strings.Join(files, "\n"))
	}
	for _, f := range files {
		if !strings.Contains(f, "/shop=s2/") || !isPartFile(filepath.Base(f)) {
			t.Fatalf("left behind: %s", f)
		}
	}
	if err := s.Write(context.Background(), "s1", table.Orders, nil); err != nil {
		t.Fatal("an empty write is a no-op")
	}
	rec := makeFixture("shopex", "s1", "r1", 1).batches(t)[table.Orders]
	defer rec.Release()
	if err := s.Write(context.Background(), "s1", table.Orders, rec); err == nil {
		t.Fatal("write after Close succeeded")
	}

	// A sink closed with nothing committed leaves no file at all.
	dir2 := t.TempDir()
	s2, err := New(Config{Dir: dir2}, "r2")
	if err != nil {
		t.Fatal(err)
	}
	writeShop(t, s2, "s1", makeFixture("shopex", "s1", "r2", 1))
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	if files := allFiles(t, dir2); len(files) != 0 {
		t.Fatalf("left behind:\n%s", strings.Join(files, "\n"))
	}
}

func TestTwoRunsCountLatest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for run, version := range map[string]uint64{"r1": 1, "r2": 2} {
		s, err := New(Config{Dir: dir, Compression: "gzip"}, run)
		if err != nil {
			t.Fatal(err)
		}
		writeShop(t, s, "s1", makeFixture("shopex", "s1", run, version))
		writeShop(t, s, "s2", makeFixture("dage", "s2", run, version))
		for _, shop := range []string{"s1", "s2"} {
			if err := s.Commit(context.Background(), shop); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		tb   *table.Table
		want int
	}{{table.Orders, 5}, {table.OrderItems, 10}, {table.Refunds, 3}} {
		for _, shop := range []string{"s1", "s2"} {
			files, err := Files(dir, tc.tb)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 12 {
				t.Fatalf("%s: %d files, want 12 (2 runs x 2 shops x 3 dates)", tc.tb.Name, len(files))
			}
			n, err := CountLatest(dir, tc.tb, shop)
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.want {
				t.Errorf("CountLatest(%s, %s) = %d, want %d", tc.tb.Name, shop, n, tc.want)
			}
			latest, err := latestVersions(dir, tc.tb, shop)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range latest {
				if v != 2 {
					t.Errorf("%s %q: latest version %d, want 2", tc.tb.Name, k, v)
				}
			}
		}
	}
	if ms := checkManifests(t, dir); len(ms) != 4 {
		t.Fatalf("%d manifests, want 2 runs x 2 shops", len(ms))
	}
	if n, err := CountLatest(dir, table.Orders, "nope"); err != nil || n != 0 {
		t.Fatalf("unknown shop: %d, %v", n, err)
	}
	if n, err := CountLatest(t.TempDir(), table.Orders, "s1"); err != nil || n != 0 {
		t.Fatalf("empty dir: %d, %v", n, err)
	}
}

func TestConcurrentShops(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := New(Config{Dir: dir, BufferBytes: 64 << 10, Compression: "none"}, "r1")
	if err != nil {
		t.Fatal(err)
	}
	const shops = 8
	var wg sync.WaitGroup
	errs := make(chan error, shops)
	for i := 0; i < shops; i++ {
		shop := fmt.Sprintf("c%d", i)
		fx := makeFixture("shoptima", shop, "r1", 1)
		bs := fx.batches(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 3; round++ {
				for _, tb := range []*table.Table{table.Orders, table.OrderItems, table.Refunds} {
					if err := s.Write(context.Background(), shop, tb, bs[tb]); err != nil {
						errs <- err
						return
					}
				}
			}
			for _, rec := range bs {
				rec.Release()
			}
			errs <- s.Commit(context.Background(), shop)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tb   *table.Table
		rows int
	}{{table.Orders, 5}, {table.OrderItems, 10}, {table.Refunds, 3}} {
		recs, err := ReadTable(dir, tc.tb)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, r := range recs {
			total += int(r.NumRows())
			r.Release()
		}
		if total != 3*shops*tc.rows {
			t.Errorf("%s: %d rows, want %d", tc.tb.Name, total, 3*shops*tc.rows)
		}
		for i := 0; i < shops; i++ {
			if n, err := CountLatest(dir, tc.tb, fmt.Sprintf("c%d", i)); err != nil || n != tc.rows {
				t.Errorf("%s c%d: CountLatest %d, %v", tc.tb.Name, i, n, err)
			}
		}
	}
	if ms := checkManifests(t, dir); len(ms) != shops {
		t.Fatalf("%d manifests, want %d", len(ms), shops)
	}
	for _, f := range allFiles(t, dir) {
		base := filepath.Base(f)
		manifest := strings.HasPrefix(f, manifestDir+"/") && strings.HasPrefix(base, "shop=") && strings.HasSuffix(base, ".json")
		if !isPartFile(base) && !manifest {
			t.Fatalf("left behind: %s", f)
		}
	}
}

func TestRejects(t *testing.T) {
	t.Parallel()
	if _, err := New(Config{Dir: t.TempDir(), Compression: "lzma"}, "r1"); err == nil {
		t.Fatal("unknown compression accepted")
	}
	if _, err := New(Config{Dir: t.TempDir()}, "../r1"); err == nil {
		t.Fatal("run id with a slash accepted")
	}
	dir := t.TempDir()
	s := newSink(t, dir)
	o := model.Order{Meta: model.Meta{Platform: "a/b", Shop: "s1"}, OrderID: "x", CreatedAt: creations[0]}
	rec := build(t, table.Orders, 1, func(b *table.Builder, _ int) error { return b.AppendOrder(&o) })
	defer rec.Release()
	if err := s.Write(context.Background(), "s1", table.Orders, rec); err == nil {
		t.Fatal("platform with a slash accepted")
	}
	if got := allFiles(t, dir); len(got) != 0 {
		t.Fatalf("wrote %v", got)
	}
}

// sinkIface mirrors pipeline.Sink, which this package does not import.
type sinkIface interface {
	Name() string
	Write(ctx context.Context, shop string, t *table.Table, rec arrow.RecordBatch) error
	Commit(ctx context.Context, shop string) error
	Close() error
}

var _ sinkIface = (*Sink)(nil)

func TestCommitAfterCancelAndClose(t *testing.T) {
	t.Parallel()
	s, err := New(Config{Dir: t.TempDir()}, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "parquet" {
		t.Fatal(s.Name())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Commit(ctx, "s1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit with a cancelled context: %v", err)
	}
	if err := s.Commit(context.Background(), "s1"); err != nil {
		t.Fatalf("Commit of a shop with no rows: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	if err := s.Commit(context.Background(), "s1"); err == nil {
		t.Fatal("Commit after Close succeeded")
	}
}

func TestFailedWriteBlocksCommit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A file where the refunds directory should be makes its writes fail.
	if err := os.WriteFile(filepath.Join(dir, "refunds"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := newSink(t, dir)
	bs := makeFixture("shopex", "s1", "r1", 1).batches(t)
	for _, rec := range bs {
		defer rec.Release()
	}
	ctx := context.Background()
	if err := s.Write(ctx, "s1", table.Orders, bs[table.Orders]); err != nil {
		t.Fatal(err)
	}
	err := s.Write(ctx, "s1", table.Refunds, bs[table.Refunds])
	// The caller names the shop and table; the sink says what failed.
	if want := "mkdir " + filepath.Join(dir, "refunds") + ": not a directory"; err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	if err := s.Commit(ctx, "s1"); err == nil {
		t.Fatal("Commit succeeded after rows were lost")
	}
	if files := allFiles(t, dir); !slices.Equal(files, []string{"refunds"}) {
		t.Fatalf("left behind:\n%s", strings.Join(files, "\n"))
	}
}

// TestManifestRecordsEveryCommit: a shop's manifest lists every file its
// commits of the run published (two commits: both sets), with the fields
// a reader needs; a commit with no rows still records that it happened; a
// shop that did not commit, or whose name cannot name a file, has none.
func TestManifestRecordsEveryCommit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := New(Config{Dir: dir, BufferBytes: 1}, "r7")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	writeShop(t, s, "s1", makeFixture("shopex", "s1", "r7", 1))
	if err := s.Commit(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	first := checkManifests(t, dir)
	if len(first) != 1 || len(first[0].Files) != 9 {
		t.Fatalf("after the first commit: %+v", first)
	}
	writeShop(t, s, "s1", makeFixture("shopex", "s1", "r7", 2))
	writeShop(t, s, "never", makeFixture("dage", "never", "r7", 1))
	if err := s.Commit(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, "idle"); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, "a/b"); err == nil {
		t.Fatal("a shop name with a slash was committed")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ms := checkManifests(t, dir) // "never" left no files, so none is unlisted
	if len(ms) != 2 || ms[0].Shop != "idle" || ms[1].Shop != "s1" {
		t.Fatalf("manifests: %+v", ms)
	}
	if len(ms[0].Files) != 0 || len(ms[1].Files) != 18 || !slices.Equal(ms[1].Files[:9], first[0].Files) {
		t.Fatalf("idle lists %d files, s1 %d (the first 9 as before: %v)", len(ms[0].Files), len(ms[1].Files), slices.Equal(ms[1].Files[:9], first[0].Files))
	}
	rows := map[string]int64{}
	for _, f := range ms[1].Files {
		rows[f.Table] += f.Rows
	}
	if rows["orders"] != 10 || rows["order_items"] != 20 || rows["refunds"] != 6 {
		t.Fatalf("rows per table %v, want 2 x (5, 10, 3)", rows)
	}

	// The JSON a reader globs for, field by field.
	raw, err := os.ReadFile(filepath.Join(dir, "_manifests", "run=r7", "shop=s1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Format      *int    `json:"format"`
		RunID       *string `json:"run_id"`
		Shop        *string `json:"shop"`
		CommittedAt *string `json:"committed_at"`
		Files       []map[string]any
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Format == nil || *doc.Format != 1 || *doc.RunID != "r7" || *doc.Shop != "s1" || doc.CommittedAt == nil {
		t.Fatalf("manifest header: %s", raw)
	}
	var keys []string
	for k := range doc.Files[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"bytes", "file", "partition", "path", "rows", "table"}; !slices.Equal(keys, want) {
		t.Fatalf("file entry keys %v, want %v", keys, want)
	}
	if idle, _ := os.ReadFile(ManifestPath(dir, "r7", "idle")); !strings.Contains(string(idle), `"files": []`) {
		t.Fatalf("idle manifest: %s", idle)
	}

	// A crash while writing a manifest leaves a hidden temporary file,
	// which readers skip.
	if err := os.WriteFile(filepath.Join(dir, "_manifests", "run=r7", ".shop=x.json.123.tmp"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ms, err := ReadManifests(dir); err != nil || len(ms) != 2 {
		t.Fatalf("with a temporary file: %d manifests, %v", len(ms), err)
	}
	if ms, err := ReadManifests(t.TempDir()); err != nil || ms != nil {
		t.Fatalf("no manifests: %v, %v", ms, err)
	}
}

// TestManifestFailureFailsCommit: when the manifest cannot be written the
// commit fails (so the watermark stays), and the files it published stay
// complete and readable, only unrecorded.
func TestManifestFailureFailsCommit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "_manifests"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := newSink(t, dir)
	writeShop(t, s, "s1", makeFixture("shopex", "s1", "r1", 1))
	if err := s.Commit(context.Background(), "s1"); err == nil || !strings.Contains(err.Error(), "manifest") {
		t.Fatalf("Commit: %v, want a manifest error", err)
	}
	if files := partFiles(t, dir); len(files) != 10 || files[0] != "_manifests" {
		t.Fatalf("want 9 files published next to the obstacle, got:\n%s", strings.Join(files, "\n"))
	}
	if n, err := CountLatest(dir, table.Orders, "s1"); err != nil || n != 5 {
		t.Fatalf("unrecorded files read back as %d orders, %v", n, err)
	}
}

// TestRowGroupsCutByRowsAndBytes: row groups end at RowGroupRows rows or
// at RowGroupBytes estimated bytes, whichever comes first, across and
// inside batches; a row larger than the cap is a group of its own; no row
// is lost or reordered by the cuts, and the footer's uncompressed sizes
// agree with the estimate (they also count min/max statistics, which for
// a one-row group of a long string are twice its length).
func TestRowGroupsCutByRowsAndBytes(t *testing.T) {
	t.Parallel()
	const maxRows, maxBytes = 7, 10_000
	dir := t.TempDir()
	s, err := New(Config{Dir: dir, RowGroupRows: maxRows, RowGroupBytes: maxBytes}, "r1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Quarantine rows are what makes bytes matter: raw payloads.
	sizes := []int{100, 100, 100, 100, 100, 100, 100, 100, 100, // by rows: 7, then 2...
		3000, 3000, 3000, 3000, // ...then by bytes
		50_000,                   // alone
		10, 4000, 4000, 4000, 10, // by bytes again
	}
	var payloads []string
	var qs []model.Quarantined
	for i, n := range sizes {
		p := strings.Repeat(fmt.Sprintf("%06d", i), n/6+1)[:n]
		payloads = append(payloads, p)
		qs = append(qs, model.Quarantined{
			Meta: model.Meta{Platform: "ymcart", Shop: "y1", RunID: "r1", Version: 1},
			Seq:  uint64(i), Endpoint: "orderList", Reason: "bad amount", Payload: p,
			At: time.Date(2024, 1, 1, 0, 0, i, 0, time.UTC),
		})
	}
	// Batches that do not line up with the groups: 5, 6, 1, 7.
	for _, b := range [][2]int{{0, 5}, {5, 11}, {11, 12}, {12, len(qs)}} {
		part := qs[b[0]:b[1]]
		rec := build(t, table.Quarantine, len(part), func(bl *table.Builder, i int) error { return bl.AppendQuarantined(&part[i]) })
		if err := s.Write(context.Background(), "y1", table.Quarantine, rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if err := s.Commit(context.Background(), "y1"); err != nil {
		t.Fatal(err)
	}
	files, err := Files(dir, table.Quarantine)
	if err != nil || len(files) != 1 {
		t.Fatalf("files %v, %v", files, err)
	}
	rdr, err := file.OpenParquetFile(files[0], false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	payloadCol := table.Quarantine.ColumnIndex("payload")
	var groups [][]string // payloads per row group, in file order
	for g := 0; g < rdr.NumRowGroups(); g++ {
		tbl, err := fr.ReadRowGroups(context.Background(), []int{payloadCol}, []int{g})
		if err != nil {
			t.Fatal(err)
		}
		var ps []string
		for _, c := range tbl.Column(0).Data().Chunks() {
			for i := 0; i < c.Len(); i++ {
				ps = append(ps, c.(*array.String).Value(i))
			}
		}
		tbl.Release()
		groups = append(groups, ps)
		if n := rdr.MetaData().RowGroup(g).NumRows(); n != int64(len(ps)) {
			t.Fatalf("group %d: footer says %d rows, read %d", g, n, len(ps))
		}
	}
	var got []int
	var all []string
	for _, g := range groups {
		got = append(got, len(g))
		all = append(all, g...)
	}
	// 7 (rows) | 2+3 (bytes: 200+9000) | 1 | 1 (50k alone) | 10+4000+4000 | 4000+10.
	// Each row also carries about 60 bytes of other columns.
	if want := []int{7, 5, 1, 1, 3, 2}; !slices.Equal(got, want) {
		t.Errorf("rows per group %v, want %v", got, want)
	}
	if !slices.Equal(all, payloads) {
		t.Errorf("payloads read back differ from those written (%d rows, want %d)", len(all), len(payloads))
	}
	for g := range groups {
		total := rdr.MetaData().RowGroup(g).TotalByteSize()
		t.Logf("group %d: %d rows, %d uncompressed bytes", g, len(groups[g]), total)
		if len(groups[g]) > 1 && total > maxBytes*3/2 {
			t.Errorf("group %d: %d uncompressed bytes in the footer, far above the %d cap", g, total, maxBytes)
		}
	}
}

// New makes the directory and proves a file can be written in it, leaving
// nothing behind; a directory that cannot be made is refused by New, with
// the directory named, before anything is written.
func TestNewChecksTheDirectory(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b")
	s, err := New(Config{Dir: dir}, "r1")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Fatalf("New left %v in %s (%v), want an empty directory", entries, dir, err)
	}
	file := filepath.Join(root, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = New(Config{Dir: filepath.Join(file, "pq")}, "r1")
	if want := "parquet sink: directory " + filepath.Join(file, "pq") + ": mkdir " + file + ": not a directory"; err == nil || err.Error() != want {
		t.Fatalf("New under a file: %v, want %q", err, want)
	}
}

// TestBudgetSpillsAndCommitWritesOneFilePerPartition: orders over 60 days
// written in small batches, each spanning every day, with a budget under
// two batches. The sink must spill (and keep within the budget), and
// Commit must still publish exactly one file per partition holding every
// row of it; under a large budget nothing spills.
func TestBudgetSpillsAndCommitWritesOneFilePerPartition(t *testing.T) {
	t.Parallel()
	const days, rounds = 60, 9
	for _, tc := range []struct {
		name   string
		budget int64
		spills bool
	}{{"small budget", 64 << 10, true}, {"large budget", 1 << 30, false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			s, err := New(Config{Dir: dir, BufferBytes: tc.budget, Compression: "snappy"}, "r1")
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			want := map[string]int{} // rows per date
			for round := 0; round < rounds; round++ {
				var orders []model.Order
				for d := 0; d < days; d++ {
					for i := 0; i <= d%3; i++ {
						day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d)
						orders = append(orders, model.Order{
							Meta:        model.Meta{Platform: "ymcart", Shop: "y1", RunID: "r1", Version: 1},
							OrderID:     fmt.Sprintf("o%d-%d-%d", round, d, i),
							TotalAmount: dec("1.0001"),
							CreatedAt:   day.Add(time.Duration(i) * time.Hour),
						})
						want["date="+day.Format(time.DateOnly)]++
					}
				}
				rec := build(t, table.Orders, len(orders), func(b *table.Builder, i int) error { return b.AppendOrder(&orders[i]) })
				if err := s.Write(context.Background(), "y1", table.Orders, rec); err != nil {
					t.Fatal(err)
				}
				rec.Release()
				s.mu.Lock()
				buffered := s.buffered
				s.mu.Unlock()
				if buffered > tc.budget {
					t.Fatalf("round %d: %d bytes buffered, budget %d", round, buffered, tc.budget)
				}
			}
			s.mu.Lock()
			spilled, buffered := s.spilled, s.buffered
			s.mu.Unlock()
			if (spilled > 0) != tc.spills {
				t.Fatalf("%d buffers spilled", spilled)
			}
			// Commit must merge spilled files with buffered rows.
			if buffered == 0 {
				t.Fatal("nothing buffered before Commit")
			}
			if err := s.Commit(context.Background(), "y1"); err != nil {
				t.Fatal(err)
			}
			files := partFiles(t, dir)
			if len(files) != days {
				t.Fatalf("%d files, want one per day (%d)", len(files), days)
			}
			if left := allFiles(t, dir); len(left) != days+1 { // and the manifest
				t.Fatalf("left behind:\n%s", strings.Join(left, "\n"))
			}
			got := map[string]int{}
			for _, f := range files {
				got[strings.Split(f, "/")[3]] += len(readPQ(t, filepath.Join(dir, f)).rows)
			}
			if !maps.Equal(got, want) {
				t.Fatalf("rows per date %v, want %v", got, want)
			}
			s.mu.Lock()
			buffered = s.buffered
			s.mu.Unlock()
			if buffered != 0 {
				t.Fatalf("%d bytes still counted after Commit", buffered)
			}
		})
	}
}
