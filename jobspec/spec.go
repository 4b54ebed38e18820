// Package jobspec reads and checks job specs (SPEC §3): the YAML a user
// writes, decoded into a Spec, every problem reported at file:line:col.
package jobspec

import (
	"path/filepath"

	"github.com/shopetl/shopetl/secret"
	"github.com/shopetl/shopetl/setting"
)

// Spec is a decoded and validated job spec (SPEC §3).
type Spec struct {
	Version   int           `yaml:"version"`
	Name      string        `yaml:"name"`
	State     StateSpec     `yaml:"state"`
	Defaults  ShopOptions   `yaml:"defaults"` // built-in defaults ← spec defaults
	Shops     []Shop        `yaml:"shops"`
	Transform TransformSpec `yaml:"transform"`
	Sinks     Sinks         `yaml:"sinks"`
	Path      string        `yaml:"-"` // file it came from (the name given to Parse)
}

// StateSpec says where watermarks are kept: backend "file" (with Path);
// "clickhouse" is refused until it is built (issue 20).
type StateSpec struct {
	Backend string `yaml:"backend"`
	Path    string `yaml:"path"`
}

// Shop is one shop to extract. Options is already merged:
// built-in defaults ← spec defaults ← this shop's keys.
type Shop struct {
	Name     string      `yaml:"name"`
	Platform string      `yaml:"platform"`
	BaseURL  string      `yaml:"base_url"`
	Auth     ShopAuth    `yaml:"auth"`
	Currency string      `yaml:"currency"` // ISO 4217, used when the platform does not say
	Options  ShopOptions `yaml:",inline"`

	overrides map[string]bool
}

// Overrides reports whether the shop itself set the option key (as written
// in YAML: "timeout", "retries.max", "start", ...), rather than inheriting it.
func (s Shop) Overrides(key string) bool { return s.overrides[key] }

// ShopAuth holds a shop's credentials; every field is a secret.Value.
type ShopAuth struct {
	Token    secret.Value            `yaml:"token"`
	Header   map[string]secret.Value `yaml:"header"`
	Username secret.Value            `yaml:"username"`
	Password secret.Value            `yaml:"password"`
}

// TransformSpec configures the canonical transform.
type TransformSpec struct {
	PII string `yaml:"pii"` // "hash" (default), "drop" or "keep"
	// PIIKey is the hash policy's HMAC key: pii_key from the environment
	// ("${VAR}"), else the variable SHOPETL_PII_KEY.
	PIIKey secret.Value `yaml:"pii_key"`
	// Statuses are free-form overrides of the status mapping tables:
	// platform → table → platform value → canonical value.
	Statuses map[string]map[string]map[string]string `yaml:"statuses"`
}

// Sinks lists the configured sinks; a nil pointer means not configured.
// At least one is always set after Load/Parse.
type Sinks struct {
	ClickHouse *ClickHouseSink `yaml:"clickhouse"`
	Parquet    *ParquetSink    `yaml:"parquet"`
}

// ClickHouseSink is the ClickHouse connection.
type ClickHouseSink struct {
	Addr        []string         `yaml:"addr"` // host:port
	Database    string           `yaml:"database"`
	Username    string           `yaml:"username"`
	Password    secret.Value     `yaml:"password"`
	TLS         bool             `yaml:"tls"`
	TLSCAFile   string           `yaml:"tls_ca_file"`     // PEM roots to trust instead of the system's; relative to the job file
	TLSNoVerify bool             `yaml:"tls_skip_verify"` // accept any server certificate (testing only)
	DialTimeout setting.Duration `yaml:"dial_timeout"`
	Cluster     string           `yaml:"cluster"` // ON CLUSTER name: replicated local + Distributed tables
	// Retries of a batch's insert on transient errors; zero fields take
	// the sink's defaults (9 retries, 500ms to 30s, 2m per batch).
	Retries SinkRetries `yaml:"retries"`
}

// SinkRetries bounds the retries of one batch's insert. Max counts retries
// after the first attempt, as a shop's retries.max does.
type SinkRetries struct {
	Max        int              `yaml:"max"`
	MinBackoff setting.Duration `yaml:"min_backoff"`
	MaxBackoff setting.Duration `yaml:"max_backoff"`
	MaxElapsed setting.Duration `yaml:"max_elapsed"`
	MaxSet     bool             `yaml:"-"` // max was given (0 is "no retry", not "default")
}

// ParquetSink writes Parquet files under Dir.
type ParquetSink struct {
	Dir         string `yaml:"dir"`
	Compression string `yaml:"compression"` // zstd (default), snappy, gzip, none
}

// PIIKeyEnv is the environment variable the PII hash key is read from when
// the job's transform has no pii_key.
const PIIKeyEnv = "SHOPETL_PII_KEY"

// ShopsAtOnce is how many of n shops a run of s runs at once: max_shops,
// at least one, and never more than there are.
func (s *Spec) ShopsAtOnce(n int) int {
	return min(max(s.Defaults.MaxShops, 1), n)
}

// FindShop returns the shop with the given name.
func (s *Spec) FindShop(name string) (Shop, bool) {
	for _, sh := range s.Shops {
		if sh.Name == name {
			return sh, true
		}
	}
	return Shop{}, false
}

// ResolvePath makes a relative path from the spec (state.path,
// sinks.parquet.dir) relative to the directory of the spec file.
func (s *Spec) ResolvePath(p string) string {
	if p == "" || filepath.IsAbs(p) || s.Path == "" {
		return p
	}
	return filepath.Join(filepath.Dir(s.Path), p)
}
