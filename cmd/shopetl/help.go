package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlags is a command's flag set. It prints nothing on its own: a
// command's help goes to stdout (flagsFailed), a bad flag's error and the
// usage line to stderr.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	return fs
}

// flagsFailed answers a parse error of fs: -h or --help prints the
// command's help on stdout and exits 0; any other error (already printed
// by the flag package) gets the usage line on stderr and exit 2.
func flagsFailed(fs *flag.FlagSet, err error, stdout, stderr io.Writer) int {
	if errors.Is(err, flag.ErrHelp) {
		printHelp(stdout, fs)
		return exitOK
	}
	fmt.Fprintf(stderr, "usage:\n%s\n", usageLine(fs.Name()))
	return exitInvalid
}

// printHelp writes a command's usage line and its flags.
func printHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage:\n%s\n", usageLine(fs.Name()))
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nflags:")
		out := fs.Output()
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(out)
	}
}

// usageLine is the line of usage that shows cmd.
func usageLine(cmd string) string {
	for _, l := range strings.Split(usage, "\n") {
		if strings.HasPrefix(l, "  shopetl "+cmd+" ") || l == "  shopetl "+cmd {
			return l
		}
	}
	return "  shopetl " + cmd
}

// cmdHelp prints the commands, or one command's help (`shopetl help run`).
func cmdHelp(ctx commandSet, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("help", stderr)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagsFailed(fs, err, stdout, stderr)
	}
	switch len(pos) {
	case 0:
		fmt.Fprint(stdout, usage)
		return exitOK
	case 1:
		if _, ok := ctx[pos[0]]; ok {
			return ctx[pos[0]]([]string{"--help"}, stdout, stderr)
		}
		fmt.Fprintf(stderr, "shopetl help: unknown command %q\n%s", pos[0], usage)
		return exitInvalid
	}
	fmt.Fprintf(stderr, "usage:\n%s\n", usageLine("help"))
	return exitInvalid
}

// commandSet maps a command's name to a function running it.
type commandSet map[string]func(args []string, stdout, stderr io.Writer) int
