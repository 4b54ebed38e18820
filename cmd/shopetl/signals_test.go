package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/sim"
	"github.com/shopetl/shopetl/state"
	"github.com/shopetl/shopetl/table"
)

// asMainEnv makes the test binary run main() (see TestMain), so that a
// test can send a real process real signals.
const asMainEnv = "SHOPETL_TEST_AS_MAIN"

// TestFirstSignalCancelsSecondExits: the first signal cancels the run's
// context and exits nothing; a second exits at once.
func TestFirstSignalCancelsSecondExits(t *testing.T) {
	t.Parallel()
	sigs, exited := make(chan os.Signal, 2), make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	var stderr bytes.Buffer
	go onSignals(sigs, cancel, time.Hour, func() { close(exited) }, &stderr)
	sigs <- syscall.SIGTERM
	<-ctx.Done()
	select {
	case <-exited:
		t.Fatal("exited on the first signal")
	case <-time.After(50 * time.Millisecond):
	}
	sigs <- syscall.SIGTERM
	<-exited // the test's deadline is the failure otherwise
	if !strings.Contains(stderr.String(), "terminated again: exiting now") {
		t.Errorf("stderr: %q", stderr.String())
	}
}

// TestGraceEndsARunThatDoesNotStop: with no second signal, the process
// exits grace after the first.
func TestGraceEndsARunThatDoesNotStop(t *testing.T) {
	t.Parallel()
	sigs, exited := make(chan os.Signal, 1), make(chan struct{})
	var stderr bytes.Buffer
	go onSignals(sigs, func() {}, 10*time.Millisecond, func() { close(exited) }, &stderr)
	sigs <- syscall.SIGINT
	<-exited
	if !strings.Contains(stderr.String(), "did not stop within 10ms") {
		t.Errorf("stderr: %q", stderr.String())
	}
}

// heldShop serves a simulated shoptima shop of orders orders (seed seed)
// whose page 3 is held, while hold is set, until its client goes away;
// arrived hears of each held request. The server closes when the test
// ends.
func heldShop(t *testing.T, orders int, seed int64) (sim.Shop, *httptest.Server, *atomic.Bool, chan struct{}) {
	t.Helper()
	pl, _ := platform.Lookup("shoptima")
	shop, err := pl.Sim.New(sim.Options{Orders: orders, Seed: seed,
		Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	hold := new(atomic.Bool)
	hold.Store(true)
	arrived := make(chan struct{}, 100)
	h := shop.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hold.Load() && r.URL.Query().Get("page") == "3" {
			arrived <- struct{}{}
			<-r.Context().Done() // until the process goes
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return shop, srv, hold, arrived
}

// TestSIGTERMStopsARunAndTheNextLosesNothing: the shopetl process, sent
// SIGTERM while a shop is paging, exits 130 with the shop interrupted and
// its watermark unmoved; the next run then loads every order the
// simulator has.
func TestSIGTERMStopsARunAndTheNextLosesNothing(t *testing.T) {
	pl, _ := platform.Lookup("shoptima")
	shop, srv, hold, arrived := heldShop(t, 1500, 8)
	job := writeJob(t, strings.Replace(pl.Sim.Spec(srv.URL, ""), "page_size: 120", "page_size: 50", 1))

	var out, errb bytes.Buffer
	cmd := exec.Command(os.Args[0], "run", job)
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-arrived
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want %d\n%s%s", err, exitInterrupted, out.String(), errb.String())
	}
	if s := summaryOf(t, out.String(), "sim-shoptima"); s.status != pipeline.ShopInterrupted {
		t.Fatalf("summary status %q, want interrupted:\n%s", s.status, out.String())
	}
	if !strings.Contains(errb.String(), "terminated: stopping the run") {
		t.Errorf("stderr does not say the signal stopped the run:\n%s", errb.String())
	}
	st, err := state.NewFile(filepath.Join(filepath.Dir(job), "state"), "flow")
	if err != nil {
		t.Fatal(err)
	}
	if s, ok, err := st.Load(context.Background(), "sim-shoptima"); err != nil || ok {
		t.Fatalf("the interrupted run left a watermark: %+v %v %v", s, ok, err)
	}

	hold.Store(false)
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"run", job}, &out, &errb); code != exitOK {
		t.Fatalf("next run: exit %d\n%s%s", code, out.String(), errb.String())
	}
	n, err := parquet.CountLatest(filepath.Join(filepath.Dir(job), "out"), table.Orders, "sim-shoptima")
	if err != nil || n != shop.Count() {
		t.Fatalf("%d orders in Parquet (%v), want the simulator's %d", n, err, shop.Count())
	}
}
