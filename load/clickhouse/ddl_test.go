package clickhouse

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopetl/shopetl/secret"
	"github.com/shopetl/shopetl/table"
)

func mustVersion(t *testing.T, s string) Version {
	t.Helper()
	v, err := ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in           string
		major, minor int
		lc           bool
	}{
		{"18.16.1", 18, 16, false},
		{"19.1.6", 19, 1, true},
		{"24.8.4.13", 24, 8, true},
		{" 23.3 \n", 23, 3, true},
	} {
		v := mustVersion(t, tc.in)
		if v.Major != tc.major || v.Minor != tc.minor || v.HasLowCardinality() != tc.lc {
			t.Errorf("ParseVersion(%q) = %+v lc=%v", tc.in, v, v.HasLowCardinality())
		}
	}
	for _, bad := range []string{"", "18", "x.1", "18.y"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) should fail", bad)
		}
	}
}

const orders1816 = "CREATE TABLE IF NOT EXISTS `db`.`orders` (\n" +
	"    `platform` String,\n" +
	"    `shop` String,\n" +
	"    `order_id` String,\n" +
	"    `source_id` String,\n" +
	"    `status` String,\n" +
	"    `payment_status` String,\n" +
	"    `shipping_status` String,\n" +
	"    `refund_status` String,\n" +
	"    `raw_status` String,\n" +
	"    `currency` String,\n" +
	"    `goods_amount` Decimal(18,4),\n" +
	"    `shipping_amount` Decimal(18,4),\n" +
	"    `discount_amount` Decimal(18,4),\n" +
	"    `fee_amount` Decimal(18,4),\n" +
	"    `total_amount` Decimal(18,4),\n" +
	"    `paid_amount` Decimal(18,4),\n" +
	"    `refunded_amount` Decimal(18,4),\n" +
	"    `created_at` DateTime,\n" +
	"    `paid_at` Nullable(DateTime),\n" +
	"    `shipped_at` Nullable(DateTime),\n" +
	"    `updated_at` Nullable(DateTime),\n" +
	"    `country` String,\n" +
	"    `payment_method` String,\n" +
	"    `tracking_number` String,\n" +
	"    `item_count` UInt32,\n" +
	"    `quantity` UInt32,\n" +
	"    `anomalies` Array(String),\n" +
	"    `buyer_id` String,\n" +
	"    `buyer_name` String,\n" +
	"    `buyer_email` String,\n" +
	"    `buyer_phone` String,\n" +
	"    `ship_name` String,\n" +
	"    `ship_phone` String,\n" +
	"    `ship_address` String,\n" +
	"    `ship_city` String,\n" +
	"    `ship_region` String,\n" +
	"    `ship_postcode` String,\n" +
	"    `run_id` String,\n" +
	"    `version` UInt64\n" +
	") ENGINE = ReplacingMergeTree(`version`)\n" +
	"PARTITION BY toYear(`created_at`)\n" +
	"ORDER BY (`platform`, `shop`, `order_id`)"

func TestDDL1816(t *testing.T) {
	t.Parallel()
	got := DDL("db", table.Orders, mustVersion(t, "18.16.1"))
	if got != orders1816 {
		t.Fatalf("orders DDL for 18.16:\n%s\nwant:\n%s", got, orders1816)
	}
	for _, tb := range table.All {
		ddl := DDL("db", tb, mustVersion(t, "18.16.1"))
		if strings.Contains(ddl, "LowCardinality") || strings.Contains(ddl, "DateTime64") {
			t.Errorf("%s: 18.16 has no LowCardinality/DateTime64:\n%s", tb.Name, ddl)
		}
	}
	refunds := DDL("db", table.Refunds, mustVersion(t, "18.16.1"))
	if !strings.Contains(refunds, "`amount` Nullable(Decimal(18,4)),") {
		t.Errorf("refunds amount should be nullable:\n%s", refunds)
	}
	if !strings.Contains(refunds, "ORDER BY (`platform`, `shop`, `order_id`, `refund_id`)") {
		t.Errorf("refunds key:\n%s", refunds)
	}
}

func TestDDL24(t *testing.T) {
	t.Parallel()
	v := mustVersion(t, "24.8.4.13")
	got := DDL("db", table.Orders, v)
	// Same statement as 18.16 except the low-cardinality columns.
	want := orders1816
	for _, c := range []string{"platform", "shop", "status", "payment_status", "shipping_status", "refund_status", "currency"} {
		want = strings.Replace(want, fmt.Sprintf("`%s` String,", c), fmt.Sprintf("`%s` LowCardinality(String),", c), 1)
	}
	if got != want {
		t.Fatalf("orders DDL for 24.8:\n%s\nwant:\n%s", got, want)
	}
	for _, keep := range []string{"`order_id` String,", "`raw_status` String,", "`country` String,"} {
		if !strings.Contains(got, keep) {
			t.Errorf("%s should stay plain String", keep)
		}
	}
	items := DDL("db", table.OrderItems, v)
	for _, c := range []string{"`currency` LowCardinality(String)", "`refund_status` LowCardinality(String)", "`sku` String"} {
		if !strings.Contains(items, c) {
			t.Errorf("order_items DDL lacks %s:\n%s", c, items)
		}
	}
}

