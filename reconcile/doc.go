// Package reconcile is `shopetl reconcile` (SPEC §6): what finance books
// from the loaded data. It reads the current rows of orders, refunds and
// payments (ClickHouse FINAL, or the Parquet files deduplicated by key on
// the highest version), and builds a Report: totals per shop, currency and
// day in the shop's timezone, refunds by the day of refunded_at, and every
// order that does not add up, one Exception each, of the seven kinds.
//
// A Report is built by one function from the rows whichever store they
// came from, and printed as a table, CSV, JSON (a contract other tools
// read) or a self-contained HTML page, so that both stores give
// byte-identical output for the same data.
package reconcile
