package main

import (
	"fmt"
	"io"
	"time"
)

// report is a whole run, printed as Markdown tables (and written as JSON
// with -json).
type report struct {
	Label, URL, Dist, Host string
	Seed                   uint64
	Contacts, PID          int
	Duration               time.Duration
	Started, Finished      time.Time
	Before, Loaded, After  snapshot
	Load                   *loadResult `json:",omitempty"`
	Rows                   []row
}

func (r *report) print(w io.Writer, order []string) {
	fmt.Fprintf(w, "\n## %s: %s names, %d contacts, %s per step\n\n", r.labelOr(), r.Dist, r.Contacts, r.Duration)
	fmt.Fprintf(w, "- server %s (pid %d) on %s\n", r.URL, r.PID, r.Host)
	fmt.Fprintf(w, "- %s to %s UTC\n", r.Started.Format("2006-01-02 15:04"), r.Finished.Format("15:04"))
	fmt.Fprintf(w, "- at the start: %s\n", r.Before)
	if r.Load != nil {
		fmt.Fprintf(w, "- load: %s\n", r.Load)
	}
	fmt.Fprintf(w, "- before the plan: %s\n", r.Loaded)
	fmt.Fprintf(w, "- after the plan: %s\n\n", r.After)
	if len(r.Rows) == 0 {
		return
	}
	fmt.Fprintln(w, "| step | clients | requests | ok/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/req | RSS MiB | host busy | load gen CPU | load avg |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, name := range order {
		for _, x := range r.Rows {
			if x.Step != name {
				continue
			}
			errs := fmt.Sprint(x.Errors)
			if x.Errors > 0 {
				errs = fmt.Sprintf("%d (%.0f%%: %s)", x.Errors, 100*float64(x.Errors)/float64(x.Requests), x.TopError)
			}
			fmt.Fprintf(w, "| %s | %d | %d | %.1f | %s | %s | %s | %s | %.2f | %.0f | %.0f%% | %.0f%% | %s |\n",
				x.Step, x.Clients, x.Requests, x.okRate(), ms(x.P50), ms(x.P95), ms(x.P99), errs,
				x.cpuPerReq(), float64(x.RSS)/(1<<20), x.HostBusy, 100*x.GenCPU/x.Took.Seconds(), x.Load)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "ok/s: answers without error per second; latencies over every request; server CPU: user+system time of the server process over the step, per request; host busy: all cores, the load generator and anything else on the machine included; load gen CPU: this tool's own CPU, in % of one core.")
}

func (r *report) labelOr() string {
	if r.Label != "" {
		return r.Label
	}
	return "load"
}
