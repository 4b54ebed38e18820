package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/sim"
	"github.com/shopetl/shopetl/sim/fault"
	"github.com/shopetl/shopetl/state"
	"github.com/shopetl/shopetl/table"
)

// simShop serves one simulated shop of platform over real HTTP and counts
// the responses it answers with 200. It returns the shop's job-spec lines.
func simShop(t *testing.T, name string, o sim.Options) (spec string, answered *atomic.Int64) {
	t.Helper()
	pl, ok := platform.Lookup(name)
	if !ok {
		t.Fatalf("no simulator for %s", name)
	}
	p := pl.Sim
	if o.Orders == 0 {
		o.Orders = 100
	}
	if o.Start.IsZero() {
		o.Start, o.End = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	}
	shop, err := p.New(o)
	if err != nil {
		t.Fatal(err)
	}
	answered = new(atomic.Int64)
	h := shop.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		if sw.status == http.StatusOK {
			answered.Add(1)
		}
	}))
	t.Cleanup(srv.Close)
	return p.Spec(srv.URL, ""), answered
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) { w.status = s; w.ResponseWriter.WriteHeader(s) }

// writeJob writes a job of these shops into a fresh folder, with fast
// retries and a Parquet sink at ./out, and returns its path.
func writeJob(t *testing.T, shops string) string {
	t.Helper()
	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	spec := `version: 1
name: flow
state: {backend: file, path: ./state}
defaults: {start: 2025-01-01, timezone: UTC, rate_limit: 1000/s, retries: {max: 2, min_backoff: 1ms, max_backoff: 2ms}}
shops:
` + shops + `sinks:
  parquet: {dir: ./out}
`
	if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return job
}

// summaryLine is one shop's row of the summary table.
type summaryLine struct {
	status, window             string
	pages, orders, quarantined int64
}

var summaryRow = regexp.MustCompile(`(?m)^(\S+)\s+\S+\s+(ok|failed|interrupted|not run|skipped)\s+(-|\S+ → \S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+[\d.]+$`)

func summaryOf(t *testing.T, out, shop string) summaryLine {
	t.Helper()
	for _, m := range summaryRow.FindAllStringSubmatch(out, -1) {
		if m[1] == shop {
			n := func(s string) int64 { v, _ := strconv.ParseInt(s, 10, 64); return v }
			return summaryLine{status: m[2], window: m[3], pages: n(m[4]), orders: n(m[5]), quarantined: n(m[6])}
		}
	}
	t.Fatalf("no summary row for %s in:\n%s", shop, out)
	return summaryLine{}
}

// runsRows reads the etl_runs rows of the job's Parquet sink.
func runsRows(t *testing.T, job string) []map[string]string {
	t.Helper()
	recs, err := parquet.ReadTable(filepath.Join(filepath.Dir(job), "out"), table.Runs)
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, r := range recs {
		for i := 0; i < int(r.NumRows()); i++ {
			row := map[string]string{}
			for _, c := range []string{"shop", "status", "pages", "quarantined", "error"} {
				row[c] = r.Column(table.Runs.ColumnIndex(c)).ValueStr(i)
			}
			rows = append(rows, row)
		}
		r.Release()
	}
	return rows
}

// TestRunRefusesEmptyWindows: a backfill window that selects nothing is
// refused with exit 2, naming the shop and why, before the shop is asked
// anything; a sensible window still runs.
func TestRunRefusesEmptyWindows(t *testing.T) {
	for _, c := range []struct {
		name      string
		watermark time.Time // zero: no state yet
		args      []string
		want      string // in stderr; "" for a run that goes ahead
	}{
		{name: "until before since", args: []string{"--since", "2025-06-01", "--until", "2025-05-01"},
			want: "shop sim-shoptima: --until 2025-05-01 (2025-05-01T00:00:00Z) is not after --since 2025-06-01"},
		{name: "until alone before the watermark", watermark: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC),
			args: []string{"--until", "2025-05-01"},
			want: "shop sim-shoptima: --until 2025-05-01 (2025-05-01T00:00:00Z) is not after 2025-07-01T00:00:00Z"},
		{name: "until alone before start", args: []string{"--until", "2024-12-01"},
			want: "shop sim-shoptima: --until 2024-12-01 (2024-12-01T00:00:00Z) is not after 2025-01-01T00:00:00Z"},
		{name: "since in the future", args: []string{"--since", "2999-01-01"},
			want: "shop sim-shoptima: --since 2999-01-01 (2999-01-01T00:00:00Z) is not before now minus safety_lag"},
		{name: "a window that selects orders", args: []string{"--since", "2025-05-01", "--until", "2025-06-01"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			shop, answered := simShop(t, "shoptima", sim.Options{Seed: 4})
			job := writeJob(t, shop+"    lookback: 0s\n")
			if !c.watermark.IsZero() {
				st, err := state.NewFile(filepath.Join(filepath.Dir(job), "state"), "flow")
				if err != nil {
					t.Fatal(err)
				}
				if err := st.Save(context.Background(), "sim-shoptima", state.Shop{Watermark: c.watermark}); err != nil {
					t.Fatal(err)
				}
			}
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"run", job}, c.args...), &out, &errb)
			if c.want == "" {
				if code != exitOK || summaryOf(t, out.String(), "sim-shoptima").orders == 0 {
					t.Fatalf("exit %d, want 0 with orders loaded\n%s%s", code, out.String(), errb.String())
				}
				return
			}
			if code != exitInvalid || !strings.Contains(errb.String(), c.want) {
				t.Fatalf("exit %d, want %d with %q in stderr\n%s%s", code, exitInvalid, c.want, out.String(), errb.String())
			}
			if n := answered.Load(); n != 0 {
				t.Fatalf("the shop answered %d requests before the window was refused", n)
			}
		})
	}
}

