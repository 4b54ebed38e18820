package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/table"
)

// cmdParquet prints, per table and shop, how many part files of that shop
// the job's Parquet sink holds and how many current rows they make once
// each key keeps its highest version (what ClickHouse's FINAL shows). A
// sink directory that does not exist yet is an error (exit 1): nothing has
// been written there, and a table of zeros would hide a wrong dir.
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
	spec, ok := loadSpec(args[0], stderr, jobspec.WithoutSecrets()) // reads files only
	if !ok {
		return exitInvalid
	}
	if spec.Sinks.Parquet == nil {
		fmt.Fprintf(stderr, "parquet: %s has no parquet sink\n", args[0])
		return exitInvalid
	}
	dir := spec.ResolvePath(spec.Sinks.Parquet.Dir)
	if fi, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "parquet: no Parquet files yet under %s: run first\n", dir)
		return exitShop
	} else if err != nil {
		fmt.Fprintln(stderr, "parquet:", err)
		return exitShop
	} else if !fi.IsDir() {
		fmt.Fprintf(stderr, "parquet: %s is not a directory\n", dir)
		return exitShop
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Parquet under %s\nTABLE\tSHOP\tFILES\tCURRENT ROWS\n", dir)
	for _, t := range table.All {
		for _, s := range spec.Shops {
			files, err := parquet.ShopFiles(dir, t, s.Name)
			if err != nil {
				fmt.Fprintln(stderr, "parquet:", err)
				return exitShop
			}
			n, err := parquet.CountLatest(dir, t, s.Name)
			if err != nil {
				fmt.Fprintln(stderr, "parquet:", err)
				return exitShop
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", t.Name, s.Name, len(files), n)
		}
	}
	tw.Flush()
	return exitOK
}
