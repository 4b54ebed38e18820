package clickhouse

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopetl/shopetl/table"
)

// Version is a ClickHouse server version, as reported by SELECT version().
type Version struct {
	Major, Minor int
	Raw          string
}

// ParseVersion reads the major and minor numbers of a version() string such
// as "18.16.1" or "24.8.4.13".
func ParseVersion(s string) (Version, error) {
	v := Version{Raw: strings.TrimSpace(s)}
	parts := strings.SplitN(v.Raw, ".", 3)
	if len(parts) < 2 {
		return v, fmt.Errorf("clickhouse: cannot parse server version %q", s)
	}
	var err error
	if v.Major, err = strconv.Atoi(parts[0]); err != nil {
		return v, fmt.Errorf("clickhouse: cannot parse server version %q: %w", s, err)
	}
	if v.Minor, err = strconv.Atoi(parts[1]); err != nil {
		return v, fmt.Errorf("clickhouse: cannot parse server version %q: %w", s, err)
	}
	return v, nil
}

func (v Version) String() string {
	if v.Raw != "" {
		return v.Raw
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}

// AtLeast reports whether v is major.minor or later.
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || (v.Major == major && v.Minor >= minor)
}

// HasLowCardinality reports whether the server has the LowCardinality type
// without experimental settings: 19.1 and later (18.x lacks it).
func (v Version) HasLowCardinality() bool { return v.AtLeast(19, 0) }

// lowCardinality names the String columns with few distinct values that are
// stored as LowCardinality(String) where the server supports it.
var lowCardinality = map[string]bool{
	"platform": true, "shop": true, "currency": true,
	"status": true, "payment_status": true, "shipping_status": true, "refund_status": true,
}

// Quote quotes an identifier with backticks.
func Quote(name string) string {
	return "`" + strings.ReplaceAll(strings.ReplaceAll(name, `\`, `\\`), "`", "\\`") + "`"
}

// ColumnType is the ClickHouse type of column c on a server of version v.
func ColumnType(c table.Column, v Version) string {
	switch c.Type {
	case table.String:
		if lowCardinality[c.Name] && v.HasLowCardinality() {
			return "LowCardinality(String)"
		}
		return "String"
	case table.UInt32:
		return "UInt32"
	case table.UInt64:
		return "UInt64"
	case table.Decimal:
		return decimalType()
	case table.NullableDecimal:
		return "Nullable(" + decimalType() + ")"
	case table.DateTime:
		return "DateTime"
	case table.NullableDateTime:
		return "Nullable(DateTime)"
	case table.StringArray:
		return "Array(String)"
	}
	panic(fmt.Sprintf("clickhouse: column %s: unknown type %d", c.Name, c.Type))
}

func decimalType() string {
	return fmt.Sprintf("Decimal(%d,%d)", table.DecimalPrecision, table.DecimalScale)
}

func qualified(db, name string) string { return Quote(db) + "." + Quote(name) }

// DDL is the CREATE TABLE IF NOT EXISTS statement of t in database db: a
// ReplacingMergeTree on t.Version, partitioned by year of t.PartitionTime
// and ordered by t.Key, so that FINAL keeps one row per key, the highest
// version. An insert makes one part per partition it touches, and a batch
// holds the orders of every shop running, created over any span: by month
// the 16-shop throughput job made eight times the parts (813 against 105
// for 50,000 orders, and 2.5 times the server's CPU), and a batch spanning
// more than 100 months is refused by current servers
// (max_partitions_per_insert_block).
func DDL(db string, t *table.Table, v Version) string {
	return createTable(db, t.Name, "", "ReplacingMergeTree("+Quote(t.Version)+")", t, v)
}

// createTable is the CREATE TABLE IF NOT EXISTS statement of t's columns
// as db.name, on cluster ("" for none), with engine.
func createTable(db, name, cluster, engine string, t *table.Table, v Version) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s%s (\n", qualified(db, name), onCluster(cluster))
	for i, c := range t.Columns {
		sep := ","
		if i == len(t.Columns)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "    %s %s%s\n", Quote(c.Name), ColumnType(c, v), sep)
	}
	key := make([]string, len(t.Key))
	for i, k := range t.Key {
		key[i] = Quote(k)
	}
	fmt.Fprintf(&b, ") ENGINE = %s\nPARTITION BY toYear(%s)\nORDER BY (%s)",
		engine, Quote(t.PartitionTime), strings.Join(key, ", "))
	return b.String()
}

// AddColumnSQL adds t's column i to an existing table, after the column
// before it, so that an upgraded table keeps t's column order.
func AddColumnSQL(db string, t *table.Table, i int, v Version) string {
	return addColumnSQL(db, "", t.Name, t, i, v)
}

// ClusterAddColumnSQL adds t's column i on cluster: to the local tables
// first, then to the Distributed table over them.
func ClusterAddColumnSQL(db, cluster string, t *table.Table, i int, v Version) []string {
	return []string{addColumnSQL(db, cluster, LocalName(t), t, i, v), addColumnSQL(db, cluster, t.Name, t, i, v)}
}

func addColumnSQL(db, cluster, name string, t *table.Table, i int, v Version) string {
	c := t.Columns[i]
	sql := fmt.Sprintf("ALTER TABLE %s%s ADD COLUMN %s %s", qualified(db, name), onCluster(cluster), Quote(c.Name), ColumnType(c, v))
	if i > 0 {
		sql += " AFTER " + Quote(t.Columns[i-1].Name)
	}
	return sql
}

// LocalName is the name of t's local table on each node of a cluster;
// t.Name is then the Distributed table over them.
func LocalName(t *table.Table) string { return t.Name + "_local" }

// onCluster is the ON CLUSTER clause of a DDL statement, "" without one.
func onCluster(cluster string) string {
	if cluster == "" {
		return ""
	}
	return " ON CLUSTER " + Quote(cluster)
}

// ClusterDDL creates t on cluster: a ReplicatedReplacingMergeTree local
// table on every node (its ZooKeeper path per shard from the {shard} and
// {replica} macros each node defines), and the Distributed table t.Name
// over them, which reads and inserts go through. Rows are sharded by
// platform and shop (t.Shard), so every version of a key lands on one shard and
// FINAL, which merges within a shard, keeps exactly one.
func ClusterDDL(db, cluster string, t *table.Table, v Version) []string {
	zkPath := fmt.Sprintf("'/clickhouse/tables/{shard}/%s/%s'", escapeString(db), escapeString(LocalName(t)))
	local := createTable(db, LocalName(t), cluster,
		fmt.Sprintf("ReplicatedReplacingMergeTree(%s, '{replica}', %s)", zkPath, Quote(t.Version)), t, v)
	by := []string{"platform", "shop"}
	if t.Shard != nil {
		by = t.Shard
	}
	shard := make([]string, len(by))
	for i, c := range by {
		shard[i] = Quote(c)
	}
	dist := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s%s AS %s\nENGINE = Distributed(%s, %s, %s, cityHash64(%s))",
		qualified(db, t.Name), onCluster(cluster), qualified(db, LocalName(t)),
		Quote(cluster), Quote(db), Quote(LocalName(t)), strings.Join(shard, ", "))
	return []string{local, dist}
}

