package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// buildVersion names the build: the module version ("(devel)" when built
// from a checkout) and, where the go tool stamped them, the VCS revision,
// "+modified" for a dirty tree, and the commit time. `shopetl version`
// prints it and every etl_runs row records it (shopetl_version).
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	parts := []string{bi.Main.Version}
	if parts[0] == "" {
		parts[0] = "(devel)"
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev != "" {
		if modified {
			rev += "+modified"
		}
		parts = append(parts, "rev "+rev)
	}
	if at != "" {
		parts = append(parts, at)
	}
	return strings.Join(parts, " ")
}

func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", stderr)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagsFailed(fs, err, stdout, stderr)
	}
	if len(pos) != 0 {
		fmt.Fprintf(stderr, "usage:\n%s\n", usageLine("version"))
		return exitInvalid
	}
	fmt.Fprintf(stdout, "shopetl %s\n", buildVersion())
	return exitOK
}
