package jobspec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/load/clickhouse"
	"github.com/shopetl/shopetl/setting"
)

var specTestPlatforms = testPlatforms{"shoptima", "ymcart", "mallpro", "bazaarly"}

func specTestProblems(t *testing.T, err error) []string {
	t.Helper()
	var se *SpecError
	if !errors.As(err, &se) {
		t.Fatalf("want *SpecError, got %T: %v", err, err)
	}
	out := make([]string, len(se.Problems))
	for i, p := range se.Problems {
		out[i] = p.String()
	}
	return out
}

// loadFull loads testdata/full.yaml with its secrets set.
func loadFull(t *testing.T) *Spec {
	t.Helper()
	t.Setenv("YM_TOKEN", "ym-secret-token")
	t.Setenv("ST_TOKEN", "st-secret-token")
	t.Setenv("CH_PASSWORD", "ch-secret-pw")
	spec, err := Load("testdata/full.yaml", specTestPlatforms)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func TestSpecLoadFull(t *testing.T) {
	spec := loadFull(t)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	day := 24 * time.Hour

	if spec.Version != 1 || spec.Name != "orders-hourly" || spec.Path != "testdata/full.yaml" {
		t.Errorf("header = %d %q %q", spec.Version, spec.Name, spec.Path)
	}
	if spec.State != (StateSpec{Backend: "file", Path: "./state", Lease: time.Minute}) {
		t.Errorf("state = %+v", spec.State)
	}
	if got := spec.ResolvePath(spec.State.Path); got != filepath.Join("testdata", "state") {
		t.Errorf("ResolvePath = %q", got)
	}
	if spec.Transform.PII != "hash" || spec.Transform.Statuses == nil || len(spec.Transform.Statuses) != 0 {
		t.Errorf("transform = %+v", spec.Transform)
	}
	ch := spec.Sinks.ClickHouse
	if ch == nil || len(ch.Addr) != 1 || ch.Addr[0] != "127.0.0.1:9000" || ch.Database != "shop" ||
		ch.Username != "default" || ch.Password.Reveal() != "ch-secret-pw" || ch.TLS ||
		ch.DialTimeout != 10*time.Second {
		t.Errorf("clickhouse = %#v", ch)
	}
	if pq := spec.Sinks.Parquet; pq == nil || pq.Dir != "./out/parquet" || pq.Compression != "zstd" {
		t.Errorf("parquet = %+v", pq)
	}
	if len(spec.Shops) != 2 {
		t.Fatalf("shops = %d", len(spec.Shops))
	}

	wantStart := time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", 8*3600))
	type optCase struct {
		name string
		got  ShopOptions
		want ShopOptions
	}
	base := ShopOptions{
		PageSize: 100, Concurrency: 4, RateLimit: setting.RateLimit{N: 10, Per: time.Second}, Timeout: setting.Duration(30 * time.Second),
		Retries:  Retries{Max: 6, MinBackoff: setting.Duration(500 * time.Millisecond), MaxBackoff: setting.Duration(30 * time.Second)},
		Lookback: setting.Duration(15 * time.Minute), SafetyLag: setting.Duration(time.Minute), Rescan: setting.Duration(30 * day),
		RefundRescan: setting.Duration(90 * day), MaxShops: 8, Start: wantStart, Timezone: "Asia/Shanghai", Location: shanghai,
	}
	stEU := base
	stEU.PageSize = 250
	stEU.RateLimit = setting.RateLimit{N: 600, Per: time.Minute}
	stEU.Timeout = setting.Duration(36 * time.Hour)
	stEU.Retries.MaxBackoff = setting.Duration(time.Minute)
	stEU.Timezone, stEU.Location = "Europe/Berlin", berlin
	stEU.Start = time.Date(2024, 3, 1, 0, 0, 0, 0, berlin) // date-only: read in the shop's timezone
	for _, c := range []optCase{
		{"defaults", spec.Defaults, base},
		{"ym-main", spec.Shops[0].Options, base},
		{"st-eu", spec.Shops[1].Options, stEU},
		{"builtin", DefaultShopOptions(), base},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, w := c.got, c.want
			if !g.Start.Equal(w.Start) || g.Location.String() != w.Location.String() {
				t.Errorf("start/location = %v %v, want %v %v", g.Start, g.Location, w.Start, w.Location)
			}
			g.Start, w.Start, g.Location, w.Location = time.Time{}, time.Time{}, nil, nil
			if g != w {
				t.Errorf("options\n got %+v\nwant %+v", g, w)
			}
		})
	}

	ym, st := spec.Shops[0], spec.Shops[1]
	if ym.Name != "ym-main" || ym.Platform != "ymcart" || ym.BaseURL != "https://shop.example.com" ||
		ym.Currency != "USD" || ym.Auth.Token.Reveal() != "ym-secret-token" || ym.Auth.Header != nil {
		t.Errorf("ym-main = %+v", ym)
	}
	if st.Name != "st-eu" || st.Platform != "shoptima" || st.Currency != "" ||
		st.Auth.Header["Authorization"].Reveal() != "Bearer st-secret-token" || st.Auth.Token.IsSet() {
		t.Errorf("st-eu = %+v", st)
	}
	if !st.Overrides("timeout") || !st.Overrides("retries.max_backoff") || st.Overrides("retries.max") || ym.Overrides("timeout") {
		t.Errorf("Overrides wrong: %v %v", st.overrides, ym.overrides)
	}
	if sh, ok := spec.FindShop("st-eu"); !ok || sh.BaseURL != st.BaseURL {
		t.Errorf("FindShop")
	}
}

