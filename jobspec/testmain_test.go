package jobspec

import (
	"os"
	"slices"
	"testing"

	"github.com/shopetl/shopetl/transform"
)

// TestMain gives the job specs these tests parse a PII hash key, as a user's
// environment would (SHOPETL_PII_KEY); tests of a missing key unset it.
func TestMain(m *testing.M) {
	if os.Getenv("SHOPETL_PII_KEY") == "" {
		os.Setenv("SHOPETL_PII_KEY", "shopetl-test-pii-key")
	}
	os.Exit(m.Run())
}

// testPlatforms are the platforms of a test: whole, with the real
// platforms' status tables where the name is theirs.
type testPlatforms []string

func (p testPlatforms) Names() []string { return slices.Sorted(slices.Values(p)) }

func (testPlatforms) Missing(string) []string { return nil }

func (testPlatforms) Mapping(name string) transform.Mapping {
	return map[string]transform.Mapping{"dage": transform.DageMapping, "shopex": transform.ShopexMapping,
		"shoptima": transform.ShoptimaMapping, "ymcart": transform.YmcartMapping}[name]
}
