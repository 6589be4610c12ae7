// Command avatarcrm is the Avatar Imaging CRM server and its operator tools.
//
//	avatarcrm [serve]        run the server (the default)
//	avatarcrm migrate        apply database migrations; "migrate status" lists them
//	avatarcrm seed --demo    load the demo data (safe to run again)
//	avatarcrm setup ...      first run of a real clinic: first location, admin invitation
//	avatarcrm warmness recalc rescore every contact
//	avatarcrm tasks reprioritize  apply the task priority rules again
//	avatarcrm ai eval intent --file F  measure the AI layer on labelled data
//	avatarcrm worker         work jobs and run the schedules, without HTTP
//	avatarcrm schedule list|run NAME  the schedules' next runs; run one now
//
// Settings come from flags or AVATARCRM_* environment variables; run
// "avatarcrm serve -h" for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signalContext()
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "avatarcrm:", err)
		os.Exit(1)
	}
}

// signalContext ends on SIGINT or SIGTERM: a graceful stop.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// run dispatches a subcommand. It is main without the process: tests call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stderr)
	case "migrate":
		return migrate(ctx, args, getenv, stdout, stderr)
	case "seed":
		return seedCmd(ctx, args, getenv, stdout, stderr)
	case "setup":
		return setupCmd(ctx, args, getenv, stdout, stderr)
	case "audit":
		return auditCmd(ctx, args, getenv, stdout, stderr)
	case "apikey":
		return apikeyCmd(ctx, args, getenv, stdout, stderr)
	case "warmness":
		return maintain(ctx, warmnessRecalc, args, getenv, stdout, stderr)
	case "tasks":
		return maintain(ctx, tasksReprioritize, args, getenv, stdout, stderr)
	case "ai":
		return aiCmd(ctx, args, getenv, stdout, stderr)
	case "worker":
		return workerCmd(ctx, args, getenv, stderr)
	case "schedule":
		return scheduleCmd(ctx, args, getenv, stdout, stderr)
	case "wix":
		return wixCmd(ctx, args, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

const usage = `Avatar Imaging CRM

Usage:
  avatarcrm [serve] [flags]   run the server (default)
  avatarcrm migrate [status]  apply database migrations, or list them
  avatarcrm seed --demo       load the demo data (safe to run again)
  avatarcrm setup --location-code SYD --location-name NAME --timezone ZONE --admin-email EMAIL
                              first run of a real clinic: its first location and administrator ("avatarcrm setup -h")
  avatarcrm audit verify|head|export   check, pin or export the audit trail ("avatarcrm audit -h")
  avatarcrm apikey create|list|revoke  API tokens for integrators ("avatarcrm apikey -h")
  avatarcrm warmness recalc   rescore every contact (scores decay with time; run nightly)
  avatarcrm tasks reprioritize  apply the priority rules again (they follow the clock; run every 15 min)
  avatarcrm ai eval intent|warmness|reportquery --file FILE   measure the AI layer on a labelled file ("avatarcrm ai -h")
  avatarcrm worker [flags]    work jobs and run the schedules without serving HTTP (serve does both too)
  avatarcrm schedule list     each schedule with its next run
  avatarcrm wix sync --since DATE  pull bookings Wix changed since DATE and reconcile them (twice changes nothing)
  avatarcrm schedule run NAME enqueue a schedule's current period now and work it (twice does nothing twice)

Run "avatarcrm serve -h" for settings; each flag also reads AVATARCRM_<NAME>.
`

func setupLogging(level, format string, w io.Writer) {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: l}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	slog.SetDefault(slog.New(h))
}
