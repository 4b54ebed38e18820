package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopetl/shopetl/sim"
)

// reconcileCmd runs `shopetl reconcile args...`.
func reconcileCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"reconcile"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// TestReconcileFlags: what is wrong with a command line is said, exit 2,
// before any store is read.
func TestReconcileFlags(t *testing.T) {
	spec, _ := simShop(t, "shoptima", sim.Options{})
	job := writeJob(t, spec)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{job}, "--from is required"},
		{[]string{job, "--from", "2025-13-01"}, `"2025-13-01" is not a day`},
		{[]string{job, "--from", "2025-02-01", "--to", "2025-01-01"}, "--from 2025-02-01 is after --to 2025-01-01"},
		{[]string{job, "--from", "2025-01-01", "--format", "xml"}, `--format "xml": want table, csv, json`},
		{[]string{job, "--from", "2025-01-01", "--format", "json", "--summary"}, "--summary is for --format table"},
		{[]string{job, "--from", "2025-01-01", "--shop", "nope"}, "--shop nope: no such shop"},
		{[]string{job, "--from", "2025-01-01", "--source", "clickhouse"}, "has no clickhouse sink"},
		{[]string{job, "--from", "2025-01-01", "--source", "s3"}, `--source "s3": want clickhouse or parquet`},
		{[]string{"--from", "2025-01-01"}, "want exactly one JOB.yaml"},
	} {
		code, _, stderr := reconcileCmd(c.args...)
		if code != exitInvalid || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// TestReconcileAfterARun: before any run the store is refused (exit 3);
// after one, the report goes to stdout or --out, the page to --html, and
// the store read is named on stderr only.
func TestReconcileAfterARun(t *testing.T) {
	spec, _ := simShop(t, "shoptima", sim.Options{Exceptions: 1})
	job := writeJob(t, spec)
	code, _, stderr := reconcileCmd(job, "--from", "2025-01-01", "--to", "2025-12-31")
	if code != exitNothing || !strings.Contains(stderr, "no run has loaded it yet") {
		t.Fatalf("before a run: exit %d, stderr %q; want exit 3, no run has loaded it yet", code, stderr)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"run", job}, &out, &errb); code != exitOK {
		t.Fatalf("run: exit %d\n%s%s", code, out.String(), errb.String())
	}
	dir := filepath.Dir(job)
	code, stdout, stderr := reconcileCmd(job, "--from", "2025-01-01", "--to", "2025-12-31", "--format", "json",
		"--out", filepath.Join(dir, "report.json"), "--html", filepath.Join(dir, "report.html"))
	if code != exitOK || stdout != "" || !strings.Contains(stderr, "reading parquet") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 0, nothing on stdout, reading parquet", code, stdout, stderr)
	}
	var report struct {
		Source     string
		Totals     []map[string]any
		Exceptions []map[string]any
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err == nil {
		err = json.Unmarshal(b, &report)
	}
	if err != nil || report.Source != "flow" || len(report.Totals) == 0 || len(report.Exceptions) == 0 {
		t.Errorf("report.json: %v; source %q, %d totals, %d exceptions; want flow and some of each",
			err, report.Source, len(report.Totals), len(report.Exceptions))
	}
	if page, err := os.ReadFile(filepath.Join(dir, "report.html")); err != nil || !bytes.Contains(page, []byte("<svg")) {
		t.Errorf("report.html: %v, want a page with a chart", err)
	}
	code, stdout, _ = reconcileCmd(job, "--from", "2025-01-01", "--to", "2025-12-31", "--summary")
	if code != exitOK || !strings.Contains(stdout, "sim-shoptima") || !strings.Contains(stdout, "EXCEPTIONS: ") {
		t.Errorf("--summary: exit %d\n%s", code, stdout)
	}
}
