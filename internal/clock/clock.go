// Package clock is the program's one clock. internal/app creates it (or a
// test replaces it) and hands the same Clock to every service, hook and
// handler, so a test that moves time moves it everywhere, and every time
// the program stores is UTC.
package clock

import "time"

// Clock tells the time. The nil Clock is the system clock, so a service
// built without one in a test still works.
type Clock func() time.Time

// Now returns the current time in UTC.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now().UTC()
	}
	return c().UTC()
}

// System is the real clock.
var System Clock = func() time.Time { return time.Now().UTC() }

// Fixed returns a clock that always says t (tests).
func Fixed(t time.Time) Clock { return func() time.Time { return t } }
