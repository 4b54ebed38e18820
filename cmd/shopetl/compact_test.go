package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/table"
)

// `compact` after a run and a backfill of the same days: every partition
// had two files and has one, the current rows are the same, and it says
// what it did; bad flags are exit 2.
func TestCompactCommand(t *testing.T) {
	dir := t.TempDir()
	store, err := shoptima.NewStore(shoptima.Options{Orders: 30, Seed: 3,
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 5, 6, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(store.Handler())
	defer srv.Close()
	job := filepath.Join(dir, "job.yaml")
	spec := "version: 1\nname: c\nstate: {backend: file, path: ./state}\ndefaults: {start: 2020-01-01}\nshops:\n" +
		"  - {name: st, platform: shoptima, base_url: \"" + srv.URL + "\", currency: USD}\n" +
		"sinks:\n  parquet: {dir: ./out}\n"
	if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	sh := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, &out, &errb)
		return code, out.String(), errb.String()
	}
	for _, args := range [][]string{{"run", job}, {"run", job, "--since", "2020-01-01"}} {
		if code, out, errb := sh(args...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errb)
		}
	}
	out := filepath.Join(dir, "out")
	perPartition := func() map[string]int {
		n, err := parquet.PartitionFiles(out, table.Orders)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := perPartition()
	for p, n := range before {
		if n != 2 {
			t.Fatalf("%s: %d files before compaction, want 2 (the run's and the backfill's)", p, n)
		}
	}
	rows, err := parquet.CountLatest(out, table.Orders, "st")
	if err != nil || rows != 30 {
		t.Fatalf("%d orders before compaction (%v), want 30", rows, err)
	}

	for _, bad := range [][]string{{"compact", job, "--before", "May 1"}, {"compact", job, "--shop", "nope"}, {"compact"}} {
		if code, _, errb := sh(bad...); code != exitInvalid || errb == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", bad, code, errb)
		}
	}
	code, stdout, errb := sh("compact", job, "--before", "2100-01-01", "--shop", "st")
	if code != exitOK {
		t.Fatalf("compact: exit %d\n%s%s", code, stdout, errb)
	}
	if !strings.HasPrefix(stdout, "compacted ") || !strings.Contains(stdout, " rows kept") {
		t.Errorf("compact says %q", stdout)
	}
	after := perPartition()
	if len(after) != len(before) {
		t.Fatalf("%d partitions after, %d before", len(after), len(before))
	}
	for p, n := range after {
		if n != 1 {
			t.Errorf("%s: %d files after compaction, want 1", p, n)
		}
	}
	if n, err := parquet.CountLatest(out, table.Orders, "st"); err != nil || n != rows {
		t.Errorf("%d orders after compaction (%v), want %d", n, err, rows)
	}
	// Today's partitions and later are left to the runs by default.
	if code, stdout, _ := sh("compact", job); code != exitOK || !strings.Contains(stdout, "compacted 0 partitions") {
		t.Errorf("a second compaction: exit %d, %q", code, stdout)
	}
}
