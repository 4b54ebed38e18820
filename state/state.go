// Package state is what a job keeps between runs: each shop's watermark,
// and which run holds the shop now. Two stores keep it: File (a folder of
// JSON files and OS locks) and ClickHouse's (load/clickhouse), which keeps
// no local state and leases shops with an expiry.
package state

import (
	"context"
	"errors"
	"time"
)

// ErrLocked means another run of the same job holds the shop: its lock
// (file) or its lease (clickhouse). The shop is skipped, not failed.
var ErrLocked = errors.New("another run of this job holds the shop")

// ErrLeaseLost means a run's lease on a shop expired or was taken while it
// ran: the shop stops without moving its watermark.
var ErrLeaseLost = errors.New("lease on the shop lost")

// Shop is what is kept per shop between runs.
type Shop struct {
	Watermark time.Time `json:"watermark"` // every order up to here is loaded
	RunID     string    `json:"run_id"`
	Committed time.Time `json:"committed"`
}

// Store keeps a job's shops' state.
type Store interface {
	// Lock takes the shop for this run without waiting: ErrLocked (wrapped)
	// when another run holds it.
	Lock(ctx context.Context, shop string) (Lease, error)
	// Load returns the shop's state; ok is false before its first commit
	// and after a Reset.
	Load(ctx context.Context, shop string) (st Shop, ok bool, err error)
	// Save records the shop's state; the caller holds its lease.
	Save(ctx context.Context, shop string, st Shop) error
	// Reset forgets the shop's watermark; its next run starts from start.
	Reset(ctx context.Context, shop string) error
}

// Lease is a run's hold on one shop.
type Lease interface {
	// Lost is closed when the lease is lost (never, for a file lock).
	Lost() <-chan struct{}
	// Check returns nil while the lease is held, ErrLeaseLost (wrapped)
	// once it is not; a run checks before it saves.
	Check(ctx context.Context) error
	// Release gives the shop back.
	Release()
}
