package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/shopetl/shopetl/internal/testenv"
	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/sim"
)

// clusterEnv names the cluster the cluster tests run against:
// scripts/clickhouse_cluster.sh prints both (make cluster).
const (
	clusterAddrEnv = "CLICKHOUSE_CLUSTER_ADDR" // host:port,host:port of its servers
	clusterNameEnv = "CLICKHOUSE_CLUSTER"      // its name in remote_servers
)

// TestShardsOverACluster: three shopetl processes, shards 0 to 2 of an
// Indexed Job (--shards 3, JOB_COMPLETION_INDEX), run at once over twelve
// simulated shops of the four platforms, into a two-server ClickHouse
// cluster with the state in it (state.backend clickhouse). Every shop is
// run exactly once, by the shard it belongs to; every order is in
// orders FINAL, read through the Distributed table, exactly once; both
// servers hold some of them; every shop has its watermark. A second round
// of the three, incremental, changes nothing.
func TestShardsOverACluster(t *testing.T) {
	addrs, cluster := os.Getenv(clusterAddrEnv), os.Getenv(clusterNameEnv)
	if addrs == "" || cluster == "" {
		testenv.Missing(t, "%s and %s are not set: no ClickHouse cluster (make cluster starts one)", clusterAddrEnv, clusterNameEnv)
	}
	nodes := strings.Split(addrs, ",")
	var b [6]byte
	_, _ = rand.Read(b[:])
	db := "it_cluster_" + hex.EncodeToString(b[:])
	conn := clusterConn(t, nodes[0])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s ON CLUSTER %s", db, cluster)); err != nil {
			t.Errorf("drop %s: %v", db, err)
		}
	})

	counts := map[string]int{} // orders per shop
	var shops strings.Builder
	for _, pl := range platform.All() {
		for i := range 3 {
			shop, err := pl.Sim.New(sim.Options{Orders: 200 + 50*i, Seed: int64(20 + i),
				Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(shop.Handler())
			t.Cleanup(srv.Close)
			name := fmt.Sprintf("%s-%d", pl.Name, i)
			shops.WriteString(strings.Replace(pl.Sim.Spec(srv.URL, ""), "name: sim-"+pl.Name, "name: "+name, 1))
			counts[name] = shop.Count()
		}
	}
	if len(counts) != 12 {
		t.Fatalf("%d shops, want 12 (three of each of four platforms)", len(counts))
	}
	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	spec := fmt.Sprintf(`version: 1
name: cluster
state: {backend: clickhouse, lease: 30s}
defaults: {start: 2025-01-01, timezone: UTC, rate_limit: 1000/s, max_shops: 4}
shops:
%ssinks:
  clickhouse: {addr: [%s], database: %s, cluster: %s}
`, shops.String(), addrs, db, cluster)
	if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}

	for round := 1; round <= 2; round++ {
		var wg sync.WaitGroup
		outs := make([]bytes.Buffer, 3)
		codes := make([]error, 3)
		for i := range 3 {
			wg.Go(func() {
				cmd := exec.Command(os.Args[0], "run", job, "--shards", "3")
				cmd.Env = append(os.Environ(), asMainEnv+"=1", fmt.Sprintf("%s=%d", completionIndexEnv, i))
				cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
				codes[i] = cmd.Run()
			})
		}
		wg.Wait()
		for i, err := range codes {
			if err != nil {
				t.Fatalf("round %d, shard %d: %v\n%s", round, i, err, outs[i].String())
			}
		}
		ctx := context.Background()

		// Each shop ran once a round, each round of a shop by one run.
		rows, err := conn.Query(ctx, fmt.Sprintf("SELECT shop, count(), uniqExact(run_id), groupUniqArray(status) FROM %s.etl_runs GROUP BY shop", db))
		if err != nil {
			t.Fatal(err)
		}
		runs := 0
		for rows.Next() {
			var (
				shop     string
				n, ids   uint64
				statuses []string
			)
			if err := rows.Scan(&shop, &n, &ids, &statuses); err != nil {
				t.Fatal(err)
			}
			if int(n) != round || int(ids) != round || len(statuses) != 1 || statuses[0] != "ok" {
				t.Errorf("round %d, shop %s: %d runs by %d run IDs, statuses %v; want %d, ok", round, shop, n, ids, statuses, round)
			}
			runs++
		}
		rows.Close()
		if runs != len(counts) {
			t.Fatalf("round %d: %d shops ran, want %d", round, runs, len(counts))
		}

		// Every order once, through the Distributed table.
		rows, err = conn.Query(ctx, fmt.Sprintf("SELECT shop, count(), uniqExact(platform, shop, order_id) FROM %s.orders FINAL GROUP BY shop", db))
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for rows.Next() {
			var (
				shop    string
				n, uniq uint64
			)
			if err := rows.Scan(&shop, &n, &uniq); err != nil {
				t.Fatal(err)
			}
			if int(n) != counts[shop] || n != uniq {
				t.Errorf("round %d, shop %s: %d rows in orders FINAL, %d distinct; the simulator has %d", round, shop, n, uniq, counts[shop])
			}
			seen++
		}
		rows.Close()
		if seen != len(counts) {
			t.Fatalf("round %d: orders of %d shops, want %d", round, seen, len(counts))
		}
		var watermarks uint64
		if err := conn.QueryRow(ctx, fmt.Sprintf("SELECT uniqExact(shop) FROM %s.etl_state WHERE job = 'cluster'", db)).Scan(&watermarks); err != nil {
			t.Fatal(err)
		}
		if int(watermarks) != len(counts) {
			t.Errorf("round %d: %d shops have a watermark, want %d", round, watermarks, len(counts))
		}
	}

	// The Distributed table spread the shops over both servers.
	for _, node := range nodes {
		c := clusterConn(t, node)
		var n uint64
		if err := c.QueryRow(context.Background(), fmt.Sprintf("SELECT count() FROM %s.orders_local", db)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("server %s holds no orders: the cluster did not spread them", node)
		}
		t.Logf("server %s: %d order rows", node, n)
	}
}

// clusterConn opens a connection to one server of the cluster.
func clusterConn(t *testing.T, addr string) clickhouse.Conn {
	t.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
