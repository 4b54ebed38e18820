package ymcart

import (
	"runtime"
	"testing"
)

// TestMemFootprint keeps 100,000 orders, with their payments, deliveries and
// indexes, comfortably small. It is not parallel, so nothing else allocates
// while it measures.
func TestMemFootprint(t *testing.T) {
	if testing.Short() {
		t.Skip("100k orders")
	}
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	s, err := NewStore(Options{Orders: 100_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&b)
	mib := (float64(b.HeapAlloc) - float64(a.HeapAlloc)) / (1 << 20)
	t.Logf("100k orders: %.1f MiB", mib)
	if mib > 150 {
		t.Fatalf("100k orders take %.1f MiB", mib)
	}
	runtime.KeepAlive(s)
}
