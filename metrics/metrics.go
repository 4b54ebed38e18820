// Package metrics is what a run tells Prometheus (issue 20): per shop, its
// orders, pages, retries, quarantined records and errors of the run, how
// long it took, when the shop last succeeded and how old its watermark
// is. A run writes them as a file for node_exporter's textfile collector
// (WriteFile, atomically) or pushes them to a Pushgateway (Push); both
// through client_golang, so the text is Prometheus's own.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"

	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/state"
)

// Shop is one shop of a run: its result, and its state after the run
// (State.Committed zero: the shop never succeeded).
type Shop struct {
	Result pipeline.ShopResult
	State  state.Shop
}

// labels name a shop's series. The job is job_name, not job: Prometheus
// sets job to the scrape's own.
var labels = []string{"job_name", "shop", "platform"}

// Registry holds the metrics of job's run of shops, the watermarks' age
// taken at now.
func Registry(job string, shops []Shop, now time.Time) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	gauge := func(name, help string) *prometheus.GaugeVec {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "shopetl", Name: name, Help: help}, labels)
		reg.MustRegister(g)
		return g
	}
	orders := gauge("run_orders", "Orders the last run loaded.")
	pages := gauge("run_pages", "Pages the last run read.")
	retries := gauge("run_retries", "Requests and inserts the last run retried.")
	quarantined := gauge("run_quarantined", "Records the last run quarantined.")
	errs := gauge("run_errors", "1 when the shop's last run failed, was interrupted or did not run, else 0.")
	duration := gauge("run_duration_seconds", "How long the shop's last run took.")
	success := gauge("last_success_timestamp_seconds", "When the shop last committed a run (Unix time); absent before its first.")
	age := gauge("watermark_age_seconds", "How far behind now the shop's watermark is; absent before its first commit.")
	for _, s := range shops {
		r := s.Result
		l := prometheus.Labels{"job_name": job, "shop": r.Shop, "platform": r.Platform}
		orders.With(l).Set(float64(r.Orders))
		pages.With(l).Set(float64(r.Pages))
		retries.With(l).Set(float64(r.Retries))
		quarantined.With(l).Set(float64(r.Quarantined))
		failed := 0.0
		if r.Status != pipeline.ShopOK {
			failed = 1
		}
		errs.With(l).Set(failed)
		duration.With(l).Set(r.Seconds)
		if !s.State.Committed.IsZero() {
			success.With(l).Set(float64(s.State.Committed.Unix()))
			age.With(l).Set(now.Sub(s.State.Watermark).Seconds())
		}
	}
	return reg
}

// WriteFile writes reg to path in the text format, atomically (a
// temporary file renamed over it), for node_exporter's textfile collector.
func WriteFile(path string, reg prometheus.Gatherer) error {
	return prometheus.WriteToTextfile(path, reg)
}

// pushClient bounds a push: a Pushgateway that does not answer must not
// hold the end of a run.
var pushClient = &http.Client{Timeout: 10 * time.Second}

// Push replaces the metrics on the Pushgateway at url of job's shard
// ("0/1" unsharded, else --shard's I/N) with reg's: the group is
// {job=JOB, shard=I/N}, so that the workers of a sharded job keep their
// own shops' series.
func Push(url, job, shard string, reg prometheus.Gatherer) error {
	return push.New(url, job).Grouping("shard", shard).Gatherer(reg).Client(pushClient).Push()
}
