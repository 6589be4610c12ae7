package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/entclient"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// A maintenance job brings derived data up to date with the clock: scores
// and priorities that age while nothing changes. The schedules
// (internal/schedule) run them as jobs; these commands run them by hand.
type maintenance struct {
	cmd, sub, usage string
	// run does the work as the system and says what it did.
	run func(ctx context.Context, ec *entclient.Client) (string, error)
}

var warmnessRecalc = maintenance{
	cmd: "warmness", sub: "recalc",
	usage: `Usage:
  avatarcrm warmness recalc   rescore every contact at every location

Scores decay as touchpoints age, with nothing else changing; the server's
"warmness" schedule rescores every 15 minutes, so run this by hand only
(avatarcrm schedule run warmness does the same as a job). Contacts crossing
80 upward get their warm-lead event, as on any change. Every change is in the
audit trail.
`,
	run: func(ctx context.Context, ec *entclient.Client) (string, error) {
		n, err := ec.Warmness.RecalculateAll(ctx)
		return fmt.Sprintf("rescored %d contacts", n), err
	},
}

var tasksReprioritize = maintenance{
	cmd: "tasks", sub: "reprioritize",
	usage: `Usage:
  avatarcrm tasks reprioritize   apply the priority rules again to open tasks

Priorities depend on the clock ("due within 24 hours", "overdue") and on
the contact's warmness; the server's "reprioritize" schedule applies them
every 15 minutes, so run this by hand only. A priority a person set is left alone; each change
is in the task's history and the audit trail.
`,
	run: func(ctx context.Context, ec *entclient.Client) (string, error) {
		n, err := (&tasks.Service{Client: ec.Ent, Now: ec.Clock}).Reprioritize(ctx)
		return fmt.Sprintf("changed the priority of %d tasks", n), err
	},
}

// maintain runs a maintenance job from the command line, against a
// migrated database, with its changes in the audit trail.
func maintain(ctx context.Context, m maintenance, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	setupLogging("warn", "text", stderr)
	if len(args) == 0 || args[0] != m.sub {
		fmt.Fprint(stderr, m.usage)
		return fmt.Errorf("%s: say %s", m.cmd, m.sub)
	}
	url, _, err := dbFlags(m.cmd+" "+m.sub, args[1:], getenv, nil)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, m.usage)
		}
		return err
	}
	ec, err := openClient(ctx, m.cmd, url, getenv)
	if err != nil {
		return err
	}
	defer closeClient(ctx, ec)
	start := time.Now()
	did, err := m.run(viewer.Scheduler.Grant(ctx, "cli:"+m.cmd+" "+m.sub), ec)
	if err != nil {
		return fmt.Errorf("%s %s: %s before: %w", m.cmd, m.sub, did, err)
	}
	fmt.Fprintf(stdout, "%s in %s\n", did, time.Since(start).Round(time.Millisecond))
	return nil
}
