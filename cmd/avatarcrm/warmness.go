package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

const warmnessUsage = `Usage:
  avatarcrm warmness recalc   rescore every contact at every location

Scores decay as touchpoints age, with nothing else changing; run this once a
night (cron, a systemd timer) until the scheduler does it. Contacts crossing
80 upward get their warm-lead event, as on any change. Every change is in the
audit trail.
`

// warmnessCmd rescores contacts from the command line.
func warmnessCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	setupLogging("warn", "text", stderr)
	if len(args) == 0 || args[0] != "recalc" {
		fmt.Fprint(stderr, warmnessUsage)
		return errors.New("warmness: say recalc")
	}
	url, _, err := dbFlags("warmness recalc", args[1:], getenv, nil)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, warmnessUsage)
		}
		return err
	}
	// Score changes are changes to patient records: they go into the
	// audit trail.
	d, trail, err := openAudited(ctx, "warmness", url, getenv)
	if err != nil {
		return err
	}
	defer d.Close()
	trail.Start()
	d.Client.Use(trail.Hook())
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = trail.Close(cctx)
	}()
	start := time.Now()
	n, err := (&warmness.Service{Client: d.Client}).RecalculateAll(viewer.SystemContext(ctx))
	if err != nil {
		return fmt.Errorf("warmness: after %d contacts: %w", n, err)
	}
	fmt.Fprintf(stdout, "rescored %d contacts in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
