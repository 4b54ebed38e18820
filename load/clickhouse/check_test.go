package clickhouse

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/shopetl/shopetl/table"
)

// withColumn is t with column name of type typ.
func withColumn(t *table.Table, name string, typ table.Type) *table.Table {
	out := *t
	out.Columns = slices.Clone(t.Columns)
	out.Columns[out.ColumnIndex(name)].Type = typ
	return &out
}

// withoutBuyer is t without the buyer and ship-to columns, as an earlier
// shopetl made orders.
func withoutBuyer(t *table.Table) *table.Table {
	out := *t
	out.Columns = slices.DeleteFunc(slices.Clone(t.Columns), func(c table.Column) bool {
		return strings.HasPrefix(c.Name, "buyer_") || strings.HasPrefix(c.Name, "ship_")
	})
	return &out
}

// An orders table shopetl did not create the way it needs is refused by
// New with the table and the difference named, and left as it was: no
// column added, no other table created.
func TestNewRefusesTableOfAnotherShape(t *testing.T) {
	s, _ := newTestSink(t) // a connection, and the server's version
	ctx := testCtx(t)
	v := s.Version()
	for _, c := range []struct {
		name string
		ddl  func(db string) string
		want []string
	}{
		{
			name: "plain MergeTree",
			ddl: func(db string) string {
				return createTable(db, "orders", "", "MergeTree", withoutBuyer(table.Orders), v)
			},
			want: []string{"engine MergeTree, want ReplacingMergeTree(version)"},
		},
		{
			name: "order_id UInt64",
			ddl: func(db string) string {
				return DDL(db, withoutBuyer(withColumn(table.Orders, "order_id", table.UInt64)), v)
			},
			want: []string{"column order_id: UInt64, want String"},
		},
		{
			name: "ReplacingMergeTree without version, by order_id alone",
			ddl: func(db string) string {
				o := *withoutBuyer(table.Orders)
				o.Key = []string{"order_id"}
				return strings.Replace(DDL(db, &o, v), "ReplacingMergeTree(`version`)", "ReplacingMergeTree", 1)
			},
			want: []string{"engine ReplacingMergeTree, want ReplacingMergeTree(version)", "ORDER BY (order_id), want ORDER BY (platform, shop, order_id)"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig(t)
			db := cfg.Database
			t.Cleanup(func() {
				if err := s.Conn().Exec(context.Background(), "DROP DATABASE IF EXISTS "+Quote(db)); err != nil {
					t.Errorf("drop %s: %v", db, err)
				}
			})
			for _, sql := range []string{"CREATE DATABASE " + Quote(db), c.ddl(db)} {
				if err := s.Conn().Exec(ctx, sql); err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
			}
			s2, err := New(ctx, cfg)
			if err == nil {
				s2.Close()
				t.Fatal("New accepted the table")
			}
			msg := err.Error()
			t.Log(msg)
			for _, w := range append([]string{"table " + db + ".orders: "}, c.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not say %q: %s", w, msg)
				}
			}
			var tables, cols uint64
			if err := s.Conn().QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ?", db).Scan(&tables); err != nil {
				t.Fatal(err)
			}
			if err := s.Conn().QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = ? AND table = 'orders'", db).Scan(&cols); err != nil {
				t.Fatal(err)
			}
			if want := len(withoutBuyer(table.Orders).Columns); tables != 1 || cols != uint64(want) {
				t.Errorf("after New the database holds %d tables, orders %d columns; want 1 table of %d columns, untouched", tables, cols, want)
			}
		})
	}
}

// mismatches compares types as a server spells them, accepts the tables
// shopetl makes (and an older one without the columns New adds), and
// checks the local and Distributed tables on a cluster.
func TestMismatches(t *testing.T) {
	v18 := Version{Major: 18, Minor: 16}
	v24 := Version{Major: 24, Minor: 8}
	// as18 is orders as 18.16 reports a table DDL made.
	as18 := func(engine, engineFull string, t *table.Table) *existing {
		e := &existing{engine: engine, engineFull: engineFull, sortingKey: "platform, shop, order_id", columns: map[string]string{}}
		for _, c := range t.Columns {
			e.columns[c.Name] = strings.ReplaceAll(ColumnType(c, v18), ",", ", ")
		}
		return e
	}
	replacing := "ReplacingMergeTree(version) PARTITION BY toYYYYMM(created_at) ORDER BY (platform, shop, order_id) SETTINGS index_granularity = 8192"
	view := &existing{engine: "View"}
	for _, c := range []struct {
		name    string
		cluster string
		v       Version
		have    map[string]*existing
		want    []string // substrings of the one problem; none: accepted
	}{
		{name: "made by shopetl", v: v18,
			have: map[string]*existing{"orders": as18("ReplacingMergeTree", replacing, table.Orders), "orders_latest": view}},
		{name: "older, without the buyer columns", v: v18,
			have: map[string]*existing{"orders": as18("ReplacingMergeTree", replacing, withoutBuyer(table.Orders))}},
		{name: "made on 18.16, read by 24.8 (String, not LowCardinality)", v: v24,
			have: map[string]*existing{"orders": as18("ReplacingMergeTree", replacing, table.Orders)}},
		{name: "Decimal of another scale", v: v18,
			have: map[string]*existing{"orders": func() *existing {
				e := as18("ReplacingMergeTree", replacing, table.Orders)
				e.columns["total_amount"] = "Decimal(18, 2)"
				return e
			}()},
			want: []string{"table d.orders: column total_amount: Decimal(18, 2), want Decimal(18,4)"}},
		{name: "a table where the view should be", v: v18,
			have: map[string]*existing{"orders_latest": as18("MergeTree", "MergeTree ORDER BY order_id", table.Orders)},
			want: []string{"table d.orders_latest: engine MergeTree, want View"}},
		{name: "cluster, made by shopetl", cluster: "c", v: v18,
			have: map[string]*existing{
				"orders_local": as18("ReplicatedReplacingMergeTree", "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/d/orders_local', '{replica}', version) PARTITION BY toYYYYMM(created_at) ORDER BY (platform, shop, order_id)", table.Orders),
				"orders":       as18("Distributed", "Distributed(c, d, orders_local, cityHash64(platform, shop))", table.Orders),
			}},
		{name: "cluster, a local table where the Distributed one should be", cluster: "c", v: v18,
			have: map[string]*existing{"orders": as18("ReplacingMergeTree", replacing, table.Orders)},
			want: []string{"table d.orders: engine ReplacingMergeTree, want Distributed"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := mismatches("d", c.cluster, table.Orders, c.v, c.have)
			if len(c.want) == 0 {
				if len(got) > 0 {
					t.Fatalf("refused: %q", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("problems %q, want one", got)
			}
			for _, w := range c.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("%q does not say %q", got[0], w)
				}
			}
		})
	}
}
