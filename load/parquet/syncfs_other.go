//go:build !linux

package parquet

// openSyncFS is nil where syncfs(2) does not exist: Commit fsyncs each
// file and directory.
var openSyncFS func(dir string) (sync func() error, done func(), err error)
