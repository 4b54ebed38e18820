package jobspec

import (
	"slices"
	"testing"

	"github.com/shopetl/shopetl/internal/testmain"
	"github.com/shopetl/shopetl/transform"
)

// TestMain gives the job specs these tests write a PII hash key.
func TestMain(m *testing.M) { testmain.Run(m) }

// testPlatforms are the platforms of a test: whole, with the real
// platforms' status tables where the name is theirs.
type testPlatforms []string

func (p testPlatforms) Names() []string { return slices.Sorted(slices.Values(p)) }

func (testPlatforms) Missing(string) []string { return nil }

func (testPlatforms) Mapping(name string) transform.Mapping {
	return map[string]transform.Mapping{"dage": transform.DageMapping, "shopex": transform.ShopexMapping,
		"shoptima": transform.ShoptimaMapping, "ymcart": transform.YmcartMapping}[name]
}
