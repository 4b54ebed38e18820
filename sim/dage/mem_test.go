package dage

import (
	"runtime"
	"testing"
	"time"
)

// TestMemFootprint keeps 100,000 orders comfortably small (about 26 MiB
// today), and their generation quick. It is not parallel, so nothing else
// allocates while it measures.
func TestMemFootprint(t *testing.T) {
	if testing.Short() {
		t.Skip("100k orders")
	}
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	start := time.Now()
	s, err := NewStore(Options{Orders: 100_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&b)
	mib := (float64(b.HeapAlloc) - float64(a.HeapAlloc)) / (1 << 20)
	t.Logf("100k orders: %.1f MiB, generated in %v", mib, took)
	if mib > 150 {
		t.Fatalf("100k orders take %.1f MiB", mib)
	}
	runtime.KeepAlive(s)
}
