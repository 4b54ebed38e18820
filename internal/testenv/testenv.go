// Package testenv says which real servers and tools the tests run against,
// from the environment `make test` and CI set up.
package testenv

import (
	"os"
	"testing"
)

// CI reports whether the tests run under CI (CI=true, as .ci/run sets),
// where every server and tool a test needs is started or installed.
func CI() bool { return os.Getenv("CI") == "true" }

// Missing skips the test for want of what the message names, or fails it
// under CI: a CI run that skipped its integration tests would pass having
// proved nothing.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if CI() {
		t.Fatalf(format+" (CI=true: this test must run, not skip)", args...)
	}
	t.Skipf(format, args...)
}

// ClickHouse is the test server's address, CLICKHOUSE_ADDR; without one
// the test is Missing.
func ClickHouse(t testing.TB) string {
	t.Helper()
	addr := os.Getenv("CLICKHOUSE_ADDR")
	if addr == "" {
		Missing(t, "CLICKHOUSE_ADDR is not set: no ClickHouse server to test against (make test starts one)")
	}
	return addr
}
