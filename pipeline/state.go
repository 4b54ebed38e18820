package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// ErrLocked means another run of the same job holds a shop.
var ErrLocked = errors.New("another run of this job holds the shop's lock")

// ShopState is what is kept per shop between runs.
type ShopState struct {
	Watermark time.Time `json:"watermark"` // every order up to here is loaded
	RunID     string    `json:"run_id"`
	Committed time.Time `json:"committed"`
}

// FileState keeps one JSON file and one lock file per shop under
// <dir>/<job>/.
type FileState struct {
	dir string
}

// NewFileState opens (creating) the state folder of a job, for a run or a
// reset, which write to it.
func NewFileState(dir, job string) (*FileState, error) {
	d := filepath.Join(dir, job)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	return &FileState{dir: d}, nil
}

// ReadFileState is the state folder of a job for reading (Load): it creates
// nothing, and a folder that does not exist holds no state.
func ReadFileState(dir, job string) *FileState {
	return &FileState{dir: filepath.Join(dir, job)}
}

func (s *FileState) path(shop, ext string) string { return filepath.Join(s.dir, shop+ext) }

// Lock takes the shop's lock without waiting; a second run of the same job
// and shop gets ErrLocked. The lock is an OS file lock, so a killed run
// releases it with its process.
func (s *FileState) Lock(shop string) (unlock func(), err error) {
	l := flock.New(s.path(shop, ".lock"))
	ok, err := l.TryLock()
	if err != nil {
		return nil, fmt.Errorf("state: lock shop %s: %w", shop, err)
	}
	if !ok {
		return nil, fmt.Errorf("shop %s: %w", shop, ErrLocked)
	}
	return func() { _ = l.Unlock() }, nil
}

// Load returns the shop's state; ok is false before its first commit.
func (s *FileState) Load(shop string) (st ShopState, ok bool, err error) {
	b, err := os.ReadFile(s.path(shop, ".json"))
	if errors.Is(err, os.ErrNotExist) {
		return ShopState{}, false, nil
	}
	if err != nil {
		return ShopState{}, false, fmt.Errorf("state: shop %s: %w", shop, err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return ShopState{}, false, fmt.Errorf("state: shop %s: %s: %w", shop, s.path(shop, ".json"), err)
	}
	return st, true, nil
}

// Save replaces the shop's state atomically (temp file, fsync, rename), so
// a crash leaves the old state or the new one, never half of either.
func (s *FileState) Save(shop string, st ShopState) error {
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
func (s *FileState) Reset(shop string) error {
	err := os.Remove(s.path(shop, ".json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
