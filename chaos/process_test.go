package chaos_test

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// buildShopetl builds cmd/shopetl into dir once for the whole test.
func buildShopetl(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "shopetl")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/shopetl").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runResult is how one run of shopetl ended.
type runResult struct {
	code   int  // exit code; -1 when killed
	killed bool // by SIGKILL, on purpose
	output string
}

// runShopetl runs `shopetl run job` and, when killAfter > 0, kills it with
// SIGKILL that long after it started (if it is still running). A run
// that takes longer than limit is killed too, and fails the test: the
// tool must never hang.
func runShopetl(t *testing.T, bin, job string, killAfter, limit time.Duration) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "run", job)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var killed bool
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	if killAfter > 0 {
		select {
		case err = <-done:
		case <-time.After(killAfter):
			killed = cmd.Process.Signal(syscall.SIGKILL) == nil
			err = <-done
		}
	} else {
		err = <-done
	}
	if ctx.Err() != nil {
		t.Fatalf("shopetl run took more than %s: hung?\n%s", limit, out.String())
	}
	code := cmd.ProcessState.ExitCode()
	if err != nil && code == 0 {
		code = -1
	}
	return runResult{code: code, killed: killed && code == -1, output: out.String()}
}

// server stops and starts the chaos rounds' own ClickHouse server, with
// the script make chaos names (scripts/clickhouse.sh and its settings in
// the environment).
type server struct{ script string }

func (s server) restart(t *testing.T) (took time.Duration) {
	t.Helper()
	start := time.Now()
	for _, verb := range []string{"stop", "start"} {
		out, err := exec.Command("bash", s.script, verb).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", s.script, verb, err, out)
		}
	}
	return time.Since(start)
}

func (r runResult) String() string {
	if r.killed {
		return "killed"
	}
	return fmt.Sprintf("exit %d", r.code)
}
