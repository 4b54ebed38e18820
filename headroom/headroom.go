// Package headroom decides how much freed memory the pipeline's pools may
// keep for reuse (table's Arrow buffers, extract's page bodies): what the
// heap can spare, all pools together.
//
// Under the soft memory limit the collector runs whenever the heap grows
// by its runway, the goal less the live heap, and a buffer kept in a free
// list is live heap. On the 1,000,000-order run of issue 18 into both
// sinks the Parquet buffer leaves a runway of a few MB; 8 MiB kept by
// table's free lists made the collector run 2,600 to 4,000 times instead
// of about 1,100, and the run took 45-52 CPU s; with Heap lending, 37-42
// (alternated; README, "The pools keep only what the heap can spare").
// On a small heap the same buffers are worth keeping: they spare a batch
// the allocation and zeroing of its buffers.
package headroom

import (
	"runtime/metrics"
	"sync"
)

// A Lender lends pools the bytes they may keep.
type Lender interface {
	// Lend reserves n bytes for a buffer a pool keeps, and reports whether
	// it may: when not, the pool lets the buffer go.
	Lend(n int) bool
	// Return gives back n bytes lent: a kept buffer left its pool.
	Return(n int)
}

// Heap lends a share of the heap's runway when the soft memory limit sets
// the collector's goal: all that pools keep stays within a runwayShare-th
// of the goal of the current collection cycle less the live heap the last
// one found, as the runtime reports them (runtime/metrics, about 400 ns a
// reading here). When GOGC sets the goal (a heap well under the limit) it
// lends whatever is asked, within the pools' own bounds: the goal grows
// with what is kept, and the collector runs no more often for it.
var Heap Lender = &heap{}

// Pools keep at most a runwayShare-th of the runway (see Lend).
const runwayShare = 8

type heap struct {
	mu      sync.Mutex
	lent    int
	samples [3]metrics.Sample
}

// Lend keeps lent within a runwayShare-th of the runway. Since what is
// kept is itself live heap, pools keeping K bytes shorten a runway R0
// to R0-K, and K <= (R0-K)/8 bounds K to R0/9: the collector runs at
// most 9/8 as often as with nothing kept.
func (h *heap) Lend(n int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.samples[0].Name == "" {
		h.samples[0].Name, h.samples[1].Name, h.samples[2].Name = "/gc/heap/goal:bytes", "/gc/heap/live:bytes", "/gc/gogc:percent"
	}
	metrics.Read(h.samples[:])
	goal, live, gogc := h.samples[0].Value.Uint64(), h.samples[1].Value.Uint64(), h.samples[2].Value.Uint64()
	// GOGC's goal, were there no limit; a sixteenth spare for what the
	// runtime counts beside the heap (stacks, globals).
	byGOGC := live + live*gogc/100
	limited := gogc == 0 || goal < byGOGC-byGOGC/16
	if limited && (goal <= live || uint64(h.lent+n) > (goal-live)/runwayShare) {
		return false
	}
	h.lent += n
	return true
}

func (h *heap) Return(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lent -= n
}

// Unlimited lends whatever is asked: for tests of a pool's own bounds.
var Unlimited Lender = unlimited{}

type unlimited struct{}

func (unlimited) Lend(int) bool { return true }
func (unlimited) Return(int)    {}
