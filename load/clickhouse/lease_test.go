package clickhouse

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopetl/shopetl/state"
)

// openTestState opens a state store for job "j" on cfg's database, as run
// runID, leasing for lease; the first one opened drops the database at
// the end.
func openTestState(t *testing.T, cfg Config, runID string, lease time.Duration) *StateStore {
	t.Helper()
	st, err := OpenState(testCtx(t), cfg, StateOptions{Job: "j", RunID: runID, Lease: lease})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// stateConfig is a fresh database, dropped when the test ends.
func stateConfig(t *testing.T) Config {
	_, cfg := newTestSink(t)
	return cfg
}

func TestStateSavesLoadsAndResets(t *testing.T) {
	cfg := stateConfig(t)
	st := openTestState(t, cfg, "run-1", time.Minute)
	ctx := testCtx(t)
	if _, ok, err := st.Load(ctx, "a"); err != nil || ok {
		t.Fatalf("before any save: ok=%v err=%v", ok, err)
	}
	wm := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)
	committed := time.Date(2025, 3, 4, 5, 7, 0, 0, time.UTC)
	if err := st.Save(ctx, "a", state.Shop{Watermark: wm, RunID: "run-1", Committed: committed}); err != nil {
		t.Fatal(err)
	}
	// Another job's shop of the same name is another shop.
	other, err := OpenState(ctx, cfg, StateOptions{Job: "k", RunID: "run-2", Lease: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, ok, _ := other.Load(ctx, "a"); ok {
		t.Fatal("job k sees job j's watermark")
	}
	// A second process (another connection) reads what the first saved.
	again := openTestState(t, cfg, "run-3", time.Minute)
	got, ok, err := again.Load(ctx, "a")
	if err != nil || !ok || !got.Watermark.Equal(wm) || got.RunID != "run-1" || !got.Committed.Equal(committed) {
		t.Fatalf("Load = %+v %v %v, want watermark %s (to the nanosecond), run-1, %s", got, ok, err, wm, committed)
	}
	later := wm.Add(time.Hour)
	if err := again.Save(ctx, "a", state.Shop{Watermark: later, RunID: "run-3", Committed: committed}); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := st.Load(ctx, "a"); !got.Watermark.Equal(later) {
		t.Fatalf("after a second save: %s, want the latest %s", got.Watermark, later)
	}
	if err := st.Reset(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := again.Load(ctx, "a"); err != nil || ok {
		t.Fatalf("after reset: %+v ok=%v err=%v", got, ok, err)
	}
}

func TestLeaseIsHeldByOneRunAtATime(t *testing.T) {
	cfg := stateConfig(t)
	a := openTestState(t, cfg, "run-a", time.Minute)
	b := openTestState(t, cfg, "run-b", time.Minute)
	ctx := testCtx(t)
	la, err := a.Lock(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Lock(ctx, "s")
	if !errors.Is(err, state.ErrLocked) || !strings.Contains(err.Error(), "run run-a on ") {
		t.Fatalf("second Lock: %v, want ErrLocked naming run-a", err)
	}
	// Another shop is free.
	lo, err := b.Lock(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	lo.Release()
	if err := la.Check(ctx); err != nil {
		t.Fatalf("Check while held: %v", err)
	}
	la.Release()
	lb, err := b.Lock(ctx, "s")
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	lb.Release()
}

func TestLeaseOfAKilledRunExpires(t *testing.T) {
	cfg := stateConfig(t)
	const life = 1500 * time.Millisecond
	a := openTestState(t, cfg, "run-a", life)
	b := openTestState(t, cfg, "run-b", life)
	ctx := testCtx(t)
	la, err := a.Lock(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	// Killed: it stops renewing and never releases.
	abandon(la)
	if _, err := b.Lock(ctx, "s"); !errors.Is(err, state.ErrLocked) {
		t.Fatalf("Lock right after the kill: %v, want ErrLocked", err)
	}
	time.Sleep(life)
	lb, err := b.Lock(ctx, "s")
	if err != nil {
		t.Fatalf("Lock after the lease expired: %v", err)
	}
	defer lb.Release()
	// The killed holder, were it only paused, finds out before it saves.
	if err := la.Check(ctx); !errors.Is(err, state.ErrLeaseLost) {
		t.Fatalf("Check of the expired lease: %v, want ErrLeaseLost", err)
	}
}

func TestLeaseIsRenewedAndLostToAnother(t *testing.T) {
	cfg := stateConfig(t)
	const life = 900 * time.Millisecond
	a := openTestState(t, cfg, "run-a", life)
	ctx := testCtx(t)
	la, err := a.Lock(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	defer la.Release()
	// Renewed: held well past its first life.
	time.Sleep(3 * life)
	if err := la.Check(ctx); err != nil {
		t.Fatalf("after three lives: %v (not renewed?)", err)
	}
	// A claim by another holder, as a worker whose clock ran ahead might
	// write: the holder's next renewal sees it and gives the shop up.
	intruder := openTestState(t, cfg, "run-x", life)
	if err := intruder.writeLease(ctx, "s", time.Now().Add(time.Hour), false); err != nil {
		t.Fatal(err)
	}
	select {
	case <-la.Lost():
	case <-time.After(3 * life):
		t.Fatal("a renewing holder did not notice another's live claim")
	}
	if err := la.Check(ctx); !errors.Is(err, state.ErrLeaseLost) || !strings.Contains(err.Error(), "run run-x") {
		t.Fatalf("Check = %v, want ErrLeaseLost naming run-x", err)
	}
}

// TestLeaseClaimsRace has workers claim one shop at the same moment,
// round after round: never two hold it at once, and most rounds someone
// does.
func TestLeaseClaimsRace(t *testing.T) {
	cfg := stateConfig(t)
	const workers, rounds = 4, 8
	stores := make([]*StateStore, workers)
	for i := range stores {
		stores[i] = openTestState(t, cfg, fmt.Sprintf("run-%d", i), time.Minute)
	}
	ctx := testCtx(t)
	var holding, most atomic.Int32
	won := 0
	for r := range rounds {
		var wg sync.WaitGroup
		var winners atomic.Int32
		start := make(chan struct{})
		for _, st := range stores {
			wg.Go(func() {
				<-start
				l, err := st.Lock(ctx, fmt.Sprintf("s%d", r))
				if errors.Is(err, state.ErrLocked) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				n := holding.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				winners.Add(1)
				time.Sleep(300 * time.Millisecond) // past every other's tries
				holding.Add(-1)
				l.Release()
			})
		}
		close(start)
		wg.Wait()
		if winners.Load() > 0 {
			won++
		}
	}
	if m := most.Load(); m > 1 {
		t.Fatalf("%d workers held one shop at once", m)
	}
	if won < rounds/2 {
		t.Errorf("only %d of %d rounds had a holder", won, rounds)
	}
	t.Logf("%d of %d rounds had a holder", won, rounds)
}

// abandon stops a lease's renewals without releasing it, as a kill does.
func abandon(l state.Lease) {
	x := l.(*lease)
	close(x.stop)
	<-x.done
}
