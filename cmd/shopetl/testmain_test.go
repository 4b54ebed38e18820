package main

import (
	"os"
	"testing"

	"github.com/shopetl/shopetl/internal/testmain"
)

// TestMain gives the job specs these tests write a PII hash key; with
// asMainEnv set, the binary is shopetl itself (signals_test.go), with
// halfPlatformEnv also set, one that has a half-registered platform
// (platform_test.go).
func TestMain(m *testing.M) {
	if os.Getenv(halfPlatformEnv) != "" {
		registerHalfPlatform()
	}
	if os.Getenv(asMainEnv) != "" {
		main()
	}
	testmain.Run(m)
}
