package clickhouse

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/shopetl/shopetl/internal/testenv"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/table"
)

// clusterConfig is the test cluster of scripts/clickhouse_cluster.sh
// (CLICKHOUSE_CLUSTER_ADDR, CLICKHOUSE_CLUSTER: `make cluster` prints
// both, `make test` starts it and sets them) with a fresh database.
func clusterConfig(t *testing.T) Config {
	t.Helper()
	addr, cluster := os.Getenv("CLICKHOUSE_CLUSTER_ADDR"), os.Getenv("CLICKHOUSE_CLUSTER")
	if addr == "" || cluster == "" {
		testenv.Missing(t, "CLICKHOUSE_CLUSTER_ADDR and CLICKHOUSE_CLUSTER are not set: no ClickHouse cluster to test against (make cluster starts one)")
	}
	return Config{
		Addr:        strings.Split(addr, ","),
		Database:    "it_cluster_" + randomHex(6),
		Cluster:     cluster,
		DialTimeout: 5 * time.Second,
	}
}

// shopOrders are testOrders of one shop.
func shopOrders(platform, shop string, version uint64, status string) []model.Order {
	orders := testOrders(version, status)
	for i := range orders {
		orders[i].Platform, orders[i].Shop = platform, shop
	}
	return orders
}

// nodeCount counts the rows of from on one node alone.
func nodeCount(t *testing.T, addr, from string) uint64 {
	t.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(testCtx(t), "SELECT count() FROM "+from).Scan(&n); err != nil {
		t.Fatalf("count %s on %s: %v", from, addr, err)
	}
	return n
}

// TestClusterLoadsThroughDistributedTables: with cluster set, the sink
// makes ReplicatedReplacingMergeTree tables on both servers and a
// Distributed table over them, and loads through it; rows of several shops
// spread over both shards, every version of an order on one shard, so that
// FINAL through the Distributed table keeps each order once, its latest
// version. Read the moment each Commit returns: a commit is a promise that
// the rows are stored, which an insert into a Distributed table does not
// keep by itself (insert_distributed_sync, see connect). Both without
// pooling and with it (its background inserts and streams).
func TestClusterLoadsThroughDistributedTables(t *testing.T) {
	for _, tc := range []struct {
		name     string
		poolRows int64
	}{{"each write", 0}, {"pooled", 4}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := clusterConfig(t)
			cfg.PoolRows = tc.poolRows
			s := openTestSink(t, cfg)
			ctx := testCtx(t)
			shops := [][2]string{{"shoptima", "st-1"}, {"shoptima", "st-2"}, {"shoptima", "st-3"},
				{"shopware", "sw-1"}, {"shopware", "sw-2"}, {"woo", "wo-1"}}
			dist := qualified(cfg.Database, table.Orders.Name)

			load := func(orders func(platform, shop string) [][]model.Order) {
				t.Helper()
				for _, ps := range shops {
					for _, o := range orders(ps[0], ps[1]) {
						if err := s.Write(ctx, ps[1], table.Orders, ordersBatch(t, o)); err != nil {
							t.Fatal(err)
						}
					}
					if err := s.Commit(ctx, ps[1]); err != nil {
						t.Fatal(err)
					}
				}
			}
			check := func(when string, version uint64, status string) {
				t.Helper()
				if n, want := count(t, s, dist+" FINAL"), uint64(3*len(shops)); n != want {
					t.Fatalf("%s: %s FINAL holds %d orders, want %d", when, dist, n, want)
				}
				for _, ps := range shops {
					where := dist + " FINAL WHERE platform = '" + ps[0] + "' AND shop = '" + ps[1] + "'"
					checkOrders(t, readOrders(t, s, where), shopOrders(ps[0], ps[1], version, status))
				}
			}

			// First commits: version 1 of every shop's orders.
			load(func(p, shop string) [][]model.Order { return [][]model.Order{shopOrders(p, shop, 1, model.StatusPaid)} })
			check("after the first commits", 1, model.StatusPaid)

			// Second commits: version 2, then a stale reload of version 1,
			// which must not win.
			load(func(p, shop string) [][]model.Order {
				return [][]model.Order{shopOrders(p, shop, 2, model.StatusCompleted), shopOrders(p, shop, 1, model.StatusPaid)}
			})
			check("after the second commits", 2, model.StatusCompleted)

			// The sharding spreads: each node's local table holds some of
			// the orders, and together all of them.
			var total uint64
			for _, addr := range cfg.Addr {
				n := nodeCount(t, addr, qualified(cfg.Database, LocalName(table.Orders))+" FINAL")
				if n == 0 {
					t.Errorf("node %s holds no orders: the sharding did not spread them", addr)
				}
				t.Logf("node %s: %d orders", addr, n)
				total += n
			}
			if want := uint64(3 * len(shops)); total != want {
				t.Errorf("the nodes' local tables hold %d orders after FINAL, want %d", total, want)
			}
		})
	}
}
