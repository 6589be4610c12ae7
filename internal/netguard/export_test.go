package netguard

import "time"

// SetClock replaces the allowlist's clock so cache expiry can be tested
// without sleeping.
func SetClock(a *Allowlist, now func() time.Time) { a.now = now }