// TestRunCountsAnUnreadableResponseAsQuarantined: a shop that answers
// every request with a body that is not JSON keeps the body in
// etl_quarantine, and the summary and etl_runs count it.
func TestRunCountsAnUnreadableResponseAsQuarantined(t *testing.T) {
	for _, pname := range platform.Registered.Names() {
		t.Run(pname, func(t *testing.T) {
			shop, _ := simShop(t, pname, sim.Options{Seed: 5,
				Faults: fault.Options{Rate: 1, Kinds: []fault.Kind{fault.Malformed}, Seed: 5}})
			job := writeJob(t, shop)
			var out, errb bytes.Buffer
			if code := run(context.Background(), []string{"run", job}, &out, &errb); code != exitShop {
				t.Fatalf("exit %d, want %d\n%s%s", code, exitShop, out.String(), errb.String())
			}
			name := "sim-" + pname
			if s := summaryOf(t, out.String(), name); s.status != pipeline.ShopFailed || s.quarantined != 1 {
				t.Fatalf("summary says %s with %d quarantined, want failed with 1:\n%s", s.status, s.quarantined, out.String())
			}
			recs, err := parquet.ReadTable(filepath.Join(filepath.Dir(job), "out"), table.Quarantine)
			if err != nil {
				t.Fatal(err)
			}
			kept := 0
			for _, r := range recs {
				kept += int(r.NumRows())
				r.Release()
			}
			runs := runsRows(t, job)
			if kept != 1 || len(runs) != 1 || runs[0]["quarantined"] != "1" {
				t.Fatalf("etl_quarantine holds %d rows and etl_runs says %v, want 1 and quarantined 1", kept, runs)
			}
		})
	}
}

// TestRunInterrupted: a run cancelled (as SIGINT or SIGTERM do) while a
// shop is paging reports the shop interrupted in the summary, etl_runs and
// the log, exits 130, and leaves the watermark where it was.
func TestRunInterrupted(t *testing.T) {
	pl, _ := platform.Lookup("shoptima")
	p := pl.Sim
	shop, err := p.New(sim.Options{Orders: 2000, Seed: 6,
		Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	arrived := make(chan struct{}, 100)
	h := shop.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "3" {
			arrived <- struct{}{}
			<-r.Context().Done() // hold the page until the run gives up
			return
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	job := writeJob(t, strings.Replace(p.Spec(srv.URL, ""), "page_size: 100", "page_size: 50", 1)+"    lookback: 0s\n")
	st, err := state.NewFile(filepath.Join(filepath.Dir(job), "state"), "flow")
	if err != nil {
		t.Fatal(err)
	}
	before := state.Shop{Watermark: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), RunID: "earlier"}
	if err := st.Save(context.Background(), "sim-shoptima", before); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-arrived; cancel() }()
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"run", job}, &out, &errb); code != exitInterrupted {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitInterrupted, out.String(), errb.String())
	}
	if s := summaryOf(t, out.String(), "sim-shoptima"); s.status != pipeline.ShopInterrupted {
		t.Fatalf("summary status %q, want interrupted:\n%s", s.status, out.String())
	}
	if !strings.Contains(out.String(), "\nsim-shoptima: interrupted\n") || strings.Contains(out.String(), "context canceled") {
		t.Fatalf("summary does not say plainly that the shop was interrupted:\n%s", out.String())
	}
	if !regexp.MustCompile(`"msg":"shop interrupted".*"shop":"sim-shoptima".*"status":"interrupted"`).MatchString(errb.String()) {
		t.Fatalf("no JSON log line saying the shop was interrupted:\n%s", errb.String())
	}
	runs := runsRows(t, job)
	if len(runs) != 1 || runs[0]["status"] != pipeline.ShopInterrupted || runs[0]["error"] != "interrupted" {
		t.Fatalf("etl_runs rows %v, want one interrupted", runs)
	}
	if after, _, err := st.Load(context.Background(), "sim-shoptima"); err != nil || !after.Watermark.Equal(before.Watermark) || after.RunID != before.RunID {
		t.Fatalf("an interrupted run moved the watermark: %+v, was %+v (%v)", after, before, err)
	}
}

