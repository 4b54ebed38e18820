package parquet

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// openSyncFS opens dir for syncfs(2) where syncfs reports write errors
// (Linux 5.8 and later; before, it returned success whatever happened),
// else it is nil and Commit fsyncs each file and directory. A write error
// is reported by the returned sync only if it happened after openSyncFS:
// the kernel samples the filesystem's error state when dir is opened, so
// Commit opens it before it writes any file.
var openSyncFS = func() func(dir string) (sync func() error, done func(), err error) {
	var u unix.Utsname
	if unix.Uname(&u) != nil || !kernelAtLeast(unix.ByteSliceToString(u.Release[:]), 5, 8) {
		return nil
	}
	return func(dir string) (func() error, func(), error) {
		d, err := os.Open(dir)
		if err != nil {
			return nil, nil, err
		}
		sync := func() error {
			if err := unix.Syncfs(int(d.Fd())); err != nil {
				return fmt.Errorf("syncfs %s: %w", dir, err)
			}
			return nil
		}
		return sync, func() { d.Close() }, nil
	}
}()

// kernelAtLeast says whether a release such as "6.1.0-13-amd64" is at
// least major.minor.
func kernelAtLeast(release string, major, minor int) bool {
	f := strings.FieldsFunc(release, func(r rune) bool { return r < '0' || r > '9' })
	if len(f) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(f[0])
	mi, err2 := strconv.Atoi(f[1])
	return err1 == nil && err2 == nil && (ma > major || ma == major && mi >= minor)
}
