package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/app"
	"github.com/avatarimaging/avatarcrm/internal/config"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/schedule"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

const scheduleUsage = `Usage:
  avatarcrm schedule list        each schedule with its next run (per location for local-time ones)
  avatarcrm schedule run NAME    enqueue NAME's current period now and work it here

Schedules: reminders, recalls, warmness, reprioritize, weekly-summary. Each
period's job is unique, so "run" twice in a row (or beside a running
server) does the work once; the second run says it was already done.
Takes serve's settings (--database-url, AVATARCRM_*).
`

func scheduleCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "run") {
		fmt.Fprint(stderr, scheduleUsage)
		return errors.New("schedule: say list or run NAME")
	}
	if args[0] == "list" {
		return scheduleList(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) < 2 || strings.HasPrefix(args[1], "-") {
		fmt.Fprint(stderr, scheduleUsage)
		return errors.New("schedule run: name the schedule")
	}
	return scheduleRun(ctx, args[1], args[2:], getenv, stdout, stderr)
}

func scheduleList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	setupLogging("warn", "text", stderr)
	url, _, err := dbFlags("schedule list", args, getenv, nil)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, scheduleUsage)
		}
		return err
	}
	ec, err := openClient(ctx, "schedule list", url, getenv)
	if err != nil {
		return err
	}
	defer closeClient(ctx, ec)
	s := &schedule.Scheduler{Client: ec.Ent, Entries: schedule.Entries(), Now: cliClock}
	up, err := s.Upcoming(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "SCHEDULE\tLOCATION\tNEXT RUN\tUTC\tWHAT")
	for _, u := range up {
		loc := u.Location
		if loc == "" {
			loc = "all"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Entry.Name, loc,
			u.Next.Format("Mon 2 Jan 2006 15:04 MST"), u.Next.UTC().Format("2006-01-02 15:04"), u.Entry.Doc)
	}
	return tw.Flush()
}

func scheduleRun(ctx context.Context, name string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	entry, ok := (&schedule.Scheduler{Entries: schedule.Entries()}).Entry(name)
	if !ok {
		fmt.Fprint(stderr, scheduleUsage)
		return fmt.Errorf("schedule run: no schedule %q", name)
	}
	cfg, err := config.Load(args, getenv)
	if err != nil {
		return err
	}
	setupLogging("warn", cfg.LogFormat, stderr)
	cfg.SeedDemo = false
	cfg.Jobs.Workers = 1
	a := app.New(cfg)
	a.Now = cliClock
	a.Worker = true
	// Work this schedule's job here, and nothing else another process may
	// be waiting to work.
	kind := entry.Job(schedule.Slot{}).Kind()
	a.OnlyJobKinds = []string{kind}
	defer a.Close()
	if err := a.Open(ctx); err != nil {
		return err
	}
	fired, err := a.Schedules.Run(ctx, name)
	if err != nil {
		return err
	}
	var wait []schedule.Fired
	for _, f := range fired {
		where := ""
		if f.Location != "" {
			where = " at " + f.Location
		}
		if f.Job.Duplicate {
			fmt.Fprintf(stdout, "%s%s, period %s: already enqueued as job %d; nothing to do\n", name, where, f.At.Format(time.RFC3339), f.Job.ID)
			continue
		}
		fmt.Fprintf(stdout, "%s%s, period %s: enqueued job %d\n", name, where, f.At.Format(time.RFC3339), f.Job.ID)
		wait = append(wait, f)
	}
	if len(wait) == 0 {
		return nil
	}
	if err := a.Jobs.Start(ctx); err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		_ = a.Jobs.Stop(sctx)
		_ = a.Audit.Close(sctx)
	}()
	sys := viewer.Operator.Grant(ctx, cliActor())
	var failed []string
	for _, f := range wait {
		start := time.Now()
		for {
			j, err := a.Jobs.Get(sys, f.Job.ID)
			if err != nil {
				return err
			}
			if j.State == jobs.StateCompleted || j.State == jobs.StateDiscarded || j.State == jobs.StateCancelled ||
				(j.State == jobs.StateRetryable && len(j.Errors) > 0) {
				fmt.Fprintf(stdout, "job %d %s in %s\n", j.ID, j.State, time.Since(start).Round(time.Millisecond))
				if j.State != jobs.StateCompleted {
					failed = append(failed, fmt.Sprintf("job %d: %s", j.ID, j.Errors[len(j.Errors)-1].Error))
				}
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("schedule run %s: %s (it will be retried by the workers)", name, strings.Join(failed, "; "))
	}
	return nil
}
