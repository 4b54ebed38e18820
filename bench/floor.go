package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/sourcegraph/conc/pool"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/load/clickhouse"
	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/platform"
	_ "github.com/shopetl/shopetl/platform/all"
	"github.com/shopetl/shopetl/table"
)

// floorFetch is the fetch + decode floor, run as its own process (`bench
// floor-fetch URL PAGES`): every page of a shoptima shop, `GET
// /order?rows=120&page=N`, 4 in flight, each body json-decoded, nothing
// else. It prints the records read.
func floorFetch(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("floor-fetch: want URL PAGES")
	}
	pages, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	var records atomic.Int64
	p := pool.New().WithErrors().WithContext(ctx).WithMaxGoroutines(4)
	for page := 1; page <= pages; page++ {
		p.Go(func(ctx context.Context) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/order?rows=120&page=%d", args[0], page), nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+simToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != http.StatusOK {
				return fmt.Errorf("page %d: status %d: %v", page, resp.StatusCode, err)
			}
			var env struct {
				Data struct {
					Data []map[string]any `json:"data"`
				} `json:"data"`
			}
			if err := json.Unmarshal(body, &env); err != nil {
				return fmt.Errorf("page %d: %w", page, err)
			}
			records.Add(int64(len(env.Data.Data)))
			return nil
		})
	}
	if err := p.Wait(); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]int64{"records": records.Load()})
}

// floorJob is the fetch + decode floor of a whole job (`bench floor-job
// JOB.yaml`): every shop's pages as a first run reads them, the same
// requests by the same extractors, shops and pages as many at once as the
// job lets a run, and each record json-decoded like floorFetch's; no
// transform, no sink. It prints the records read.
func floorJob(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("floor-job: want JOB.yaml")
	}
	spec, err := jobspec.Load(args[0], platform.Registered)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	now := time.Now()
	var records atomic.Int64
	p := pool.New().WithErrors().WithContext(ctx).WithMaxGoroutines(spec.ShopsAtOnce(len(spec.Shops)))
	for _, s := range spec.Shops {
		p.Go(func(ctx context.Context) error {
			o := s.Options
			w := extract.Window{From: o.Start, To: now.Add(-o.SafetyLag.Std()).Truncate(time.Second), First: true}
			ex, _, err := pipeline.Extractor(s, w, log)
			if err != nil {
				return err
			}
			return ex.Extract(ctx, func(_ context.Context, page extract.Page) error {
				for _, r := range page.Records {
					var v any
					if err := json.Unmarshal(r.Body, &v); err != nil {
						return fmt.Errorf("shop %s: %s: %w", s.Name, page.Endpoint, err)
					}
				}
				records.Add(int64(len(page.Records)))
				return nil
			})
		})
	}
	if err := p.Wait(); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]int64{"records": records.Load()})
}

// InsertFloor is ClickHouse insert only: the rows of every table a run
// wrote to Parquet, read back and regrouped in batches of the pipeline's
// size before the clock starts, then written through load/clickhouse's
// sink. Its figures are of the writing alone (the process's rusage before
// and after), so reading the files is not counted.
type InsertFloor struct {
	Measure
	Rows int64 `json:"rows"`
}

// floorInsert is `bench floor-insert PARQUET_DIR CH_ADDR DATABASE`.
func floorInsert(ctx context.Context, args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("floor-insert: want PARQUET_DIR CH_ADDR DATABASE")
	}
	batches := map[*table.Table][]arrow.RecordBatch{}
	for _, t := range table.All {
		recs, err := parquet.ReadTable(args[0], t)
		if err != nil {
			return err
		}
		batches[t], err = rebatch(t.Schema(), recs, batchRows)
		if err != nil {
			return err
		}
	}
	sink, err := clickhouse.New(ctx, clickhouse.Config{Addr: []string{args[1]}, Database: args[2], Username: "default"})
	if err != nil {
		return err
	}
	defer sink.Close()
	var f InsertFloor
	before, start := rusage(), time.Now()
	for t, recs := range batches {
		for _, rec := range recs {
			if err := sink.Write(ctx, "floor", t, rec); err != nil {
				return err
			}
			f.Rows += rec.NumRows()
		}
	}
	f.WallS = time.Since(start).Seconds()
	after := rusage()
	f.UserS = tv(after.Utime) - tv(before.Utime)
	f.SysS = tv(after.Stime) - tv(before.Stime)
	f.MaxRSSMB = float64(after.Maxrss) / 1024
	return json.NewEncoder(os.Stdout).Encode(f)
}

// batchRows is the pipeline's batch limit in orders (README, "Open").
const batchRows = 5000

// rebatch concatenates recs into batches of at least rows rows (the last
// may be smaller): Parquet parts are small files, and one insert per part
// would measure ClickHouse's per-insert cost, not its floor.
func rebatch(schema *arrow.Schema, recs []arrow.RecordBatch, rows int64) ([]arrow.RecordBatch, error) {
	var out []arrow.RecordBatch
	for len(recs) > 0 {
		n, i := int64(0), 0
		for ; i < len(recs) && n < rows; i++ {
			n += recs[i].NumRows()
		}
		cols := make([]arrow.Array, schema.NumFields())
		for c := range cols {
			parts := make([]arrow.Array, i)
			for j := range parts {
				parts[j] = recs[j].Column(c)
			}
			col, err := array.Concatenate(parts, memory.DefaultAllocator)
			if err != nil {
				return nil, err
			}
			cols[c] = col
		}
		out = append(out, array.NewRecordBatch(schema, cols, n))
		recs = recs[i:]
	}
	return out, nil
}

func rusage() syscall.Rusage {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