func TestSpecThreeProblems(t *testing.T) {
	_, err := Load("testdata/three_problems.yaml", testPlatforms{"shoptima"})
	got := specTestProblems(t, err)
	want := []string{
		`testdata/three_problems.yaml:13:7: shops[1].retries.max_backof: unknown key`,
		`testdata/three_problems.yaml:17:14: shops[2].timeout: bad duration "30x" (want a number with a unit: 500ms, 30s, 15m, 2h, 30d)`,
		`testdata/three_problems.yaml:19:15: shops[3].platform: unknown platform "foo" (known: shoptima)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err.Error() != strings.Join(want, "\n") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestSpecUnsetEnv(t *testing.T) {
	if _, ok := os.LookupEnv("SHOPETL_TEST_SURELY_UNSET"); ok {
		t.Skip("variable unexpectedly set")
	}
	t.Setenv("SHOPETL_TEST_CH_PW", "pw-value-xyz")
	_, err := Load("testdata/unset_env.yaml", specTestPlatforms)
	got := specTestProblems(t, err)
	want := []string{`testdata/unset_env.yaml:9:14: shops[0].auth.token: environment variable SHOPETL_TEST_SURELY_UNSET is not set`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
	if strings.Contains(err.Error(), "pw-value-xyz") {
		t.Errorf("secret leaked into error")
	}
}

// TestSpecOnlySinkSecrets: WithOnlySinkSecrets (reconcile) reads the
// ClickHouse password and leaves the shops' tokens and the PII key unread.
func TestSpecOnlySinkSecrets(t *testing.T) {
	t.Setenv("SHOPETL_TEST_CH_PW", "pw-value-xyz")
	t.Setenv("SHOPETL_PII_KEY", "")
	spec, err := Load("testdata/unset_env.yaml", specTestPlatforms, WithOnlySinkSecrets())
	if err != nil {
		t.Fatal(err)
	}
	if got := spec.Sinks.ClickHouse.Password.Reveal(); got != "pw-value-xyz" {
		t.Errorf("password %q, want the variable's value", got)
	}
	if spec.Shops[0].Auth.Token.IsSet() {
		t.Errorf("the shop's token was read")
	}
	t.Setenv("SHOPETL_TEST_CH_PW", "")
	_, err = Load("testdata/unset_env.yaml", specTestPlatforms, WithOnlySinkSecrets())
	if got := specTestProblems(t, err); len(got) != 1 || !strings.Contains(got[0], "sinks.clickhouse.password") {
		t.Errorf("with the password's variable empty: %q, want one problem naming sinks.clickhouse.password", got)
	}
}

// specTestDoc builds a valid spec and lets a case replace parts of it.
func specTestDoc(repl map[string]string) string {
	parts := []struct{ key, text string }{
		{"version", "version: 1\n"},
		{"name", "name: t\n"},
		{"state", "state: {backend: file, path: st}\n"},
		{"defaults", ""},
		{"shops", "shops:\n  - {name: a, platform: shoptima, base_url: 'https://a.example'}\n"},
		{"transform", ""},
		{"sinks", "sinks:\n  parquet: {dir: out}\n"},
	}
	var b strings.Builder
	for _, p := range parts {
		if r, ok := repl[p.key]; ok {
			b.WriteString(r)
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

func TestSpecProblems(t *testing.T) {
	t.Setenv("SPEC_T_TOKEN", "tok-HIDDEN")
	for _, c := range []struct {
		name string
		repl map[string]string
		want []string // problem strings, without the file name prefix
	}{
		{"valid", nil, nil},
		{"version 2", map[string]string{"version": "version: 2\n"}, []string{"1:10: version: unsupported version 2 (want 1)"}},
		{"missing name and version", map[string]string{"version": "", "name": ""},
			[]string{"1:1: version: is required", "1:1: name: is required"}},
		{"empty name", map[string]string{"name": "name: ''\n"}, []string{"2:7: name: must not be empty"}},
		{"job name leaving the state folder", map[string]string{"name": "name: ../../x\n"},
			[]string{`2:7: name: bad job name "../../x" (want letters, digits, _, - and ., not starting with .)`}},
		{"hidden job name", map[string]string{"name": "name: .orders\n"},
			[]string{`2:7: name: bad job name ".orders" (want letters, digits, _, - and ., not starting with .)`}},
		{"job name of letters, digits, _, - and .", map[string]string{"name": "name: 订单_orders-v1.2\n"}, nil},
		{"hostile shop name", map[string]string{"shops": "shops:\n  - {name: ../a, platform: shoptima, base_url: 'https://a.example'}\n"},
			[]string{`5:12: shops[0].name: bad shop name "../a" (want letters, digits, _, - and ., not starting with .)`}},
		{"no shops", map[string]string{"shops": "shops: []\n"}, []string{"4:8: shops: must list at least one shop"}},
		{"plain http to another host", map[string]string{"shops": "shops:\n  - {name: a, platform: shoptima, base_url: 'http://shop.example:8080/api'}\n"},
			[]string{`5:45: shops[0].base_url: plain http:// to "shop.example", which is not loopback, sends the shop's credentials in clear: use https://, or set allow_http: true`}},
		{"plain http allowed", map[string]string{"shops": "shops:\n  - {name: a, platform: shoptima, base_url: 'http://shop.example', allow_http: true}\n"}, nil},
		{"plain http to loopback", map[string]string{"shops": "shops:\n  - {name: a, platform: shoptima, base_url: 'http://127.0.0.1:8080'}\n" +
			"  - {name: b, platform: shoptima, base_url: 'http://localhost'}\n  - {name: c, platform: shoptima, base_url: 'http://[::1]:9'}\n"}, nil},
		{"no sinks", map[string]string{"sinks": "sinks: {}\n"}, []string{"6:8: sinks: at least one sink (clickhouse or parquet) is required"}},
		{"clickhouse only", map[string]string{"sinks": "sinks:\n  clickhouse: {addr: ['ch:9000'], tls: true}\n"}, nil},
		{"state clickhouse without the sink", map[string]string{"state": "state: {backend: clickhouse}\n"},
			[]string{"3:18: state.backend: clickhouse keeps the state in sinks.clickhouse's database, and the job has no clickhouse sink"}},
		{"state clickhouse", map[string]string{"state": "state: {backend: clickhouse, lease: 30s}\n", "sinks": "sinks:\n  clickhouse: {addr: 'ch:9000'}\n"}, nil},
		{"state clickhouse with a path", map[string]string{"state": "state: {backend: clickhouse, path: ./s}\n", "sinks": "sinks:\n  clickhouse: {addr: 'ch:9000'}\n"},
			[]string{"3:36: state.path: is only used with backend file"}},
		{"lease with backend file", map[string]string{"state": "state: {backend: file, path: ./s, lease: 1m}\n"},
			[]string{"3:42: state.lease: is only used with backend clickhouse"}},
		{"lease not a duration", map[string]string{"state": "state: {backend: clickhouse, lease: 0s}\n", "sinks": "sinks:\n  clickhouse: {addr: 'ch:9000'}\n"},
			[]string{"3:37: state.lease: must be positive, got 0s"}},
		{"state file without path", map[string]string{"state": "state: {backend: file}\n"},
			[]string{"3:8: state.path: is required with backend file"}},
		{"bad backend", map[string]string{"state": "state: {backend: s3}\n"},
			[]string{`3:18: state.backend: bad value "s3" (want file, clickhouse)`}},
		{"max_shops on shop", map[string]string{"shops": "shops:\n  - {name: a, platform: shoptima, base_url: 'https://a.example', max_shops: 2}\n"},
			[]string{"5:77: shops[0].max_shops: is only allowed in defaults"}},
		{"shop field errors", map[string]string{"shops": "shops:\n  - name: A b\n    platform: shoptima\n    base_url: /rel\n    currency: usd\n    page_size: 0\n    rate_limit: fast\n"},
			[]string{
				`5:11: shops[0].name: bad shop name "A b" (want letters, digits, _, - and ., not starting with .)`,
				`7:15: shops[0].base_url: bad URL "/rel": it does not start with http:// or https:// (want http:// or https://, a host, an optional :port and path; no user info, query string, fragment or spaces)`,
				`8:15: shops[0].currency: bad currency "usd" (want 3 upper-case letters, e.g. USD)`,
				`9:16: shops[0].page_size: must be at least 1, got 0`,
				`10:17: shops[0].rate_limit: bad rate limit "fast" (want a positive whole number of requests per duration, e.g. 10/s, 600/m, 5/500ms; at least 1 request per hour)`,
			}},
		{"missing shop keys", map[string]string{"shops": "shops:\n  - {name: a}\n"},
			[]string{"5:5: shops[0].platform: is required", "5:5: shops[0].base_url: is required"}},
		{"duplicate shop", map[string]string{"shops": "shops:\n  - {name: a, platform: shoptima, base_url: 'https://a.example'}\n  - {name: a, platform: shoptima, base_url: 'https://b.example'}\n"},
			[]string{`6:12: shops[1].name: duplicate shop name "a" (also shops[0])`}},
		{"duplicate key", map[string]string{"name": "name: a\nname: b\n"}, []string{"3:1: name: duplicate key (first at line 2)"}},
		{"literal secret", map[string]string{"shops": "shops:\n  - {name: a, platform: shoptima, base_url: 'https://a.example', auth: {token: hunter2}}\n"},
			[]string{`5:80: shops[0].auth.token: must come from the environment as exactly "${VAR}", with no text around it (secrets are not allowed in the job file)`}},
		{"env secret ok", map[string]string{"shops": "shops:\n  - {name: a, platform: shoptima, base_url: 'https://a.example', auth: {token: '${SPEC_T_TOKEN}', username: me}}\n"}, nil},
		{"secret wrong type", map[string]string{"shops": "shops:\n  - {name: a, platform: shoptima, base_url: 'https://a.example', auth: {password: [x]}}\n"},
			[]string{`5:83: shops[0].auth.password: expected a single value, got a list`}},
		{"backoff min > max", map[string]string{"defaults": "defaults: {retries: {min_backoff: 1m}}\n"},
			[]string{"4:35: defaults.retries.min_backoff: min_backoff 1m0s is greater than max_backoff 30s"}},
		{"negative and zero durations", map[string]string{"defaults": "defaults:\n  lookback: -1m\n  timeout: 0s\n"},
			[]string{"5:13: defaults.lookback: must not be negative, got -1m0s", "6:12: defaults.timeout: must be positive, got 0s"}},
		{"bad timezone and start", map[string]string{"defaults": "defaults:\n  timezone: Mars/Olympus\n  start: yesterday\n"},
			[]string{`5:13: defaults.timezone: unknown timezone "Mars/Olympus"`, `6:10: defaults.start: bad time "yesterday" (want RFC 3339 or YYYY-MM-DD)`}},
		{"bad pii and compression", map[string]string{"transform": "transform: {pii: sha1}\n", "sinks": "sinks:\n  parquet: {dir: out, compression: lz4}\n"},
			[]string{`6:18: transform.pii: bad value "sha1" (want hash, drop, keep)`, `8:36: sinks.parquet.compression: bad value "lz4" (want zstd, snappy, gzip, none)`}},
		{"bad clickhouse", map[string]string{"sinks": "sinks:\n  clickhouse: {addr: [nohost], database: 'my-db', tls: maybe, extra: 1}\n"},
			[]string{
				`7:23: sinks.clickhouse.addr[0]: bad address "nohost" (want host:port)`,
				`7:42: sinks.clickhouse.database: bad database name "my-db"`,
				`7:56: sinks.clickhouse.tls: bad boolean "maybe" (want true or false)`,
				`7:63: sinks.clickhouse.extra: unknown key`,
			}},
		{"statuses unknown platform", map[string]string{"transform": "transform:\n  statuses: {shoptima: {status: {'3': shipped}}, nosuch: {}}\n"},
			[]string{`7:50: transform.statuses.nosuch: unknown platform "nosuch" (known: shoptima, ymcart)`}},
		{"statuses overrides ok", map[string]string{"transform": "transform:\n  statuses:\n    ymcart: {order_status: {'102': paid}, payment_status: {'102': paid}}\n    shoptima: {status: {'3': 'status=shipped shipping_status=shipped'}}\n"}, nil},
		{"statuses bad overrides", map[string]string{"transform": "transform:\n  statuses:\n    ymcart: {order_status: {'102': payed}, payment_states: {'1': paid}}\n    shoptima: {status: {'3': 'refund_status=full'}, refund_type: {'9': full}}\n"},
			[]string{
				`8:36: transform.statuses.ymcart.order_status.102: "payed": status is one of pending, paid, shipped, completed, cancelled`,
				`8:66: transform.statuses.ymcart.payment_states.1: platform ymcart has no table "payment_states" (tables: order_status, payment_status, shipping_status)`,
				`9:30: transform.statuses.shoptima.status.3: "refund_status=full": table status sets status, payment_status, shipping_status, not "refund_status"`,
				`9:72: transform.statuses.shoptima.refund_type.9: "9" is not a code of refund_type: a new code must set all of refund_status, payment_status`,
			}},
		{"statuses wrong shape", map[string]string{"transform": "transform:\n  statuses: {shoptima: [x]}\n"},
			[]string{`7:24: transform.statuses.shoptima: expected a mapping, got a list`}},
		{"top-level unknown and wrong kinds", map[string]string{"name": "name: [x]\nsink: {}\n"},
			[]string{"2:7: name: expected a single value, got a list", "3:1: sink: unknown key"}},
		{"bad env reference", map[string]string{"name": "name: 'a${'\n"}, []string{`2:7: name: unterminated "${"`}},
		{"syntax error", map[string]string{"name": "name: [\n"}, []string{"YAML syntax:"}},
		{"empty", map[string]string{"version": "", "name": "", "state": "", "shops": "", "sinks": "# nothing\n"}, []string{"t.yaml: empty job spec"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := specTestDoc(c.repl)
			_, err := Parse("t.yaml", []byte(doc), testPlatforms{"ymcart", "shoptima"})
			if c.want == nil {
				if err != nil {
					t.Fatalf("unexpected error:\n%v\ndoc:\n%s", err, doc)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; doc:\n%s", doc)
			}
			t.Logf("%v", err)
			got := specTestProblems(t, err)
			if len(got) != len(c.want) {
				t.Fatalf("got %d problems, want %d:\n%s\ndoc:\n%s", len(got), len(c.want), strings.Join(got, "\n"), doc)
			}
			for i := range got {
				if !strings.Contains(got[i], c.want[i]) || !strings.HasPrefix(got[i], "t.yaml") {
					t.Errorf("problem %d = %q, want %q", i, got[i], c.want[i])
				}
			}
			if strings.Contains(err.Error(), "HIDDEN") || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("secret in error: %v", err)
			}
		})
	}
}

