// Package table declares shopetl's output tables once (SPEC §4): their
// columns, keys and version column, and builds Arrow record batches of
// canonical rows. Both sinks read these declarations and batches, so
// ClickHouse and Parquet always agree on names, types and values.
package table
