//go:build !linux

package parquet

// syncFS is nil where syncfs(2) does not exist: Commit fsyncs each file
// and directory.
var syncFS func(dir string) error
