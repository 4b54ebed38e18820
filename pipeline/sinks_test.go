package pipeline

import (
	"testing"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/load/clickhouse"
)

// TestClickHouseStreamsLessBesideParquet: beside a Parquet sink (whose
// buffer shares the memory limit) a ClickHouse stream keeps no more than
// a pool's insert, else clickhouse.DefaultStreamRows.
func TestClickHouseStreamsLessBesideParquet(t *testing.T) {
	for _, v := range []string{"YM_TOKEN", "ST_TOKEN", "CH_PASSWORD"} {
		t.Setenv(v, "x")
	}
	spec, err := jobspec.Load("../jobspec/testdata/full.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ClickHouseConfig(spec).StreamRows; got != clickhousePoolRows {
		t.Errorf("beside Parquet: StreamRows %d, want the pool's %d", got, clickhousePoolRows)
	}
	spec.Sinks.Parquet = nil
	if got := ClickHouseConfig(spec).StreamRows; got != clickhouse.DefaultStreamRows {
		t.Errorf("alone: StreamRows %d, want %d", got, clickhouse.DefaultStreamRows)
	}
}
