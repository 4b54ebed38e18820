package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/sim"
)

// simTestToken is the --token of the sim tests; it must never be printed.
const simTestToken = "sim-T0KEN-s3cret"

// TestSimPrintsEveryShopAndAJobSpecThatValidates starts `shopetl sim`, reads
// what it prints, and checks the job spec with `shopetl validate`.
func TestSimPrintsEveryShopAndAJobSpecThatValidates(t *testing.T) {
	out := simPrints(t, "--orders", "20", "--token", simTestToken, "--faults", "shoptima=0.1:500")
	text := strings.Join(out, "\n")
	for _, p := range platform.Sims() {
		if !strings.Contains(text, "\n"+p.Name+" ") && !strings.HasPrefix(text, p.Name+" ") {
			t.Errorf("no base URL line for %s in:\n%s", p.Name, text)
		}
		if !strings.Contains(text, "/"+p.Name+"/") && !strings.Contains(text, "/"+p.Name+"'") {
			t.Errorf("no curl line for %s", p.Name)
		}
	}
	if strings.Contains(text, simTestToken) {
		t.Errorf("the token is printed:\n%s", text)
	}
	checkCurlLines(t, out)
	i := strings.Index(text, "version: 1")
	if i < 0 {
		t.Fatalf("no job spec in:\n%s", text)
	}
	job := filepath.Join(t.TempDir(), "sim.yaml")
	if err := os.WriteFile(job, []byte(text[i:]+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(simTokenEnv, simTestToken)
	var stderr strings.Builder
	if code := run(context.Background(), []string{"validate", job}, io.Discard, &stderr); code != exitOK {
		t.Fatalf("validate exit %d:\n%s\nspec:\n%s", code, stderr.String(), text[i:])
	}
}

func TestSimRejectsBadFaults(t *testing.T) {
	for _, args := range [][]string{
		{"--faults", "0.1:boom"},
		{"--faults", "nosuch=0.1"},
		{"--platforms", "nosuch"},
	} {
		var stderr strings.Builder
		if code := cmdSim(context.Background(), args, io.Discard, &stderr); code != exitInvalid {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitInvalid, stderr.String())
		}
	}
}

// checkCurlLines runs each printed curl line through sh with curl replaced
// by printf, SIM_TOKEN set: where a shop takes the token as sent (a bearer
// header, ymcart's form field), the shell puts the variable's value there.
func checkCurlLines(t *testing.T, out []string) {
	t.Helper()
	if !slices.Contains(out, "# read one list page of each (export "+simTokenEnv+"=<the --token> first):") {
		t.Errorf("no line saying which variable to set in:\n%s", strings.Join(out, "\n"))
	}
	want := map[string]string{
		"/dage/":     "Authorization: Bearer " + simTestToken,
		"/shoptima/": "Authorization: Bearer " + simTestToken,
		"/ymcart/":   "token=" + simTestToken,
	}
	seen := 0
	for _, line := range out {
		rest, ok := strings.CutPrefix(line, "curl -s ")
		if !ok {
			continue
		}
		cmd := exec.Command("sh", "-c", `printf '%s\n' `+rest)
		cmd.Env = append(os.Environ(), simTokenEnv+"="+simTestToken)
		args, err := cmd.Output()
		if err != nil {
			t.Fatalf("sh: %v: %s", err, line)
		}
		for path, arg := range want {
			if strings.Contains(line, path) {
				seen++
				if !strings.Contains(string(args), arg) {
					t.Errorf("%s: the shell gives\n%s\nwant an argument with %q", line, args, arg)
				}
			}
		}
	}
	if seen != len(want) {
		t.Errorf("%d curl lines of shops that take the token, want %d", seen, len(want))
	}
}

// TestSimServesLoopbackOnly: --addr must be loopback; anything else is
// refused before listening.
func TestSimServesLoopbackOnly(t *testing.T) {
	stopped, stop := context.WithCancel(context.Background())
	stop() // should it serve, it stops at once
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "10.0.0.1:0", "shop.example:0", "127.0.0.1"} {
		var stderr strings.Builder
		if code := cmdSim(stopped, []string{"--addr", addr}, io.Discard, &stderr); code != exitInvalid {
			t.Errorf("--addr %s: exit %d, want %d (%s)", addr, code, exitInvalid, stderr.String())
		}
		if addr != "127.0.0.1" && !strings.Contains(stderr.String(), "loopback only") {
			t.Errorf("--addr %s: %q does not say it serves loopback only", addr, stderr.String())
		}
	}
	for _, addr := range []string{"127.0.0.2:0", "localhost:0"} {
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan int, 1)
		var stderr strings.Builder
		go func() {
			done <- cmdSim(ctx, []string{"--addr", addr, "--orders", "1", "--platforms", "dage"}, pw, &stderr)
			pw.Close()
		}()
		line, _ := bufio.NewReader(pr).ReadString('\n') // the first shop's line: it listens
		cancel()
		go io.Copy(io.Discard, pr)
		if code := <-done; code != exitOK || !strings.HasPrefix(line, "dage ") {
			t.Errorf("--addr %s: exit %d, printed %q (%s)", addr, code, line, stderr.String())
		}
	}
}

// TestSimPrintsTheInjectedExceptions: with --exceptions 2, `shopetl sim`
// prints, under each shop, every exception kind its platform can show with
// the orders that have it, the shop's own ground truth; a negative count
// is refused.
func TestSimPrintsTheInjectedExceptions(t *testing.T) {
	out := simPrints(t, "--orders", "200", "--exceptions", "2")
	for _, p := range platform.Sims() {
		shop, err := p.New(sim.Options{Orders: 200, Seed: 1, Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
			End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Exceptions: 2})
		if err != nil {
			t.Fatal(err)
		}
		truth := shop.(sim.Exceptional).Exceptions()
		if len(truth) == 0 {
			t.Errorf("%s: no exception kind", p.Name)
		}
		for _, k := range sim.SortedKinds(truth) {
			line := fmt.Sprintf("%-9s exception %s (%d): %s", "", k, len(truth[k]), strings.Join(truth[k], " "))
			if !slices.Contains(out, line) {
				t.Errorf("%s: no line %q in:\n%s", p.Name, line, strings.Join(out, "\n"))
			}
		}
	}
	var stderr strings.Builder
	if code := cmdSim(context.Background(), []string{"--exceptions", "-1"}, io.Discard, &stderr); code != exitInvalid {
		t.Errorf("--exceptions -1: exit %d (%s), want %d", code, stderr.String(), exitInvalid)
	}
}

// simPrints runs `shopetl sim args...` until it has printed its job spec
// (the line "  parquet:"), stops it, and returns what it printed.
func simPrints(t *testing.T, args ...string) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- cmdSim(ctx, args, pw, io.Discard)
		pw.Close()
	}()
	var out []string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		out = append(out, sc.Text())
		if strings.HasPrefix(sc.Text(), "  parquet:") {
			break
		}
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if code := <-done; code != exitOK {
		t.Fatalf("sim exited %d; printed:\n%s", code, strings.Join(out, "\n"))
	}
	return out
}
