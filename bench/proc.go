package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Measure is one process's cost, from the kernel's rusage of the child
// (os/exec's ProcessState.SysUsage): nothing is sampled, so a short peak is
// not missed and the harness's own work is never counted.
type Measure struct {
	WallS    float64 `json:"wall_s"`
	UserS    float64 `json:"user_s"`
	SysS     float64 `json:"sys_s"`
	MaxRSSMB float64 `json:"max_rss_mb"`
}

// CPUPer10k is user+sys CPU seconds per 10,000 orders.
func (m Measure) CPUPer10k(orders int) float64 {
	if orders == 0 {
		return 0
	}
	return (m.UserS + m.SysS) * 10000 / float64(orders)
}

func measureOf(wall time.Duration, ps *os.ProcessState) Measure {
	m := Measure{WallS: wall.Seconds(), UserS: ps.UserTime().Seconds(), SysS: ps.SystemTime().Seconds()}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		m.MaxRSSMB = float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	return m
}

// run runs argv to its end with env added, its stdout returned and its
// stderr kept in logPath, and measures it. A failed exit is an error
// naming the log.
func run(ctx context.Context, logPath string, env []string, argv ...string) (Measure, string, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	logf, err := os.Create(logPath)
	if err != nil {
		return Measure{}, "", err
	}
	defer logf.Close()
	var out strings.Builder
	cmd.Stdout = io.MultiWriter(&out, logf)
	cmd.Stderr = logf
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return Measure{}, out.String(), fmt.Errorf("%s: %w (log: %s)", filepath.Base(argv[0]), err, logPath)
	}
	return measureOf(wall, cmd.ProcessState), out.String(), nil
}

// simProc is a running `shopetl sim`.
type simProc struct {
	cmd  *exec.Cmd
	done chan error
	URLs map[string]string // platform → its base URL
}

// startSim starts `shopetl sim` on a free loopback port and returns once it
// has printed its shops' URLs (it prints them after it listens). Stop ends
// it; so does ctx.
func startSim(ctx context.Context, shopetl, logPath string, args ...string) (*simProc, error) {
	cmd := exec.CommandContext(ctx, shopetl, append([]string{"sim", "--addr", "127.0.0.1:0", "--token", simToken}, args...)...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s := &simProc{cmd: cmd, done: make(chan error, 1), URLs: map[string]string{}}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) == 0 {
			break // the URLs end at the first blank line
		}
		if len(f) >= 2 && strings.HasPrefix(f[1], "http://") {
			s.URLs[f[0]] = f[1]
		}
	}
	go func() {
		_, _ = io.Copy(logf, stdout) // the rest of its output, for the log
		s.done <- cmd.Wait()
		logf.Close()
	}()
	if len(s.URLs) == 0 {
		s.Stop()
		return nil, fmt.Errorf("shopetl sim %v printed no shop (log: %s)", args, logPath)
	}
	return s, nil
}

// Stop interrupts the simulator and waits for it to end.
func (s *simProc) Stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
	}
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// sims stops every simulator it started, however the caller returns.
type sims []*simProc

func (ss *sims) start(ctx context.Context, shopetl, logPath string, args ...string) (*simProc, error) {
	s, err := startSim(ctx, shopetl, logPath, args...)
	if err == nil {
		*ss = append(*ss, s)
	}
	return s, err
}

func (ss *sims) stopAll() {
	for _, s := range *ss {
		s.Stop()
	}
	*ss = nil
}
