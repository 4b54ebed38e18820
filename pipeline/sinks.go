package pipeline

import (
	"context"
	"errors"
	"log/slog"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/load/clickhouse"
	"github.com/shopetl/shopetl/load/parquet"
)

// OpenSinks connects every sink the spec configures and checks each can be
// written (ClickHouse's tables, the Parquet directory), before any shop is
// read. An error here means nothing can run (exit code 3); it is the
// sink's own, which names the sink ("clickhouse: ...", "parquet sink: ...").
// log hears of retried ClickHouse inserts; nil discards.
func OpenSinks(ctx context.Context, spec *jobspec.Spec, runID string, log *slog.Logger) ([]Sink, error) {
	var sinks []Sink
	if spec.Sinks.ClickHouse != nil {
		cfg := ClickHouseConfig(spec)
		cfg.Logger = log
		s, err := clickhouse.New(ctx, cfg)
		if err != nil {
			return nil, err
		}
		sinks = append(sinks, s)
	}
	if p := spec.Sinks.Parquet; p != nil {
		s, err := parquet.New(parquet.Config{Dir: spec.ResolvePath(p.Dir), Compression: p.Compression}, runID)
		if err != nil {
			return nil, errors.Join(err, CloseSinks(sinks))
		}
		sinks = append(sinks, s)
	}
	return sinks, nil
}

// ClickHouseConfig is the connection the spec's ClickHouse sink
// configures, with what the runner adds (its pooling and streaming, the
// CA file read from the job file's folder); the spec must have one.
func ClickHouseConfig(spec *jobspec.Spec) clickhouse.Config {
	c := *spec.Sinks.ClickHouse
	c.TLSCAFile = resolveOptional(spec, c.TLSCAFile)
	c.PoolRows, c.StreamRows = clickhousePoolRows, clickhouseStreamRows(spec)
	return c
}

// clickhouseStreamRows is how many rows of a table the sink's streams
// keep until their INSERT ends (clickhouse.Config.StreamRows). The batches
// they keep come out of the same soft memory limit as the Parquet sink's
// buffer: beside it, a stream that keeps more than the pool's one insert
// pushed the heap against the limit once that buffer was full. The
// 1,000,000-order run of `make bench` (both sinks) took 125 CPU s with
// streams of 10,000 rows and 163 with 15,000, against 71 before streams;
// mid-run its live heap was 67 MB against 40, and the collector ran
// every 160 ms. So beside Parquet a stream ends with each pool's insert,
// as inserts did before; alone, ClickHouse streams 15,000 rows.
func clickhouseStreamRows(spec *jobspec.Spec) int64 {
	if spec.Sinks.Parquet != nil {
		return clickhousePoolRows
	}
	return clickhouse.DefaultStreamRows
}

// clickhousePoolRows pools the shops' batches into inserts of this many
// rows (clickhouse.Config.PoolRows): a shop alone, whose batches hold 5,000
// orders, inserts them at once; sixteen at once share inserts. A variable
// only for tests, which make pools fill within a small job.
var clickhousePoolRows int64 = 5000

// resolveOptional resolves a path of the job file, keeping "" as "".
func resolveOptional(spec *jobspec.Spec, path string) string {
	if path == "" {
		return ""
	}
	return spec.ResolvePath(path)
}

// CloseSinks closes every sink, returning all errors.
func CloseSinks(sinks []Sink) error {
	var errs []error
	for _, s := range sinks {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
