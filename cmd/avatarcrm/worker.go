package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/app"
	"github.com/avatarimaging/avatarcrm/internal/config"
)

// workerCmd runs `avatarcrm worker`: the job queue's workers and the
// schedules without the HTTP server, for a process of its own beside (or
// instead of) serve's. It takes serve's settings.
func workerCmd(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv)
	if err != nil {
		return err
	}
	setupLogging(cfg.LogLevel, cfg.LogFormat, stderr)
	// Demo data is serve's to load; two processes seeding one empty
	// database would collide.
	cfg.SeedDemo = false
	if cfg.Jobs.Workers == 0 {
		return fmt.Errorf("worker: AVATARCRM_JOBS_WORKERS is 0; a worker works jobs (set it to 1 or more)")
	}
	a := app.New(cfg)
	a.Now = cliClock
	a.Worker = true
	defer a.Close()
	start := time.Now()
	if err := a.Open(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Avatar Imaging CRM worker ready in %s: %d jobs at once, schedules %s\n",
		time.Since(start).Round(time.Millisecond), cfg.Jobs.Workers, onOff(cfg.Jobs.Schedules))
	return a.RunWorker(ctx)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
