package bench

import (
	"os"
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) this process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
