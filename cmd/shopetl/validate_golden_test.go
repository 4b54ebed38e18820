package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden outputs of testdata/validate")

// validateCorpus is every job spec TestValidateGolden runs validate over:
// the jobs users are given, the spec package's test files, and the corpus
// of testdata/validate (good jobs of every shape, one bad job or more for
// every problem message). Each one's output is in testdata/validate/golden,
// by the file's name.
func validateCorpus(t *testing.T) []string {
	var files []string
	for _, glob := range []string{"../../jobs/*.yaml", "../../jobspec/testdata/*.yaml", "testdata/validate/*.yaml"} {
		m, err := filepath.Glob(glob)
		if err != nil || len(m) == 0 {
			t.Fatalf("%s: %v, %d files", glob, err, len(m))
		}
		files = append(files, m...)
	}
	return files
}

// validateEnv is the environment every corpus spec is validated in.
var validateEnv = map[string]string{
	"SHOPETL_PII_KEY": "corpus-pii-key-0123456789",
	"CORPUS_TOKEN":    "corpus-token-value", "CORPUS_PII": "corpus-pii-key-from-var", "CORPUS_EMPTY": "",
	"DEMO_SIM_TOKEN": "demo-token", "DEMO_SIM_URL": "http://127.0.0.1:18080", "CLICKHOUSE_ADDR": "127.0.0.1:9000",
	"YM_TOKEN": "ym-token", "ST_TOKEN": "st-token", "CH_PASSWORD": "ch-password", "SHOPETL_TEST_CH_PW": "ch-pw",
	// good-sim-printed, good-bench and good-k8s-configmap's secrets.
	"SIM_TOKEN": "corpus-token-sim", "BENCH_SIM_TOKEN": "corpus-token-bench", "CLICKHOUSE_PASSWORD": "corpus-token-ch",
	"ST_EU_TOKEN": "corpus-token-st", "YM_MAIN_TOKEN": "corpus-token-ym", "SX_CN_TOKEN": "corpus-token-sx", "DG_CN_TOKEN": "corpus-token-dg",
}