func TestViewAndInsertSQL(t *testing.T) {
	t.Parallel()
	if got, want := ViewDDL("d", table.Orders), "CREATE VIEW IF NOT EXISTS `d`.`orders_latest` AS SELECT * FROM `d`.`orders` FINAL"; got != want {
		t.Errorf("ViewDDL = %s", got)
	}
	got := InsertSQL("d", table.Refunds)
	want := "INSERT INTO `d`.`refunds` (`platform`, `shop`, `order_id`, `refund_id`, `line_no`, `status`, `amount`, `currency`, `refunded_at`, `state_hash`, `created_at`, `run_id`, `version`)"
	if got != want {
		t.Errorf("InsertSQL = %s", got)
	}
	if got := Quote("a`b"); got != "`a\\`b`" {
		t.Errorf("Quote = %s", got)
	}
}

func TestConfigHidesPassword(t *testing.T) {
	t.Parallel()
	cfg := Config{Addr: []string{"h:9000"}, Database: "d", Username: "u", Password: secret.New("s3cr3t-pw")}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(&cfg)} {
		if strings.Contains(s, "s3cr3t-pw") {
			t.Errorf("password in %q", s)
		}
	}
}

// With a cluster, every table is a Distributed table over replicated local
// tables, sharded so that all versions of a key meet on one shard; every
// statement runs ON CLUSTER. Written from ClickHouse's documentation of
// ReplicatedReplacingMergeTree and Distributed, not from the output.
func TestClusterDDL(t *testing.T) {
	t.Parallel()
	v := mustVersion(t, "24.8.4.13")
	tb := &table.Table{
		Name:          "refunds",
		Columns:       []table.Column{{Name: "platform", Type: table.String}, {Name: "shop", Type: table.String}, {Name: "refund_id", Type: table.String}, {Name: "created_at", Type: table.DateTime}, {Name: "version", Type: table.UInt64}},
		Key:           []string{"platform", "shop", "refund_id"},
		Version:       "version",
		PartitionTime: "created_at",
	}
	got := ClusterDDL("shop", "prod", tb, v)
	want := []string{
		"CREATE TABLE IF NOT EXISTS `shop`.`refunds_local` ON CLUSTER `prod` (\n" +
			"    `platform` LowCardinality(String),\n" +
			"    `shop` LowCardinality(String),\n" +
			"    `refund_id` String,\n" +
			"    `created_at` DateTime,\n" +
			"    `version` UInt64\n" +
			") ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/shop/refunds_local', '{replica}', `version`)\n" +
			"PARTITION BY toYear(`created_at`)\n" +
			"ORDER BY (`platform`, `shop`, `refund_id`)",
		"CREATE TABLE IF NOT EXISTS `shop`.`refunds` ON CLUSTER `prod` AS `shop`.`refunds_local`\n" +
			"ENGINE = Distributed(`prod`, `shop`, `refunds_local`, cityHash64(`platform`, `shop`))",
	}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("cluster DDL:\n%s\n\nwant:\n%s", strings.Join(got, "\n\n"), strings.Join(want, "\n\n"))
	}
	if view := ClusterViewDDL("shop", "prod", tb); view != "CREATE VIEW IF NOT EXISTS `shop`.`refunds_latest` ON CLUSTER `prod` AS SELECT * FROM `shop`.`refunds` FINAL" {
		t.Errorf("cluster view: %s", view)
	}
	// refunds_latest joins refund_history (TestRefundsLatestRefundedAt runs
	// it): on a cluster both are Distributed, so the join is GLOBAL, the
	// right side read once by the initiator instead of per shard.
	if view := ClusterViewDDL("shop", "prod", table.Refunds); !strings.Contains(view, " ON CLUSTER `prod` AS SELECT ") ||
		!strings.Contains(view, "FROM `shop`.`refunds` FINAL) GLOBAL ANY LEFT JOIN (SELECT ") ||
		!strings.Contains(view, "FROM `shop`.`refund_history` FINAL) USING (`platform`, `shop`, `order_id`, `refund_id`, `state_hash`)") {
		t.Errorf("cluster refunds_latest: %s", view)
	}
	if view := ViewDDL("shop", table.Refunds); strings.Contains(view, "GLOBAL") {
		t.Errorf("refunds_latest without a cluster: %s", view)
	}
	alter := ClusterAddColumnSQL("shop", "prod", tb, 2, v)
	if len(alter) != 2 ||
		alter[0] != "ALTER TABLE `shop`.`refunds_local` ON CLUSTER `prod` ADD COLUMN `refund_id` String AFTER `shop`" ||
		alter[1] != "ALTER TABLE `shop`.`refunds` ON CLUSTER `prod` ADD COLUMN `refund_id` String AFTER `shop`" {
		t.Errorf("cluster add column: %q", alter)
	}
	// A database name with a quote cannot break out of the ZooKeeper path.
	if odd := ClusterDDL("o'db", "prod", tb, v)[0]; !strings.Contains(odd, `'/clickhouse/tables/{shard}/o\'db/refunds_local'`) {
		t.Errorf("quote not escaped in the ZooKeeper path:\n%s", odd)
	}
	// Every table of the model gets both statements, keyed as declared.
	for _, tb := range table.All {
		ddl := ClusterDDL("db", "c", tb, v)
		if !strings.Contains(ddl[0], "ReplicatedReplacingMergeTree") || !strings.Contains(ddl[1], "Distributed(`c`, `db`, `"+tb.Name+"_local`") {
			t.Errorf("%s: %q", tb.Name, ddl)
		}
	}
}
