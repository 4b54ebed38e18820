package jobspec

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/shopetl/shopetl/setting"
	"gopkg.in/yaml.v3"
)

// specIdentHelp says what a ClickHouse database or cluster name may be.
const specIdentHelp = "want letters, digits and _, not starting with a digit"

func (d *specDecoder) sinks(path string, n *yaml.Node, out *Sinks, b specBuiltins) {
	seen, ok := d.fields(path, n, map[string]specFieldFn{
		"clickhouse": func(p string, v *yaml.Node) {
			ch := b.clickhouse
			seen, ok := d.fields(p, v, map[string]specFieldFn{
				"addr": func(p string, v *yaml.Node) {
					items := []*yaml.Node{v}
					if specDeref(v).Kind == yaml.SequenceNode {
						items = specDeref(v).Content
						if len(items) == 0 {
							d.add(v, p, "must list at least one host:port")
						}
					}
					for i, it := range items {
						ip := p
						if specDeref(v).Kind == yaml.SequenceNode {
							ip = fmt.Sprintf("%s[%d]", p, i)
						}
						s, ok := d.str(ip, it)
						if !ok {
							continue
						}
						host, port, err := net.SplitHostPort(s)
						if _, perr := strconv.Atoi(port); err != nil || perr != nil || host == "" {
							d.add(it, ip, "bad address %s (want host:port)", setting.Quote(s))
							continue
						}
						ch.Addr = append(ch.Addr, s)
					}
				},
				"database": func(p string, v *yaml.Node) {
					if s, ok := d.str(p, v); ok {
						if !specIdentRE.MatchString(s) {
							d.add(v, p, "bad database name %s (%s)", setting.Quote(s), specIdentHelp)
							return
						}
						ch.Database = s
					}
				},
				"username": func(p string, v *yaml.Node) {
					if s, ok := d.str(p, v); ok && s != "" {
						ch.Username = s
					}
				},
				"password":        func(p string, v *yaml.Node) { ch.Password, _ = d.secret(p, v, specSecretVar) },
				"tls":             func(p string, v *yaml.Node) { ch.TLS, _ = d.boolean(p, v) },
				"tls_ca_file":     func(p string, v *yaml.Node) { ch.TLSCAFile, _ = d.str(p, v) },
				"tls_skip_verify": func(p string, v *yaml.Node) { ch.TLSNoVerify, _ = d.boolean(p, v) },
				"dial_timeout":    func(p string, v *yaml.Node) { ch.DialTimeout, _ = d.duration(p, v, true) },
				"retries": func(p string, v *yaml.Node) {
					d.fields(p, v, map[string]specFieldFn{
						"max": func(p string, v *yaml.Node) {
							if n, ok := d.integer(p, v, 0); ok {
								ch.Retries.Max, ch.Retries.MaxSet = n, true
							}
						},
						"min_backoff": func(p string, v *yaml.Node) { ch.Retries.MinBackoff, _ = d.duration(p, v, true) },
						"max_backoff": func(p string, v *yaml.Node) { ch.Retries.MaxBackoff, _ = d.duration(p, v, true) },
						"max_elapsed": func(p string, v *yaml.Node) { ch.Retries.MaxElapsed, _ = d.duration(p, v, true) },
					})
					if r := ch.Retries; r.MinBackoff > 0 && r.MaxBackoff > 0 && r.MinBackoff > r.MaxBackoff {
						d.add(specDeref(v), specJoin(p, "min_backoff"), "min_backoff %s is greater than max_backoff %s", r.MinBackoff, r.MaxBackoff)
					}
				},
				"cluster": func(p string, v *yaml.Node) {
					if s, ok := d.str(p, v); ok {
						if !specIdentRE.MatchString(s) {
							d.add(v, p, "bad cluster name %s (%s)", setting.Quote(s), specIdentHelp)
							return
						}
						ch.Cluster = s
					}
				},
			})
			if ok && !seen["addr"] {
				d.add(specDeref(v), specJoin(p, "addr"), "is required")
			}
			if ok && (ch.TLSCAFile != "" || ch.TLSNoVerify) && !ch.TLS {
				d.add(specDeref(v), specJoin(p, "tls"), "must be true with tls_ca_file or tls_skip_verify")
			}
			out.ClickHouse = &ch
		},
		"parquet": func(p string, v *yaml.Node) {
			pq := b.parquet
			seen, ok := d.fields(p, v, map[string]specFieldFn{
				"dir": func(p string, v *yaml.Node) {
					if s, ok := d.str(p, v); ok {
						if strings.TrimSpace(s) == "" {
							d.add(v, p, "must not be empty")
						}
						pq.Dir = s
					}
				},
				"compression": func(p string, v *yaml.Node) {
					if s, ok := d.enum(p, v, "zstd", "snappy", "gzip", "none"); ok {
						pq.Compression = s
					}
				},
			})
			if ok && !seen["dir"] {
				d.add(specDeref(v), specJoin(p, "dir"), "is required")
			}
			out.Parquet = &pq
		},
	})
	if ok && !seen["clickhouse"] && !seen["parquet"] {
		d.add(specDeref(n), path, "at least one sink (clickhouse or parquet) is required")
	}
}
