package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// Every command answers --help and -h with its usage line and flags on
// stdout, exit 0, and touches nothing (validate does not open a file
// named "--help").
func TestEveryCommandAnswersHelp(t *testing.T) {
	cmds := []struct {
		name  string
		flags []string // flags its help must list
	}{
		{"run", []string{"-shop", "-since", "-until", "-shard", "-shards", "-dry-run"}},
		{"validate", nil},
		{"state", []string{"-reset", "-shop"}},
		{"parquet", nil},
		{"compact", []string{"-before", "-shop"}},
		{"sim", []string{"-addr", "-orders", "-seed", "-faults", "-token", "-platforms"}},
		{"version", nil},
		{"help", nil},
	}
	for _, c := range cmds {
		for _, h := range []string{"--help", "-h"} {
			t.Run(c.name+" "+h, func(t *testing.T) {
				var out, errb bytes.Buffer
				code := run(context.Background(), []string{c.name, h}, &out, &errb)
				if code != exitOK || errb.Len() != 0 {
					t.Fatalf("exit %d, stderr %q; want 0 and nothing on stderr", code, errb.String())
				}
				if !strings.Contains(out.String(), "usage:\n  shopetl "+c.name) {
					t.Errorf("stdout lacks the usage line of %s:\n%s", c.name, out.String())
				}
				for _, f := range c.flags {
					if !strings.Contains(out.String(), "  "+f) {
						t.Errorf("help lacks flag %s:\n%s", f, out.String())
					}
				}
			})
		}
	}
	// The command list: help, -h, --help, and `help COMMAND`.
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != exitOK || errb.Len() != 0 {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errb.String())
		}
		for _, c := range cmds {
			if !strings.Contains(out.String(), "  shopetl "+c.name) {
				t.Errorf("%v does not list %s:\n%s", args, c.name, out.String())
			}
		}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"help", "state"}, &out, &errb); code != exitOK || !strings.Contains(out.String(), "-reset") {
		t.Errorf("help state: exit %d\n%s%s", code, out.String(), errb.String())
	}
	// A flag that does not exist is still an error on stderr, exit 2.
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"run", "--bogus"}, &out, &errb); code != exitInvalid ||
		out.Len() != 0 || !strings.Contains(errb.String(), "usage:\n  shopetl run") {
		t.Errorf("run --bogus: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}
