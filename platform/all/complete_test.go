package all

import (
	"slices"
	"testing"

	"github.com/shopetl/shopetl/platform"
)

// TestEveryPlatformIsWhole: the four platforms are registered, each with
// every part (platform.Platform.Missing).
func TestEveryPlatformIsWhole(t *testing.T) {
	if got := platform.Registered.Names(); !slices.Equal(got, []string{"dage", "shopex", "shoptima", "ymcart"}) {
		t.Errorf("registered %v", got)
	}
	for _, p := range platform.All() {
		if missing := p.Missing(); len(missing) > 0 {
			t.Errorf("%s lacks %v", p.Name, missing)
		}
		if p.Sim.Name != p.Name {
			t.Errorf("%s's simulator is named %q", p.Name, p.Sim.Name)
		}
	}
}
