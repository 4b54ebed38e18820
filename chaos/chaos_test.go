// Package chaos_test runs shopetl in seeded rounds of faults, kills and
// server restarts, and checks that the final data equals the shops' own
// ledgers: `make chaos`.
package chaos_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/platform"
	_ "github.com/shopetl/shopetl/platform/all"
	"github.com/shopetl/shopetl/reconcile"
	"github.com/shopetl/shopetl/sim"
	"github.com/shopetl/shopetl/sim/fault"
)

// The knobs of `make chaos`, from the environment.
const (
	roundsEnv = "CHAOS_ROUNDS"        // rounds to run (default 1)
	seedEnv   = "CHAOS_SEED"          // the first round's seed (default 1); round i uses seed+i
	scriptEnv = "CHAOS_SERVER_SCRIPT" // scripts/clickhouse.sh, set up for the rounds' own server
)

// chaosLease is how long a lease lasts in the rounds with the ClickHouse
// state backend: short, so that a killed run's leases expire within the
// round.
const chaosLease = 3 * time.Second

var pageSize = regexp.MustCompile(`page_size: \d+`)

// faultKinds are the faults a round draws its shops' from.
var faultKinds = []fault.Kind{fault.ServerError, fault.RateLimited, fault.RateLimitedRetry, fault.Stall,
	fault.Truncated, fault.Malformed, fault.Drift, fault.Duplicate}

// TestChaos runs CHAOS_ROUNDS seeded rounds. Each round serves one
// simulated shop of every platform with random faults and runs shopetl
// several times into ClickHouse and Parquet; between runs the shops move
// on (new orders, payments, shipments, refunds, remarks, old orders
// among them), some runs are killed with SIGKILL at a random moment and
// in some the ClickHouse server is restarted mid-run. A last run with the
// faults off must succeed, and then both sinks must hold exactly the
// shops' ledgers: zero lost, zero doubled, every amount exact.
func TestChaos(t *testing.T) {
	script := os.Getenv(scriptEnv)
	if script == "" {
		t.Skipf("%s is not set: make chaos runs this test, with a ClickHouse server of its own to restart", scriptEnv)
	}
	addr := os.Getenv("CLICKHOUSE_ADDR")
	if addr == "" {
		t.Fatal("CLICKHOUSE_ADDR is not set (make chaos sets it)")
	}
	t.Setenv("SHOPETL_PII_KEY", "chaos-pii-key-0123456789") // the runs' too
	rounds, seed := envInt(t, roundsEnv, 1), envInt(t, seedEnv, 1)
	bin := buildShopetl(t, t.TempDir())
	srv := server{script: script}
	failed := 0
	for r := range rounds {
		s := uint64(seed + r)
		if !t.Run(fmt.Sprintf("seed-%d", s), func(t *testing.T) { round(t, bin, addr, srv, s) }) {
			failed++
		}
	}
	t.Logf("%d rounds from seed %d: %d failed", rounds, seed, failed)
}

