//go:build pprof

package main

// Profiling build: `go build -tags pprof ./cmd/avatarcrm` serves
// net/http/pprof on AVATARCRM_PPROF_ADDR (e.g. 127.0.0.1:6060) beside the
// server, for profiling under the load of bench/load.sh (see
// docs/PERFORMANCE.md). Ordinary builds leave this file out: the profiler
// is never part of a release, and never on the public listener.

import (
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
)

func init() {
	addr := os.Getenv("AVATARCRM_PPROF_ADDR")
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	// Where requests wait on each other (the one SQLite writer, the pool).
	runtime.SetBlockProfileRate(10_000)
	runtime.SetMutexProfileFraction(10)
	go func() {
		slog.Info("pprof: serving /debug/pprof/", "addr", addr)
		if err := http.ListenAndServe(addr, mux); err != nil {
			slog.Error("pprof", "err", err)
		}
	}()
}
