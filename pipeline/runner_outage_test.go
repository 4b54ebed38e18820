package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/load/clickhouse"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/secret"
	"github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/state"
	"github.com/shopetl/shopetl/table"
)

// The outage tests put a proxy between shopetl and the test ClickHouse and
// cut it while a shoptima shop is being loaded: ClickHouse goes away in the
// middle of a run without the shared server being stopped.

const outageJob = `version: 1
name: it
state: {backend: file, path: ./state}
defaults:
  start: 2020-01-01
  rate_limit: 1000/s
  retries: {max: 8, min_backoff: 1ms, max_backoff: 5ms}
  timeout: 5s
shops:
  - name: st
    platform: shoptima
    base_url: %s
    auth: {token: "${IT_TOKEN}"}
    currency: USD
sinks:
  clickhouse: {addr: [%q], database: %s}
`

// outageShop serves store and cuts proxy when page 3 of any listing is
// asked for while armed, once; cut is closed then. Pages are 100 orders and
// runs flush at 50 rows, so a batch goes out after every page: some were
// written before the cut and more are to come after it.
type outageShop struct {
	armed atomic.Bool
	once  sync.Once
	cut   chan struct{}
}

func newOutageShop(t *testing.T, store *shoptima.Store, proxy *pipelinetest.Proxy) (*outageShop, string) {
	s := &outageShop{cut: make(chan struct{})}
	h := store.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.armed.Load() && r.URL.Query().Get("page") == "3" {
			s.once.Do(func() {
				proxy.Cut()
				close(s.cut)
			})
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// retrySignal is a slog.Handler that sends on c each time the ClickHouse
// sink announces a retry, so that tests wait for retries, not for time.
type retrySignal chan struct{}

func (c retrySignal) Enabled(context.Context, slog.Level) bool { return true }
func (c retrySignal) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "retrying insert" {
		select {
		case c <- struct{}{}:
		default: // nobody waiting
		}
	}
	return nil
}
func (c retrySignal) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c retrySignal) WithGroup(string) slog.Handler      { return c }

// runWithRetry runs spec once, as pipelinetest.Run does, but with a
// ClickHouse sink of its own whose retry budget is r (the job spec has no
// keys for it yet), with the test server's credentials. It returns the
// result and the sink's retries for st.
func runWithRetry(t *testing.T, spec *jobspec.Spec, r clickhouse.Retry, signal retrySignal) (pipeline.Result, int64) {
	t.Helper()
	c := spec.Sinks.ClickHouse
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sink, err := clickhouse.New(ctx, clickhouse.Config{Addr: c.Addr, Database: c.Database,
		Username: os.Getenv("CLICKHOUSE_USER"), Password: secret.New(os.Getenv("CLICKHOUSE_PASSWORD")),
		DialTimeout: c.DialTimeout, Retry: r, Logger: slog.New(signal)})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	state, err := state.NewFile(spec.ResolvePath(spec.State.Path), spec.Name)
	if err != nil {
		t.Fatal(err)
	}
	runner := &pipeline.Runner{Spec: spec, Sinks: []pipeline.Sink{sink}, State: state, RunID: pipeline.NewRunID(time.Now())}
	res, err := runner.Run(ctx, pipeline.RunOptions{BatchRows: 50})
	if err != nil {
		t.Fatal(err)
	}
	return res, sink.Retries("st")
}

// shoptimaTruth is what the tables must hold for a shoptima store: one
// order row per order, one item row per line, one refund row per
// refund-flagged order.
func shoptimaTruth(store *shoptima.Store) map[*table.Table]uint64 {
	want := map[*table.Table]uint64{table.Orders: 0, table.OrderItems: 0, table.Refunds: 0}
	for _, num := range store.OrderNums() {
		o, _ := store.Snapshot(num)
		want[table.Orders]++
		want[table.OrderItems] += uint64(len(o.Lines))
		if o.IsRefund == 1 {
			want[table.Refunds]++
		}
	}
	return want
}

// checkTruth compares the FINAL rows of shop st with want, table by table.
func checkTruth(t *testing.T, addr, db string, want map[*table.Table]uint64) {
	t.Helper()
	for _, tb := range []*table.Table{table.Orders, table.OrderItems, table.Refunds} {
		if want[tb] == 0 {
			t.Fatalf("the simulator has no %s rows: the check would prove nothing", tb.Name)
		}
		if got := pipelinetest.FinalRows(t, addr, db, tb.Name, "st"); got != want[tb] {
			t.Errorf("%s: ClickHouse FINAL holds %d rows, the simulator %d", tb.Name, got, want[tb])
		}
	}
}

