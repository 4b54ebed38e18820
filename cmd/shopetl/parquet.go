package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/table"
)

// cmdParquet prints, per shop and table, how many part files the job's
// Parquet sink holds and how many current rows they make once each key
// keeps its highest version (what ClickHouse's FINAL shows).
func cmdParquet(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("parquet", stderr)
	args, err := parseArgs(fs, args)
	if err != nil {
		return flagsFailed(fs, err, stdout, stderr)
	}
	if len(args) != 1 {
		fmt.Fprintf(stderr, "usage:\n%s\n", usageLine("parquet"))
		return exitInvalid
	}
	spec, ok := loadSpec(args[0], stderr)
	if !ok {
		return exitInvalid
	}
	if spec.Sinks.Parquet == nil {
		fmt.Fprintf(stderr, "parquet: %s has no parquet sink\n", args[0])
		return exitInvalid
	}
	dir := spec.ResolvePath(spec.Sinks.Parquet.Dir)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Parquet under %s\nTABLE\tFILES\tSHOP\tCURRENT ROWS\n", dir)
	for _, t := range table.All {
		files, err := parquet.Files(dir, t)
		if err != nil {
			fmt.Fprintln(stderr, "parquet:", err)
			return exitShop
		}
		for _, s := range spec.Shops {
			n, err := parquet.CountLatest(dir, t, s.Name)
			if err != nil {
				fmt.Fprintln(stderr, "parquet:", err)
				return exitShop
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%d\n", t.Name, len(files), s.Name, n)
		}
	}
	tw.Flush()
	return exitOK
}
