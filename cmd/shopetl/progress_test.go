package main

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/vbauerster/mpb/v8"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/pipeline"
)

// A finished shop's line is final: once Done, every later frame draws the
// same line (no spinner), saying done, FAILED or interrupted with the shop's totals,
// while the other shops still run. A running shop whose platform reports a
// total shows done/total of its pass.
func TestFinishedShopLineStopsAndTotalsShow(t *testing.T) {
	var out bytes.Buffer // read after Wait, when the renderer has ended
	refresh := make(chan any)
	b := newBars(&out, mpb.WithManualRefresh(refresh), mpb.WithWidth(160))
	b.Start("alpha")
	b.Start("beta")
	b.Start("gamma")
	b.Start("delta")
	b.Page("alpha", 10, 0, extract.Listing{Pass: 1, Rows: 10, Total: 50})
	b.Page("beta", 5, 1, extract.Listing{Pass: 1, Rows: 6, Total: 30})
	b.Page("beta", 4, 0, extract.Listing{Pass: 2, Rows: 4, Total: 12})
	b.Page("gamma", 7, 0, extract.Listing{}) // no total reported
	b.Page("delta", 3, 0, extract.Listing{})
	// A send returns when the refresher takes it, which it does once the
	// render two sends before is drawn: three sends draw at least one
	// frame begun after the first.
	draw := func() {
		for range 3 {
			refresh <- struct{}{}
		}
	}
	draw()
	b.Done("alpha", nil)
	b.Done("gamma", errors.New("boom"))
	b.Done("delta", fmt.Errorf("shop delta: %w", pipeline.ErrInterrupted))
	draw()
	draw()
	if !b.get("alpha").bar.Completed() || !b.get("gamma").bar.Aborted() {
		t.Errorf("finished bars: alpha completed %v, gamma aborted %v", b.get("alpha").bar.Completed(), b.get("gamma").bar.Aborted())
	}
	b.Done("beta", nil)
	b.Wait()

	lines := map[string][]string{}
	ansi := regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)
	for _, l := range strings.Split(ansi.ReplaceAllString(out.String(), "\n"), "\n") {
		for _, shop := range []string{"alpha", "beta", "gamma", "delta"} {
			if strings.HasPrefix(strings.TrimSpace(l), shop) {
				lines[shop] = append(lines[shop], strings.TrimRight(l, " "))
			}
		}
	}
	if len(lines["alpha"]) < 4 {
		t.Fatalf("alpha drawn %d times, want a frame before Done and several after:\n%q", len(lines["alpha"]), out.String())
	}
	if first := lines["alpha"][0]; !strings.Contains(first, "pass 1: 10/50") {
		t.Errorf("alpha's running line lacks its pass total: %q", first)
	}
	if !strings.Contains(lines["beta"][0], "pass 2: 4/12") {
		t.Errorf("beta's running line lacks its second pass's total: %q", lines["beta"][0])
	}
	if strings.Contains(lines["gamma"][0], "pass") {
		t.Errorf("gamma reports no total, yet its line shows one: %q", lines["gamma"][0])
	}
	for shop, want := range map[string]string{"alpha": "done  pages 1  orders 10  quarantined 0  in ", "gamma": "FAILED  pages 1  orders 7  quarantined 0  after ",
		"delta": "interrupted  pages 1  orders 3  quarantined 0  after "} {
		// The last three frames were all drawn after the shop's Done.
		after := lines[shop][len(lines[shop])-3:]
		for _, l := range after[1:] {
			if l != after[0] {
				t.Errorf("%s's line changes after Done:\n%q\n%q", shop, after[0], l)
				break
			}
		}
		if !strings.Contains(after[0], want) {
			t.Errorf("%s's finished line %q lacks %q", shop, after[0], want)
		}
	}
}
