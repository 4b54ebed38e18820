package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
)

// File keeps one JSON file and one lock file per shop under <dir>/<job>/.
type File struct {
	dir string
}

// NewFile opens (creating) the state folder of a job, for a run or a
// reset, which write to it.
func NewFile(dir, job string) (*File, error) {
	d := filepath.Join(dir, job)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	return &File{dir: d}, nil
}

// ReadFile is the state folder of a job for reading (Load): it creates
// nothing, and a folder that does not exist holds no state.
func ReadFile(dir, job string) *File {
	return &File{dir: filepath.Join(dir, job)}
}

func (s *File) path(shop, ext string) string { return filepath.Join(s.dir, shop+ext) }

// Lock takes the shop's lock without waiting; a second run of the same job
// and shop gets ErrLocked. The lock is an OS file lock, so a killed run
// releases it with its process.
func (s *File) Lock(_ context.Context, shop string) (Lease, error) {
	l := flock.New(s.path(shop, ".lock"))
	ok, err := l.TryLock()
	if err != nil {
		return nil, fmt.Errorf("state: lock shop %s: %w", shop, err)
	}
	if !ok {
		return nil, fmt.Errorf("shop %s: %w (its lock file %s)", shop, ErrLocked, l.Path())
	}
	return fileLock{l}, nil
}

// fileLock is an OS file lock: held until released or the process ends.
type fileLock struct{ l *flock.Flock }

func (fileLock) Lost() <-chan struct{}       { return nil }
func (fileLock) Check(context.Context) error { return nil }
func (f fileLock) Release()                  { _ = f.l.Unlock() }

// Load returns the shop's state; ok is false before its first commit.
func (s *File) Load(_ context.Context, shop string) (st Shop, ok bool, err error) {
	b, err := os.ReadFile(s.path(shop, ".json"))
	if errors.Is(err, os.ErrNotExist) {
		return Shop{}, false, nil
	}
	if err != nil {
		return Shop{}, false, fmt.Errorf("state: shop %s: %w", shop, err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return Shop{}, false, fmt.Errorf("state: shop %s: %s: %w", shop, s.path(shop, ".json"), err)
	}
	return st, true, nil
}

// Save replaces the shop's state atomically (temp file, fsync, rename), so
// a crash leaves the old state or the new one, never half of either.
func (s *File) Save(_ context.Context, shop string, st Shop) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	final := s.path(shop, ".json")
	tmp, err := os.CreateTemp(s.dir, "."+shop+".*.tmp")
	if err != nil {
		return fmt.Errorf("state: shop %s: %w", shop, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("state: shop %s: %w", shop, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("state: shop %s: %w", shop, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("state: shop %s: %w", shop, err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("state: shop %s: %w", shop, err)
	}
	return nil
}

// Reset forgets the shop's watermark; its next run starts from `start`.
func (s *File) Reset(_ context.Context, shop string) error {
	err := os.Remove(s.path(shop, ".json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
