package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/state"
	"github.com/shopetl/shopetl/table"
)

// losing is a file store whose leases are lost when the test says:
// lose closes every lease's Lost; failCheck makes Check fail without it.
type losing struct {
	*state.File
	once      sync.Once
	lost      chan struct{}
	failCheck bool
}

func (l *losing) Lock(ctx context.Context, shop string) (state.Lease, error) {
	in, err := l.File.Lock(ctx, shop)
	if err != nil {
		return nil, err
	}
	return losingLease{in, l}, nil
}

func (l *losing) lose() { l.once.Do(func() { close(l.lost) }) }

type losingLease struct {
	state.Lease
	l *losing
}

func (x losingLease) Lost() <-chan struct{} { return x.l.lost }

func (x losingLease) Check(context.Context) error {
	select {
	case <-x.l.lost:
	default:
		if !x.l.failCheck {
			return nil
		}
	}
	return fmt.Errorf("shop st: %w: run other holds it", state.ErrLeaseLost)
}

// TestLostLeaseStopsTheShopUncommitted: a lease lost while the shop pages
// stops it at once: failed (not interrupted), saying why, with nothing of
// it committed and its watermark unmoved. A lease found lost only at the
// check before saving leaves the loaded data (loads are idempotent) and
// does not move the watermark either.
func TestLostLeaseStopsTheShopUncommitted(t *testing.T) {
	t.Setenv("IT_TOKEN", "x")
	for _, atSave := range []bool{false, true} {
		t.Run(fmt.Sprintf("at save %t", atSave), func(t *testing.T) {
			store, err := shoptima.NewStore(shoptima.Options{Orders: 600, Seed: 4})
			if err != nil {
				t.Fatal(err)
			}
			st, err := state.NewFile(t.TempDir(), "it")
			if err != nil {
				t.Fatal(err)
			}
			ls := &losing{File: st, lost: make(chan struct{}), failCheck: atSave}
			h := store.Handler()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !atSave && r.URL.Query().Get("page") == "3" {
					ls.lose()
					<-r.Context().Done() // until the shop stops
					return
				}
				h.ServeHTTP(w, r)
			}))
			defer srv.Close()
			spec := pipelinetest.Job(t, t.TempDir(), fmt.Sprintf(jobTemplate, srv.URL, ""))
			runID := pipeline.NewRunID(time.Now())
			sinks, err := pipeline.OpenSinks(context.Background(), spec, runID, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := &pipeline.Runner{Spec: spec, Sinks: sinks, State: ls, RunID: runID}
			res, err := r.Run(context.Background(), pipeline.RunOptions{BatchRows: 100})
			pipeline.CloseSinks(sinks)
			if err != nil {
				t.Fatal(err)
			}
			got := res.Shops[0]
			if got.Status != pipeline.ShopFailed || !errors.Is(got.Err, state.ErrLeaseLost) || !strings.Contains(got.Err.Error(), "run other holds it") {
				t.Fatalf("shop %s: %v, want failed with the lease's loss", got.Status, got.Err)
			}
			if _, has, _ := st.Load(context.Background(), "st"); has {
				t.Fatal("a shop whose lease was lost moved its watermark")
			}
			n := countOrders(t, spec)
			if atSave && n != store.Count() {
				t.Fatalf("%d orders loaded before the check, want all %d", n, store.Count())
			}
			if !atSave && n != 0 {
				t.Fatalf("%d orders committed after the lease was lost mid-page", n)
			}
		})
	}
}

// countOrders counts the current orders of shop st in the job's Parquet.
func countOrders(t *testing.T, spec *jobspec.Spec) int {
	t.Helper()
	n, err := parquet.CountLatest(spec.ResolvePath("./parquet"), table.Orders, "st")
	if err != nil {
		t.Fatal(err)
	}
	return n
}
