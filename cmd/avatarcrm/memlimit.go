package main

import (
	"log/slog"
	"runtime/debug"
)

// defaultMemoryLimit is the Go heap's soft limit when GOMEMLIMIT is not
// set. Idle the server's heap is about 10 MiB and under the admission
// bound a burst stays well under this; without a limit the heap's goal
// after a burst is twice its peak, and the scavenger gives pages back to
// the OS only slowly. Past the limit the collector runs sooner and the
// scavenger returns what is free at once. It is soft: a heap that really
// needs more gets it (the runtime caps the extra GC work at about half the
// CPU), so it cannot fail a request.
const defaultMemoryLimit = 96 << 20

// setMemoryLimit applies defaultMemoryLimit unless GOMEMLIMIT is set (the
// runtime has read it already; "off" leaves the heap without a limit).
func setMemoryLimit(getenv func(string) string) {
	if getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(defaultMemoryLimit)
	slog.Debug("go memory limit", "bytes", defaultMemoryLimit)
}
