package clickhouse

import (
	"fmt"
	"strings"
	"testing"

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
	"PARTITION BY toYYYYMM(`created_at`)\n" +
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
	want := "INSERT INTO `d`.`refunds` (`platform`, `shop`, `order_id`, `refund_id`, `line_no`, `status`, `amount`, `currency`, `created_at`, `run_id`, `version`)"
	if got != want {
		t.Errorf("InsertSQL = %s", got)
	}
	if got := Quote("a`b"); got != "`a\\`b`" {
		t.Errorf("Quote = %s", got)
	}
}

func TestConfigHidesPassword(t *testing.T) {
	t.Parallel()
	cfg := Config{Addr: []string{"h:9000"}, Database: "d", Username: "u", Password: "s3cr3t-pw"}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(&cfg)} {
		if strings.Contains(s, "s3cr3t-pw") {
			t.Errorf("password in %q", s)
		}
	}
}
