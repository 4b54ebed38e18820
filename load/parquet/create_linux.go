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

// rename gives a finished file its final name. os.Rename first lstats the
// new name, to refuse a directory there; rename(2) refuses it too
// (EISDIR), so that is one system call less for each file of a backfill.
func rename(from, to string) error {
	for {
		err := unix.Rename(from, to)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
		}
		return nil
	}
}
