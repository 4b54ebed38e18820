// Command bench is issue 18's end-to-end benchmark (`make bench`): the
// peer comparison, the floors, throughput, a latency-bound fleet, memory
// and an incremental no-op, each measured on simulated shops served by
// `shopetl sim` in processes of their own, every figure of one run. It
// prints one table with the Budget's verdicts and writes them as JSON.
//
// `bench -short` runs the same sections at tiny sizes, for CI: it checks
// the harness works, and its verdicts mean nothing.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// sizes are a run's orders and shops.
type sizes struct {
	PeerOrders       int `json:"peer_orders"`
	ThroughputOrders int `json:"throughput_orders"`
	ThroughputShops  int `json:"throughput_shops"` // a multiple of 4: one shop of each platform per simulator
	LatencyShops     int `json:"latency_shops"`    // a multiple of 4
	LatencyOrders    int `json:"latency_orders_per_shop"`
	MemoryOrders     int `json:"memory_orders"`
	MemorySmall      int `json:"memory_small_orders"`
}

var (
	full  = sizes{50000, 200000, 16, 40, 200, 1000000, 100000}
	short = sizes{2000, 4000, 4, 8, 10, 6000, 2000}
)

// Latency-bound section settings (issue 18): 80 ms a request, 10 requests/s a shop.
const (
	latency     = 80 * time.Millisecond
	latencyRate = 10
	concurrency = 4
	// fastRate is every other section's rate limit: far above what the
	// simulator serves, so the limit is never what is measured.
	fastRate = "10000/s"
)

type bench struct {
	shopetl, rpc, self string
	work, chAddr, db   string
	only               string // -sections
	size               sizes
	ch                 *ch
	res                *Results
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 {
		sub := map[string]func(context.Context, []string) error{"floor-fetch": floorFetch, "floor-job": floorJob, "floor-insert": floorInsert}
		if f, ok := sub[os.Args[1]]; ok {
			if err := f(ctx, os.Args[2:]); err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
				os.Exit(1)
			}
			return
		}
	}
	short := flag.Bool("short", false, "tiny sizes: check the harness works (no verdict means anything)")
	out := flag.String("out", "bench/results.json", "where the results go")
	b := &bench{}
	flag.StringVar(&b.shopetl, "shopetl", "build/shopetl", "the shopetl binary")
	flag.StringVar(&b.rpc, "rpc", "build/rpc", "the peer's binary (../shared/peer/rpc)")
	flag.StringVar(&b.work, "work", "build/bench-runs", "logs, job specs, state and Parquet of the runs")
	flag.StringVar(&b.db, "db", "bench", "prefix of the ClickHouse databases (each section drops and makes its own)")
	flag.StringVar(&b.only, "sections", "", "run only these sections, comma-separated: peer, throughput, latency, memory (default: all)")
	flag.Parse()
	if err := b.main(ctx, *short, *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// section is one part of the benchmark; -sections picks them by key.
type section struct {
	key, name string
	run       func(context.Context) error
}

func (b *bench) main(ctx context.Context, isShort bool, out string) error {
	b.chAddr = os.Getenv("CLICKHOUSE_ADDR")
	if b.chAddr == "" {
		return fmt.Errorf("CLICKHOUSE_ADDR is not set")
	}
	b.size = full
	if isShort {
		b.size = short
	}
	var err error
	if b.self, err = os.Executable(); err != nil {
		return err
	}
	for _, p := range []*string{&b.shopetl, &b.rpc, &b.work} {
		if *p, err = filepath.Abs(*p); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(b.work); err != nil {
		return err
	}
	if err := os.MkdirAll(b.work, 0o755); err != nil {
		return err
	}
	if b.ch, err = openCH(ctx, b.chAddr); err != nil {
		return err
	}
	start := time.Now()
	b.res = &Results{Started: start.UTC(), Short: isShort, CPUs: runtime.NumCPU(), Sizes: b.size}
	sections := []section{
		{"peer", "peer, fetch floor and incremental no-op", b.peer},
		{"throughput", "throughput and insert floor", b.throughput},
		{"latency", "latency-bound", b.latencyBound},
		{"memory", "memory", b.memory},
	}
	only := strings.Split(b.only, ",")
	for _, k := range only {
		if k != "" && !slices.ContainsFunc(sections, func(s section) bool { return s.key == k }) {
			return fmt.Errorf("-sections: no section %q (want peer, throughput, latency, memory)", k)
		}
	}
	for _, s := range sections {
		if b.only != "" && !slices.Contains(only, s.key) {
			continue
		}
		b.res.Sections = append(b.res.Sections, s.key)
		fmt.Fprintf(os.Stderr, "bench: %s (%s so far)\n", s.name, time.Since(start).Round(time.Second))
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	b.res.TookS = time.Since(start).Seconds()
	b.res.Budget = budget(b.res)
	printTable(os.Stdout, b.res)
	data, err := json.MarshalIndent(b.res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, append(data, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Printf("results in %s\n", out)
	return nil
}
