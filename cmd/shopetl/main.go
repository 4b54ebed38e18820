// Command shopetl loads e-commerce orders from storefront APIs into
// ClickHouse and Parquet (see README.md and SPEC §2).
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/platform"
	_ "github.com/shopetl/shopetl/platform/all"
)

// Exit codes (SPEC §2).
const (
	exitOK      = 0
	exitShop    = 1 // some shop failed; the others still loaded
	exitInvalid = 2 // the job spec or flags are invalid
	exitNothing = 3 // nothing could run, e.g. no sink reachable
	exitSkipped = 4 // no shop failed, but another run held some (lock or lease): they were skipped
	// exitInterrupted: SIGINT or SIGTERM stopped the run; as shells report
	// a command killed by SIGINT (128+2).
	exitInterrupted = 130
)

const usage = `usage:
  shopetl run JOB.yaml [--shop NAME]... [--since T] [--until T] [--shard I/N] [--dry-run]
  shopetl validate JOB.yaml
  shopetl state JOB.yaml [--reset --shop NAME]
  shopetl parquet JOB.yaml           # files and current rows per table in the Parquet sink
  shopetl compact JOB.yaml [--before DAY] [--shop NAME]...   # Parquet: one file per partition, latest row per key
  shopetl reconcile JOB.yaml --from DAY [--to DAY] [--shop NAME]... [--source clickhouse|parquet] [--format table|csv|json] [--out FILE] [--html FILE] [--summary]
  shopetl sim [--addr 127.0.0.1:0] [--orders N] [--seed S] [--faults [PLATFORM=]RATE[:KIND,...]]... [--token T] [--platforms P,...] [--exceptions N]
  shopetl version                    # also --version
  shopetl help [COMMAND]             # also COMMAND --help or -h
`

func main() {
	setRunMemoryLimit(1)
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go onSignals(sigs, cancel, stopGrace, func() { os.Exit(exitInterrupted) }, os.Stderr)
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commandSet{
		"run": func(args []string, stdout, stderr io.Writer) int {
			return cmdRun(ctx, args, stdout, stderr)
		},
		"validate": cmdValidate,
		"state":    cmdState,
		"parquet":  cmdParquet,
		"compact": func(args []string, stdout, stderr io.Writer) int {
			return cmdCompact(ctx, args, stdout, stderr)
		},
		"reconcile": func(args []string, stdout, stderr io.Writer) int {
			return cmdReconcile(ctx, args, stdout, stderr)
		},
		"sim": func(args []string, stdout, stderr io.Writer) int {
			return cmdSim(ctx, args, stdout, stderr)
		},
		"version": cmdVersion,
	}
	cmds["help"] = func(args []string, stdout, stderr io.Writer) int { return cmdHelp(cmds, args, stdout, stderr) }
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitInvalid
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		name = "help"
	case "-version", "--version":
		name = "version"
	}
	if cmd, ok := cmds[name]; ok {
		return cmd(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "shopetl: unknown command %q\n%s", args[0], usage)
	return exitInvalid
}

// loadSpec reads a job spec, printing every problem on failure.
func loadSpec(path string, stderr io.Writer, opts ...jobspec.LoadOption) (*jobspec.Spec, bool) {
	spec, err := jobspec.Load(path, platform.Registered, opts...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, false
	}
	return spec, true
}

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("validate", stderr)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagsFailed(fs, err, stdout, stderr)
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "usage:\n%s\n", usageLine("validate"))
		return exitInvalid
	}
	spec, ok := loadSpec(pos[0], stderr)
	if !ok {
		return exitInvalid
	}
	fmt.Fprintf(stdout, "%s: ok (%d shops)\n", pos[0], len(spec.Shops))
	return exitOK
}

func newLogger(stderr io.Writer, tty bool) *slog.Logger {
	switch os.Getenv(logFormatEnv) {
	case "text":
		return slog.New(slog.NewTextHandler(stderr, nil))
	case "json":
		return slog.New(slog.NewJSONHandler(stderr, nil))
	}
	if tty {
		return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewJSONHandler(stderr, nil))
}

// logFormatEnv chooses the log's format, text or json, at level info;
// unset: text of warnings and errors on a terminal, else JSON.
const logFormatEnv = "SHOPETL_LOG_FORMAT"

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
