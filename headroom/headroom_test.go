package headroom

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

// runway is the goal less the live heap, as Heap reads them.
func runway() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() - s[1].Value.Uint64()
}

// lendAll lends step by step until h refuses, and returns what it lent
// and the runway it was lent from.
func lendAll(t *testing.T, h *heap, step int) (int, uint64) {
	runtime.GC()
	r := runway()
	lent := 0
	for lent < 1<<30 && h.Lend(step) {
		lent += step
	}
	if uint64(lent) > r/runwayShare+uint64(step) {
		t.Fatalf("lent %d bytes of a runway of %d, want at most an eighth", lent, r)
	}
	if h.lent != lent {
		t.Fatalf("lent %d, counted %d", lent, h.lent)
	}
	h.Return(lent)
	return lent, r
}

// With GOGC setting the goal Heap lends what is asked. When the soft
// memory limit sets it, a large live heap has a short runway, and Heap
// lends an eighth of it at most, all loans together, and lends again
// what is given back.
func TestHeapLendsAnEighthOfTheRunway(t *testing.T) {
	const step = 4 << 10
	h := &heap{}
	runtime.GC()
	free := 0
	for free < 64<<20 && h.Lend(step) {
		free += step
	}
	h.Return(free)
	if free < 64<<20 {
		t.Fatalf("lent %d bytes with GOGC setting the goal (runway %d), want all that was asked", free, runway())
	}

	live := make([]byte, 64<<20)
	for i := range live {
		live[i] = 1
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(72 << 20))
	tight, r := lendAll(t, h, step)
	if tight == 0 || tight > 1<<20 {
		t.Errorf("lent %d bytes with %d MB live under a 72 MiB limit (runway %d), want some and at most an eighth", tight, len(live)>>20, r)
	}
	if again, _ := lendAll(t, h, step); again == 0 {
		t.Error("nothing lent again after every loan came back")
	}
	runtime.KeepAlive(live)
}
