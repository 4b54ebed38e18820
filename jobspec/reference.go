package jobspec

import (
	"github.com/shopetl/shopetl/load/clickhouse"
	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/setting"
)

// Reference is the job spec's reference in Markdown, every key from its
// declaration: the README's "Job spec reference" section is this text
// (TestREADMEReference).
func Reference() string {
	return setting.Reference([]setting.Section{
		{Path: "(top)", Doc: "the job itself; `state`, `defaults`, `shops`, `transform` and `sinks` follow", Keys: setting.Describe(TopKeys)},
		{Path: "state", Doc: "where watermarks are kept", Keys: setting.Describe(StateKeys)},
		{Path: "defaults, shops[]", Doc: "a shop's options: `defaults` sets them for every shop, and any shop may override any of them", Keys: setting.Describe(ShopKeys)},
		{Path: "shops[]", Doc: "one shop each, beside its options", Keys: setting.Describe(ShopOwnKeys)},
		{Path: "transform", Doc: "the canonical transform", Keys: setting.Describe(TransformKeys)},
		{Path: "sinks.clickhouse", Doc: "the ClickHouse sink (at least one sink is required)", Keys: setting.Describe(clickhouse.Settings)},
		{Path: "sinks.parquet", Doc: "the Parquet sink", Keys: setting.Describe(parquet.Settings)},
	})
}
