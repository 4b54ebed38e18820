package clickhouse

// Convert is convert, for the benchmarks of package clickhouse_test, which
// may import the simulators (this package's own tests may not: they import
// it).
var Convert = convert

// NewTestSink is newTestSink, for the benchmarks of package clickhouse_test.
var NewTestSink = newTestSink
