package app

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/db"
)

// releaseEvery is how often releaseAfterBursts looks whether a burst ended.
const releaseEvery = 15 * time.Second

// releaseTail is how many looks after a burst still release: a burst's
// work does not end with its last request (the event jobs of its creates
// run for a while after, in batches), and memory that work takes after
// the first release would otherwise stay mapped until the next burst
// (seen: 119 MiB anonymous right after a release, 130 MiB and no release
// since, 30 s after a 500-client plan).
const releaseTail = 8

// releaseAfterBursts gives memory back to the OS once a burst of requests
// is over: when requests were served since its last look and none is in
// flight now. A burst leaves two kinds of free memory mapped: the Go heap's
// (its goal stays at twice the burst's live heap until the next
// collection, and an idle server collects rarely) and the C heap's
// (SQLite's page caches and statements, freed into glibc's per-thread
// arenas). debug.FreeOSMemory collects and returns the first;
// db.TrimMalloc the second. Both only release memory nothing holds, and
// each costs a few milliseconds of one core (a collection of a heap of
// about 20 MB; a walk of the arenas), at most every releaseEvery and only
// after traffic (and for releaseTail looks after it), so a steady trickle
// of requests pays about 0.1% of a core.
// Before both, the SQLite connections not in use give back their page
// caches and statements (db.ReleaseMemory): freed C memory that a
// connection still holds is not free to malloc_trim. The executable's
// file pages are left mapped: dropping them (madvise) would lower the RSS
// the process reports but not the memory the host uses (DECISIONS.md).
// docs/PERFORMANCE.md (branches i12mem, i12mem2) has the figures.
func (a *App) releaseAfterBursts(ctx context.Context) {
	if a.admit == nil {
		return
	}
	t := time.NewTicker(releaseEvery)
	defer t.Stop()
	var last uint64
	tail := 0 // looks left that release though no request came
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n := a.admit.Served()
		if a.admit.InFlight() > 0 {
			continue
		}
		switch {
		case n != last:
			last, tail = n, releaseTail
			a.releaseMemory(ctx, "after a burst")
		case tail > 0:
			tail--
			a.releaseMemory(ctx, "after a burst's background work")
		}
	}
}

// releaseMemory gives back what the SQLite connections, the Go heap and
// the C heap hold but do not use. Also run once after start-up, whose
// checks (the audit chain's tail, the search index, the demo data, the
// job queue's migrations) leave page caches and garbage behind.
func (a *App) releaseMemory(ctx context.Context, why string) {
	start := time.Now()
	if a.DB != nil {
		a.DB.ReleaseMemory(ctx)
	}
	debug.FreeOSMemory()
	db.TrimMalloc()
	slog.Debug("memory released", "why", why, "took", time.Since(start))
}
