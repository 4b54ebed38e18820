package main

import (
	"os"
	"runtime/debug"
)

// defaultMemoryLimit is the Go runtime's soft limit unless GOMEMLIMIT is set.
// A backfill's live heap is a few tens of MB (bounded pages and batches);
// without a limit the collector lets garbage grow to twice the heap between
// cycles, and a long run's RSS drifts upwards.
const defaultMemoryLimit = 100 << 20

// shopMemory is what each shop running at once beyond the first adds to
// the soft limit for `run`: its share of the pending batches, its pages in
// flight and its builders. Sixteen shops under one shop's limit kept the
// collector running all the time.
const shopMemory = 8 << 20

// setRunMemoryLimit sets the soft limit for shops shops running at once,
// unless GOMEMLIMIT is set.
func setRunMemoryLimit(shops int) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit + int64(max(shops-1, 0))*shopMemory)
	}
}
