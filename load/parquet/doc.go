// Package parquet is shopetl's Parquet sink: it writes the tables declared in
// package table as Hive-partitioned Parquet files, and reads them back for
// tests and reconciliation.
//
// Layout (SPEC §4):
//
//	<dir>/<table>/platform=<p>/shop=<s>/date=<YYYY-MM-DD>/part-<run_id>-<n>.parquet
//
// date is the UTC date of the table's PartitionTime column (created_at);
// platform and shop come from the rows themselves. n is a counter of the
// sink, so names never collide within a run, and runs never collide because
// run ids differ.
//
// Every file is written under a hidden temporary name in its final
// directory (.part-<run_id>-<n>.parquet.tmp). Only Commit(shop) fsyncs and
// renames a shop's files to their final names, so a file that is visible is
// complete and belongs to a committed shop. Close aborts whatever was not
// committed: its temporary files are removed. Readers ignore every name that
// does not match part-*.parquet.
//
// Memory and file handles are bounded: at most Config.MaxOpenFiles
// partitions have an open writer; when another is needed, the least recently
// used writer is finished (its file stays under the temporary name until its
// shop commits) and the partition gets a new part file if it sees more rows.
// Each open writer buffers at most one row group (Config.RowGroupRows rows).
//
// Money columns are Decimal(18,4) and stored as the Parquet DECIMAL logical
// type; the Arrow schema is stored in the file metadata so that timestamps
// and decimals read back with their Arrow types.
package parquet
