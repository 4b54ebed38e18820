package pipeline

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/load/clickhouse"
)

// sinks.clickhouse.retries: max counts retries after the first attempt (0:
// none), and what is left out takes the sink's defaults.
func TestSpecClickHouseRetries(t *testing.T) {
	base := "version: 1\nname: c\nstate: {backend: file, path: s}\n" +
		"shops: [{name: a, platform: shoptima, base_url: \"https://x.example\"}]\ntransform: {pii: keep}\n"
	for doc, want := range map[string]clickhouse.Retry{
		"sinks: {clickhouse: {addr: [\"h:9000\"]}}\n":                                                        {},
		"sinks: {clickhouse: {addr: [\"h:9000\"], retries: {max: 0}}}\n":                                     {MaxAttempts: 1},
		"sinks: {clickhouse: {addr: [\"h:9000\"], retries: {max: 3, min_backoff: 10ms, max_elapsed: 1m}}}\n": {MaxAttempts: 4, MinBackoff: 10 * time.Millisecond, MaxElapsed: time.Minute},
	} {
		spec, err := jobspec.Parse("c.yaml", []byte(base+doc), nil)
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if got := clickhouseRetry(spec.Sinks.ClickHouse.Retries); got != want {
			t.Errorf("%s: retry %+v, want %+v", doc, got, want)
		}
	}
	_, err := jobspec.Parse("c.yaml", []byte(base+"sinks: {clickhouse: {addr: [\"h:9000\"], retries: {min_backoff: 2s, max_backoff: 1s, tries: 3}}}\n"), nil)
	var se *jobspec.SpecError
	if !errors.As(err, &se) {
		t.Fatalf("want *jobspec.SpecError, got %v", err)
	}
	var got []string
	for _, p := range se.Problems {
		got = append(got, p.Msg)
	}
	if len(got) != 2 || !strings.Contains(strings.Join(got, "\n"), "retries.tries: unknown key") ||
		!strings.Contains(strings.Join(got, "\n"), "min_backoff 2s is greater than max_backoff 1s") {
		t.Errorf("problems %q", got)
	}
}

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
