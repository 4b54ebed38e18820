package main

import (
	"bytes"
	"context"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/shopetl/shopetl/internal/testenv"
	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/table"
)

// A binary built by `go build` in a git checkout names its commit in
// `shopetl version` and `--version`. The checkout is a fresh repository
// holding this module's sources, so that the test does not depend on how
// the tree it runs in was checked out (the go tool stamps no revision in
// a git worktree, whose .git is a file).
func TestVersionNamesTheRevision(t *testing.T) {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		testenv.Missing(t, "no git on PATH")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		testenv.Missing(t, "no go on PATH")
	}
	src := filepath.Join("..", "..")
	repo := t.TempDir()
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if rel == ".git" || rel == "build" || rel == "out" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(repo, rel), 0o755)
		}
		// Go sources, the module files and what they embed (templates).
		if !d.Type().IsRegular() || !(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".tmpl") || rel == "go.mod" || rel == "go.sum") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(repo, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := func(dir, name string, args ...string) string {
		t.Helper()
		c := exec.Command(name, args...)
		c.Dir = dir
		c.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	cmd(repo, gitBin, "init", "-q")
	cmd(repo, gitBin, "add", "-A")
	cmd(repo, gitBin, "commit", "-q", "-m", "build")
	rev := cmd(repo, gitBin, "rev-parse", "HEAD")
	bin := filepath.Join(t.TempDir(), "shopetl")
	// -buildvcs=auto is go build's default; say it, in case GOFLAGS turns
	// stamping off on this machine.
	cmd(filepath.Join(repo, "cmd", "shopetl"), goBin, "build", "-buildvcs=auto", "-o", bin, ".")
	for _, arg := range []string{"version", "--version"} {
		out := cmd(repo, bin, arg)
		// The module version is the go tool's: a pseudo-version from the
		// commit, or "(devel)" where it makes none.
		if !strings.HasPrefix(out, "shopetl ") || !strings.Contains(out, " rev "+rev+" ") || strings.Contains(out, "+modified") {
			t.Errorf("shopetl %s = %q, want the revision %s of a clean tree", arg, out, rev)
		}
	}
}

// Every etl_runs row names the build that wrote it, in both sinks.
func TestRunRecordsItsVersionInEtlRuns(t *testing.T) {
	addr, db := pipelinetest.ClickHouse(t)
	store, err := shoptima.NewStore(shoptima.Options{Orders: 20, Seed: 3,
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(store.Handler())
	defer srv.Close()
	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	spec := `version: 1
name: versioned
state: {backend: file, path: ./state}
defaults: {start: 2020-01-01}
shops:
  - {name: st, platform: shoptima, base_url: "` + srv.URL + `", currency: USD}
sinks:
  clickhouse: {addr: ["` + addr + `"], database: ` + db + `}
  parquet: {dir: ./out}
`
	if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"run", job}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	want := buildVersion()
	if want == "" {
		t.Fatal("buildVersion is empty")
	}

	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var got string
	if err := conn.QueryRow(context.Background(), "SELECT shopetl_version FROM "+db+".etl_runs FINAL WHERE shop = 'st'").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("ClickHouse etl_runs.shopetl_version = %q, want %q", got, want)
	}

	recs, err := parquet.ReadTable(filepath.Join(dir, "out"), table.Runs)
	if err != nil {
		t.Fatal(err)
	}
	var versions []string
	for _, r := range recs {
		i := r.Schema().FieldIndices("shopetl_version")
		for row := 0; row < int(r.NumRows()) && len(i) == 1; row++ {
			versions = append(versions, r.Column(i[0]).ValueStr(row))
		}
		r.Release()
	}
	if len(versions) != 1 || versions[0] != want {
		t.Errorf("Parquet etl_runs.shopetl_version = %q, want [%q]", versions, want)
	}
}
