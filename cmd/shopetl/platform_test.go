package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	extractshoptima "github.com/shopetl/shopetl/extract/shoptima"
	"github.com/shopetl/shopetl/platform"
	simshoptima "github.com/shopetl/shopetl/sim/shoptima"
)

// halfPlatformEnv, set beside asMainEnv, registers platform "halfbaked"
// before main runs (see TestMain): shoptima's extractor and simulator
// (its sample job naming halfbaked), and no transform or mapping tables.
// It is registered in a child process only, so that the other tests,
// which go through every registered platform, never see it.
const halfPlatformEnv = "SHOPETL_TEST_HALF_PLATFORM"

func registerHalfPlatform() {
	s := simshoptima.Platform
	s.Name = ""
	spec := s.Spec
	s.Spec = func(base, tokenEnv string) string {
		return strings.NewReplacer("sim-shoptima", "sim-halfbaked", "platform: shoptima", "platform: halfbaked").Replace(spec(base, tokenEnv))
	}
	platform.Register(platform.Platform{Name: "halfbaked", Extract: extractshoptima.New, Sim: s})
}

// halfShopetl is the command shopetl args, run by the test binary with
// platform halfbaked registered.
func halfShopetl(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1", halfPlatformEnv+"=1")
	return cmd
}

// TestValidateAndRunRefuseAHalfPlatform: a job naming a platform that is
// registered without some of its parts is refused by `shopetl validate`
// and by `shopetl run` alike, exit 2, with one problem at the shop's
// platform: key naming each part it lacks; run writes nothing.
func TestValidateAndRunRefuseAHalfPlatform(t *testing.T) {
	t.Parallel()
	job := writeJob(t, "  - {name: a, platform: halfbaked, base_url: \"http://127.0.0.1:1\"}\n")
	want := job + `:6:25: shops[0].platform: platform "halfbaked" is registered without its ` +
		`transform, mapping tables (a platform is one registration, in package platform/all)` + "\n"
	for _, command := range []string{"validate", "run"} {
		var out, errb bytes.Buffer
		cmd := halfShopetl(command, job)
		cmd.Stdout, cmd.Stderr = &out, &errb
		var exit *exec.ExitError
		if err := cmd.Run(); !errors.As(err, &exit) || exit.ExitCode() != exitInvalid {
			t.Fatalf("%s: exit %v, want %d\nstdout:\n%sstderr:\n%s", command, err, exitInvalid, out.String(), errb.String())
		}
		if errb.String() != want || out.Len() != 0 {
			t.Errorf("%s:\nstdout: %q\nstderr: %q\n  want: %q", command, out.String(), errb.String(), want)
		}
	}
	for _, dir := range []string{"state", "out"} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(job), dir)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("run made ./%s: %v", dir, err)
		}
	}
}

// TestSimCommentsOutAHalfPlatform: `shopetl sim` serves a half-registered
// platform that has a simulator, but its sample job's shop is commented
// out, saying what the platform lacks, so that the job it prints
// validates.
func TestSimCommentsOutAHalfPlatform(t *testing.T) {
	t.Parallel()
	cmd := halfShopetl("sim", "--orders", "5", "--platforms", "shoptima,halfbaked")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for sc := bufio.NewScanner(stdout); sc.Scan(); {
		text.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "  parquet:") {
			break
		}
	}
	cmd.Process.Kill() // sim serves until stopped
	cmd.Wait()
	printed := text.String()
	if !strings.Contains(printed, "  # halfbaked lacks its transform, mapping tables:\n  #  - name: sim-halfbaked\n") {
		t.Errorf("halfbaked's shop is not commented out in:\n%s", printed)
	}
	i := strings.Index(printed, "version: 1")
	if i < 0 {
		t.Fatalf("no job spec in:\n%s", printed)
	}
	job := filepath.Join(t.TempDir(), "sim.yaml")
	if err := os.WriteFile(job, []byte(printed[i:]), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := halfShopetl("validate", job).CombinedOutput(); err != nil {
		t.Fatalf("validate: %v\n%s\nspec:\n%s", err, out, printed[i:])
	}
}
