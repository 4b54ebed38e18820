//go:build !linux

package parquet

import "os"

// createNew creates path, which must not exist, for writing.
func createNew(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
}
