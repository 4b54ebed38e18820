package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/sim/shoptima"
)

// countingShop serves a small shoptima shop and counts the requests it
// got.
func countingShop(t *testing.T) (url string, requests *atomic.Int64) {
	t.Helper()
	store, err := shoptima.NewStore(shoptima.Options{Orders: 20, Seed: 3,
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	h := store.Handler()
	requests = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, requests
}

// Every sink is checked before any shop is read: a sink that cannot be
// written makes `run` exit 3 with one error naming what is wrong, and the
// shop never sees a request.
func TestRunChecksSinksBeforeReadingAnyShop(t *testing.T) {
	for _, c := range []struct {
		name string
		// setup prepares dir and returns the job's sinks section and
		// what the error must say.
		setup func(t *testing.T, dir string) (sinks string, want []string)
		sink  string // how the error names the sink: once
	}{
		{
			name: "a file where the parquet directory should be",
			setup: func(t *testing.T, dir string) (string, []string) {
				if err := os.WriteFile(filepath.Join(dir, "out"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
				return "  parquet: {dir: ./out/pq}\n", []string{"parquet sink: directory " + filepath.Join(dir, "out", "pq") + ": mkdir " + filepath.Join(dir, "out") + ": not a directory"}
			},
			sink: "parquet sink:",
		},
		{
			name: "a plain MergeTree orders table",
			setup: func(t *testing.T, dir string) (string, []string) {
				addr, db := pipelinetest.ClickHouse(t)
				conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr},
					Auth: clickhouse.Auth{Username: os.Getenv("CLICKHOUSE_USER"), Password: os.Getenv("CLICKHOUSE_PASSWORD")}})
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				for _, sql := range []string{
					"CREATE DATABASE " + db,
					"CREATE TABLE " + db + ".orders (platform String, shop String, order_id String, created_at DateTime, version UInt64) " +
						"ENGINE = MergeTree PARTITION BY toYYYYMM(created_at) ORDER BY (platform, shop, order_id)",
				} {
					if err := conn.Exec(context.Background(), sql); err != nil {
						t.Fatalf("%s: %v", sql, err)
					}
				}
				// Parquet first in the file, fine, and ClickHouse refused.
				return "  parquet: {dir: ./out}\n  clickhouse: {addr: [\"" + addr + "\"], database: " + db + "}\n",
					[]string{"clickhouse: table " + db + ".orders: engine MergeTree, want ReplacingMergeTree(version)"}
			},
			sink: "clickhouse:",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			url, requests := countingShop(t)
			sinks, want := c.setup(t, dir)
			job := filepath.Join(dir, "job.yaml")
			spec := `version: 1
name: upfront
state: {backend: file, path: ./state}
defaults: {start: 2020-01-01, retries: {max: 0}}
shops:
  - {name: st, platform: shoptima, base_url: "` + url + `", currency: USD}
sinks:
` + sinks
			if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"run", job}, &out, &errb)
			if code != exitNothing {
				t.Errorf("exit %d, want %d", code, exitNothing)
			}
			if n := requests.Load(); n != 0 {
				t.Errorf("the shop served %d requests before the sink was refused, want none", n)
			}
			msg := errb.String()
			for _, w := range want {
				if !strings.Contains(msg, w) {
					t.Errorf("stderr does not say %q:\n%s", w, msg)
				}
			}
			// One error, its sink named once.
			if n := strings.Count(msg, c.sink); n != 1 {
				t.Errorf("stderr says %q %d times, want once:\n%s", c.sink, n, msg)
			}
		})
	}
}
