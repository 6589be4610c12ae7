package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/app"
	"github.com/avatarimaging/avatarcrm/internal/config"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/wix"
)

const wixUsage = `Usage:
  avatarcrm wix sync --since 2026-03-01 [serve's flags]

Pulls the bookings Wix changed since the date from the Wix Bookings API
(AVATARCRM_WIX_API_BASE_URL, AVATARCRM_WIX_API_KEY, AVATARCRM_WIX_SITE_ID)
and reconciles them with the location's bookings (AVATARCRM_WIX_LOCATION),
as the webhooks would have: new bookings are created with their contact,
changed times and confirmations applied, cancellations cancelled. Running it
again changes nothing. The jobs its changes cause (automation) are worked by
the server or an "avatarcrm worker".
`

// wixCmd runs `avatarcrm wix sync --since DATE`.
func wixCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "sync" {
		fmt.Fprint(stderr, wixUsage)
		return errors.New("wix: say sync")
	}
	args = args[1:]
	since := ""
	// --since is this command's; the rest are serve's settings.
	if i := slices.IndexFunc(args, func(a string) bool { return a == "--since" || a == "-since" }); i >= 0 && i+1 < len(args) {
		since = args[i+1]
		args = slices.Delete(slices.Clone(args), i, i+2)
	}
	for i, a := range args {
		v, ok := strings.CutPrefix(a, "--since=")
		if !ok {
			v, ok = strings.CutPrefix(a, "-since=")
		}
		if ok {
			since, args = v, slices.Delete(slices.Clone(args), i, i+1)
			break
		}
	}
	if since == "" {
		fmt.Fprint(stderr, wixUsage)
		return errors.New("wix sync: give --since DATE (2026-03-01)")
	}
	from, err := time.Parse("2006-01-02", since)
	if err != nil {
		return fmt.Errorf("wix sync: --since %q is not a date such as 2026-03-01", since)
	}
	cfg, err := config.Load(args, getenv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, wixUsage)
		}
		return err
	}
	setupLogging("warn", cfg.LogFormat, stderr)
	cfg.SeedDemo = false
	cfg.Jobs.Schedules = false
	a := app.New(cfg)
	a.Now = cliClock
	a.Worker = true
	defer a.Close()
	if err := a.Open(ctx); err != nil {
		return err
	}
	loc, err := wix.LocationOf(ctx, a.Ent.Ent, cfg.Integrations.WixLocation)
	if err != nil {
		return fmt.Errorf("wix sync: %w", err)
	}
	sys := viewer.ForJob(ctx, loc, "cli:wix-sync")
	start := time.Now()
	res, err := a.Wix.Sync(sys, from)
	if err != nil {
		return fmt.Errorf("wix sync: %s before: %w", res, err)
	}
	fmt.Fprintf(stdout, "%s in %s\n", res, time.Since(start).Round(time.Millisecond))
	for _, f := range res.Failed {
		fmt.Fprintln(stdout, "not reconciled:", f)
	}
	return nil
}
