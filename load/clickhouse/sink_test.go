package clickhouse

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/internal/testenv"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/secret"
	"github.com/shopetl/shopetl/table"
)

// testConfig is the server of the integration tests, with a fresh database.
func testConfig(t testing.TB) Config {
	t.Helper()
	addr := testenv.ClickHouse(t)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return Config{
		Addr:        []string{addr},
		Database:    "shopetl_test_" + hex.EncodeToString(b[:]),
		Username:    os.Getenv("CLICKHOUSE_USER"),
		Password:    secret.New(os.Getenv("CLICKHOUSE_PASSWORD")),
		DialTimeout: 5 * time.Second,
	}
}

// newTestSink opens a sink on a fresh database, dropped when the test ends.
func newTestSink(t testing.TB) (*Sink, Config) {
	t.Helper()
	cfg := testConfig(t)
	return openTestSink(t, cfg), cfg
}

// openTestSink opens a sink on cfg; its database is dropped when the test
// ends (on every node of cfg.Cluster).
func openTestSink(t testing.TB, cfg Config) *Sink {
	t.Helper()
	// The context New inserts with (etl_schema) outlives the sink: the
	// driver's batch Send leaves a goroutine that closes the batch's TCP
	// connection when its context ends, and it may still do so after Send
	// returned the connection to the pool (clickhouse-go v2.50
	// contextWatchdog: stop and ctx.Done race in one select). Cancelling
	// here made the test's next Exec fail, now and then, with "use of
	// closed network connection". Cleanups run last-in first-out: this
	// one runs after the sink is closed.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	s, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.Conn().Exec(ctx, "DROP DATABASE IF EXISTS "+Quote(cfg.Database)+onCluster(cfg.Cluster)); err != nil {
			t.Errorf("drop %s: %v", cfg.Database, err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// batch builds one record batch of tb with add, released when the test ends.
func batch(t *testing.T, tb *table.Table, add func(b *table.Builder) error) arrow.RecordBatch {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	b := table.NewBuilder(mem, tb)
	defer b.Release()
	if err := add(b); err != nil {
		t.Fatal(err)
	}
	rec := b.Flush()
	t.Cleanup(func() {
		rec.Release()
		mem.AssertSize(t, 0)
	})
	return rec
}

var created = time.Date(2020, 5, 21, 17, 21, 51, 0, time.UTC)

func testOrders(version uint64, status string) []model.Order {
	paid := created.Add(time.Minute)
	shipped := created.Add(48 * time.Hour)
	meta := model.Meta{Platform: "shoptima", Shop: "st", RunID: "run-1", Version: version}
	return []model.Order{
		{
			Meta: meta, OrderID: "asda-20200521-004", SourceID: "4711",
			Status: status, PaymentStatus: model.PaymentPaid, ShippingStatus: model.ShippingUnshipped,
			RefundStatus: model.RefundNone, RawStatus: "status=1 is_refund=0 refund_type=0",
			Currency: "EUR", GoodsAmount: dec("16.55"), ShippingAmount: dec("5.99"),
			TotalAmount: dec("22.54"), PaidAmount: dec("22.54"),
			CreatedAt: created, PaidAt: &paid, UpdatedAt: &paid,
			Country: "DE", PaymentMethod: "paypal", ItemCount: 2, Quantity: 3,
			Anomalies: []string{},
		},
		{
			Meta: meta, OrderID: "asda-20200521-005",
			Status: status, PaymentStatus: model.PaymentUnpaid, ShippingStatus: model.ShippingUnshipped,
			RefundStatus: model.RefundNone, RawStatus: "status=0",
			Currency: "EUR", GoodsAmount: dec("-0.0001"), TotalAmount: dec("0"),
			DiscountAmount: dec("0.0001"),
			CreatedAt:      created.Add(time.Hour), // no paid_at: null
			ItemCount:      1, Quantity: 1,
			Anomalies: []string{"total_mismatch", "unknown_status:9"},
		},
		{
			Meta: meta, OrderID: "asda-20200601-001",
			Status: status, PaymentStatus: model.PaymentRefunded, ShippingStatus: model.ShippingShipped,
			RefundStatus: model.RefundFull, RawStatus: "status=2 is_refund=1 refund_type=3",
			Currency: "USD", GoodsAmount: dec("99999999999999.9999"), TotalAmount: dec("-99999999999999.9999"),
			FeeAmount: dec("12.9300"), RefundedAmount: dec("99999999999999.9999"),
			CreatedAt: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC), PaidAt: &paid, ShippedAt: &shipped,
			TrackingNumber: "JJD000", ItemCount: 1, Quantity: 1,
			Anomalies: []string{"total_mismatch"},
		},
	}
}

func ordersBatch(t *testing.T, orders []model.Order) arrow.RecordBatch {
	return batch(t, table.Orders, func(b *table.Builder) error {
		for i := range orders {
			if err := b.AppendOrder(&orders[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

type orderRow struct {
	OrderID, Status, Currency             string
	Goods, Total, Fee, Discount, Refunded string
	CreatedAt                             time.Time
	PaidAt, ShippedAt                     *time.Time
	Anomalies                             []string
	ItemCount                             uint32
	Version                               uint64
}

func readOrders(t *testing.T, s *Sink, from string) []orderRow {
	t.Helper()
	rows, err := s.Conn().Query(testCtx(t), `SELECT order_id, status, currency,
		toString(goods_amount), toString(total_amount), toString(fee_amount),
		toString(discount_amount), toString(refunded_amount),
		created_at, paid_at, shipped_at, anomalies, item_count, version
		FROM `+from+` ORDER BY order_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []orderRow
	for rows.Next() {
		var r orderRow
		if err := rows.Scan(&r.OrderID, &r.Status, &r.Currency, &r.Goods, &r.Total, &r.Fee,
			&r.Discount, &r.Refunded, &r.CreatedAt, &r.PaidAt, &r.ShippedAt, &r.Anomalies,
			&r.ItemCount, &r.Version); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func checkOrders(t *testing.T, got []orderRow, want []model.Order) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d orders, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		fixed := func(d decimal.Decimal) string { return d.StringFixed(table.DecimalScale) }
		if g.OrderID != w.OrderID || g.Status != w.Status || g.Currency != w.Currency ||
			g.Goods != fixed(w.GoodsAmount) || g.Total != fixed(w.TotalAmount) ||
			g.Fee != fixed(w.FeeAmount) || g.Discount != fixed(w.DiscountAmount) ||
			g.Refunded != fixed(w.RefundedAmount) || g.ItemCount != w.ItemCount || g.Version != w.Version {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
		if !g.CreatedAt.Equal(w.CreatedAt) || !sameTime(g.PaidAt, w.PaidAt) || !sameTime(g.ShippedAt, w.ShippedAt) {
			t.Errorf("row %d times = %v %v %v, want %v %v %v", i, g.CreatedAt, g.PaidAt, g.ShippedAt, w.CreatedAt, w.PaidAt, w.ShippedAt)
		}
		wantAn := w.Anomalies
		if wantAn == nil {
			wantAn = []string{}
		}
		if len(g.Anomalies) != len(wantAn) || (len(wantAn) > 0 && !reflect.DeepEqual(g.Anomalies, wantAn)) {
			t.Errorf("row %d anomalies = %q, want %q", i, g.Anomalies, wantAn)
		}
	}
}

func count(t *testing.T, s *Sink, from string) uint64 {
	t.Helper()
	var n uint64
	if err := s.Conn().QueryRow(testCtx(t), "SELECT count() FROM "+from).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNewCreatesTablesIdempotently(t *testing.T) {
	s, cfg := newTestSink(t)
	ctx := testCtx(t)
	t.Logf("server version %s", s.ServerVersion())
	if s.Name() != "clickhouse" || s.ServerVersion() == "" {
		t.Fatalf("name %q version %q", s.Name(), s.ServerVersion())
	}
	// A second New on the same database finds everything in place.
	s2, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	checkTablesAndViews(ctx, t, s, cfg.Database)
	for _, tb := range table.All {
		// The table's columns are the declaration's, in order.
		rows, err := s.Conn().Query(ctx, "SELECT name, type FROM system.columns WHERE database = ? AND table = ? ORDER BY position",
			cfg.Database, tb.Name)
		if err != nil {
			// 18.16's system.columns has no position column.
			rows, err = s.Conn().Query(ctx, "SELECT name, type FROM system.columns WHERE database = ? AND table = ?",
				cfg.Database, tb.Name)
		}
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for rows.Next() {
			var name, typ string
			if err := rows.Scan(&name, &typ); err != nil {
				t.Fatal(err)
			}
			names = append(names, name)
			if want := ColumnType(tb.Columns[len(names)-1], s.Version()); typ != strings.ReplaceAll(want, ",", ", ") && typ != want {
				t.Errorf("%s.%s type %s, want %s", tb.Name, name, typ, want)
			}
		}
		rows.Close()
		if !reflect.DeepEqual(names, tb.ColumnNames()) {
			t.Errorf("%s columns %v, want %v", tb.Name, names, tb.ColumnNames())
		}
	}
}

// A table made by an earlier shopetl, before the buyer columns, is given
// them in place, its rows kept, and its _latest view shows them.
func TestNewAddsMissingColumns(t *testing.T) {
	s, cfg := newTestSink(t)
	ctx := testCtx(t)
	old := *table.Orders
	old.Columns = slices.DeleteFunc(slices.Clone(old.Columns), func(c table.Column) bool {
		return strings.HasPrefix(c.Name, "buyer_") || strings.HasPrefix(c.Name, "ship_")
	})
	for _, sql := range []string{
		"DROP TABLE " + qualified(cfg.Database, LatestViewName(table.Orders)),
		"DROP TABLE " + qualified(cfg.Database, table.Orders.Name),
		DDL(cfg.Database, &old, s.Version()),
		ViewDDL(cfg.Database, &old),
	} {
		if err := s.Conn().Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// 18.16 hangs on Exec of INSERT ... VALUES: a batch, as the sink does.
	b, err := s.Conn().PrepareBatch(ctx, "INSERT INTO "+qualified(cfg.Database, "orders")+" (platform, shop, order_id, created_at, version)")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append("p", "s", "o1", time.Now(), uint64(1)); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	s2, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	names := columnNames(ctx, t, s, cfg.Database, "orders")
	if !reflect.DeepEqual(names, table.Orders.ColumnNames()) {
		t.Fatalf("columns after the upgrade %v, want %v", names, table.Orders.ColumnNames())
	}
	var id, email string
	if err := s.Conn().QueryRow(ctx, "SELECT order_id, buyer_email FROM "+qualified(cfg.Database, LatestViewName(table.Orders))).Scan(&id, &email); err != nil {
		t.Fatal(err)
	}
	if id != "o1" || email != "" {
		t.Fatalf("old row reads %q %q", id, email)
	}
}

// New creates only what a database lacks (from one read of its tables):
// a view or table dropped by hand since the last run is made again, and
// what exists is left as it is.
func TestNewMakesWhatIsMissing(t *testing.T) {
	s, cfg := newTestSink(t)
	ctx := testCtx(t)
	for _, name := range []string{LatestViewName(table.Refunds), LatestViewName(table.Payments), table.Payments.Name} {
		if err := s.Conn().Exec(ctx, "DROP TABLE "+qualified(cfg.Database, name)); err != nil {
			t.Fatal(err)
		}
	}
	s2, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	checkTablesAndViews(ctx, t, s, cfg.Database)
}

// checkTablesAndViews fails t unless db holds every table and its _latest
// view, once each.
func checkTablesAndViews(ctx context.Context, t *testing.T, s *Sink, db string) {
	t.Helper()
	for _, tb := range table.All {
		for _, name := range []string{tb.Name, LatestViewName(tb)} {
			var n uint64
			if err := s.Conn().QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = ?",
				db, name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("%s.%s: %d tables", db, name, n)
			}
		}
	}
}

func TestWriteOrdersRoundTripAndReplace(t *testing.T) {
	s, cfg := newTestSink(t)
	ctx := testCtx(t)
	tbl := Quote(cfg.Database) + "." + Quote("orders")
	view := Quote(cfg.Database) + "." + Quote("orders_latest")

	v1 := testOrders(1, model.StatusPaid)
	if err := s.Write(ctx, "st", table.Orders, ordersBatch(t, v1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, "st"); err != nil {
		t.Fatal(err)
	}
	checkOrders(t, readOrders(t, s, tbl+" FINAL"), v1)

	// The same rows again, read later: higher version, new status.
	v2 := testOrders(2, model.StatusCompleted)
	if err := s.Write(ctx, "st", table.Orders, ordersBatch(t, v2)); err != nil {
		t.Fatal(err)
	}
	// And once more, a stale reload of version 1: it must not win.
	if err := s.Write(ctx, "st", table.Orders, ordersBatch(t, v1)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, tbl); n != 9 {
		t.Errorf("raw count %d, want 9", n)
	}
	if n := count(t, s, tbl+" FINAL"); n != 3 {
		t.Errorf("FINAL count %d, want 3", n)
	}
	checkOrders(t, readOrders(t, s, tbl+" FINAL"), v2)
	checkOrders(t, readOrders(t, s, view), v2)
}

func TestWriteItemsAndRefunds(t *testing.T) {
	s, cfg := newTestSink(t)
	ctx := testCtx(t)
	meta := model.Meta{Platform: "dage", Shop: "dg", RunID: "r", Version: 5}
	items := []model.Item{
		{Meta: meta, OrderID: "o1", LineNo: 1, SKU: "A-1", Title: "Tee, \"blue\"", Quantity: 2,
			UnitPrice: dec("8.2750"), Discount: dec("0"), LineTotal: dec("16.55"), Currency: "EUR",
			RefundStatus: model.RefundNone, CreatedAt: created},
		{Meta: meta, OrderID: "o1", LineNo: 2, SKU: "B-2", Title: "Mug ☕", Quantity: 1,
			UnitPrice: dec("99999999999999.9999"), Discount: dec("-0.0001"), LineTotal: dec("1"), Currency: "EUR",
			RefundStatus: model.RefundRequested, CreatedAt: created},
	}
	rec := batch(t, table.OrderItems, func(b *table.Builder) error {
		for i := range items {
			if err := b.AppendItem(&items[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err := s.Write(ctx, "dg", table.OrderItems, rec); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Conn().Query(ctx, "SELECT line_no, sku, title, quantity, toString(unit_price), toString(discount_amount), toString(line_total), refund_status, created_at FROM "+
		Quote(cfg.Database)+".order_items_latest ORDER BY line_no")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for rows.Next() {
		var (
			line, qty                   uint32
			sku, title, up, disc, total string
			rs                          string
			at                          time.Time
		)
		if err := rows.Scan(&line, &sku, &title, &qty, &up, &disc, &total, &rs, &at); err != nil {
			t.Fatal(err)
		}
		w := items[n]
		if line != w.LineNo || sku != w.SKU || title != w.Title || qty != w.Quantity ||
			up != w.UnitPrice.StringFixed(4) || disc != w.Discount.StringFixed(4) ||
			total != w.LineTotal.StringFixed(4) || rs != w.RefundStatus || !at.Equal(w.CreatedAt) {
			t.Errorf("item %d = %d %s %s %d %s %s %s %s %v", n, line, sku, title, qty, up, disc, total, rs, at)
		}
		n++
	}
	rows.Close()
	if n != len(items) {
		t.Fatalf("read %d items", n)
	}

	amount := dec("-0.0001")
	refunds := []model.Refund{
		{Meta: meta, OrderID: "o1", RefundID: "rf1", LineNo: 2, Status: model.RefundRequested,
			Amount: nil, Currency: "EUR", CreatedAt: created},
		{Meta: meta, OrderID: "o1", RefundID: "rf2", LineNo: 0, Status: model.RefundFull,
			Amount: &amount, Currency: "EUR", CreatedAt: created},
	}
	rec = batch(t, table.Refunds, func(b *table.Builder) error {
		for i := range refunds {
			if err := b.AppendRefund(&refunds[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err := s.Write(ctx, "dg", table.Refunds, rec); err != nil {
		t.Fatal(err)
	}
	rows, err = s.Conn().Query(ctx, "SELECT refund_id, line_no, status, amount, toString(amount) FROM "+
		Quote(cfg.Database)+".refunds FINAL ORDER BY refund_id")
	if err != nil {
		t.Fatal(err)
	}
	n = 0
	for rows.Next() {
		var (
			id, status string
			text       *string
			line       uint32
			amt        *decimal.Decimal
		)
		if err := rows.Scan(&id, &line, &status, &amt, &text); err != nil {
			t.Fatal(err)
		}
		w := refunds[n]
		switch {
		case id != w.RefundID || line != w.LineNo || status != w.Status:
			t.Errorf("refund %d = %s %d %s", n, id, line, status)
		case w.Amount == nil && (amt != nil || text != nil):
			t.Errorf("refund %s amount = %v (%v), want null", id, amt, text)
		case w.Amount != nil && (amt == nil || text == nil || !amt.Equal(*w.Amount) || *text != w.Amount.StringFixed(4)):
			t.Errorf("refund %s amount = %v (%v), want %s", id, amt, text, w.Amount)
		}
		n++
	}
	rows.Close()
	if n != len(refunds) {
		t.Fatalf("read %d refunds", n)
	}
}

// TestWriteLargeStringColumns writes string columns that hold far more
// than presize's 4 KiB, with strings of every length, empty ones
// included, in one batch and pooled from two shops' batches into one
// insert: each row reads back as written, none more. The anomalies
// column alone holds more than a sendChunk, so the block goes to the
// server in several writes, one of them in the middle of the column.
func TestWriteLargeStringColumns(t *testing.T) {
	t.Parallel()
	var orders []model.Order
	for i := range 400 {
		o := testOrders(1, model.StatusPaid)[i%3]
		o.OrderID = fmt.Sprintf("large-order-with-a-longer-id-%06d", i)                  // 14,000 bytes in all
		o.Anomalies = []string{strings.Repeat("a", i%50), "", strings.Repeat("b", i*20)} // 1.6 MB
		orders = append(orders, o)
	}
	for _, pooled := range []bool{false, true} {
		t.Run(fmt.Sprintf("pooled=%t", pooled), func(t *testing.T) {
			s, cfg := newTestSink(t)
			ctx := testCtx(t)
			if !pooled {
				if err := s.Write(ctx, "st", table.Orders, ordersBatch(t, orders)); err != nil {
					t.Fatal(err)
				}
			} else {
				cfg.PoolRows = 1000
				s, err := New(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				for i := range 2 {
					if err := s.Write(ctx, fmt.Sprint("st", i), table.Orders, ordersBatch(t, orders[i*200:(i+1)*200])); err != nil {
						t.Fatal(err)
					}
				}
				if err := s.Commit(ctx, "st0"); err != nil {
					t.Fatal(err)
				}
			}
			checkOrders(t, readOrders(t, s, qualified(cfg.Database, "orders")), orders)
		})
	}
}

func TestWriteEmptyAndMismatched(t *testing.T) {
	s, _ := newTestSink(t)
	ctx := testCtx(t)
	if err := s.Write(ctx, "st", table.Orders, nil); err != nil {
		t.Fatal(err)
	}
	// An orders batch is not a refunds batch.
	err := s.Write(ctx, "st", table.Refunds, ordersBatch(t, testOrders(1, model.StatusPaid)))
	if err == nil || !strings.Contains(err.Error(), "refunds") || !strings.Contains(err.Error(), "st") {
		t.Fatalf("err = %v, want an error naming table and shop", err)
	}
}

// pwLeak is a password no error may show.
const pwLeak = "pw-must-not-leak-42"

// TestErrorsHidePassword: the server refuses a login without quoting the
// password, so the driver's error needs no scrubbing (see Sink.wrap).
func TestErrorsHidePassword(t *testing.T) {
	for _, user := range []string{"no_such_user_shopetl", testConfig(t).Username} {
		cfg := testConfig(t)
		cfg.Username = user
		cfg.Password = secret.New(pwLeak + cfg.Password.Reveal()) // wrong either way
		_, err := New(testCtx(t), cfg)
		if err == nil {
			t.Fatalf("user %s: want an authentication error", user)
		}
		for e := error(err); e != nil; e = errors.Unwrap(e) {
			if strings.Contains(e.Error(), pwLeak) {
				t.Fatalf("password in error %q", e)
			}
		}
		t.Logf("user %q: %v", user, err)
	}
}

func TestConvertSlicedBatch(t *testing.T) {
	t.Parallel()
	orders := testOrders(3, model.StatusShipped)
	rec := ordersBatch(t, orders)
	sl := rec.NewSlice(1, 3)
	defer sl.Release()
	for i, c := range table.Orders.Columns {
		v, err := convert(c, sl.Column(i))
		if err != nil {
			t.Fatal(err)
		}
		switch c.Name {
		case "order_id":
			if got := v.([]string); !reflect.DeepEqual(got, []string{orders[1].OrderID, orders[2].OrderID}) {
				t.Errorf("order_id = %q", got)
			}
		case "item_count":
			if got := v.([]uint32); !reflect.DeepEqual(got, []uint32{1, 1}) {
				t.Errorf("item_count = %v", got)
			}
		case "goods_amount":
			if got := v.([]decimal.Decimal); got[0].String() != "-0.0001" || got[1].String() != "99999999999999.9999" {
				t.Errorf("goods_amount = %v", got)
			}
		case "paid_at":
			if got := v.([]*time.Time); got[0] != nil || got[1] == nil || !got[1].Equal(*orders[2].PaidAt) {
				t.Errorf("paid_at = %v", got)
			}
		case "anomalies":
			if got := v.([][]string); !reflect.DeepEqual(got, [][]string{{"total_mismatch", "unknown_status:9"}, {"total_mismatch"}}) {
				t.Errorf("anomalies = %q", got)
			}
		}
	}
	// A null in a non-nullable column is refused, not written as zero.
	if _, err := convert(table.Column{Name: "paid_at", Type: table.DateTime}, rec.Column(table.Orders.ColumnIndex("paid_at"))); err == nil {
		t.Error("want an error for nulls in a non-nullable column")
	}
}

// A CA file that cannot be read, or holds no certificate, stops New before
// it dials, with the file named.
func TestNewRefusesBadCAFile(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{
		filepath.Join(t.TempDir(), "missing.pem"): "tls_ca_file",
		junk: "no PEM certificate",
	} {
		_, err := New(context.Background(), Config{Addr: []string{"127.0.0.1:1"}, Database: "d", TLS: true, TLSCAFile: file, Password: secret.New("pw-secret")})
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "pw-secret") {
			t.Errorf("%s: %v, want %q", file, err, want)
		}
	}
}

// The database records the schema version it was brought to, once per
// version, and a database written by a newer shopetl is refused rather
// than written with old tables.
func TestSchemaVersionRecordedAndNewerRefused(t *testing.T) {
	s, cfg := newTestSink(t)
	ctx := testCtx(t)
	if s2, err := New(ctx, cfg); err != nil { // a second start adds no row
		t.Fatal(err)
	} else {
		s2.Close()
	}
	var n uint64
	var v uint32
	if err := s.Conn().QueryRow(ctx, "SELECT count(), max(version) FROM "+qualified(cfg.Database, SchemaTable)).Scan(&n, &v); err != nil {
		t.Fatal(err)
	}
	if n != 1 || v != table.SchemaVersion {
		t.Fatalf("%s holds %d rows, version %d; want 1 row of %d", SchemaTable, n, v, table.SchemaVersion)
	}
	b, err := s.Conn().PrepareBatch(ctx, "INSERT INTO "+qualified(cfg.Database, SchemaTable)+" (version, applied_at)")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append(uint32(table.SchemaVersion+1), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	_, err = New(ctx, cfg)
	if err == nil || !strings.Contains(err.Error(), "newer than this shopetl's") {
		t.Fatalf("New on a newer schema: %v", err)
	}
}

// TestTLS connects over the private server's TLS port (scripts/clickhouse.sh
// makes a self-signed certificate): trusting its certificate through
// TLSCAFile works, the system's roots refuse it, and TLSSkipVerify accepts
// it. A batch written over TLS reads back.
func TestTLS(t *testing.T) {
	addr, ca := os.Getenv("CLICKHOUSE_TLS_ADDR"), os.Getenv("CLICKHOUSE_TLS_CA")
	if addr == "" || ca == "" {
		testenv.Missing(t, "CLICKHOUSE_TLS_ADDR/CLICKHOUSE_TLS_CA not set (make test sets them for its private server)")
	}
	if _, err := os.Stat(ca); err != nil {
		testenv.Missing(t, "no certificate at %s (openssl missing when the server was set up?): %v", ca, err)
	}
	cfg := testConfig(t)
	cfg.Addr = []string{addr}
	cfg.TLS = true
	ctx := testCtx(t)

	if _, err := New(ctx, cfg); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("self-signed certificate with the system's roots: %v, want a certificate error", err)
	}
	skip := cfg
	skip.TLSSkipVerify = true
	s1, err := New(ctx, skip)
	if err != nil {
		t.Fatalf("tls_skip_verify: %v", err)
	}
	s1.Close()

	cfg.TLSCAFile = ca
	s, err := New(ctx, cfg)
	if err != nil {
		t.Fatalf("tls_ca_file %s: %v", ca, err)
	}
	t.Cleanup(func() {
		s.Conn().Exec(context.Background(), "DROP DATABASE IF EXISTS "+Quote(cfg.Database))
		s.Close()
	})
	fx := ordersBatch(t, testOrders(1, model.StatusPaid))
	if err := s.Write(ctx, "st", table.Orders, fx); err != nil {
		t.Fatalf("write over TLS: %v", err)
	}
	var n uint64
	if err := s.Conn().QueryRow(ctx, "SELECT count() FROM "+qualified(cfg.Database, "orders")+" FINAL").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != uint64(fx.NumRows()) {
		t.Fatalf("%d rows over TLS, wrote %d", n, fx.NumRows())
	}
}

// An etl_runs table of the previous release (schema version 2, before
// shopetl_version) gets the column in place, after job, its rows kept and
// reading "", and etl_schema records the upgrade.
func TestNewUpgradesEtlRunsOfSchemaVersion2(t *testing.T) {
	s, cfg := newTestSink(t)
	ctx := testCtx(t)
	old := *table.Runs
	old.Columns = slices.DeleteFunc(slices.Clone(old.Columns), func(c table.Column) bool { return c.Name == "shopetl_version" })
	schema := qualified(cfg.Database, SchemaTable)
	for _, sql := range []string{
		"DROP TABLE " + qualified(cfg.Database, LatestViewName(table.Runs)),
		"DROP TABLE " + qualified(cfg.Database, table.Runs.Name),
		DDL(cfg.Database, &old, s.Version()),
		ViewDDL(cfg.Database, &old),
		"DROP TABLE " + schema,
		"CREATE TABLE " + schema + " (`version` UInt32, `applied_at` DateTime) ENGINE = MergeTree ORDER BY `version`",
	} {
		if err := s.Conn().Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	b, err := s.Conn().PrepareBatch(ctx, "INSERT INTO "+schema+" (version, applied_at)")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append(uint32(2), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	b, err = s.Conn().PrepareBatch(ctx, "INSERT INTO "+qualified(cfg.Database, "etl_runs")+" (platform, shop, run_id, job, started_at, version)")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append("p", "s", "r1", "j", time.Now(), uint64(1)); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}

	s2, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	names := columnNames(ctx, t, s, cfg.Database, "etl_runs")
	if !slices.Contains(names, "shopetl_version") || !reflect.DeepEqual(names, table.Runs.ColumnNames()) {
		t.Fatalf("etl_runs columns after the upgrade %v, want %v", names, table.Runs.ColumnNames())
	}
	var job, version string
	if err := s.Conn().QueryRow(ctx, "SELECT job, shopetl_version FROM "+qualified(cfg.Database, LatestViewName(table.Runs))).Scan(&job, &version); err != nil {
		t.Fatal(err)
	}
	if job != "j" || version != "" {
		t.Fatalf("old row reads job %q, shopetl_version %q", job, version)
	}
	var v uint32
	if err := s.Conn().QueryRow(ctx, "SELECT max(version) FROM "+schema).Scan(&v); err != nil || v != table.SchemaVersion {
		t.Fatalf("%s at version %d (%v), want %d", SchemaTable, v, err, table.SchemaVersion)
	}
}

// columnNames lists a table's columns in their order, as the server has them.
func columnNames(ctx context.Context, t *testing.T, s *Sink, database, table string) []string {
	t.Helper()
	rows, err := s.Conn().Query(ctx, "SELECT name FROM system.columns WHERE database = ? AND table = ?", database, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}
