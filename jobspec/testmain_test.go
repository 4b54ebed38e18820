package jobspec

import (
	"os"
	"testing"
)

// TestMain gives the job specs these tests parse a PII hash key, as a user's
// environment would (SHOPETL_PII_KEY); tests of a missing key unset it.
func TestMain(m *testing.M) {
	if os.Getenv("SHOPETL_PII_KEY") == "" {
		os.Setenv("SHOPETL_PII_KEY", "shopetl-test-pii-key")
	}
	os.Exit(m.Run())
}
