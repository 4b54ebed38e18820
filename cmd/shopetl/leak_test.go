package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/shopetl/shopetl/internal/testenv"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/sim"
	"github.com/shopetl/shopetl/sim/fault"
)

// TestNoOutputHoldsASecret runs a job whose every credential is a marker
// (the shops' tokens, auth header values, the ClickHouse password, the
// PII key) against simulated shops with faults, a shop that echoes every
// request back in broken pages, and a shop that refuses its token; then
// searches everything the runs left for the markers: stdout and stderr
// (JSON logs, then text logs), the state files, the Parquet files (not
// compressed, so that their bytes show), every table of the ClickHouse
// database (etl_quarantine and etl_runs among them), the metrics file,
// the reconcile reports (JSON and HTML) and the failed shops' errors.
func TestNoOutputHoldsASecret(t *testing.T) {
	addr, db := pipelinetest.ClickHouse(t)
	user, password := os.Getenv("CLICKHOUSE_SECRET_USER"), os.Getenv("CLICKHOUSE_SECRET_PASSWORD")
	if user == "" || password == "" {
		testenv.Missing(t, "CLICKHOUSE_SECRET_USER and CLICKHOUSE_SECRET_PASSWORD are not set: no ClickHouse user with a password (make test sets them for its private server)")
	}
	markers := map[string]string{
		"LEAK_ST": "tok-LEAK-st-8c1f", "LEAK_YM": "tok-LEAK-ym-2b7e", "LEAK_SX": "tok-LEAK-sx-91d0", "LEAK_DG": "tok-LEAK-dg-5a3c",
		"LEAK_HDR": "hdr-LEAK-e47a", "LEAK_RAW": "raw-LEAK-0f62", "LEAK_ECHO": "tok-LEAK-echo-7d19", "LEAK_WRONG": "tok-LEAK-wrong-3e88",
		"LEAK_PII": "pii-LEAK-0123456789abcdef", "LEAK_CH": password,
	}
	for k, v := range markers {
		t.Setenv(k, v)
	}

	faults := fault.Options{Rate: 0.25, Kinds: []fault.Kind{fault.ServerError, fault.RateLimited, fault.RateLimitedRetry, fault.Truncated, fault.Malformed}}
	var shops strings.Builder
	for _, env := range []string{"LEAK_ST", "LEAK_YM", "LEAK_SX", "LEAK_DG"} {
		name := map[string]string{"LEAK_ST": "shoptima", "LEAK_YM": "ymcart", "LEAK_SX": "shopex", "LEAK_DG": "dage"}[env]
		pl, _ := platform.Lookup(name)
		shop, err := pl.Sim.New(sim.Options{Orders: 120, Seed: 31, Token: markers[env], Faults: faults,
			Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(shop.Handler())
		t.Cleanup(srv.Close)
		shops.WriteString(pl.Sim.Spec(srv.URL, env))
		if name == "ymcart" {
			// The same shop, asked with a token it refuses: it fails.
			shops.WriteString(strings.Replace(pl.Sim.Spec(srv.URL, "LEAK_WRONG"), "name: sim-ymcart", "name: refused", 1))
		}
	}
	// A hostile shop: every page is cut short and holds the request,
	// headers and all, so that its retries, its quarantined body and its
	// error all meet the credentials.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		r.Header.Write(&b)
		fmt.Fprintf(w, `{"code":0,"data":{"list":[{"echo":%q,"url":%q`, b.String(), r.URL.String())
	}))
	t.Cleanup(echo.Close)
	fmt.Fprintf(&shops, `  - name: echo
    platform: shoptima
    base_url: %s
    auth:
      token: "${LEAK_ECHO}"
      header: {Authorization: "Bearer ${LEAK_HDR}", X-Api-Key: "${LEAK_RAW}"}
`, echo.URL)

	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	spec := fmt.Sprintf(`version: 1
name: leak
state: {backend: file, path: ./state}
defaults: {start: 2025-01-01, timezone: UTC, rate_limit: 1000/s, retries: {max: 3, min_backoff: 1ms, max_backoff: 2ms}}
shops:
%stransform: {pii: hash, pii_key: "${LEAK_PII}"}
sinks:
  clickhouse: {addr: %q, database: %s, username: %s, password: "${LEAK_CH}"}
  parquet: {dir: ./out, compression: none}
`, shops.String(), addr, db, user)
	if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}

	var seen bytes.Buffer // every output, with what it came from
	command := func(format string, want int, args ...string) {
		t.Helper()
		t.Setenv(logFormatEnv, format)
		var out, errb bytes.Buffer
		code := run(context.Background(), args, &out, &errb)
		if code != want {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, want, out.String(), errb.String())
		}
		fmt.Fprintf(&seen, "== %v (%s logs)\n%s\n%s\n", args, format, out.String(), errb.String())
	}
	metrics := filepath.Join(dir, "metrics.prom")
	command("json", exitShop, "run", job, "--metrics-file", metrics)
	command("text", exitShop, "run", job, "--metrics-file", metrics)
	command("text", exitOK, "state", job)
	command("json", exitOK, "reconcile", job, "--from", "2025-01-01", "--to", "2025-06-01", "--format", "json",
		"--out", filepath.Join(dir, "report.json"), "--html", filepath.Join(dir, "report.html"))
	command("text", exitOK, "reconcile", job, "--from", "2025-01-01", "--to", "2025-06-01", "--source", "parquet")
	if !strings.Contains(seen.String(), "refused") || !strings.Contains(seen.String(), "echo") {
		t.Fatalf("the failing shops did not run:\n%s", seen.String())
	}

	// Every file the runs left: state, Parquet, metrics, reports.
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == job {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		fmt.Fprintf(&seen, "== file %s\n%s\n", p, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"state", "out", "metrics.prom", "report.json", "report.html"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("the runs left no %s: %v", want, err)
		}
	}
	tables := dumpDatabase(t, addr, db, &seen)

	found := false
	for env, marker := range markers {
		for _, line := range strings.Split(seen.String(), "\n") {
			if strings.Contains(line, marker) {
				found = true
				t.Errorf("%s's value %q leaked: %.300s", env, marker, line)
			}
		}
	}
	if found {
		return
	}
	// The search can see: what it searched holds the shops' data.
	if !strings.Contains(seen.String(), "sim-shoptima") || tables < 10 {
		t.Fatalf("searched %d bytes, %d files, %d tables: too little to prove anything", seen.Len(), files, tables)
	}
	t.Logf("searched %d bytes: %d files, %d tables, 5 commands", seen.Len(), files, tables)
}

// dumpDatabase writes every row of every table of db to w, each value
// printed, and returns the number of tables.
func dumpDatabase(t *testing.T, addr, db string, w *bytes.Buffer) int {
	t.Helper()
	conn := pipelinetest.Conn(t, addr)
	defer conn.Close()
	ctx := context.Background()
	var names []string
	rows, err := conn.Query(ctx, "SELECT name FROM system.tables WHERE database = ? AND engine NOT LIKE '%View'", db)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		dumpTable(t, ctx, conn, db+"."+n, w)
	}
	return len(names)
}

func dumpTable(t *testing.T, ctx context.Context, conn clickhouse.Conn, name string, w *bytes.Buffer) {
	t.Helper()
	rows, err := conn.Query(ctx, "SELECT * FROM "+name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer rows.Close()
	types := rows.ColumnTypes()
	fmt.Fprintf(w, "== table %s\n", name)
	for rows.Next() {
		vals := make([]any, len(types))
		for i, ct := range types {
			vals[i] = reflect.New(ct.ScanType()).Interface()
		}
		if err := rows.Scan(vals...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, v := range vals {
			fmt.Fprintf(w, "%v\t", reflect.ValueOf(v).Elem().Interface())
		}
		w.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
