package pipeline_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/sim/shoptima"
)

// BenchmarkRun loads a simulated shop of 20,000 orders end to end into
// Parquet (and ClickHouse when CLICKHOUSE_ADDR is set), without a rate
// limit, so what it measures is the pipeline itself. It reports orders/s.
func BenchmarkRun(b *testing.B) {
	const orders = 20000
	store, err := shoptima.NewStore(shoptima.Options{Orders: orders, Seed: 4})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(store.Handler())
	defer srv.Close()
	b.Setenv("IT_TOKEN", "x")
	extra := ""
	if addr := os.Getenv("CLICKHOUSE_ADDR"); addr != "" {
		extra = fmt.Sprintf("  clickhouse: {addr: [%q], database: bench_%d}\n", addr, time.Now().UnixNano())
	}
	b.ReportAllocs()
	b.ResetTimer()
	read := int64(0)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		body := fmt.Sprintf(jobTemplate, srv.URL, extra)
		body = strings.Replace(body, "rate_limit: 1000/s", "rate_limit: 1000000/s", 1)
		spec := pipelinetest.Job(b, dir, body)
		b.StartTimer()
		res := pipelinetest.Run(b, spec, pipeline.RunOptions{})
		if res.Failed() != 0 {
			b.Fatal(res.Shops[0].Err)
		}
		read += res.Shops[0].Orders
	}
	b.ReportMetric(float64(read)/b.Elapsed().Seconds(), "orders/s")
}
