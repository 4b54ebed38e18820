package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/platform"
	_ "github.com/shopetl/shopetl/platform/all"
	"github.com/shopetl/shopetl/reconcile"
	"github.com/shopetl/shopetl/sim"
	"github.com/shopetl/shopetl/sim/fault"
)

// simTokenEnv is the variable the printed job spec reads the shops' token
// from.
const simTokenEnv = "SIM_TOKEN"

// faultFlags collects --faults: "SPEC" for every shop, "PLATFORM=SPEC" for one.
type faultFlags map[string]fault.Options

func (f faultFlags) String() string { return "" }

func (f faultFlags) Set(v string) error {
	name, spec, one := strings.Cut(v, "=")
	if !one {
		name, spec = "", v
	}
	o, err := fault.ParseSpec(spec)
	if err != nil {
		return err
	}
	f[name] = o
	return nil
}

// cmdSim serves simulated shops of every platform on loopback until
// interrupted, each under /<platform>/ of one address.
func cmdSim(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("sim", stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address, loopback only (127.0.0.0/8, ::1 or localhost)")
	orders := fs.Int("orders", 1000, "orders per shop")
	seed := fs.Int64("seed", 1, "generator seed: the same seed serves the same orders")
	from := fs.String("from", "2025-01-01", "first order time (YYYY-MM-DD, UTC)")
	to := fs.String("to", "2026-01-01", "orders end before this day (YYYY-MM-DD, UTC)")
	token := fs.String("token", "", "credential the shops require, each in its platform's way (empty: none)")
	only := fs.String("platforms", "", "comma-separated platforms to serve (default: all)")
	exceptions := fs.Int("exceptions", 0, "orders per shop given each reconciliation exception kind its platform can show (SPEC §6);\n"+
		"the orders of each kind are printed")
	latency := fs.Duration("latency", 0, "hold every request this long before serving it (a shop far away; 0: none)")
	faults := faultFlags{}
	fs.Var(faults, "faults", "RATE[:KIND,...] for every shop, or PLATFORM=RATE[:KIND,...] for one; repeatable.\n"+
		"Kinds: "+fmt.Sprint(fault.Kinds()))
	if _, err := parseArgs(fs, args); err != nil {
		return flagsFailed(fs, err, stdout, stderr)
	}
	start, err1 := time.Parse("2006-01-02", *from)
	end, err2 := time.Parse("2006-01-02", *to)
	if err1 != nil || err2 != nil || !end.After(start) {
		fmt.Fprintln(stderr, "sim: --from/--to: want YYYY-MM-DD with from < to")
		return exitInvalid
	}
	if *exceptions < 0 {
		fmt.Fprintf(stderr, "sim: --exceptions %d: want 0 or more\n", *exceptions)
		return exitInvalid
	}

	var chosen []sim.Platform
	for _, p := range platform.Sims() {
		if *only == "" || slices.Contains(strings.Split(*only, ","), p.Name) {
			chosen = append(chosen, p)
		}
	}
	for name := range faults {
		if name != "" && !slices.ContainsFunc(chosen, func(p sim.Platform) bool { return p.Name == name }) {
			fmt.Fprintf(stderr, "sim: --faults %s=...: no such platform served\n", name)
			return exitInvalid
		}
	}
	if len(chosen) == 0 {
		fmt.Fprintf(stderr, "sim: --platforms %q: none of them exists (have %v)\n", *only, names(platform.Sims()))
		return exitInvalid
	}

	if err := loopbackOnly(*addr); err != nil {
		fmt.Fprintf(stderr, "sim: --addr %s: %v\n", *addr, err)
		return exitInvalid
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "sim:", err)
		return exitNothing
	}
	if a, ok := ln.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
		// "localhost" resolved to an address that is not loopback.
		ln.Close()
		fmt.Fprintf(stderr, "sim: --addr %s: listening on %s, %v\n", *addr, ln.Addr(), errNotLoopback)
		return exitInvalid
	}
	base := "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	var specs, curls strings.Builder
	for _, p := range chosen {
		f, ok := faults[p.Name]
		if !ok {
			f = faults[""]
		}
		f.Latency = 2 * time.Second
		shop, err := p.New(sim.Options{Orders: *orders, Seed: *seed, Start: start, End: end, Token: *token, Faults: f, Exceptions: *exceptions})
		if err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "sim: %s: %v\n", p.Name, err)
			return exitInvalid
		}
		prefix := "/" + p.Name
		mux.Handle(prefix+"/", http.StripPrefix(prefix, shop.Handler()))
		url := base + prefix
		fmt.Fprintf(stdout, "%-9s %s  (%d orders, seed %d)\n", p.Name, url, shop.Count(), *seed)
		if e, ok := shop.(sim.Exceptional); ok && *exceptions > 0 {
			printExceptions(stdout, e.Exceptions())
		}

		tokenEnv := ""
		if *token != "" {
			tokenEnv = simTokenEnv
		}
		spec := p.Spec(url, tokenEnv)
		if pl, _ := platform.Lookup(p.Name); len(pl.Missing()) > 0 { // validate would refuse it
			spec = "  # " + p.Name + " lacks its " + strings.Join(pl.Missing(), ", ") + ":\n" + commentOut(spec)
		}
		specs.WriteString(spec)
		curls.WriteString(curlList(p, url, *token, simTokenEnv) + "\n")
	}
	fmt.Fprintf(stdout, "\n# read one list page of each")
	if *token != "" {
		fmt.Fprintf(stdout, " (export %s=<the --token> first)", simTokenEnv)
	}
	fmt.Fprintf(stdout, ":\n%s", curls.String())
	fmt.Fprintf(stdout, "\n# a ready job spec (export %s=<16 or more characters>", jobspec.PIIKeyEnv)
	if *token != "" {
		fmt.Fprintf(stdout, " and %s=<the --token>", simTokenEnv)
	}
	fmt.Fprintf(stdout, ")")
	fmt.Fprintf(stdout, `:
version: 1
name: sim
state: {backend: file, path: ./state}
defaults: {start: %s, timezone: UTC}
shops:
%ssinks:
  parquet: {dir: ./out/parquet}
`, start.Format("2006-01-02"), specs.String())
	if f, ok := stdout.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}

	srv := &http.Server{Handler: fault.Delay(*latency, mux), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "sim:", err)
		return exitNothing
	}
	return exitOK
}

