package bench

import (
	"os"
	"syscall"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/app"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
)

// processCPU is the CPU time (user + system) this process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func init() {
	// AVATARCRM_BENCH_RIVER_OWN_POOL=1 gives River's workers a connection
	// of their own instead of the application's write connection (the
	// layout before issue 12's fix), to measure what it costs.
	if os.Getenv("AVATARCRM_BENCH_RIVER_OWN_POOL") == "1" {
		app.TuneJobs = func(c *jobs.Config) { c.OwnSQLitePool = true }
	}
}

// serverEnv is the extra settings of the servers the HTTP benchmarks
// start: AVATARCRM_BENCH_JOBS_WORKERS=0 turns the server's job workers
// off (jobs are still enqueued, nobody works them), to split a request's
// own cost from the background work it starts.
func serverEnv() map[string]string {
	env := map[string]string{}
	if v, ok := os.LookupEnv("AVATARCRM_BENCH_JOBS_WORKERS"); ok {
		env["AVATARCRM_JOBS_WORKERS"] = v
	}
	return env
}
