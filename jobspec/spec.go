// Package jobspec reads and checks job specs (SPEC §3): the YAML a user
// writes, decoded into a Spec, every problem reported at file:line:col.
package jobspec

import (
	"path/filepath"
	"time"

	"github.com/shopetl/shopetl/load/clickhouse"
	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/secret"
)

// Spec is a decoded and validated job spec (SPEC §3).
type Spec struct {
	Version   int
	Name      string
	State     StateSpec
	Defaults  ShopOptions // built-in defaults ← spec defaults
	Shops     []Shop
	Transform TransformSpec
	Sinks     Sinks
	Path      string // file it came from (the name given to Parse)
}

// StateSpec says where watermarks are kept: backend "file" (with Path), or
// "clickhouse" (in sinks.clickhouse's database, shops leased for Lease).
type StateSpec struct {
	Backend string
	Path    string
	Lease   time.Duration
}

// Shop is one shop to extract. Options is already merged:
// built-in defaults ← spec defaults ← this shop's keys.
type Shop struct {
	Name     string
	Platform string
	BaseURL  string
	Auth     ShopAuth
	Currency string // ISO 4217, used when the platform does not say
	// AllowHTTP lets base_url be plain http:// to a host that is not
	// loopback, where the credentials travel in clear.
	AllowHTTP bool
	Options   ShopOptions

	overrides map[string]bool
}

// Overrides reports whether the shop itself set the option key (as written
// in YAML: "timeout", "retries.max", "start", ...), rather than inheriting it.
func (s Shop) Overrides(key string) bool { return s.overrides[key] }

// ShopAuth holds a shop's credentials; every field is a secret.Value.
type ShopAuth struct {
	Token    secret.Value
	Header   map[string]secret.Value
	Username secret.Value
	Password secret.Value
}

// TransformSpec configures the canonical transform.
type TransformSpec struct {
	PII string // "hash" (default), "drop" or "keep"
	// PIIKey is the hash policy's HMAC key: pii_key from the environment
	// ("${VAR}"), else the variable SHOPETL_PII_KEY.
	PIIKey secret.Value
	// Statuses are free-form overrides of the status mapping tables:
	// platform → table → platform value → canonical value.
	Statuses map[string]map[string]map[string]string
}

// Sinks lists the configured sinks; a nil pointer means not configured.
// At least one is always set after Load/Parse.
type Sinks struct {
	ClickHouse *clickhouse.Config // as written: Logger, pooling and streaming are the runner's
	Parquet    *parquet.Config
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
