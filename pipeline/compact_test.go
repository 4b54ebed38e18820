package pipeline_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/sim"
	"github.com/shopetl/shopetl/table"
)

// TestCompactBesideARun: compactions of the job's Parquet directory run
// one after another for as long as a backfill of every shop rewrites every
// partition, while a reader counts each shop's current orders again and
// again. The reader never sees an order missing or doubled, and afterwards
// ClickHouse FINAL and Parquet agree row for row, before and after a last
// compaction, which leaves one file per partition.
func TestCompactBesideARun(t *testing.T) {
	j := pipelinetest.NewSimJob(t, "compactrun", sim.Options{Orders: 120, Seed: 7}, true)
	dir := j.Spec.ResolvePath("./parquet")
	var shops []string
	for _, p := range platform.Sims() {
		shops = append(shops, "sim-"+p.Name)
	}
	j.Run(t, pipeline.RunOptions{BatchRows: 40})
	want := map[string]int{}
	for _, shop := range shops {
		n, err := parquet.CountLatest(dir, table.Orders, shop)
		if err != nil || n == 0 {
			t.Fatalf("%s: %d orders after the first run (%v)", shop, n, err)
		}
		want[shop] = n
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	readerErr := make(chan error, 1)
	reads := 0
	go func() {
		defer close(readerErr)
		for ctx.Err() == nil {
			for _, shop := range shops {
				// The shops did not change: every read must find exactly
				// the orders of the first run.
				if n, err := parquet.CountLatest(dir, table.Orders, shop); err != nil || n != want[shop] {
					readerErr <- fmt.Errorf("%s: a reader counted %d orders (%v), want %d", shop, n, err, want[shop])
					return
				}
			}
			reads++
		}
	}()
	done := make(chan pipeline.Result, 1)
	go func() { done <- pipelinetest.Run(t, j.Spec, pipeline.RunOptions{BatchRows: 40, Since: j.Since}) }()
	compactions := 0
	var res pipeline.Result
compacting:
	for {
		select {
		case res = <-done:
			break compacting
		default:
		}
		if _, err := parquet.Compact(ctx, dir, parquet.CompactOptions{RunID: pipeline.NewRunID(time.Now())}); err != nil {
			t.Fatal(err)
		}
		compactions++
	}
	stop()
	if err := <-readerErr; err != nil {
		t.Error(err)
	}
	pipelinetest.RequireOK(t, res)
	t.Logf("%d compactions and %d reads of every shop during the backfill", compactions, reads)

	conn := pipelinetest.Conn(t, j.Addr)
	defer conn.Close()
	checkSinksAgree(t, conn, j.DB, dir, shops, false)
	if _, err := parquet.Compact(context.Background(), dir, parquet.CompactOptions{RunID: pipeline.NewRunID(time.Now())}); err != nil {
		t.Fatal(err)
	}
	for p, n := range filesPerPartition(t, dir) {
		if n != 1 {
			t.Errorf("%s: %d files after the last compaction, want 1", p, n)
		}
	}
	checkSinksAgree(t, conn, j.DB, dir, shops, false)
}
