package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Verdict is one Budget line of issue 18.
type Verdict struct {
	Line    string `json:"line"`
	Met     bool   `json:"met"`
	Figures string `json:"figures"`
}

func verdict(line string, met bool, format string, args ...any) Verdict {
	return Verdict{Line: line, Met: met, Figures: fmt.Sprintf(format, args...)}
}

// budget judges the Budget of issue 18 on r's figures.
func budget(r *Results) []Verdict {
	p, f := r.Peer, r.Floors
	floor3 := f.ThroughputFetchDecode.WallS + f.Insert.WallS
	mem := r.Memory
	return []Verdict{
		verdict("CPU per order ≤ 1/3 of the peer's", p.Shopetl.CPUPer10k <= p.Peer.CPUPer10k/3,
			"%.2f vs %.2f CPU s per 10k orders (%.2f×)", p.Shopetl.CPUPer10k, p.Peer.CPUPer10k, ratio(p.Shopetl.CPUPer10k, p.Peer.CPUPer10k)),
		verdict("wall ≤ the peer's", p.Shopetl.WallS <= p.Peer.WallS,
			"%.1f s vs %.1f s", p.Shopetl.WallS, p.Peer.WallS),
		verdict("wall ≤ 1.15× the fetch + decode floor", p.Shopetl.WallS <= 1.15*f.FetchDecode.WallS,
			"%.1f s vs floor %.1f s (%.2f×)", p.Shopetl.WallS, f.FetchDecode.WallS, ratio(p.Shopetl.WallS, f.FetchDecode.WallS)),
		verdict("throughput job ≤ 1.5× (fetch + decode floor + insert floor)", r.Throughput.Run.WallS <= 1.5*floor3,
			"%.1f s vs %.1f s + %.1f s (%.2f×)", r.Throughput.Run.WallS,
			f.ThroughputFetchDecode.WallS, f.Insert.WallS, ratio(r.Throughput.Run.WallS, floor3)),
		verdict("latency-bound wall ≤ 1.10× the ideal schedule", r.Latency.Ratio > 0 && r.Latency.Ratio <= 1.10,
			"%.1f s vs ideal %.1f s (%.2f×)", r.Latency.Run.WallS, r.Latency.IdealS, r.Latency.Ratio),
		verdict(fmt.Sprintf("peak RSS ≤ 150 MB at %d orders", r.Sizes.MemoryOrders), mem.Large.MaxRSSMB <= 150,
			"%.0f MB", mem.Large.MaxRSSMB),
		verdict(fmt.Sprintf("… and ≤ 1.3× the %d-order figure", r.Sizes.MemorySmall), mem.Large.MaxRSSMB <= 1.3*mem.Small.MaxRSSMB,
			"%.0f MB vs %.0f MB (%.2f×)", mem.Large.MaxRSSMB, mem.Small.MaxRSSMB, ratio(mem.Large.MaxRSSMB, mem.Small.MaxRSSMB)),
		verdict("incremental no-op requests ≤ 1.2× the minimum", float64(r.Noop.Requests) <= 1.2*float64(r.Noop.Minimum),
			"%d vs minimum %d (%s)", r.Noop.Requests, r.Noop.Minimum, r.Noop.MinimumFrom),
	}
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// printTable prints r as one table: a line per measured run, then the
// Budget's verdicts.
func printTable(w io.Writer, r *Results) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\torders\twall s\tCPU s\tCPU s/10k\tpeak RSS MB\trows\ttotal_amount sum\t")
	line := func(name string, orders int, x Run, sum string) {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.2f\t%.0f\t%d\t%s\t\n", name, orders, x.WallS, x.UserS+x.SysS, x.CPUPer10k, x.MaxRSSMB, x.Rows, sum)
	}
	p := r.Peer
	line("1 shopetl, one shoptima shop", p.Orders, p.Shopetl, p.Shopetl.Total.String())
	line("1 peer (Redpanda Connect)", p.Orders, p.Peer, fmt.Sprintf("%s (%+s)", p.Peer.Total, p.PeerError))
	line("2 floor: fetch + decode", p.Orders, r.Floors.FetchDecode, "-")
	line("2 floor: fetch + decode of 3's shops", r.Throughput.Orders, r.Floors.ThroughputFetchDecode, "-")
	ins := r.Floors.Insert
	line("2 floor: ClickHouse insert of 3's rows", r.Throughput.Orders, Run{Measure: ins.Measure, CPUPer10k: ins.CPUPer10k(r.Throughput.Orders), Load: Load{Rows: uint64(ins.Rows)}}, "-")
	line(fmt.Sprintf("3 throughput, %d shops, both sinks", r.Throughput.Shops), r.Throughput.Orders, r.Throughput.Run, "-")
	line(fmt.Sprintf("4 latency-bound, %d shops", r.Latency.Shops), r.Latency.Shops*r.Sizes.LatencyOrders, r.Latency.Run, "-")
	line("5 memory, both sinks", r.Sizes.MemorySmall, r.Memory.Small, "-")
	line("5 memory, both sinks", r.Sizes.MemoryOrders, r.Memory.Large, "-")
	line("6 incremental no-op", 0, r.Noop.Run, "-")
	tw.Flush()
	fmt.Fprintf(w, "exact total_amount sum %s (shopetl's load; its paid_amount sum %s equals the simulator's ledger: %v)\n",
		p.ExactTotal, p.Shopetl.Paid, p.PaidExact)
	fmt.Fprintf(w, "latency-bound: %.1f s against an ideal %.1f s; no-op: %d requests against a minimum of %d\n",
		r.Latency.Run.WallS, r.Latency.IdealS, r.Noop.Requests, r.Noop.Minimum)
	if r.Short {
		fmt.Fprintln(w, "short form: tiny sizes, the verdicts below mean nothing")
	}
	if len(r.Sections) < 4 {
		fmt.Fprintf(w, "partial run (-sections %s): a verdict on a section not run compares zeros and means nothing\n",
			strings.Join(r.Sections, ","))
	}
	for _, v := range r.Budget {
		met := "NOT met"
		if v.Met {
			met = "met"
		}
		fmt.Fprintf(w, "%-8s %s: %s\n", met, v.Line, v.Figures)
	}
	fmt.Fprintf(w, "took %.0f s\n", r.TookS)
}
