package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// state and parquet only read: they run with the job's secret variables
// and the PII key unset, and never print a secret; run and validate still
// require them (issue 16, item 11).
func TestReadOnlyCommandsNeedNoSecrets(t *testing.T) {
	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	spec := `version: 1
name: ro
state: {backend: file, path: ./state}
shops:
  - name: a
    platform: shoptima
    base_url: http://127.0.0.1:1
    auth: {token: "${SHOPETL_TEST_RO_TOKEN}"}
  - name: b
    platform: shoptima
    base_url: http://127.0.0.1:1
    auth: {header: {Authorization: "Bearer ${SHOPETL_TEST_RO_EMPTY}"}}
transform: {pii_key: "${SHOPETL_TEST_RO_PII}"}
sinks:
  parquet: {dir: ./out}
`
	if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	// An empty sink: parquet reports a missing directory as an error.
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SHOPETL_PII_KEY", "")
	os.Unsetenv("SHOPETL_PII_KEY")
	t.Setenv("SHOPETL_TEST_RO_TOKEN", "")
	os.Unsetenv("SHOPETL_TEST_RO_TOKEN")
	t.Setenv("SHOPETL_TEST_RO_PII", "")
	os.Unsetenv("SHOPETL_TEST_RO_PII")
	t.Setenv("SHOPETL_TEST_RO_EMPTY", "")

	for _, c := range []struct {
		args []string
		code int
		out  string // in stdout
	}{
		{[]string{"state", job}, exitOK, "a  "},
		{[]string{"parquet", job}, exitOK, "Parquet under"},
		{[]string{"validate", job}, exitInvalid, ""},
		{[]string{"run", job, "--dry-run"}, exitInvalid, ""},
	} {
		t.Run(c.args[0], func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), c.args, &out, &errb)
			if code != c.code || !strings.Contains(out.String(), c.out) {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out.String(), errb.String())
			}
			if c.code == exitInvalid {
				for _, w := range []string{
					"environment variable SHOPETL_TEST_RO_TOKEN is not set",
					"environment variable SHOPETL_TEST_RO_EMPTY is empty",
					"environment variable SHOPETL_TEST_RO_PII is not set",
				} {
					if !strings.Contains(errb.String(), w) {
						t.Errorf("stderr lacks %q:\n%s", w, errb.String())
					}
				}
			}
		})
	}
	// The form of a secret is still checked: a literal one is refused.
	lit := filepath.Join(dir, "literal.yaml")
	if err := os.WriteFile(lit, []byte(strings.Replace(spec, "${SHOPETL_TEST_RO_TOKEN}", "LEAK-literal", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"state", "parquet"} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{cmd, lit}, &out, &errb); code != exitInvalid ||
			!strings.Contains(errb.String(), "literal.yaml:8:19: shops[0].auth.token: must come from the environment") ||
			strings.Contains(errb.String()+out.String(), "LEAK") {
			t.Errorf("%s with a literal token: exit %d\n%s%s", cmd, code, out.String(), errb.String())
		}
	}
}
