package jobspec

import (
	"gopkg.in/yaml.v3"

	"github.com/shopetl/shopetl/load/clickhouse"
	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/setting"
)

// sinks decodes sinks: each sink's keys are declared in its package
// (clickhouse.Settings, parquet.Settings); what ties keys together is
// checked here.
func (d *specDecoder) sinks(path string, n *yaml.Node, out *Sinks) {
	seen, ok := d.fields(path, n, map[string]specFieldFn{
		"clickhouse": func(p string, v *yaml.Node) {
			ch := setting.Defaults(clickhouse.Settings)
			set := map[string]*yaml.Node{}
			seen, ok := section(d, p, v, clickhouse.Settings, &ch, "", set, nil)
			if r := ch.Retry; set["retries.min_backoff"] != nil && set["retries.max_backoff"] != nil && r.MinBackoff > r.MaxBackoff {
				d.add(specDeref(seen["retries"]), specJoin(p, "retries.min_backoff"), "min_backoff %s is greater than max_backoff %s",
					setting.Duration(r.MinBackoff), setting.Duration(r.MaxBackoff))
			}
			if ok && (ch.TLSCAFile != "" || ch.TLSSkipVerify) && !ch.TLS {
				d.add(specDeref(v), specJoin(p, "tls"), "must be true with tls_ca_file or tls_skip_verify")
			}
			out.ClickHouse = &ch
		},
		"parquet": func(p string, v *yaml.Node) {
			pq := setting.Defaults(parquet.Settings)
			section(d, p, v, parquet.Settings, &pq, "", nil, nil)
			out.Parquet = &pq
		},
	})
	if ok && seen["clickhouse"] == nil && seen["parquet"] == nil {
		d.add(specDeref(n), path, "at least one sink (clickhouse or parquet) is required")
	}
}
