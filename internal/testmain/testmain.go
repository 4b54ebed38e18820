// Package testmain is the TestMain of the packages whose tests write job
// specs (cmd/shopetl, jobspec, pipeline).
package testmain

import (
	"os"
	"testing"
)

// Run runs the tests with a PII hash key in SHOPETL_PII_KEY, as a user's
// environment would give the jobs they write (tests of a missing key
// unset it), unless one is set already.
func Run(m *testing.M) {
	if os.Getenv("SHOPETL_PII_KEY") == "" {
		os.Setenv("SHOPETL_PII_KEY", "shopetl-test-pii-key")
	}
	os.Exit(m.Run())
}