// TestRunRefusesAShardOfNoShop: a --shard that, with or without --shop,
// selects no shop of the job is refused with exit 2 and says so.
func TestRunRefusesAShardOfNoShop(t *testing.T) {
	job := writeJob(t, "  - {name: a, platform: shoptima, base_url: \"http://127.0.0.1:1\", currency: USD}\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--shard", "1/2", "--shop", "a"}, "--shard 1/2 with --shop a selects no shop"},
		{[]string{"--shard", "1/2"}, "--shard 1/2 selects no shop of job flow (1 shops)"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"run", job}, c.args...), &out, &errb)
		if code != exitInvalid || !strings.Contains(errb.String(), c.want) {
			t.Errorf("run %v: exit %d, want %d with %q\n%s%s", c.args, code, exitInvalid, c.want, out.String(), errb.String())
		}
	}
}

// TestRunWithNoSinkReachablePrintsTheSummary: exit 3 still ends with the
// summary table: every selected shop not run, and why.
func TestRunWithNoSinkReachablePrintsTheSummary(t *testing.T) {
	dir := t.TempDir()
	job := filepath.Join(dir, "ch.yaml")
	spec := `version: 1
name: codes
state: {backend: file, path: ./state}
shops:
  - {name: down, platform: shoptima, base_url: "http://127.0.0.1:1"}
  - {name: other, platform: dage, base_url: "http://127.0.0.1:1"}
sinks:
  clickhouse: {addr: ["127.0.0.1:1"], dial_timeout: 1s}
`
	if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"run", job, "--shop", "down"}, &out, &errb); code != exitNothing {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitNothing, out.String(), errb.String())
	}
	if s := summaryOf(t, out.String(), "down"); s.status != pipeline.ShopNotRun || s.window != "-" {
		t.Fatalf("summary row %+v, want not run with window -:\n%s", s, out.String())
	}
	if strings.Contains(out.String(), "other") || !regexp.MustCompile(`(?m)^not run: .*clickhouse.*127\.0\.0\.1:1`).MatchString(out.String()) {
		t.Fatalf("summary does not list only the selected shop and say why nothing ran:\n%s", out.String())
	}
}

// TestRunPagesCountsEveryResponse: PAGES, in the summary and etl_runs,
// is the number of responses read from the shop, list and detail requests
// alike, on every platform.
func TestRunPagesCountsEveryResponse(t *testing.T) {
	for _, pname := range platform.Registered.Names() {
		t.Run(pname, func(t *testing.T) {
			shop, answered := simShop(t, pname, sim.Options{Seed: 7})
			job := writeJob(t, shop)
			var out, errb bytes.Buffer
			if code := run(context.Background(), []string{"run", job}, &out, &errb); code != exitOK {
				t.Fatalf("exit %d, want 0\n%s%s", code, out.String(), errb.String())
			}
			s := summaryOf(t, out.String(), "sim-"+pname)
			if s.pages == 0 || s.pages != answered.Load() {
				t.Fatalf("PAGES %d, want the %d responses the shop answered:\n%s", s.pages, answered.Load(), out.String())
			}
			if runs := runsRows(t, job); len(runs) != 1 || runs[0]["pages"] != strconv.FormatInt(s.pages, 10) {
				t.Fatalf("etl_runs %v, want pages %d", runs, s.pages)
			}
		})
	}
}

// TestRunShardsFromTheCompletionIndex: --shards N runs shard
// $JOB_COMPLETION_INDEX of N, as --shard I/N does (shops by their place
// in the job, every Nth); without the variable, or beside --shard, it is
// refused with exit 2.
func TestRunShardsFromTheCompletionIndex(t *testing.T) {
	var shops strings.Builder
	for _, name := range []string{"a", "b", "c", "d"} {
		fmt.Fprintf(&shops, "  - {name: %s, platform: shoptima, base_url: \"http://127.0.0.1:1\", currency: USD}\n", name)
	}
	job := writeJob(t, shops.String())
	t.Setenv(completionIndexEnv, "0")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"run", job, "--shards", "3"}, &out, &errb); code != exitShop {
		t.Fatalf("exit %d, want %d (the shops' API is down)\n%s%s", code, exitShop, out.String(), errb.String())
	}
	for name, want := range map[string]bool{"a": true, "b": false, "c": false, "d": true} {
		if got := regexp.MustCompile(`(?m)^` + name + `\s`).MatchString(out.String()); got != want {
			t.Errorf("shop %s in the summary: %t, want %t\n%s", name, got, want, out.String())
		}
	}
	for _, c := range []struct {
		index string
		args  []string
		want  string
	}{
		{"", []string{"--shards", "3"}, `run: --shards 3: want N ≥ 1 and JOB_COMPLETION_INDEX from 0 to N-1`},
		{"3", []string{"--shards", "3"}, `got "3"`},
		{"0", []string{"--shards", "3", "--shard", "0/3"}, "run: --shard and --shards: give one"},
	} {
		t.Setenv(completionIndexEnv, c.index)
		out.Reset()
		errb.Reset()
		if code := run(context.Background(), append([]string{"run", job}, c.args...), &out, &errb); code != exitInvalid || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%s=%q run %v: exit %d, want %d with %q\n%s", completionIndexEnv, c.index, c.args, code, exitInvalid, c.want, errb.String())
		}
	}
}