// escapeString escapes s for a single-quoted SQL string.
func escapeString(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`)
}

// LatestViewName is the name of t's deduplicated view.
func LatestViewName(t *table.Table) string { return t.Name + "_latest" }

// ViewDDL creates <table>_latest, which reads t with FINAL: one row per key,
// the highest version, whether or not the background merges have run yet.
// 18.16 accepts FINAL inside a view. The view's column list is fixed when it
// is created, like the table's.
func ViewDDL(db string, t *table.Table) string { return ClusterViewDDL(db, "", t) }

// ClusterViewDDL is ViewDDL on every node of cluster ("" for none); the
// view reads the Distributed table.
func ClusterViewDDL(db, cluster string, t *table.Table) string {
	sel := fmt.Sprintf("SELECT * FROM %s FINAL", qualified(db, t.Name))
	if t == table.Refunds {
		sel = refundsLatestSelect(db, cluster)
	}
	return fmt.Sprintf("CREATE VIEW IF NOT EXISTS %s%s AS %s",
		qualified(db, LatestViewName(t)), onCluster(cluster), sel)
}

// refundsLatestSelect is the query of refunds_latest: refunds FINAL, with
// refunded_at the platform's own refund time where the row has one, else
// the first observation of the refund's current state, the refund_history
// row (FINAL keeps the earliest) of its key and state_hash; null when that
// state was never observed (rows older than refund_history). The same rule
// as history.FillRefundedAt. ANY LEFT JOIN ... USING works on 18.16 and on
// current servers; an unmatched row's observed_at is the zero DateTime
// (or null under join_use_nulls), which nullIf turns into null. On a
// cluster the join is GLOBAL: the view reads Distributed tables.
func refundsLatestSelect(db, cluster string) string {
	var inner, outer []string
	for _, c := range table.Refunds.Columns {
		q := Quote(c.Name)
		switch c.Name {
		case "refunded_at":
			inner = append(inner, q+" AS `platform_refunded_at`")
			outer = append(outer, "ifNull(`platform_refunded_at`, nullIf(`first_observed_at`, toDateTime(0))) AS "+q)
		default:
			inner = append(inner, q)
			outer = append(outer, q)
		}
	}
	key := []string{"`platform`", "`shop`", "`order_id`", "`refund_id`", "`state_hash`"}
	join := "ANY LEFT JOIN"
	if cluster != "" {
		join = "GLOBAL ANY LEFT JOIN"
	}
	return fmt.Sprintf("SELECT %s FROM (SELECT %s FROM %s FINAL) %s (SELECT %s, `observed_at` AS `first_observed_at` FROM %s FINAL) USING (%s)",
		strings.Join(outer, ", "), strings.Join(inner, ", "), qualified(db, table.Refunds.Name), join,
		strings.Join(key, ", "), qualified(db, table.RefundHistory.Name), strings.Join(key, ", "))
}

// InsertSQL is the INSERT statement a batch of t is prepared with. It names
// every column: 18.16 requires it of clickhouse-go's batches.
func InsertSQL(db string, t *table.Table) string {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = Quote(c.Name)
	}
	return fmt.Sprintf("INSERT INTO %s (%s)", qualified(db, t.Name), strings.Join(cols, ", "))
}
