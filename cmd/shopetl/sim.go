package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/shopetl/shopetl/sim/fault"
	"github.com/shopetl/shopetl/sim/shoptima"
)

// cmdSim serves simulated shops on loopback until interrupted. Each
// platform lives under its own path prefix of one address.
func cmdSim(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (loopback)")
	orders := fs.Int("orders", 1000, "orders per shop")
	seed := fs.Int64("seed", 1, "generator seed: the same seed serves the same orders")
	from := fs.String("from", "2025-01-01", "first order time (YYYY-MM-DD, UTC)")
	to := fs.String("to", "2026-01-01", "orders end before this day (YYYY-MM-DD, UTC)")
	token := fs.String("token", "", "bearer token the shops require (empty: none)")
	faults := fs.String("faults", "", "RATE[:KIND,KIND...], e.g. 0.05:500,429,truncated,latency")
	if _, err := parseArgs(fs, args); err != nil {
		return exitInvalid
	}
	start, err1 := time.Parse("2006-01-02", *from)
	end, err2 := time.Parse("2006-01-02", *to)
	if err1 != nil || err2 != nil || !end.After(start) {
		fmt.Fprintln(stderr, "sim: --from/--to: want YYYY-MM-DD with from < to")
		return exitInvalid
	}
	f, err := parseFaults(*faults)
	if err != nil {
		fmt.Fprintln(stderr, "sim:", err)
		return exitInvalid
	}
	st, err := shoptima.NewStore(shoptima.Options{Orders: *orders, Seed: *seed, Start: start, End: end, Token: *token, Faults: f})
	if err != nil {
		fmt.Fprintln(stderr, "sim:", err)
		return exitInvalid
	}
	mux := http.NewServeMux()
	mux.Handle("/shoptima/", http.StripPrefix("/shoptima", st.Handler()))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "sim:", err)
		return exitNothing
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "shoptima  %s/shoptima  (%d orders, seed %d)\n\n", base, st.Count(), *seed)
	fmt.Fprintf(stdout, `# a ready job spec:
version: 1
name: sim
state: {backend: file, path: ./state}
shops:
  - name: sim-shoptima
    platform: shoptima
    base_url: %s/shoptima
    currency: USD
`, base)
	if *token != "" {
		fmt.Fprintf(stdout, "    auth: {token: \"${SIM_TOKEN}\"}\n")
	}
	fmt.Fprint(stdout, "sinks:\n  parquet: {dir: ./out/parquet}\n")
	if f, ok := stdout.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
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

func parseFaults(s string) (fault.Options, error) {
	f, err := fault.ParseSpec(s)
	if err != nil {
		return f, err
	}
	f.Latency = 2 * time.Second
	return f, nil
}
