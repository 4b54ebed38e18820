package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shopetl/shopetl/internal/testenv"
)

// TestShortRun runs `bench -short` as make bench-short does and checks
// that bench/results.json is well-formed with every section filled in. It
// asserts no speed: the figures of a short run mean nothing.
func TestShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every section of the benchmark, about a minute or two")
	}
	testenv.ClickHouse(t) // bench reads CLICKHOUSE_ADDR itself
	rpc, err := filepath.Abs("../build/rpc")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(rpc); err != nil {
		t.Skipf("the peer is not built (make build/rpc): %v", err)
	}
	dir := t.TempDir()
	for _, pkg := range []string{"../cmd/shopetl", "."} {
		out, err := exec.Command("go", "build", "-o", dir, pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	results := filepath.Join(dir, "results.json")
	cmd := exec.Command(filepath.Join(dir, "bench"), "-short", "-out", results, "-db", "benchtest",
		"-shopetl", filepath.Join(dir, "shopetl"), "-rpc", rpc, "-work", filepath.Join(dir, "runs"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bench -short: %v\n%s", err, out)
	}
	data, err := os.ReadFile(results)
	if err != nil {
		t.Fatal(err)
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(data, &sections); err != nil {
		t.Fatalf("results.json: %v", err)
	}
	for _, s := range []string{"peer", "floors", "throughput", "latency_bound", "memory", "incremental_noop", "budget"} {
		if len(sections[s]) == 0 || string(sections[s]) == "null" {
			t.Errorf("results.json has no %q section", s)
		}
	}
	var r Results
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("results.json: %v", err)
	}
	if !r.Short || len(r.Budget) != 8 {
		t.Errorf("short %v, %d budget lines; want a short run judging all 8", r.Short, len(r.Budget))
	}
	for name, x := range map[string]Run{"peer shopetl": r.Peer.Shopetl, "peer": r.Peer.Peer, "throughput": r.Throughput.Run,
		"latency-bound": r.Latency.Run, "memory": r.Memory.Large, "no-op": r.Noop.Run,
		"fetch floor": r.Floors.FetchDecode, "throughput fetch floor": r.Floors.ThroughputFetchDecode} {
		if x.WallS <= 0 || x.MaxRSSMB <= 0 || x.Rows == 0 {
			t.Errorf("%s: wall %v s, peak RSS %v MB, %d rows: want each measured", name, x.WallS, x.MaxRSSMB, x.Rows)
		}
	}
	if !r.Peer.PaidExact {
		t.Errorf("shopetl's paid_amount sum %s, the ledger's %s: want them equal", r.Peer.Shopetl.Paid, r.Peer.LedgerPaid)
	}
}
