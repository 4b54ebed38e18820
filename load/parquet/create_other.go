//go:build !linux

package parquet

import "os"

// createNew creates path, which must not exist, for writing.
func createNew(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
}

// rename gives a finished file its final name.
func rename(from, to string) error { return os.Rename(from, to) }
