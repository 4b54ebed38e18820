package parquet

import "github.com/shopetl/shopetl/setting"

// Settings are the keys of a job's sinks.parquet, each declared once
// (package setting): the job spec decodes them into a Config, and the
// README's reference lists them.
var Settings = []setting.Key[Config]{
	setting.Field("dir", setting.Text("path", setting.NotBlank), "", "root of the files: `<dir>/<table>/platform=<p>/shop=<s>/date=<day>/`; relative to the job file",
		func(c *Config) *string { return &c.Dir }).Require(),
	setting.Field("compression", setting.OneOf("zstd", "snappy", "gzip", "none"), "zstd", "of every file written",
		func(c *Config) *string { return &c.Compression }),
}
