package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/shopetl/shopetl/internal/testenv"
	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/sim"
)

// needTool finds a Debian tool the test runs; without it the test is
// skipped, but not under CI, where .ci/run installs it.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		testenv.Missing(t, "%s not found (apt-get install %s; make test does)", name, pkg)
	}
	return path
}

// metricsJob serves a small shoptima shop and writes a job reading it.
func metricsJob(t *testing.T) (job string, orders int) {
	t.Helper()
	pl, _ := platform.Lookup("shoptima")
	shop, err := pl.Sim.New(sim.Options{Orders: 300, Seed: 9,
		Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(shop.Handler())
	t.Cleanup(srv.Close)
	return writeJob(t, pl.Sim.Spec(srv.URL, "")), shop.Count()
}

// parseMetrics reads the text format as Prometheus does.
func parseMetrics(t *testing.T, text []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("%v in:\n%s", err, text)
	}
	return mfs
}

// value is the gauge of family name whose labels include want.
func value(t *testing.T, mfs map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	for _, m := range mfs[name].GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			match = match && got[k] == v
		}
		if match {
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no %s%v", name, want)
	return 0
}

// TestRunWritesMetrics: --metrics-file writes every shop's metrics in the
// text format, which promtool accepts and expfmt reads back with the
// run's figures.
func TestRunWritesMetrics(t *testing.T) {
	promtool := needTool(t, "promtool", "prometheus")
	job, orders := metricsJob(t)
	file := filepath.Join(t.TempDir(), "shopetl.prom")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"run", job, "--metrics-file", file}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = bytes.NewReader(text)
	if msg, err := check.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s\n%s", err, msg, text)
	}
	mfs := parseMetrics(t, text)
	shop := map[string]string{"job_name": "flow", "shop": "sim-shoptima", "platform": "shoptima"}
	if got := value(t, mfs, "shopetl_run_orders", shop); got != float64(orders) {
		t.Errorf("shopetl_run_orders %v, want the simulator's %d", got, orders)
	}
	if got := value(t, mfs, "shopetl_run_errors", shop); got != 0 {
		t.Errorf("shopetl_run_errors %v, want 0", got)
	}
	if got := value(t, mfs, "shopetl_run_pages", shop); got < 1 {
		t.Errorf("shopetl_run_pages %v", got)
	}
	if got := value(t, mfs, "shopetl_last_success_timestamp_seconds", shop); time.Since(time.Unix(int64(got), 0)) > time.Hour {
		t.Errorf("shopetl_last_success_timestamp_seconds %v, want about now", got)
	}
	if got := value(t, mfs, "shopetl_watermark_age_seconds", shop); got <= 0 {
		t.Errorf("shopetl_watermark_age_seconds %v, want the safety lag or more", got)
	}
	for _, name := range []string{"shopetl_run_retries", "shopetl_run_quarantined", "shopetl_run_duration_seconds"} {
		value(t, mfs, name, shop)
	}
}

// TestRunPushesMetrics: --pushgateway pushes the same metrics to Debian's
// prometheus-pushgateway on loopback, grouped by job and shard.
func TestRunPushesMetrics(t *testing.T) {
	gateway := needTool(t, "prometheus-pushgateway", "prometheus-pushgateway")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	gw := exec.Command(gateway, "--web.listen-address="+addr)
	var gwLog bytes.Buffer
	gw.Stdout, gw.Stderr = &gwLog, &gwLog
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Process.Kill(); gw.Wait() })
	url := "http://" + addr
	for i := 0; ; i++ {
		if resp, err := http.Get(url + "/-/ready"); err == nil && resp.StatusCode == http.StatusOK {
			resp.Body.Close()
			break
		}
		if i == 100 {
			t.Fatalf("the pushgateway did not get ready:\n%s", gwLog.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	job, orders := metricsJob(t)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"run", job, "--pushgateway", url}, &out, &errb); code != exitOK || errb.Len() > 0 && strings.Contains(errb.String(), "--pushgateway") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var text bytes.Buffer
	if _, err := text.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	mfs := parseMetrics(t, text.Bytes())
	got := value(t, mfs, "shopetl_run_orders", map[string]string{"job": "flow", "shard": "0/1", "shop": "sim-shoptima"})
	if got != float64(orders) {
		t.Errorf("pushed shopetl_run_orders %v, want %d", got, orders)
	}
}