func TestSpecEnvExpansion(t *testing.T) {
	t.Setenv("SPEC_T_NAME", "from-env")
	t.Setenv("SPEC_T_PAGE", "250")
	t.Setenv("SPEC_T_DIR", "/data")
	doc := specTestDoc(map[string]string{
		"name":     "name: ${SPEC_T_NAME}\n",
		"defaults": "defaults: {page_size: '${SPEC_T_PAGE}'}\n",
		"sinks":    "sinks:\n  parquet: {dir: '${SPEC_T_DIR}/pq-$${NOT_EXPANDED}'}\n",
	})
	spec, err := Parse("t.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	if spec.Name != "from-env" || spec.Defaults.PageSize != 250 || spec.Shops[0].Options.PageSize != 250 ||
		spec.Sinks.Parquet.Dir != "/data/pq-${NOT_EXPANDED}" {
		t.Errorf("got name %q page %d dir %q", spec.Name, spec.Defaults.PageSize, spec.Sinks.Parquet.Dir)
	}
}

func TestSpecMinimalAndMerge(t *testing.T) {
	spec, err := Load("testdata/minimal.yaml", specTestPlatforms)
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultShopOptions()
	if o := spec.Shops[0].Options; o.PageSize != def.PageSize || o.Timezone != "Asia/Shanghai" || !o.Start.Equal(def.Start) ||
		o.Retries != def.Retries || spec.Transform.PII != "hash" || spec.Sinks.ClickHouse != nil {
		t.Errorf("minimal spec not defaulted: %+v", o)
	}

	// A date-only start in defaults is read in each shop's own timezone, and
	// YAML merge keys work.
	doc := `version: 1
name: m
state: {backend: file, path: s}
defaults: {start: 2024-06-01, retries: {max: 2}}
x-common: &common {platform: shoptima, base_url: "https://x.example", concurrency: 7}
shops:
  - {<<: *common, name: cn}
  - {<<: *common, name: us, timezone: America/New_York, concurrency: 1, retries: {min_backoff: 1s}}
sinks: {parquet: {dir: o}}
`
	_, err = Parse("m.yaml", []byte(doc), nil)
	if got := specTestProblems(t, err); len(got) != 1 || got[0] != "m.yaml:5:1: x-common: unknown key" {
		t.Fatalf("problems = %q", got)
	}
	doc = strings.Replace(doc, "x-common: &common", "defaults_anchor_unused: null\n#", 1)
	doc = strings.Replace(doc, "defaults_anchor_unused: null\n", "", 1)
	doc = strings.Replace(doc, "shops:\n", "shops:\n  - &common {name: base, platform: shoptima, base_url: \"https://x.example\", concurrency: 7}\n", 1)
	spec, err = Parse("m.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	sh, us := spec.Shops[1], spec.Shops[2]
	ny, _ := time.LoadLocation("America/New_York")
	if sh.Name != "cn" || sh.Options.Concurrency != 7 || !sh.Options.Start.Equal(time.Date(2024, 6, 1, 0, 0, 0, 0, def.Location)) {
		t.Errorf("cn = %+v", sh)
	}
	if us.Options.Concurrency != 1 || !us.Options.Start.Equal(time.Date(2024, 6, 1, 0, 0, 0, 0, ny)) ||
		us.Options.Retries != (Retries{Max: 2, MinBackoff: setting.Duration(time.Second), MaxBackoff: def.Retries.MaxBackoff}) {
		t.Errorf("us = %+v", us.Options)
	}
	if !us.Overrides("concurrency") || !us.Overrides("retries.min_backoff") || us.Overrides("retries.max") {
		t.Errorf("us overrides = %v", us.overrides)
	}
}

func TestSpecLoadMissingFile(t *testing.T) {
	if _, err := Load("testdata/does-not-exist.yaml", nil); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v", err)
	}
}

// The default PII policy hashes with a key from the environment: without
// one the job is invalid, pointing at transform.pii (or the top); a key
// written in the file is refused like any secret; drop and keep need none.
func TestSpecPIIKey(t *testing.T) {
	base := "version: 1\nname: p\nstate: {backend: file, path: s}\n" +
		"shops: [{name: a, platform: shoptima, base_url: \"https://x.example\"}]\n" +
		"sinks: {parquet: {dir: o}}\n"
	t.Setenv(PIIKeyEnv, "")
	t.Setenv("SHOPETL_TEST_PII", "key-from-the-environment")
	for _, c := range []struct {
		name, transform, want, key string
	}{
		{"default hash, no key", "", "p.yaml:1:1: transform.pii: hash (the default) needs a key of at least 16 bytes: set SHOPETL_PII_KEY", ""},
		{"hash, no key", "transform: {pii: hash}\n", "p.yaml:6:18: transform.pii: hash (the default) needs a key", ""},
		{"key in the file", "transform: {pii_key: \"0123456789abcdef0123\"}\n", "p.yaml:6:22: transform.pii_key: must come from the environment", ""},
		{"short key", "transform: {pii_key: \"${SHOPETL_TEST_SHORT}\"}\n", "transform.pii: hash (the default) needs a key of at least 16 bytes", ""},
		{"key from a variable", "transform: {pii_key: \"${SHOPETL_TEST_PII}\"}\n", "", "key-from-the-environment"},
		{"drop", "transform: {pii: drop}\n", "", ""},
		{"keep", "transform: {pii: keep}\n", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("SHOPETL_TEST_SHORT", "too-short")
			spec, err := Parse("p.yaml", []byte(base+c.transform), nil)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if spec.Transform.PIIKey.Reveal() != c.key {
					t.Errorf("key %q, want %q", spec.Transform.PIIKey.Reveal(), c.key)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			for _, secret := range []string{"0123456789abcdef0123", "too-short"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows the key: %v", err)
				}
			}
		})
	}
	// The variable itself is the fallback.
	t.Setenv(PIIKeyEnv, "key-from-SHOPETL_PII_KEY")
	spec, err := Parse("p.yaml", []byte(base), nil)
	if err != nil || spec.Transform.PIIKey.Reveal() != "key-from-SHOPETL_PII_KEY" {
		t.Fatalf("fallback: %v, key %q", err, spec.Transform.PIIKey.Reveal())
	}
}

