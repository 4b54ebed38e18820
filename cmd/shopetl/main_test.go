package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestValidateReportsEveryProblemWithPosition(t *testing.T) {
	job := filepath.Join(t.TempDir(), "bad.yaml")
	spec := `version: 1
name: bad
state: {backend: file, path: ./state}
shops:
  - name: a
    platform: shoptima
    base_url: http://127.0.0.1:1
    colour: blue
  - name: b
    platform: shoptima
    base_url: http://127.0.0.1:1
    timeout: 30 seconds
  - name: c
    platform: magento
    base_url: http://127.0.0.1:1
sinks:
  parquet: {dir: ./out}
`
	if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"validate", job}, &out, &errb)
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInvalid, errb.String())
	}
	want := []string{
		`bad.yaml:8:5: shops\[0\]\.colour: unknown key`,
		`bad.yaml:12:14: shops\[1\]\.timeout: bad duration`,
		`bad.yaml:14:15: shops\[2\]\.platform: unknown platform "magento"`,
	}
	lines := regexp.MustCompile(`\n`).Split(errb.String(), -1)
	problems := 0
	for _, l := range lines {
		if regexp.MustCompile(`bad\.yaml:\d+:\d+: `).MatchString(l) {
			problems++
		}
	}
	if problems != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", problems, len(want), errb.String())
	}
	for _, w := range want {
		if !regexp.MustCompile(w).MatchString(errb.String()) {
			t.Errorf("missing %q in:\n%s", w, errb.String())
		}
	}
}

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	// The shop's API refuses connections: the shop fails, the run exits 1.
	spec := `version: 1
name: codes
state: {backend: file, path: ./state}
defaults: {retries: {max: 0}, timeout: 1s}
shops:
  - {name: down, platform: shoptima, base_url: "http://127.0.0.1:1"}
sinks:
  parquet: {dir: ./out}
`
	if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"run", job}, &out, &errb); code != exitShop {
		t.Fatalf("run with a dead shop: exit %d, want %d\n%s%s", code, exitShop, out.String(), errb.String())
	}
	if !bytes.Contains(out.Bytes(), []byte("down")) || !bytes.Contains(out.Bytes(), []byte("failed")) {
		t.Fatalf("summary does not show the failed shop:\n%s", out.String())
	}
	if code := run(context.Background(), []string{"run", job, "--shard", "2/2"}, &out, &errb); code != exitInvalid {
		t.Fatalf("bad --shard: exit %d, want %d", code, exitInvalid)
	}
	if code := run(context.Background(), []string{"run", job, "--shop", "nope"}, &out, &errb); code != exitInvalid {
		t.Fatalf("unknown --shop: exit %d, want %d", code, exitInvalid)
	}
	// Only ClickHouse, and nothing listens there: nothing can run.
	chJob := filepath.Join(dir, "ch.yaml")
	chSpec := `version: 1
name: codes
state: {backend: file, path: ./state}
shops:
  - {name: down, platform: shoptima, base_url: "http://127.0.0.1:1"}
sinks:
  clickhouse: {addr: ["127.0.0.1:1"], dial_timeout: 1s}
`
	if err := os.WriteFile(chJob, []byte(chSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := run(context.Background(), []string{"run", chJob}, &out, &errb); code != exitNothing {
		t.Fatalf("unreachable sink: exit %d, want %d", code, exitNothing)
	}
}
