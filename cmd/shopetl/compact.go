package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/pipeline"
)

// cmdCompact rewrites the Parquet sink's partitions of dates before
// --before (default: today, UTC) into one file each, holding each key's
// latest row (parquet.Compact), and prints what it did. It reads no shop
// and needs none of the job's secrets. It runs safely beside `run`: see
// parquet.Compact.
func cmdCompact(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("compact", stderr)
	before := fs.String("before", "", "compact the partitions of dates before this day, YYYY-MM-DD UTC (default: today)")
	var shops stringList
	fs.Var(&shops, "shop", "compact only this shop's partitions (repeatable)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagsFailed(fs, err, stdout, stderr)
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "usage:\n%s\n", usageLine("compact"))
		return exitInvalid
	}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	if *before != "" {
		if day, err = time.Parse(time.DateOnly, *before); err != nil {
			fmt.Fprintf(stderr, "compact: --before %q: want a day, YYYY-MM-DD\n", *before)
			return exitInvalid
		}
	}
	spec, ok := loadSpec(pos[0], stderr, jobspec.WithoutSecrets()) // reads and writes files only
	if !ok {
		return exitInvalid
	}
	if spec.Sinks.Parquet == nil {
		fmt.Fprintf(stderr, "compact: %s has no parquet sink\n", pos[0])
		return exitInvalid
	}
	if _, err := pipeline.SelectShops(spec, pipeline.RunOptions{Shops: shops}); err != nil {
		fmt.Fprintln(stderr, "compact:", err)
		return exitInvalid
	}
	dir := spec.ResolvePath(spec.Sinks.Parquet.Dir)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "compact: no Parquet files under %s: run first\n", dir)
		return exitShop
	}
	start := time.Now()
	st, err := parquet.Compact(ctx, dir, parquet.CompactOptions{
		Before: day, Shops: shops, Compression: spec.Sinks.Parquet.Compression,
		RunID: pipeline.NewRunID(start),
	})
	fmt.Fprintf(stdout, "compacted %d partitions before %s under %s: %d files into %d; %d rows kept, %d older versions dropped; %d partitions of one file left alone; %.1fs\n",
		st.Partitions, day.Format(time.DateOnly), dir, st.FilesBefore, st.FilesAfter, st.RowsKept, st.RowsDropped, st.Untouched, time.Since(start).Seconds())
	switch {
	case err != nil && ctx.Err() != nil:
		fmt.Fprintln(stderr, "compact: interrupted; what is done stays done, the next compaction finishes")
		return exitInterrupted
	case err != nil:
		fmt.Fprintln(stderr, "compact:", err)
		return exitShop
	}
	return exitOK
}
