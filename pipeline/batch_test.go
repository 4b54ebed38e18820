package pipeline_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/state"
	"github.com/shopetl/shopetl/table"
)

// countingSink records the size of every orders batch it is handed. It
// stands in for a sink to observe the runner's batching; the real sinks
// are tested against ClickHouse and Parquet elsewhere.
type countingSink struct {
	mu      sync.Mutex
	batches []int64
}

func (s *countingSink) Name() string { return "counting" }
func (s *countingSink) Write(_ context.Context, _ string, t *table.Table, rec arrow.RecordBatch) error {
	if t == table.Orders {
		s.mu.Lock()
		s.batches = append(s.batches, rec.NumRows())
		s.mu.Unlock()
	}
	return nil
}
func (s *countingSink) Commit(context.Context, string) error { return nil }
func (s *countingSink) Abort(context.Context, string) error  { return nil }
func (s *countingSink) Close() error                         { return nil }

// TestBatchesAreCutByRowsBytesOrAge: the same 300 orders, read 100 a page,
// arrive as one batch when no limit is reached, and as a batch per page
// when the byte or the age limit is. shoptima lists the orders that are not
// refund-flagged (is_refund=0) apart from those that are, so the pages are
// 100, 100 and the rest of the first, then the flagged ones.
func TestBatchesAreCutByRowsBytesOrAge(t *testing.T) {
	t.Setenv("IT_TOKEN", "x")
	store, url := newShop(t, shoptima.Options{Orders: 300, Seed: 3,
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)})
	flagged := int64(0)
	for _, num := range store.OrderNums() {
		o, _ := store.Snapshot(num)
		flagged += int64(o.IsRefund)
	}
	if flagged == 0 || flagged > 100 {
		t.Fatalf("%d refund-flagged orders, want one page of them", flagged)
	}
	perPage := []int64{100, 100, 100 - flagged, flagged}
	for _, c := range []struct {
		name string
		opt  pipeline.RunOptions
		want []int64
	}{
		{"no limit reached", pipeline.RunOptions{BatchRows: 1 << 20, BatchBytes: 1 << 30, BatchEvery: time.Hour}, []int64{300}},
		{"rows", pipeline.RunOptions{BatchRows: 200, BatchBytes: 1 << 30, BatchEvery: time.Hour}, []int64{200, 100}},
		{"bytes", pipeline.RunOptions{BatchRows: 1 << 20, BatchBytes: 1, BatchEvery: time.Hour}, perPage},
		{"age", pipeline.RunOptions{BatchRows: 1 << 20, BatchBytes: 1 << 30, BatchEvery: time.Nanosecond}, perPage},
	} {
		t.Run(c.name, func(t *testing.T) {
			spec := pipelinetest.Job(t, t.TempDir(), fmt.Sprintf(jobTemplate, url, "")+"")
			spec.Shops[0].Options.PageSize = 100
			spec.Shops[0].Options.Concurrency = 1 // pages in order, so batch sizes are exact
			if got, _ := runBatches(t, spec, c.opt); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("orders batches %v, want %v (store holds %d)", got, c.want, store.Count())
			}
		})
	}
}

// runBatches runs spec into a countingSink and returns the sizes of the
// orders batches, in the order written, and the run's result.
func runBatches(t *testing.T, spec *jobspec.Spec, opt pipeline.RunOptions) ([]int64, pipeline.Result) {
	t.Helper()
	sink := &countingSink{}
	state, err := state.NewFile(spec.ResolvePath("./state"), spec.Name)
	if err != nil {
		t.Fatal(err)
	}
	r := &pipeline.Runner{Spec: spec, Sinks: []pipeline.Sink{sink}, State: state, RunID: pipeline.NewRunID(time.Now())}
	res, err := r.Run(context.Background(), opt)
	if err != nil || res.Failed() != 0 {
		t.Fatalf("run: %v %+v", err, res.Shops)
	}
	return sink.batches, res
}

// TestBatchBytesAreSharedByShopsRunningAtOnce: BatchBytes bounds the
// pending batches of all the shops that run at once. Two shops of 300
// orders (three pages of about a third of the bytes each, the flagged
// ones last), with BatchBytes the bytes of one shop's records: run one at
// a time, each gets all of it and batches its orders once; run together,
// each gets half and cuts a batch once half is pending.
func TestBatchBytesAreSharedByShopsRunningAtOnce(t *testing.T) {
	t.Setenv("IT_TOKEN", "x")
	_, url := newShop(t, shoptima.Options{Orders: 300, Seed: 3,
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)})
	job := func(maxShops int) *jobspec.Spec {
		spec := pipelinetest.Job(t, t.TempDir(), fmt.Sprintf(jobTemplate, url, ""))
		spec.Defaults.MaxShops = maxShops
		spec.Shops[0].Options.PageSize = 100
		spec.Shops[0].Options.Concurrency = 1
		second := spec.Shops[0]
		second.Name = "st2"
		spec.Shops = append(spec.Shops, second)
		return spec
	}
	unlimited := pipeline.RunOptions{BatchRows: 1 << 20, BatchBytes: 1 << 30, BatchEvery: time.Hour}
	_, res := runBatches(t, job(1), unlimited)
	bytes := res.Shops[0].Bytes
	if bytes == 0 || res.Shops[1].Bytes != bytes {
		t.Fatalf("shops read %d and %d bytes, want the same, more than 0", bytes, res.Shops[1].Bytes)
	}
	opt := unlimited
	opt.BatchBytes = int(bytes)
	if got, _ := runBatches(t, job(1), opt); fmt.Sprint(got) != "[300 300]" {
		t.Fatalf("one shop at a time: orders batches %v, want [300 300]", got)
	}
	got, _ := runBatches(t, job(2), opt)
	if slices.Sort(got); fmt.Sprint(got) != "[100 100 200 200]" {
		t.Fatalf("two shops at once: orders batches %v, want [100 100 200 200]", got)
	}
}