var errNotLoopback = errors.New("the simulator serves loopback only (127.0.0.0/8, ::1 or localhost)")

// loopbackOnly refuses a listen address that is not loopback: the
// simulated shops have no real credentials and serve anyone who connects.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want HOST:PORT: %v", err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errNotLoopback
}

// curlList renders a curl line reading one list page of p whose token is
// read from the shell variable env instead of being printed: the output
// lands in terminals, scroll-back and pasted notes. The line is built with
// a placeholder token, which is then swapped for the variable; where the
// token is not sent as such (shopex signs the request with it), the line is
// built with the token, whose signature it shows but not the token.
func curlList(p sim.Platform, base, token, env string) string {
	if token == "" {
		return sim.Curl(p.List(base, ""))
	}
	const placeholder = "SHOPETLSIMTOKENPLACEHOLDER" // unchanged by URL and shell quoting
	line := sim.Curl(p.List(base, placeholder))
	if !strings.Contains(line, placeholder) {
		return sim.Curl(p.List(base, token))
	}
	// Curl single-quotes every word: close the quote, expand the variable
	// in double quotes, reopen.
	// An empty '' left at a word's end or start is dropped.
	ref := `"$` + env + `"`
	line = strings.ReplaceAll(line, placeholder+"' ", `'`+ref+" ")
	line = strings.ReplaceAll(line, " '"+placeholder, " "+ref+`'`)
	return strings.ReplaceAll(line, placeholder, `'`+ref+`'`)
}

// printExceptions prints a shop's ground truth of reconciliation
// exceptions, one line per kind its platform can show: what a reconcile
// report of its data must list.
func printExceptions(w io.Writer, m map[reconcile.Kind][]string) {
	for _, k := range sim.SortedKinds(m) {
		fmt.Fprintf(w, "%-9s exception %s (%d): %s\n", "", k, len(m[k]), strings.Join(m[k], " "))
	}
}

func names(ps []sim.Platform) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

func commentOut(s string) string {
	lines := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  #" + l
	}
	return strings.Join(lines, "") + "\n"
}
