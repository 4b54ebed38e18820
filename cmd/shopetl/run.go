package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/shopetl/shopetl/metrics"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/state"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// parseArgs lets flags come after the positional JOB.yaml, as the usage
// line shows.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// runArgs is what run's command line says.
type runArgs struct {
	job    string // the JOB.yaml
	opt    pipeline.RunOptions
	report metricsReport
}

// parseRunArgs reads run's command line. When done, the command ends with
// code: the line was bad (said on stderr) or asked for help.
func parseRunArgs(args []string, stdout, stderr io.Writer) (a runArgs, code int, done bool) {
	fs := newFlags("run", stderr)
	opt := &a.opt
	var shops stringList
	var shard string
	fs.Var(&shops, "shop", "run only this shop (repeatable)")
	fs.StringVar(&opt.Since, "since", "", "backfill from (RFC 3339 or YYYY-MM-DD in shop time)")
	fs.StringVar(&opt.Until, "until", "", "backfill until (RFC 3339 or YYYY-MM-DD in shop time)")
	fs.StringVar(&shard, "shard", "", "I/N: run the shops of shard I of N")
	var shards int
	fs.IntVar(&shards, "shards", 0, "N: run the shops of shard $JOB_COMPLETION_INDEX of N (a Kubernetes Indexed Job)")
	fs.BoolVar(&opt.DryRun, "dry-run", false, "extract and transform; write nothing, move no watermark")
	fs.StringVar(&a.report.file, "metrics-file", "", "write the run's Prometheus metrics to this file (node_exporter's textfile collector)")
	fs.StringVar(&a.report.pushgateway, "pushgateway", "", "push the run's Prometheus metrics to this Pushgateway URL")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return a, flagsFailed(fs, err, stdout, stderr), true
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "run: want exactly one JOB.yaml")
		return a, exitInvalid, true
	}
	a.job, opt.Shops = pos[0], shops
	if shards != 0 {
		if shard != "" {
			fmt.Fprintln(stderr, "run: --shard and --shards: give one")
			return a, exitInvalid, true
		}
		index, err := strconv.Atoi(os.Getenv(completionIndexEnv))
		if err != nil || shards < 1 || index < 0 || index >= shards {
			fmt.Fprintf(stderr, "run: --shards %d: want N ≥ 1 and %s from 0 to N-1 (Kubernetes sets it in an Indexed Job's pods), got %q\n",
				shards, completionIndexEnv, os.Getenv(completionIndexEnv))
			return a, exitInvalid, true
		}
		shard = strconv.Itoa(index) + "/" + strconv.Itoa(shards)
	}
	if shard != "" {
		i, n, ok := strings.Cut(shard, "/")
		si, err1 := strconv.Atoi(i)
		sn, err2 := strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || sn < 1 || si < 0 || si >= sn {
			fmt.Fprintf(stderr, "run: --shard %q: want I/N with 0 ≤ I < N\n", shard)
			return a, exitInvalid, true
		}
		opt.ShardIndex, opt.ShardCount = si, sn
	}
	return a, exitOK, false
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a, code, done := parseRunArgs(args, stdout, stderr)
	if done {
		return code
	}
	opt, report := a.opt, a.report
	spec, ok := loadSpec(a.job, stderr)
	if !ok {
		return exitInvalid
	}
	selected, err := pipeline.SelectShops(spec, opt)
	if err != nil {
		fmt.Fprintln(stderr, "run:", err)
		return exitInvalid
	}
	for _, s := range spec.Shops {
		for _, t := range []string{opt.Since, opt.Until} {
			if t == "" {
				continue
			}
			if _, err := pipeline.ParseTime(t, s.Options.Location); err != nil {
				fmt.Fprintln(stderr, "run:", err)
				return exitInvalid
			}
		}
	}

	setRunMemoryLimit(spec.ShopsAtOnce(len(selected)))
	tty := isTerminal(stderr)
	opt.Logger = newLogger(stderr, tty)
	startPprof(opt.Logger)
	runID := pipeline.NewRunID(time.Now())
	// notRun ends a run that could not start as every run ends: with the
	// summary table, each selected shop not run, and why.
	var store state.Store
	notRun := func(err error) int {
		fmt.Fprintln(stderr, "run:", err)
		res := pipeline.NotRun(runID, selected, err)
		pipeline.WriteSummary(stdout, res)
		report.write(ctx, spec.Name, shardOf(opt), res, store, stderr)
		if ctx.Err() != nil {
			return exitInterrupted
		}
		return exitNothing
	}
	store, closeState, err := pipeline.OpenState(ctx, spec, runID, opt.Logger)
	if err != nil {
		return notRun(fmt.Errorf("state (backend %s): %w", spec.State.Backend, err))
	}
	defer closeState()
	r := &pipeline.Runner{Spec: spec, State: store, RunID: runID, Version: buildVersion()}
	// Windows that select nothing are refused before anything is read.
	if err := r.CheckWindows(ctx, opt); err != nil {
		fmt.Fprintln(stderr, "run:", err)
		return exitInvalid
	}
	if !opt.DryRun {
		r.Sinks, err = pipeline.OpenSinks(ctx, spec, runID, opt.Logger)
		if err != nil {
			return notRun(err)
		}
		defer pipeline.CloseSinks(r.Sinks)
	}
	var progress *bars
	if tty {
		progress = newBars(stderr)
		opt.Progress = progress
	}
	res, err := r.Run(ctx, opt)
	if progress != nil {
		progress.Wait() // the bars finish drawing before the summary
	}
	if err != nil {
		fmt.Fprintln(stderr, "run:", err)
		return exitInvalid
	}
	pipeline.WriteSummary(stdout, res)
	report.write(ctx, spec.Name, shardOf(opt), res, store, stderr)
	switch {
	case res.Interrupted() > 0:
		return exitInterrupted
	case res.Failed() > 0:
		return exitShop
	case res.Skipped() > 0:
		return exitSkipped
	}
	return exitOK
}

// completionIndexEnv is where a Kubernetes Indexed Job gives each pod its
// index, 0 to completions-1 (--shards).
const completionIndexEnv = "JOB_COMPLETION_INDEX"

// metricsReport is where a run's metrics go (--metrics-file,
// --pushgateway); neither: nowhere.
type metricsReport struct{ file, pushgateway string }

// write reports res, with each shop's state after the run (state nil:
// none could be read). A report that cannot be written is said on
// stderr; it does not change the run's exit code, which is about the
// shops.
func (m metricsReport) write(ctx context.Context, job, shard string, res pipeline.Result, store state.Store, stderr io.Writer) {
	if m.file == "" && m.pushgateway == "" {
		return
	}
	shops := make([]metrics.Shop, len(res.Shops))
	for i, r := range res.Shops {
		shops[i].Result = r
		if store != nil {
			shops[i].State, _, _ = store.Load(context.WithoutCancel(ctx), r.Shop)
		}
	}
	reg := metrics.Registry(job, shops, time.Now())
	if m.file != "" {
		if err := metrics.WriteFile(m.file, reg); err != nil {
			fmt.Fprintln(stderr, "run: --metrics-file:", err)
		}
	}
	if m.pushgateway != "" {
		if err := metrics.Push(m.pushgateway, job, shard, reg); err != nil {
			fmt.Fprintln(stderr, "run: --pushgateway:", err)
		}
	}
}

// shardOf names the run's shard, I/N ("0/1" unsharded).
func shardOf(opt pipeline.RunOptions) string {
	return fmt.Sprintf("%d/%d", opt.ShardIndex, max(opt.ShardCount, 1))
}