func round(t *testing.T, bin, addr string, srv server, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	var faultsOn atomic.Bool
	faultsOn.Store(true)
	now := time.Now().UTC()
	dir := t.TempDir()
	db := fmt.Sprintf("chaos_%d_%d", seed, now.UnixNano())
	t.Cleanup(func() {
		conn := pipelinetest.Conn(t, addr)
		defer conn.Close()
		_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
	})

	shops := map[string]sim.Shop{}
	var yaml strings.Builder
	var kinds []fault.Kind
	for _, p := range platform.Sims() {
		k := []fault.Kind{faultKinds[rng.IntN(len(faultKinds))], faultKinds[rng.IntN(len(faultKinds))], faultKinds[rng.IntN(len(faultKinds))]}
		kinds = append(kinds, k...)
		shop, err := p.New(sim.Options{Orders: 150 + rng.IntN(150), Seed: int64(rng.Uint32()),
			Start: now.AddDate(0, 0, -20), End: now.Add(-time.Hour),
			Faults: fault.Options{Rate: 0.05 + rng.Float64()*0.15, Kinds: k, Seed: int64(rng.Uint32()),
				Stall: 3 * time.Second, Allow: func(fault.Kind) bool { return faultsOn.Load() }}})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(shop.Handler())
		t.Cleanup(hs.Close)
		// Small pages, so that a run lasts long enough to be killed or
		// to see its server restart.
		yaml.WriteString(pageSize.ReplaceAllString(p.Spec(hs.URL, ""), "page_size: 20"))
		shops["sim-"+p.Name] = shop
	}
	// Half the rounds keep their state in ClickHouse, leased for a few
	// seconds: a killed run's leases then make the next runs skip its
	// shops until they expire, and a restart may cost a run its lease.
	stateYAML := "{backend: file, path: ./state}"
	if rng.IntN(2) == 1 {
		stateYAML = fmt.Sprintf("{backend: clickhouse, lease: %s}", chaosLease)
	}
	job := filepath.Join(dir, "job.yaml")
	err := os.WriteFile(job, fmt.Appendf(nil, `version: 1
name: chaos
state: %s
defaults:
  start: %s
  timezone: UTC
  rate_limit: 100/s
  page_size: 20
  timeout: 1s
  safety_lag: 0s
  retries: {max: 8, min_backoff: 5ms, max_backoff: 100ms}
shops:
%ssinks:
  clickhouse: {addr: %q, database: %s}
  parquet: {dir: ./out}
`, stateYAML, now.AddDate(0, 0, -21).Format(time.RFC3339), yaml.String(), addr, db), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := jobspec.Load(job, platform.Registered)
	if err != nil {
		t.Fatal(err)
	}

	// The chaos runs: changes before each, a kill or a restart in some.
	runs := 3 + rng.IntN(3)
	var outcomes []string
	kills, restarts, changes := 0, 0, 0
	for i := range runs {
		if i > 0 {
			for _, shop := range shops {
				for range rng.IntN(25) {
					shop.(sim.Changer).Change()
					changes++
				}
			}
		}
		var killAfter time.Duration
		if rng.Float64() < 0.35 {
			killAfter = time.Duration(50+rng.IntN(2500)) * time.Millisecond
		}
		restart := rng.Float64() < 0.25
		restartAfter := time.Duration(100+rng.IntN(1500)) * time.Millisecond
		time.Sleep(1100 * time.Millisecond) // the changes fall before the run's window ends (safety_lag 0s)
		var wg sync.WaitGroup
		if restart {
			restarts++
			wg.Go(func() {
				time.Sleep(restartAfter)
				srv.restart(t)
			})
		}
		res := runShopetl(t, bin, job, killAfter, 5*time.Minute)
		wg.Wait()
		if res.killed {
			kills++
		}
		outcomes = append(outcomes, res.String())
	}

	// The clean run: faults off, no kill, no restart, and no lease of a
	// killed run left.
	faultsOn.Store(false)
	time.Sleep(max(1100*time.Millisecond, chaosLease+100*time.Millisecond))
	final := runShopetl(t, bin, job, 0, 5*time.Minute)
	if final.code != 0 {
		t.Fatalf("the clean run: %s\n%s", final, final.output)
	}

	fired := map[fault.Kind]int{}
	for _, shop := range shops {
		for k, n := range shop.Faults() {
			fired[k] += n
		}
	}
	ch, err := reconcile.OpenClickHouse(context.Background(), pipeline.ClickHouseConfig(spec))
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	pq, err := reconcile.OpenParquet(spec.ResolvePath("./out"))
	if err != nil {
		t.Fatal(err)
	}
	var inCH, inPQ tally
	for _, s := range spec.Shops {
		want := shops[s.Name].(sim.Ledgered).Ledger()
		rs := reconcile.Shop{Name: s.Name, Platform: s.Platform, Location: s.Options.Location}
		inCH.add(compare(t, ch, rs, s.Currency, want))
		inPQ.add(compare(t, pq, rs, s.Currency, want))
	}
	t.Logf("seed %d: state %s; faults %s; %d runs (%s), %d killed, %d server restarts, %d changes; "+
		"clickhouse %d orders: %d lost, %d doubled, %d extra, %d money; parquet %d orders: %d lost, %d doubled, %d extra, %d money",
		seed, strings.TrimSuffix(strings.Fields(stateYAML)[1], ","), faultSummary(fired), runs, strings.Join(outcomes, ", "), kills, restarts, changes,
		inCH.orders, inCH.lost, inCH.doubled, inCH.extra, inCH.money, inPQ.orders, inPQ.lost, inPQ.doubled, inPQ.extra, inPQ.money)
	for _, e := range append(inCH.examples, inPQ.examples...) {
		t.Log("  ", e)
	}
	if !inCH.clean() || !inPQ.clean() {
		t.Errorf("seed %d: the sinks do not hold the shops' ledgers (faults drawn from %v)", seed, kinds)
	}
}

func faultSummary(fired map[fault.Kind]int) string {
	var parts []string
	for k, n := range fired {
		parts = append(parts, fmt.Sprintf("%s×%d", k, n))
	}
	slices.Sort(parts)
	if len(parts) == 0 {
		return "none fired"
	}
	return strings.Join(parts, " ")
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a number", name, s)
	}
	return n
}
