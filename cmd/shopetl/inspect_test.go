package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/sim/shoptima"
)

// `state` and `parquet` only read: on a job that never ran they create no
// folder. state shows every shop without a watermark (exit 0); parquet says
// there is nothing under its dir yet and exits 1.
func TestStateAndParquetCreateNothing(t *testing.T) {
	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	spec := `version: 1
name: fresh
state: {backend: file, path: ./state}
shops:
  - {name: a, platform: shoptima, base_url: "http://127.0.0.1:1"}
  - {name: b, platform: shoptima, base_url: "http://127.0.0.1:1"}
sinks:
  parquet: {dir: ./out}
`
	if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"state", job}, &out, &errb); code != exitOK {
		t.Fatalf("state: exit %d\n%s%s", code, out.String(), errb.String())
	}
	for _, shop := range []string{"a", "b"} {
		if !strings.Contains(out.String(), "\n"+shop+"  ") {
			t.Errorf("state does not list shop %s:\n%s", shop, out.String())
		}
	}
	out.Reset()
	errb.Reset()
	code := run(context.Background(), []string{"parquet", job}, &out, &errb)
	want := "parquet: no Parquet files yet under " + filepath.Join(dir, "out") + ": run first\n"
	if code != exitShop || errb.String() != want || out.Len() != 0 {
		t.Errorf("parquet: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out.String(), errb.String(), want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the job's folder holds %v; want only job.yaml", names)
	}
}

// `parquet` counts each shop's own files: two shops of different sizes
// show different counts, each what its partitions hold.
func TestParquetCountsFilesPerShop(t *testing.T) {
	dir := t.TempDir()
	shops := map[string]shoptima.Options{
		"big":   {Orders: 40, Seed: 1, Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)},
		"small": {Orders: 3, Seed: 2, Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 5, 2, 0, 0, 0, 0, time.UTC)},
	}
	spec := "version: 1\nname: two\nstate: {backend: file, path: ./state}\ndefaults: {start: 2020-01-01}\nshops:\n"
	for _, name := range []string{"big", "small"} {
		store, err := shoptima.NewStore(shops[name])
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(store.Handler())
		defer srv.Close()
		spec += "  - {name: " + name + ", platform: shoptima, base_url: \"" + srv.URL + "\", currency: USD}\n"
	}
	spec += "sinks:\n  parquet: {dir: ./out}\n"
	job := filepath.Join(dir, "job.yaml")
	if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"run", job}, &out, &errb); code != exitOK {
		t.Fatalf("run: exit %d\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"parquet", job}, &out, &errb); code != exitOK {
		t.Fatalf("parquet: exit %d\n%s%s", code, out.String(), errb.String())
	}
	seen := 0
	for _, line := range strings.Split(out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) != 4 || f[0] != "orders" {
			continue
		}
		// TABLE SHOP FILES ROWS, or the old TABLE FILES SHOP ROWS: the
		// shop is the field that names one, FILES the other number.
		shop, files := f[1], f[2]
		if _, ok := shops[f[2]]; ok {
			shop, files = f[2], f[1]
		}
		onDisk, err := filepath.Glob(filepath.Join(dir, "out", "orders", "platform=shoptima", "shop="+shop, "date=*", "part-*.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := strconv.Atoi(files); n != len(onDisk) || n == 0 {
			t.Errorf("orders of %s: FILES %s, its partitions hold %d files\n%s", shop, files, len(onDisk), out.String())
		}
		seen++
	}
	if seen != 2 {
		t.Fatalf("want one orders line per shop:\n%s", out.String())
	}
}