// TestValidateGolden runs `shopetl validate` over the corpus and compares
// its exit code, stdout and stderr with the golden files (-update
// rewrites them). The output before the job spec's rework (issue 19) is
// these files as first written; a change of them is a change of what
// users see.
func TestValidateGolden(t *testing.T) {
	for k, v := range validateEnv {
		t.Setenv(k, v)
	}
	for _, k := range []string{"CORPUS_UNSET", "SHOPETL_TEST_SURELY_UNSET"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	var all strings.Builder
	goldens := map[string]string{} // golden file → the corpus spec it is of
	for _, file := range validateCorpus(t) {
		var stdout, stderr bytes.Buffer
		code := validateWithout(t, file, func() int { return cmdValidate([]string{file}, &stdout, &stderr) })
		got := fmt.Sprintf("exit %d\n-- stdout --\n%s-- stderr --\n%s", code, stdout.String(), stderr.String())
		all.WriteString(got)
		golden := filepath.Join("testdata", "validate", "golden", strings.TrimSuffix(filepath.Base(file), ".yaml")+".txt")
		if other, ok := goldens[golden]; ok {
			t.Fatalf("%s and %s would share the golden file %s: rename one", other, file, golden)
		}
		goldens[golden] = file
		if *updateGolden {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Errorf("%s: %v (go test ./cmd/shopetl -run TestValidateGolden -update writes it)", file, err)
			continue
		}
		if got != string(want) {
			t.Errorf("%s: validate's output differs from %s\n got:\n%s\nwant:\n%s", file, golden, got, want)
		}
		wantCode := 0
		if strings.HasPrefix(filepath.Base(file), "bad-") {
			wantCode = exitInvalid
		}
		if strings.HasPrefix(filepath.Base(file), "good-") && code != wantCode || strings.HasPrefix(filepath.Base(file), "bad-") && code != wantCode {
			t.Errorf("%s: exit %d, want %d (bad- files are invalid, good- files valid)", file, code, wantCode)
		}
	}
	checkNoStaleGoldens(t, goldens)
	out := all.String()
	for _, msg := range validateMessages {
		if !regexp.MustCompile("(?m)" + msg).MatchString(out) {
			t.Errorf("no corpus spec shows the problem %q: add one to testdata/validate", msg)
		}
	}
	for _, secret := range []string{"corpus-token", "corpus-pii-key", "literal-token", "key-in-file"} {
		if strings.Contains(out, secret) {
			t.Errorf("validate printed the secret %q", secret)
		}
	}
}

// checkNoStaleGoldens fails on a golden file no corpus spec wrote, as
// one left behind by a spec renamed or removed: -update removes it.
func checkNoStaleGoldens(t *testing.T, goldens map[string]string) {
	files, err := filepath.Glob(filepath.Join("testdata", "validate", "golden", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, golden := range files {
		if _, ok := goldens[golden]; ok {
			continue
		}
		if *updateGolden {
			if err := os.Remove(golden); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is of no corpus spec (-update removes it)", golden)
	}
}

// validateWithout runs validate with the variables the file's "# unset:
// NAME" lines name unset.
func validateWithout(t *testing.T, file string, validate func() int) int {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if name, ok := strings.CutPrefix(line, "# unset: "); ok {
			defer os.Setenv(name, os.Getenv(name))
			os.Unsetenv(name)
		}
	}
	return validate()
}

// validateMessages are the job spec's problems, as patterns: every one
// must show in the corpus's output, so that a new problem comes with a
// corpus case (and its golden output) in the same change.
var validateMessages = []string{
	`: YAML syntax: found character that cannot start any token`,
	`: YAML syntax: did not find expected ',' or ']'`,
	`: empty job spec`,
	`: only one YAML document is allowed`,
	`: version: unsupported version 2 \(want 1\)`,
	`: version: bad integer "one" \(want a whole number\)`,
	`: name: must not be empty`,
	`: name: bad job name "\.\./\.\./etc" \(want letters`,
	`: shops\[0\]\.name: bad shop name "\.\./a" \(want letters`,
	`: duplicate shop name "a" \(also shops\[2\]\)`,
	`: duplicate shop name "A" \(also shops\[2\], "a": names must differ in more than case\)`,
	`: extra: unknown key`,
	`: expected a single value, got a list`,
	`: expected a mapping, got a scalar`,
	`: expected a list of shops, got a mapping`,
	`: keys must be strings`,
	`: duplicate key \(first at line \d+\)`,
	`: a merge key \(<<\) names a mapping it is part of`,
	`: state: is required`,
	`: shops: must list at least one shop`,
	`: state\.backend: is required`,
	`: state\.path: is required with backend file`,
	`: state\.path: is only used with backend file`,
	`: state\.backend: clickhouse keeps the state in sinks\.clickhouse's database, and the job has no clickhouse sink`,
	`: state\.lease: is only used with backend clickhouse`,
	`: shops\[0\]\.base_url: plain http:// to "shop\.example", which is not loopback, sends the shop's credentials in clear: use https://, or set allow_http: true`,
	`: state\.backend: bad value "etcd" \(want file, clickhouse\)`,
	`: shops\[0\]\.platform: unknown platform "magento" \(known: dage, shopex, shoptima, ymcart\)`,
	`: shops\[1\]\.name: is required`,
	`: shops\[0\]\.max_shops: is only allowed in defaults`,
	`: bad currency "usd" \(want 3 upper-case letters, e\.g\. USD\)`,
	`: bad URL: it holds user info`,
	`: bad URL "[^"]*": it has a query string`,
	`: bad URL "[^"]*": it has a fragment`,
	`: bad URL "[^"]*": it has no host`,
	`: bad URL "[^"]*": it holds a space or control character`,
	`: bad URL "[^"]*": it does not start with http:// or https://`,
	`: bad URL "http://\[::1"`,
	`: must be at least 1, got 0`,
	`: bad rate limit "0\.5/s" \(.*is not a whole number of requests`,
	`: bad rate limit "-1/s" \(-1 requests per duration would never send one`,
	`: bad rate limit "1/xyz" \("xyz" is not a duration`,
	`: bad rate limit "1/2h" \(it is slower than the slowest allowed`,
	`: bad rate limit "fast" \(want a positive whole number`,
	`: must be positive, got 0s`,
	`: must not be negative, got -5m`,
	`: bad duration "5" \(want a number with a unit`,
	`: bad time "yesterday" \(want RFC 3339 or YYYY-MM-DD\)`,
	`: bad timezone "Local" \(want an IANA name`,
	`: unknown timezone "Mars/Olympus"`,
	`: min_backoff 10s is greater than max_backoff 1s`,
	`: must come from the environment as exactly "\$\{VAR\}"`,
	`: must come from the environment: "\$\{VAR\}", or an auth scheme word`,
	`: environment variable CORPUS_EMPTY is empty \(a secret must not be`,
	`: environment variable CORPUS_UNSET is not set`,
	`: bad environment variable name "BAD-NAME"`,
	`: bad environment variable name$`,
	`: unterminated "\$\{"`,
	`: bad header name`,
	`: transform\.pii: hash \(the default\) needs a key of at least 16 bytes`,
	`: transform\.pii: bad value "mask" \(want hash, drop, keep\)`,
	`: platform shoptima has no table "colour"`,
	`: empty value: want a status`,
	`: with several values, write each as axis=value`,
	`: table status sets status, payment_status, shipping_status, not "refund_status"`,
	`: status is one of`,
	`: "99" is not a code of status: a new code must set all of`,
	`: sinks: at least one sink \(clickhouse or parquet\) is required`,
	`: sinks\.clickhouse\.addr: must list at least one host:port`,
	`: bad address "nohost" \(want host:port\)`,
	`: sinks\.clickhouse\.addr: is required`,
	`: bad database name "my-db" \(want letters, digits and _`,
	`: bad cluster name "a b"`,
	`: bad boolean "maybe" \(want true or false\)`,
	`: sinks\.clickhouse\.tls: must be true with tls_ca_file or tls_skip_verify`,
	`: sinks\.parquet\.compression: bad value "lz4"`,
	`: sinks\.parquet\.dir: must not be empty`,
	`: sinks\.parquet\.dir: is required`,
	`…\s\(200 bytes\)`,
}
