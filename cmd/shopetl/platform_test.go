package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/transform"
)

// halfPlatformEnv, set beside asMainEnv, registers platform "halfbaked"
// before main runs (see TestMain): a transform and no other part. It is
// registered in a child process only, so that the other tests, which list
// every registered platform, never see it.
const halfPlatformEnv = "SHOPETL_TEST_HALF_PLATFORM"

func registerHalfPlatform() {
	platform.Register(platform.Platform{Name: "halfbaked", Transform: transform.Dage})
}

// TestValidateAndRunRefuseAHalfPlatform: a job naming a platform that is
// registered without some of its parts is refused by `shopetl validate`
// and by `shopetl run` alike, exit 2, with one problem at the shop's
// platform: key naming each part it lacks; run writes nothing.
func TestValidateAndRunRefuseAHalfPlatform(t *testing.T) {
	t.Parallel()
	job := writeJob(t, "  - {name: a, platform: halfbaked, base_url: \"http://127.0.0.1:1\"}\n")
	want := job + `:6:25: shops[0].platform: platform "halfbaked" is registered without its ` +
		`extractor, mapping tables, simulator, sample job (a platform is one registration, in package platform/all)` + "\n"
	for _, command := range []string{"validate", "run"} {
		var out, errb bytes.Buffer
		cmd := exec.Command(os.Args[0], command, job)
		cmd.Env = append(os.Environ(), asMainEnv+"=1", halfPlatformEnv+"=1")
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
