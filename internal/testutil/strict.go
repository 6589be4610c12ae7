package testutil

import (
	"os"
	"testing"
)

// SkipOrFail skips a test that needs a missing service (Chromium,
// PostgreSQL, Redis), or fails it when AVATARCRM_TEST_STRICT is set, as CI
// sets it: there, a missing service is a broken machine, not a reason to
// test less.
func SkipOrFail(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if os.Getenv("AVATARCRM_TEST_STRICT") != "" {
		tb.Fatalf("AVATARCRM_TEST_STRICT is set: "+format, args...)
	}
	tb.Skipf(format, args...)
}
