package parquet

import (
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// createNew creates path, which must not exist, for writing. os.OpenFile
// would also try to add the file to the runtime's poller, which refuses
// regular files: three system calls more (fcntl, epoll_ctl, fcntl) for
// each of the tens of thousands of daily files of a backfill. A file from
// os.NewFile of a blocking descriptor is never offered to the poller.
func createNew(path string) (*os.File, error) {
	for {
		fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}
