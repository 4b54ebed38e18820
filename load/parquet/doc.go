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
// directory (.part-<run_id>-<n>.parquet.tmp). Only Commit(shop) renames a
// shop's files to their final names, after all of them are durable, so a
// file that is visible is complete. Durable means: on Linux 5.8 and later,
// one syncfs(2) of Dir's filesystem after the shop's files are written and
// before any is renamed, and one after the renames (which makes the new
// names and directories durable); syncfs reports a write error of any file
// of that filesystem since Commit began writing (Dir is opened for it
// first), and Commit then fails and removes what it did not rename. Elsewhere each file is fsynced before
// its rename, then each directory of a rename and its parents up to Dir.
// Either way Commit writes the manifest only after that, and returns only
// after the manifest is durable. Close aborts whatever was not committed:
// its temporary files are removed. Readers ignore every name that does not
// match part-*.parquet.
//
// # Manifests
//
// The last step of Commit(shop) writes the shop's manifest for the run:
//
//	<dir>/_manifests/run=<run_id>/shop=<shop>.json
//
// a JSON object (see Manifest) with format, run_id, shop, committed_at and
// files, each file with its table, partition (platform=…/shop=…/date=…),
// file name, path relative to dir, rows and bytes. It lists every file the
// shop's commits published in that run, and is written like the data
// files: a temporary name, fsync, rename, fsync of the directories. So a
// manifest is whole or absent, and it never lists a file that was not
// there (Compact may remove one later, see Compaction). Run ids sort by time, so _manifests/run=*/shop=<s>.json globs a
// shop's history in order; the leading underscore keeps Hive-style dataset
// readers (Spark, DuckDB, Arrow) from taking the manifests for data.
//
// A shop whose data commit did not happen has no data files in its
// manifest: a failed run's manifest lists only its etl_runs file, written
// after the failure was recorded (the pipeline aborts the shop first). Files
// without a manifest are what a crash (or a commit that failed between
// its renames and its manifest) left behind. They are complete, safe to
// read Parquet files, since every file is published by rename, and their
// rows are ordinary versions of their keys (every sink was given the same
// batches). A reader of current rows (highest version per key) should read
// them like any other file: keeping them is harmless, and the shop's
// watermark did not move, so its next run reads the window again and
// writes those rows anew under higher versions. The manifest is the audit
// trail of what each committed run delivered, not a filter for readers; an
// auditor who wants only recorded deliveries reads just the files the
// manifests list.
//
// Memory and file handles are bounded: Write copies each partition's rows
// into memory, under one budget for the whole sink (Config.BufferBytes);
// beyond it the largest shop and table's rows are spilled, as one hidden
// Arrow IPC file sorted by partition (<dir>/.spill-<run_id>-<n>.arrow,
// spill.go), until their shop commits (buffer.go). Commit writes each
// partition as one file, from its rows in the spill files, one chunk of
// each at a time, then its buffered rows (coalesce.go), one writer at a
// time, so a shop's commit publishes at most one file per partition.
// Commit, Abort and Close remove the spill files. A writer buffers at most
// one row group; a file of at most 1,000 rows has no dictionary pages.
//
// # Compaction
//
// Every run still adds a file to each partition it touches. Compact
// rewrites a partition's part files into one, part-<id>-<n>.parquet, with
// each key's row of the highest version, publishes it, and only then
// removes the files it read: readers see each key once at every moment (a
// reader whose listed file vanished lists again), a crash leaves files that
// dedup to the same rows, and files a run publishes meanwhile are not
// touched. Manifests are not rewritten: they record what each run
// delivered, and a file they list may since have been compacted away.
//
// Row groups end at Config.RowGroupRows rows (128k) or at
// Config.RowGroupBytes (64 MiB) of estimated uncompressed data, whichever
// comes first, so that readers can decode one at a time: rows alone would
// not do for etl_quarantine, whose rows carry raw payloads (rowgroup.go
// says how the estimate is made and why pqarrow's own counters are not
// used). Files are zstd-compressed by default.
//
// Money columns are Decimal(18,4) and stored as the Parquet DECIMAL logical
// type; the Arrow schema is stored in the file metadata so that timestamps
// and decimals read back with their Arrow types.
package parquet
