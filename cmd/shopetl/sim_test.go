package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopetl/shopetl/sim"
)

// TestSimPrintsEveryShopAndAJobSpecThatValidates starts `shopetl sim`, reads
// what it prints, and checks the job spec with `shopetl validate`.
func TestSimPrintsEveryShopAndAJobSpecThatValidates(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- cmdSim(ctx, []string{"--orders", "20", "--token", "tok", "--faults", "shoptima=0.1:500"}, pw, io.Discard)
		pw.Close()
	}()
	var out []string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		out = append(out, sc.Text())
		if strings.HasPrefix(sc.Text(), "  parquet:") {
			break
		}
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if code := <-done; code != exitOK {
		t.Fatalf("sim exited %d; printed:\n%s", code, strings.Join(out, "\n"))
	}
	text := strings.Join(out, "\n")
	for _, p := range sim.Platforms() {
		if !strings.Contains(text, "\n"+p.Name+" ") && !strings.HasPrefix(text, p.Name+" ") {
			t.Errorf("no base URL line for %s in:\n%s", p.Name, text)
		}
		if !strings.Contains(text, "/"+p.Name+"/") && !strings.Contains(text, "/"+p.Name+"'") {
			t.Errorf("no curl line for %s", p.Name)
		}
	}
	i := strings.Index(text, "version: 1")
	if i < 0 {
		t.Fatalf("no job spec in:\n%s", text)
	}
	job := filepath.Join(t.TempDir(), "sim.yaml")
	if err := os.WriteFile(job, []byte(text[i:]+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(simTokenEnv, "tok")
	var stderr strings.Builder
	if code := run(context.Background(), []string{"validate", job}, io.Discard, &stderr); code != exitOK {
		t.Fatalf("validate exit %d:\n%s\nspec:\n%s", code, stderr.String(), text[i:])
	}
}

func TestSimRejectsBadFaults(t *testing.T) {
	for _, args := range [][]string{
		{"--faults", "0.1:boom"},
		{"--faults", "nosuch=0.1"},
		{"--platforms", "nosuch"},
	} {
		var stderr strings.Builder
		if code := cmdSim(context.Background(), args, io.Discard, &stderr); code != exitInvalid {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitInvalid, stderr.String())
		}
	}
}
