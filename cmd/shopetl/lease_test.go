package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/platform"
)

// TestLeasedShopIsSkippedUntilItsLeaseExpires: with state.backend
// clickhouse, a run started while another shopetl process pages a shop
// skips the shop (exit 4, status skipped, naming the holder); after that
// process is killed (SIGKILL: it releases nothing), runs still skip the
// shop until its lease expires, and the first run after loads every order.
func TestLeasedShopIsSkippedUntilItsLeaseExpires(t *testing.T) {
	addr, db := pipelinetest.ClickHouse(t)
	pl, _ := platform.Lookup("shoptima")
	shop, srv, hold, arrived := heldShop(t, 600, 9)
	const lease = 3 * time.Second
	job := writeJob(t, strings.Replace(pl.Sim.Spec(srv.URL, ""), "page_size: 120", "page_size: 50", 1))
	b, err := os.ReadFile(job)
	if err != nil {
		t.Fatal(err)
	}
	spec := strings.Replace(string(b), "state: {backend: file, path: ./state}", fmt.Sprintf("state: {backend: clickhouse, lease: %s}", lease), 1)
	spec = strings.Replace(spec, "  parquet: {dir: ./out}", fmt.Sprintf("  clickhouse: {addr: %q, database: %s}", addr, db), 1)
	if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}

	holder := exec.Command(os.Args[0], "run", job)
	holder.Env = append(os.Environ(), asMainEnv+"=1")
	var hout bytes.Buffer
	holder.Stdout, holder.Stderr = &hout, &hout
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Process.Kill()
	<-arrived // the holder has its lease and pages

	second := func(want int) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"run", job}, &out, &errb); code != want {
			t.Fatalf("exit %d, want %d\n%s%s\nholder:\n%s", code, want, out.String(), errb.String(), hout.String())
		}
		return out.String() + errb.String()
	}
	out := second(exitSkipped)
	if s := summaryOf(t, out, "sim-shoptima"); s.status != pipeline.ShopSkipped || s.pages != 0 {
		t.Fatalf("summary %+v, want skipped with no page read:\n%s", s, out)
	}
	host, _ := os.Hostname()
	if !strings.Contains(out, "another run of this job holds the shop: run ") || !strings.Contains(out, " on "+host+" holds it until ") {
		t.Fatalf("the skip does not say who holds the shop:\n%s", out)
	}

	if err := holder.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := holder.Wait(); !errors.As(err, &exit) {
		t.Fatalf("holder: %v", err)
	}
	killed := time.Now()
	hold.Store(false)
	second(exitSkipped) // the killed run's lease is still live
	time.Sleep(time.Until(killed.Add(lease)))
	out = second(exitOK)
	if s := summaryOf(t, out, "sim-shoptima"); s.status != pipeline.ShopOK {
		t.Fatalf("after the lease expired: %+v\n%s", s, out)
	}
	conn := pipelinetest.Conn(t, addr)
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM "+db+".orders FINAL").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if int(n) != shop.Count() {
		t.Fatalf("%d orders in ClickHouse, want the simulator's %d", n, shop.Count())
	}

	// state reads and resets the watermark in ClickHouse.
	state := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(context.Background(), append([]string{"state", job}, args...), &out, &errb); code != exitOK {
			t.Fatalf("state %v: exit %d\n%s%s", args, code, out.String(), errb.String())
		}
		return out.String()
	}
	if out := state(); !regexp.MustCompile(`(?m)^sim-shoptima\s+shoptima\s+20\d\d-`).MatchString(out) {
		t.Fatalf("state does not show the watermark:\n%s", out)
	}
	state("--reset", "--shop", "sim-shoptima")
	if out := state(); !regexp.MustCompile(`(?m)^sim-shoptima\s+shoptima\s+-\s`).MatchString(out) {
		t.Fatalf("state after --reset:\n%s", out)
	}
}
