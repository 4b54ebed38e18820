package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/google/renameio/v2"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/reconcile"
)

// cmdReconcile prints what finance books from the loaded data (SPEC §6):
// totals per shop, currency and day, refunds by day, and the exceptions.
// Exit 2 for bad flags or spec, 3 when the store cannot be read (nothing
// loaded yet, server down), else 0: exceptions are data, not a failure.
func cmdReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("reconcile", stderr)
	var shops stringList
	var from, to, source, format, out, html string
	var summary bool
	fs.StringVar(&from, "from", "", "first day of the period, YYYY-MM-DD in each shop's timezone (required)")
	fs.StringVar(&to, "to", "", "last day of the period, included (default: --from)")
	fs.Var(&shops, "shop", "report only this shop (repeatable)")
	fs.StringVar(&source, "source", "", "read clickhouse or parquet (default: clickhouse when the job has that sink)")
	fs.StringVar(&format, "format", "table", "table, csv or json")
	fs.StringVar(&out, "out", "", "write the report to this file instead of stdout")
	fs.StringVar(&html, "html", "", "also write the report as one self-contained HTML page to this file")
	fs.BoolVar(&summary, "summary", false, "table format: only the totals per shop and the exception counts")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagsFailed(fs, err, stdout, stderr)
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "reconcile: want exactly one JOB.yaml")
		return exitInvalid
	}
	bad := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "reconcile: "+format+"\n", args...)
		return exitInvalid
	}
	if from == "" {
		return bad("--from is required (YYYY-MM-DD)")
	}
	if to == "" {
		to = from
	}
	for _, d := range []*string{&from, &to} {
		if *d, err = reconcile.ParseDay(*d); err != nil {
			return bad("%v", err)
		}
	}
	if from > to {
		return bad("--from %s is after --to %s", from, to)
	}
	if !slices.Contains(reconcile.Formats, format) {
		return bad("--format %q: want %s", format, strings.Join(reconcile.Formats, ", "))
	}
	if summary && format != "table" {
		return bad("--summary is for --format table")
	}
	spec, ok := loadSpec(pos[0], stderr, jobspec.WithOnlySinkSecrets())
	if !ok {
		return exitInvalid
	}
	if source == "" {
		source = "parquet"
		if spec.Sinks.ClickHouse != nil {
			source = "clickhouse"
		}
	}
	var shopsIn []reconcile.Shop
	for _, s := range spec.Shops {
		if len(shops) == 0 || slices.Contains(shops, s.Name) {
			shopsIn = append(shopsIn, reconcile.Shop{Name: s.Name, Platform: s.Platform, Location: s.Options.Location})
		}
	}
	for _, name := range shops {
		if _, ok := spec.FindShop(name); !ok {
			return bad("--shop %s: no such shop in %s", name, pos[0])
		}
	}
	var src reconcile.Source
	switch source {
	case "clickhouse":
		if spec.Sinks.ClickHouse == nil {
			return bad("--source clickhouse: %s has no clickhouse sink", pos[0])
		}
		src, err = reconcile.OpenClickHouse(ctx, pipeline.ClickHouseConfig(spec))
	case "parquet":
		if spec.Sinks.Parquet == nil {
			return bad("--source parquet: %s has no parquet sink", pos[0])
		}
		src, err = reconcile.OpenParquet(spec.ResolvePath(spec.Sinks.Parquet.Dir))
	default:
		return bad("--source %q: want clickhouse or parquet", source)
	}
	if err != nil {
		fmt.Fprintln(stderr, "reconcile:", err)
		return exitNothing
	}
	defer src.Close()
	fmt.Fprintf(stderr, "reconcile: reading %s\n", src.Name())
	report, notes, err := reconcile.Build(ctx, src, spec.Name, shopsIn, from, to)
	if err != nil {
		fmt.Fprintln(stderr, "reconcile:", err)
		return exitNothing
	}
	for _, n := range notes {
		fmt.Fprintln(stderr, "reconcile:", n)
	}
	var buf bytes.Buffer
	if summary {
		err = reconcile.WriteSummary(&buf, report)
	} else {
		err = reconcile.Write(&buf, report, format)
	}
	if err == nil && out != "" {
		err = renameio.WriteFile(out, buf.Bytes(), 0o644)
	} else if err == nil {
		_, err = stdout.Write(buf.Bytes())
	}
	if err == nil && html != "" {
		err = writeHTML(html, report)
	}
	if err != nil {
		fmt.Fprintln(stderr, "reconcile:", err)
		return exitShop
	}
	return exitOK
}

// writeHTML writes the report's HTML page to path, atomically.
func writeHTML(path string, r *reconcile.Report) error {
	var buf bytes.Buffer
	if err := reconcile.WriteHTML(&buf, r); err != nil {
		return err
	}
	return renameio.WriteFile(path, buf.Bytes(), 0o644)
}