// TestOutageShorterThanBudgetIsRiddenOut: ClickHouse goes away in the
// middle of a run and comes back after two failed retries, well inside a
// budget of 1000 attempts; the run succeeds and ClickHouse holds exactly
// the simulator's orders, lines and refunds.
func TestOutageShorterThanBudgetIsRiddenOut(t *testing.T) {
	addr, db := pipelinetest.ClickHouse(t)
	t.Setenv("IT_TOKEN", "s3cret-token")
	store, err := shoptima.NewStore(shoptima.Options{Orders: 600, Seed: 21, Token: "s3cret-token",
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 7, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	proxy := pipelinetest.NewProxy(t, addr)
	shop, url := newOutageShop(t, store, proxy)
	shop.armed.Store(true)
	spec := pipelinetest.Job(t, t.TempDir(), fmt.Sprintf(outageJob, url, proxy.Addr(), db))

	signal := make(retrySignal)
	runDone, restored := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(restored)
		select {
		case <-shop.cut:
		case <-runDone:
			return
		}
		for range 2 {
			select {
			case <-signal:
			case <-runDone:
				return // checked below: the run must have retried
			}
		}
		proxy.Restore()
	}()
	res, retries := runWithRetry(t, spec, clickhouse.Retry{MaxAttempts: 1000, MinBackoff: time.Millisecond,
		MaxBackoff: 10 * time.Millisecond, MaxElapsed: 10 * time.Minute}, signal)
	close(runDone)
	<-restored

	select {
	case <-shop.cut:
	default:
		t.Fatal("the run never reached page 3: ClickHouse was never cut")
	}
	pipelinetest.RequireOK(t, res)
	if retries < 2 {
		t.Fatalf("the sink retried %d times: the outage hit no write", retries)
	}
	// The summary's RETRIES counts the sink's retries with the shop's
	// HTTP retries.
	if res.Shops[0].Retries < retries {
		t.Fatalf("summary shows %d retries, the sink made %d", res.Shops[0].Retries, retries)
	}
	t.Logf("%d inserts retried; run took %.2fs", retries, res.Shops[0].Seconds)
	checkTruth(t, addr, db, shoptimaTruth(store))
}

// TestOutageLongerThanBudgetFailsCleanlyAndNextRunCatchesUp: ClickHouse
// goes away in the middle of a shop's second run and stays away past the
// budget of 3 attempts. The shop fails with an error naming the sink and
// the table and no password, its watermark stays as the first run left it,
// and the run after ClickHouse is back loads everything, the orders added
// since the first run included.
func TestOutageLongerThanBudgetFailsCleanlyAndNextRunCatchesUp(t *testing.T) {
	addr, db := pipelinetest.ClickHouse(t)
	t.Setenv("IT_TOKEN", "s3cret-token")
	// Orders of the last ten days, inside shoptima's 30-day re-scan, so
	// that every run reads them all again; new orders are dated half an
	// hour ago, inside the next run's window (which ends safety_lag ago).
	now := time.Now()
	store, err := shoptima.NewStore(shoptima.Options{Orders: 400, Seed: 22, Token: "s3cret-token",
		Start: now.Add(-10 * 24 * time.Hour), End: now.Add(-time.Hour),
		Now: func() time.Time { return time.Now().Add(-30 * time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	proxy := pipelinetest.NewProxy(t, addr)
	shop, url := newOutageShop(t, store, proxy)
	dir := t.TempDir()
	spec := pipelinetest.Job(t, dir, fmt.Sprintf(outageJob, url, proxy.Addr(), db))
	budget := clickhouse.Retry{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxElapsed: time.Minute}
	stateFile := filepath.Join(dir, "state", "it", "st.json")

	// Run 1, ClickHouse up: a watermark.
	res, _ := runWithRetry(t, spec, budget, make(retrySignal))
	pipelinetest.RequireOK(t, res)
	before, err := os.ReadFile(stateFile)
	if err != nil {
		t.Fatalf("no state after a successful run: %v", err)
	}

	// The shop changes, then run 2 loses ClickHouse at page 3 for good.
	store.Add(40)
	for _, num := range store.OrderNums()[:5] {
		if err := store.Refund(num, 2, "1.00"); err != nil {
			t.Fatal(err)
		}
	}
	shop.armed.Store(true)
	res, retries := runWithRetry(t, spec, budget, make(retrySignal))
	select {
	case <-shop.cut:
	default:
		t.Fatal("run 2 never reached page 3: ClickHouse was never cut")
	}
	s := res.Shops[0]
	if s.Status != pipeline.ShopFailed || res.Failed() != 1 || s.Err == nil {
		t.Fatalf("run 2: status %s, err %v; want the shop failed", s.Status, s.Err)
	}
	msg := s.Err.Error()
	t.Logf("run 2 error (%d retries, %.2fs): %s", retries, s.Seconds, msg)
	for _, want := range []string{"shop st", "sink clickhouse", "table ", "3 attempts"} {
		if !strings.Contains(msg, want) {
			t.Errorf("run 2 error does not say %q: %s", want, msg)
		}
	}
	if pw := os.Getenv("CLICKHOUSE_PASSWORD"); pw != "" && strings.Contains(msg, pw) {
		t.Errorf("run 2 error shows the ClickHouse password: %s", msg)
	}
	if !clickhouse.Transient(s.Err) {
		t.Errorf("run 2 failed on something other than the outage: %s", msg)
	}
	after, err := os.ReadFile(stateFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatalf("a failed run moved the watermark:\nbefore %s\nafter  %s", before, after)
	}

	// Run 3, ClickHouse back: nothing lost.
	proxy.Restore()
	res, _ = runWithRetry(t, spec, budget, make(retrySignal))
	pipelinetest.RequireOK(t, res)
	want := shoptimaTruth(store)
	if want[table.Orders] != 440 {
		t.Fatalf("the simulator holds %d orders, want 440", want[table.Orders])
	}
	checkTruth(t, addr, db, want)
}
