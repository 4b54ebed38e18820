// Package history records when shopetl first saw each state of an order
// and of a refund (order_history, refund_history), and from that dates
// refunds the platform does not date (refunds.refunded_at), without
// looking anything up: no earlier run is read, no local index is kept.
//
// The rule rides on the sinks' own dedup. Both keep, per table key, the
// row of the highest version (ClickHouse ReplacingMergeTree with FINAL;
// the Parquet reader the same way). An observation's key is its entity
// and a hash of its observed state, and its version is
// math.MaxUint64 minus the observation's time in nanoseconds (Version):
// of all the observations of one state, the earliest has the highest
// version and is the one kept. A rerun, an overlapping window or a
// backfill that sees the same state writes a row that loses; a changed
// state is a new key and a new row.
//
// A refund's refunded_at is the platform's own refund time where its
// document gives one (set by the transform), else the first observation
// of the refund's current status and amount (FillRefundedAt; in
// ClickHouse the refunds_latest view).
package history