func TestSpecClickHouseTLSAndCluster(t *testing.T) {
	base := "version: 1\nname: c\nstate: {backend: file, path: s}\n" +
		"shops: [{name: a, platform: shoptima, base_url: \"https://x.example\"}]\ntransform: {pii: keep}\n"
	spec, err := Parse("/jobs/c.yaml", []byte(base+"sinks: {clickhouse: {addr: [\"h:9440\"], tls: true, tls_ca_file: certs/ca.pem, cluster: prod_1}}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ch := spec.Sinks.ClickHouse
	if !ch.TLS || ch.TLSCAFile != "certs/ca.pem" || ch.Cluster != "prod_1" || spec.ResolvePath(ch.TLSCAFile) != "/jobs/certs/ca.pem" {
		t.Errorf("clickhouse = %+v", ch)
	}
	for doc, want := range map[string]string{
		"sinks: {clickhouse: {addr: [\"h:9440\"], tls_skip_verify: true}}\n":    "c.yaml:6:21: sinks.clickhouse.tls: must be true with tls_ca_file or tls_skip_verify",
		"sinks: {clickhouse: {addr: [\"h:9440\"], cluster: \"a b\"}}\n":         "c.yaml:6:49: sinks.clickhouse.cluster: bad cluster name \"a b\" (want letters, digits and _, not starting with a digit)",
		"sinks: {clickhouse: {addr: [\"h:9440\"], tls: true, tls_ca: x.pem}}\n": "c.yaml:6:51: sinks.clickhouse.tls_ca: unknown key",
	} {
		_, err := Parse("c.yaml", []byte(base+doc), nil)
		if got := specTestProblems(t, err); len(got) != 1 || got[0] != want {
			t.Errorf("%s: problems %q, want %q", doc, got, want)
		}
	}
}

// Issue 16: a problem says what is allowed, refuses secrets written in
// the job file in every shape, quotes at most 60 characters of a value,
// and a YAML syntax error points at its own line. Each problem is
// asserted whole, with its file:line:col.
func TestSpecProblemsSayWhatIsAllowed(t *testing.T) {
	const tok = "tok-HIDDEN-value-0123456789"
	t.Setenv("SPEC_T_TOKEN", tok)
	t.Setenv("SPEC_T_EMPTY", "")
	huge := strings.Repeat("x", 10<<20)
	shop := func(extra string) map[string]string {
		return map[string]string{"shops": "shops:\n  - {name: a, platform: shoptima, base_url: 'https://a.example'" + extra + "}\n"}
	}
	baseURL := func(u string) map[string]string {
		return map[string]string{"shops": "shops:\n  - name: a\n    platform: shoptima\n    base_url: '" + u + "'\n"}
	}
	const urlWant = " (want http:// or https://, a host, an optional :port and path; no user info, query string, fragment or spaces)"
	const rateWant = "want a positive whole number of requests per duration, e.g. 10/s, 600/m, 5/500ms; at least 1 request per hour)"
	const secretWant = `must come from the environment as exactly "${VAR}", with no text around it (secrets are not allowed in the job file)`
	const emptyWant = "environment variable SPEC_T_EMPTY is empty (a secret must not be; leave the key out for none)"
	for _, c := range []struct {
		name string
		repl map[string]string
		want []string // whole problems, without "t.yaml:"; nil: valid
	}{
		// Item 6: secrets.
		{"literal header value", shop(", auth: {header: {Authorization: 'Bearer S3cret-LEAK'}}"),
			[]string{`5:97: shops[0].auth.header.Authorization: must come from the environment: "${VAR}", or an auth scheme word, a space and "${VAR}", e.g. "Bearer ${TOKEN}" (secrets are not allowed in the job file)`}},
		{"header with text after the variable", shop(", auth: {header: {X-Key: '${SPEC_T_TOKEN}LEAK'}}"),
			[]string{`5:89: shops[0].auth.header.X-Key: must come from the environment: "${VAR}", or an auth scheme word, a space and "${VAR}", e.g. "Bearer ${TOKEN}" (secrets are not allowed in the job file)`}},
		{"header scheme and variable", shop(", auth: {header: {Authorization: 'Bearer ${SPEC_T_TOKEN}', X-Key: '${SPEC_T_TOKEN}'}}"), nil},
		{"header from an empty variable", shop(", auth: {header: {Authorization: 'Bearer ${SPEC_T_EMPTY}'}}"),
			[]string{"5:97: shops[0].auth.header.Authorization: " + emptyWant}},
		{"token partly literal", shop(", auth: {token: 'pre-LEAK${SPEC_T_TOKEN}post'}"),
			[]string{"5:80: shops[0].auth.token: " + secretWant}},
		{"token from an empty variable", shop(", auth: {token: '${SPEC_T_EMPTY}'}"),
			[]string{"5:80: shops[0].auth.token: " + emptyWant}},
		{"password partly literal", shop(", auth: {username: me, password: 'LEAK${SPEC_T_TOKEN}'}"),
			[]string{"5:97: shops[0].auth.password: " + secretWant}},
		{"clickhouse password partly literal", map[string]string{"sinks": "sinks:\n  clickhouse: {addr: ['ch:9000'], password: 'LEAK${SPEC_T_TOKEN}'}\n"},
			[]string{"7:45: sinks.clickhouse.password: " + secretWant}},
		{"clickhouse password from an empty variable", map[string]string{"sinks": "sinks:\n  clickhouse: {addr: ['ch:9000'], password: '${SPEC_T_EMPTY}'}\n"},
			[]string{"7:45: sinks.clickhouse.password: " + emptyWant}},
		{"pii key partly literal", map[string]string{"transform": "transform: {pii_key: 'LEAK-0123456789${SPEC_T_TOKEN}'}\n"},
			[]string{"6:22: transform.pii_key: " + secretWant}},
		{"pii key from an empty variable", map[string]string{"transform": "transform: {pii_key: '${SPEC_T_EMPTY}'}\n"},
			[]string{"6:22: transform.pii_key: " + emptyWant}},

		// Item 7: base URLs.
		{"base_url with a query", baseURL("https://a.example/api?x=1"),
			[]string{`7:15: shops[0].base_url: bad URL "https://a.example/api?x=1": it has a query string` + urlWant}},
		{"base_url with a fragment", baseURL("https://a.example/api#top"),
			[]string{`7:15: shops[0].base_url: bad URL "https://a.example/api#top": it has a fragment` + urlWant}},
		{"base_url with a space", baseURL("https://a.example/my api"),
			[]string{`7:15: shops[0].base_url: bad URL "https://a.example/my api": it holds a space or control character` + urlWant}},
		{"base_url without a scheme", baseURL("a.example/api"),
			[]string{`7:15: shops[0].base_url: bad URL "a.example/api": it does not start with http:// or https://` + urlWant}},
		{"base_url ftp", baseURL("ftp://a.example"),
			[]string{`7:15: shops[0].base_url: bad URL "ftp://a.example": it does not start with http:// or https://` + urlWant}},
		{"base_url without a host", baseURL("https:///api"),
			[]string{`7:15: shops[0].base_url: bad URL "https:///api": it has no host` + urlWant}},
		{"base_url with user info", baseURL("https://me:pw-LEAK@a.example/api"),
			[]string{`7:15: shops[0].base_url: bad URL: it holds user info (credentials belong in auth, from the environment)` + urlWant}},
		{"base_url with a port and path", baseURL("http://127.0.0.1:8080/shop/api/"), nil},

		// Item 12: rate limits, names, durations, long values.
		{"rate limit zero", map[string]string{"defaults": "defaults: {rate_limit: 0/s}\n"},
			[]string{`4:24: defaults.rate_limit: bad rate limit "0/s" (0 requests per duration would never send one; ` + rateWant}},
		{"rate limit fraction", map[string]string{"defaults": "defaults: {rate_limit: 0.5/s}\n"},
			[]string{`4:24: defaults.rate_limit: bad rate limit "0.5/s" ("0.5" is not a whole number of requests: for fewer, make the duration longer, e.g. 1/2s; ` + rateWant}},
		{"rate limit too slow", map[string]string{"defaults": "defaults: {rate_limit: 1/1000d}\n"},
			[]string{`4:24: defaults.rate_limit: bad rate limit "1/1000d" (it is slower than the slowest allowed, 1 request per hour: a run would wait 1000d between requests; ` + rateWant}},
		{"rate limit one an hour", map[string]string{"defaults": "defaults: {rate_limit: 1/h}\n"}, nil},
		{"database name", map[string]string{"sinks": "sinks:\n  clickhouse: {addr: ['ch:9000'], database: a-b}\n"},
			[]string{`7:45: sinks.clickhouse.database: bad database name "a-b" (want letters, digits and _, not starting with a digit)`}},
		{"duration without a unit", map[string]string{"defaults": "defaults: {timeout: 5}\n"},
			[]string{`4:21: defaults.timeout: bad duration "5" (want a number with a unit: 500ms, 30s, 15m, 2h, 30d)`}},
		{"10 MB value", shop(", currency: " + huge),
			[]string{`5:76: shops[0].currency: bad currency "` + strings.Repeat("x", 60) + `"… (10485760 bytes) (want 3 upper-case letters, e.g. USD)`}},
		{"long key", map[string]string{"defaults": "defaults: {" + huge[:100] + ": 1}\n"},
			[]string{`4:12: defaults.` + strings.Repeat("x", 60) + `… (100 bytes): unknown key`}},

		// Item 12: YAML syntax errors point at their own line.
		{"tab on line 3", map[string]string{"name": "name: t\n\tfoo: 1\n"},
			[]string{"3:1: YAML syntax: found a tab character that violates indentation"}},
		{"tab inside a shop", map[string]string{"shops": "shops:\n  - name: a\n    platform: shoptima\n  \tbase_url: 'https://a.example'\n"},
			[]string{"7:3: YAML syntax: found a tab character that violates indentation"}},
		{"unclosed list", map[string]string{"name": "name: [t\n"},
			[]string{"2: YAML syntax: did not find expected ',' or ']'"}},
		{"unknown alias", map[string]string{"name": "name: *nope\n"},
			[]string{"2: YAML syntax: unknown anchor 'nope' referenced"}},
		{"stray list item", map[string]string{"state": "state: {backend: file, path: st}\n- x\n"},
			[]string{"4: YAML syntax: did not find expected key"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := specTestDoc(c.repl)
			_, err := Parse("t.yaml", []byte(doc), testPlatforms{"shoptima"})
			if c.want == nil {
				if err != nil {
					t.Fatalf("unexpected error:\n%v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error")
			}
			got := specTestProblems(t, err)
			want := make([]string, len(c.want))
			for i, w := range c.want {
				want[i] = "t.yaml:" + w
			}
			if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
				if len(g) > 2000 {
					g = g[:2000]
				}
				t.Errorf("problems\n got: %s\nwant: %s", g, w)
			}
			if msg := err.Error(); strings.Contains(msg, "LEAK") || strings.Contains(msg, "HIDDEN") || len(msg) > 1000 {
				t.Errorf("the error shows a secret or too much (%d bytes)", len(msg))
			}
		})
	}
}

// sinks.clickhouse.retries: max counts retries after the first attempt (0:
// none), and what is left out takes the sink's defaults, declared
// with its keys (clickhouse.Settings).
func TestSpecClickHouseRetries(t *testing.T) {
	base := "version: 1\nname: c\nstate: {backend: file, path: s}\n" +
		"shops: [{name: a, platform: shoptima, base_url: \"https://x.example\"}]\ntransform: {pii: keep}\n"
	for doc, want := range map[string]clickhouse.Retry{
		"sinks: {clickhouse: {addr: [\"h:9000\"]}}\n":                                                        clickhouse.DefaultRetry,
		"sinks: {clickhouse: {addr: [\"h:9000\"], retries: {max: 0}}}\n":                                     {MaxAttempts: 1, MinBackoff: 500 * time.Millisecond, MaxBackoff: 30 * time.Second, MaxElapsed: 2 * time.Minute},
		"sinks: {clickhouse: {addr: [\"h:9000\"], retries: {max: 3, min_backoff: 10ms, max_elapsed: 1m}}}\n": {MaxAttempts: 4, MinBackoff: 10 * time.Millisecond, MaxBackoff: 30 * time.Second, MaxElapsed: time.Minute},
	} {
		spec, err := Parse("c.yaml", []byte(base+doc), nil)
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if got := spec.Sinks.ClickHouse.Retry; got != want {
			t.Errorf("%s: retry %+v, want %+v", doc, got, want)
		}
	}
	_, err := Parse("c.yaml", []byte(base+"sinks: {clickhouse: {addr: [\"h:9000\"], retries: {min_backoff: 2s, max_backoff: 1s, tries: 3}}}\n"), nil)
	var se *SpecError
	if !errors.As(err, &se) {
		t.Fatalf("want *SpecError, got %v", err)
	}
	var got []string
	for _, p := range se.Problems {
		got = append(got, p.Msg)
	}
	if len(got) != 2 || !strings.Contains(strings.Join(got, "\n"), "retries.tries: unknown key") ||
		!strings.Contains(strings.Join(got, "\n"), "min_backoff 2s is greater than max_backoff 1s") {
		t.Errorf("problems %q", got)
	}
}
