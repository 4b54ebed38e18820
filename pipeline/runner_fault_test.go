package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/state"
	"github.com/shopetl/shopetl/table"
)

// recorder captures a response so a test can alter it.
type recorder struct {
	http.ResponseWriter
	buf    bytes.Buffer
	status int
}

func (r *recorder) WriteHeader(s int)           { r.status = s }
func (r *recorder) Write(b []byte) (int, error) { return r.buf.Write(b) }

// TestBrokenRecordIsQuarantinedAndTheRestLoads: one order with an amount
// that is not a number, among 100 on a page: 99 load, 1 is kept in
// etl_quarantine with its raw JSON, and the shop succeeds.
func TestBrokenRecordIsQuarantinedAndTheRestLoads(t *testing.T) {
	t.Setenv("IT_TOKEN", "x")
	store, err := shoptima.NewStore(shoptima.Options{Orders: 100, Seed: 9,
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	victim := store.OrderNums()[37]
	h := store.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w, status: 200}
		h.ServeHTTP(rec, r)
		body := rec.buf.String()
		// Break the victim's order_price wherever it is listed.
		if i := strings.Index(body, `"order_num":"`+victim+`"`); i >= 0 {
			j := strings.Index(body[i:], `"order_price":"`) + i
			body = body[:j] + `"order_price":"12,50` + body[j+len(`"order_price":"`)+4:]
		}
		w.Header().Del("Content-Length")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.status)
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	dir := t.TempDir()
	spec := pipelinetest.Job(t, dir, fmt.Sprintf(jobTemplate, srv.URL, ""))
	res := pipelinetest.Run(t, spec, pipeline.RunOptions{})
	s := res.Shops[0]
	if s.Status != pipeline.ShopOK {
		t.Fatalf("shop failed: %v", s.Err)
	}
	if s.Quarantined == 0 {
		t.Fatal("nothing quarantined")
	}
	pq := spec.ResolvePath("./parquet")
	if n, _ := parquet.CountLatest(pq, table.Orders, "st"); n != 99 {
		t.Fatalf("parquet holds %d orders, want 99", n)
	}
	recs, err := parquet.ReadTable(pq, table.Quarantine)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		for i := 0; i < int(r.NumRows()); i++ {
			key := r.Column(table.Quarantine.ColumnIndex("record_key")).ValueStr(i)
			payload := r.Column(table.Quarantine.ColumnIndex("payload")).ValueStr(i)
			reason := r.Column(table.Quarantine.ColumnIndex("reason")).ValueStr(i)
			if key == victim && strings.Contains(payload, `"order_price":"12,50`) && strings.Contains(reason, "bad amount") {
				found = true
			}
		}
		r.Release()
	}
	if !found {
		t.Fatalf("no quarantine row for %s with its raw payload and reason", victim)
	}
}

// TestCancelStopsCleanly: a run cancelled while a shop is paging stops, the
// shop is interrupted, its watermark stays unset and no part file of its
// data is visible; only its etl_runs row, which says it was interrupted.
func TestCancelStopsCleanly(t *testing.T) {
	t.Setenv("IT_TOKEN", "x")
	store, err := shoptima.NewStore(shoptima.Options{Orders: 2000, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	arrived := make(chan struct{}, 100)
	h := store.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "3" {
			arrived <- struct{}{}
			<-r.Context().Done() // stall until the client gives up
			return
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	spec := pipelinetest.Job(t, dir, fmt.Sprintf(jobTemplate, srv.URL, ""))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()

	runID := pipeline.NewRunID(time.Now())
	sinks, err := pipeline.OpenSinks(ctx, spec, runID, nil)
	if err != nil {
		t.Fatal(err)
	}
	state, _ := state.NewFile(spec.ResolvePath("./state"), spec.Name)
	r := &pipeline.Runner{Spec: spec, Sinks: sinks, State: state, RunID: runID}
	res, err := r.Run(ctx, pipeline.RunOptions{BatchRows: 100})
	pipeline.CloseSinks(sinks)
	if err != nil {
		t.Fatal(err)
	}
	if res.Interrupted() != 1 || res.Shops[0].Err != pipeline.ErrInterrupted {
		t.Fatalf("want the cancelled shop interrupted, got %+v", res.Shops[0])
	}
	if _, has, _ := state.Load(context.Background(), "st"); has {
		t.Fatal("a cancelled shop must not move its watermark")
	}
	var visible []string
	filepath.WalkDir(spec.ResolvePath("./parquet"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(p, "/etl_runs/") && !strings.Contains(p, "/_manifests/") {
			visible = append(visible, p)
		}
		return nil
	})
	if len(visible) != 0 {
		t.Fatalf("a cancelled run left files: %v", visible)
	}
	recs, err := parquet.ReadTable(spec.ResolvePath("./parquet"), table.Runs)
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, rec := range recs {
		for i := 0; i < int(rec.NumRows()); i++ {
			statuses = append(statuses, rec.Column(table.Runs.ColumnIndex("status")).ValueStr(i))
		}
		rec.Release()
	}
	if len(statuses) != 1 || statuses[0] != pipeline.ShopInterrupted {
		t.Fatalf("etl_runs rows %q, want one %q", statuses, pipeline.ShopInterrupted)
	}
}
