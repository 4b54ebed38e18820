package pipeline

import (
	"testing"

	"github.com/shopetl/shopetl/internal/testmain"
)

// TestMain gives the job specs these tests write a PII hash key.
func TestMain(m *testing.M) { testmain.Run(m) }
