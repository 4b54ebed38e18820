package clickhouse

import (
	"fmt"
	"net"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/shopetl/shopetl/secret"
	"github.com/shopetl/shopetl/setting"
)

// Settings are the keys of a job's sinks.clickhouse, each declared once
// (package setting): the job spec decodes them into a Config, and the
// README's reference lists them. Their defaults are the sink's own
// (DefaultRetry is read from them).
var Settings = []setting.Key[Config]{
	setting.Custom("addr", "host:port, or a list", "", "the native protocol's address(es)", decodeAddr).Require(),
	setting.Field("database", setting.Text("identifier", identifier("database")), "shop", "created if missing",
		func(c *Config) *string { return &c.Database }),
	setting.Store("username", setting.Text("text", nil), "default", "an empty value keeps the default",
		func(c *Config, s string) {
			if s != "" {
				c.Username = s
			}
		}),
	setting.SecretField("password", setting.SecretVar, "from the environment",
		func(c *Config) *secret.Value { return &c.Password }),
	setting.Field("tls", setting.Bool(), "false", "connect over TLS (the server's secure port, often 9440)",
		func(c *Config) *bool { return &c.TLS }),
	setting.Field("tls_ca_file", setting.Text("path", nil), "", "PEM roots to trust instead of the system's; relative to the job file",
		func(c *Config) *string { return &c.TLSCAFile }),
	setting.Field("tls_skip_verify", setting.Bool(), "false", "accept any server certificate (testing only)",
		func(c *Config) *bool { return &c.TLSSkipVerify }),
	setting.Store("dial_timeout", setting.PositiveDuration(), "10s", "per connection attempt",
		func(c *Config, d setting.Duration) { c.DialTimeout = d.Std() }),
	setting.Field("cluster", setting.Text("identifier", identifier("cluster")), "", "ON CLUSTER name: replicated local tables and Distributed tables over them",
		func(c *Config) *string { return &c.Cluster }),
	setting.Store("retries.max", setting.IntAtLeast(0), "9", "retries of a batch's insert after its first attempt, on transient errors",
		func(c *Config, n int) { c.Retry.MaxAttempts = n + 1 }),
	setting.Store("retries.min_backoff", setting.PositiveDuration(), "500ms", "first wait; each further doubles, ±50 % jitter",
		func(c *Config, d setting.Duration) { c.Retry.MinBackoff = d.Std() }),
	setting.Store("retries.max_backoff", setting.PositiveDuration(), "30s", "longest wait",
		func(c *Config, d setting.Duration) { c.Retry.MaxBackoff = d.Std() }),
	setting.Store("retries.max_elapsed", setting.PositiveDuration(), "2m", "time after which a batch's insert stops retrying",
		func(c *Config, d setting.Duration) { c.Retry.MaxElapsed = d.Std() }),
}

// identHelp says what a ClickHouse database or cluster name may be.
const identHelp = "want letters, digits and _, not starting with a digit"

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// identifier checks a name written into SQL unquoted.
func identifier(what string) func(string) error {
	return func(s string) error {
		if !identRE.MatchString(s) {
			return fmt.Errorf("bad %s name %s (%s)", what, setting.Quote(s), identHelp)
		}
		return nil
	}
}

// decodeAddr reads addr: one host:port, or a list of them.
func decodeAddr(d setting.Decoder, path string, n *yaml.Node, c *Config) bool {
	items, list := []*yaml.Node{n}, false
	if v := setting.Deref(n); v.Kind == yaml.SequenceNode {
		items, list = v.Content, true
		if len(items) == 0 {
			d.Problem(n, path, "must list at least one host:port")
		}
	}
	good := true
	for i, it := range items {
		ip := path
		if list {
			ip = fmt.Sprintf("%s[%d]", path, i)
		}
		s, ok := d.Text(ip, it)
		if !ok {
			good = false
			continue
		}
		host, port, err := net.SplitHostPort(s)
		if _, perr := strconv.Atoi(port); err != nil || perr != nil || host == "" {
			d.Problem(it, ip, "bad address %s (want host:port)", setting.Quote(s))
			good = false
			continue
		}
		c.Addr = append(c.Addr, s)
	}
	return good
}
