package main

import (
	"runtime/debug"
	"testing"
)

func TestRunMemoryLimitGrowsWithShopsAtOnce(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	t.Setenv("GOMEMLIMIT", "")
	for _, c := range []struct{ shops, mib int64 }{{0, 100}, {1, 100}, {2, 108}, {16, 220}} {
		setRunMemoryLimit(int(c.shops))
		if got := debug.SetMemoryLimit(-1); got != c.mib<<20 {
			t.Errorf("%d shops at once: soft limit %d MiB, want %d", c.shops, got>>20, c.mib)
		}
	}

	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetMemoryLimit(1 << 30)
	setRunMemoryLimit(16)
	if got := debug.SetMemoryLimit(-1); got != 1<<30 {
		t.Errorf("with GOMEMLIMIT=1GiB: soft limit %d MiB, want 1024", got>>20)
	}
}
