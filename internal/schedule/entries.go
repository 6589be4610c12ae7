package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/reports"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// The schedules of the automation issue (names are contracts for the CLI).
// Every schedule does its work; weekly-summary sends the Monday report
// email (internal/reports).

// Entries returns the standard schedules.
func Entries() []Entry {
	return []Entry{
		{
			Name: "reminders", Cron: "*/5 * * * *",
			Doc: "every 5 min: bookings whose 24 h / 2 h reminder is due",
			Job: func(s Slot) river.JobArgs { return RemindersArgs{Period: PeriodOf(s)} },
		},
		{
			Name: "recalls", Cron: "0 9 * * 1", PerLocation: true, CatchUp: 12 * time.Hour,
			Doc: "Monday 9:00 in each location's zone: completed bookings due a recall",
			Job: func(s Slot) river.JobArgs { return RecallsArgs{Period: PeriodOf(s)} },
		},
		{
			Name: "warmness", Cron: "*/15 * * * *",
			Doc: "every 15 min: rescore contacts (scores age with the clock)",
			Job: func(s Slot) river.JobArgs { return WarmnessArgs{Period: PeriodOf(s)} },
		},
		{
			Name: "reprioritize", Cron: "*/15 * * * *",
			Doc: "every 15 min: apply the task priority rules again",
			Job: func(s Slot) river.JobArgs { return ReprioritizeArgs{Period: PeriodOf(s)} },
		},
		{
			Name: "weekly-summary", Cron: "0 8 * * 1", PerLocation: true, CatchUp: 6 * time.Hour,
			Doc: "Monday 8:00 in each location's zone: the week's summary",
			Job: func(s Slot) river.JobArgs { return WeeklySummaryArgs{Period: PeriodOf(s)} },
		},
		{
			Name: "saved-reports", Cron: "0 6 * * *", PerLocation: true, CatchUp: 6 * time.Hour,
			Doc: "6:00 in each location's zone: saved reports due (daily; weekly on Mondays; monthly on the 1st)",
			Job: func(s Slot) river.JobArgs { return SavedReportsArgs{Period: PeriodOf(s)} },
		},
	}
}

// Deps are the services the scheduled jobs call.
type Deps struct {
	Warmness *warmness.Service
	Tasks    *tasks.Service
	// Messaging queues the reminders and recalls.
	Messaging *messaging.Service
	// Reports writes the daily warmness snapshots after a rescoring and
	// sends the weekly summary; nil leaves both undone (a warning).
	Reports *reports.Service
}

// AddWorkers registers the workers of the scheduled jobs.
func AddWorkers(ws *jobs.Workers, d Deps) {
	jobs.Add(ws, &warmnessWorker{d: d})
	jobs.Add(ws, &reprioritizeWorker{d: d})
	jobs.Add(ws, &remindersWorker{d: d})
	jobs.Add(ws, &recallsWorker{d: d})
	jobs.Add(ws, &weeklySummaryWorker{d: d})
	jobs.Add(ws, &savedReportsWorker{d: d})
}

// maintenance puts a scan on the queue that runs one job at a time, so a
// long rescore never holds up messages; unique by period (Period).
func maintenance() river.InsertOpts {
	o := Period{}.InsertOpts()
	o.Queue = jobs.QueueMaintenance
	return o
}

// WarmnessArgs rescores every contact at every location.
type WarmnessArgs struct{ Period }

// Kind implements river.JobArgs.
func (WarmnessArgs) Kind() string { return "schedule.warmness" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (WarmnessArgs) InsertOpts() river.InsertOpts { return maintenance() }

type warmnessWorker struct {
	river.WorkerDefaults[WarmnessArgs]
	d Deps
}

// Timeout lets the first run after an upgrade (every contact with a
// history due at once) finish in one attempt; a run stopped half way is
// resumed by the retry, which finds the contacts still due.
func (w *warmnessWorker) Timeout(*river.Job[WarmnessArgs]) time.Duration { return 10 * time.Minute }

// Work rescores the contacts whose score can have changed with the clock
// since they were scored (warmness.Due), not every contact: at 100,000
// contacts that held SQLite's writer for 35 s every 15 minutes.
func (w *warmnessWorker) Work(ctx context.Context, j *river.Job[WarmnessArgs]) error {
	res, err := w.d.Warmness.RecalculateDue(ctx)
	if err != nil {
		return fmt.Errorf("rescored %d contacts (%d written) before: %w", res.Checked, res.Written, err)
	}
	slog.Info("warmness rescored", "contacts", res.Checked, "written", res.Written, "period", j.Args.Period.Period)
	// The reports' warmness trends read a snapshot of each contact's band
	// whenever it changes (at most one row per contact and day).
	snap := 0
	if w.d.Reports != nil {
		if snap, err = w.d.Reports.SnapshotAll(ctx); err != nil {
			return fmt.Errorf("warmness snapshots: %w", err)
		}
	}
	return river.RecordOutput(ctx, map[string]int{"rescored": res.Checked, "written": res.Written, "snapshots": snap})
}

// ReprioritizeArgs applies the task priority rules again everywhere.
type ReprioritizeArgs struct{ Period }

// Kind implements river.JobArgs.
func (ReprioritizeArgs) Kind() string { return "schedule.reprioritize" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (ReprioritizeArgs) InsertOpts() river.InsertOpts { return maintenance() }

type reprioritizeWorker struct {
	river.WorkerDefaults[ReprioritizeArgs]
	d Deps
}

func (w *reprioritizeWorker) Work(ctx context.Context, j *river.Job[ReprioritizeArgs]) error {
	n, err := w.d.Tasks.Reprioritize(ctx)
	if err != nil {
		return fmt.Errorf("changed %d tasks before: %w", n, err)
	}
	slog.Info("tasks reprioritised", "changed", n, "period", j.Args.Period.Period)
	return river.RecordOutput(ctx, map[string]int{"changed": n})
}

// RemindersArgs scans for due booking reminders.
type RemindersArgs struct{ Period }

// Kind implements river.JobArgs.
func (RemindersArgs) Kind() string { return "schedule.reminders" }

type remindersWorker struct {
	river.WorkerDefaults[RemindersArgs]
	d Deps
}

// Work queues the reminders due at the slot's run. The messages' keys
// make a rerun (a retry, a second process, a manual run) queue nothing
// twice; the scan uses the program's clock, so a late run still finds what
// came due meanwhile.
func (w *remindersWorker) Work(ctx context.Context, j *river.Job[RemindersArgs]) error {
	res, err := w.d.Messaging.ScanReminders(ctx, w.d.Messaging.Now.Now())
	if err != nil {
		return fmt.Errorf("reminders (%d queued before the error): %w", res.Queued, err)
	}
	slog.Info("reminders queued", "queued", res.Queued, "skipped", res.Skipped, "period", j.Args.Period.Period)
	return river.RecordOutput(ctx, res)
}

// RecallsArgs scans one location for recalls due.
type RecallsArgs struct{ Period }

// Kind implements river.JobArgs.
func (RecallsArgs) Kind() string { return "schedule.recalls" }

type recallsWorker struct {
	river.WorkerDefaults[RecallsArgs]
	d Deps
}

// Work queues the recalls due at the slot's location, once per booking.
func (w *recallsWorker) Work(ctx context.Context, j *river.Job[RecallsArgs]) error {
	res, err := w.d.Messaging.ScanRecalls(ctx, j.Args.LocationID, w.d.Messaging.Now.Now())
	if err != nil {
		return fmt.Errorf("recalls (%d queued before the error): %w", res.Queued, err)
	}
	slog.Info("recalls queued", "queued", res.Queued, "skipped", res.Skipped, "location", j.Args.LocationID)
	return river.RecordOutput(ctx, res)
}

// WeeklySummaryArgs is one location's weekly summary slot.
type WeeklySummaryArgs struct{ Period }

// Kind implements river.JobArgs.
func (WeeklySummaryArgs) Kind() string { return "schedule.weekly-summary" }

type weeklySummaryWorker struct {
	river.WorkerDefaults[WeeklySummaryArgs]
	d Deps
}

// Work sends the location's summary of the week before the slot to the
// managers and admins who opted in; each email's key makes a rerun send
// nothing twice.
func (w *weeklySummaryWorker) Work(ctx context.Context, j *river.Job[WeeklySummaryArgs]) error {
	if w.d.Reports == nil {
		slog.Warn("weekly summary: no reports service", "location", j.Args.LocationID)
		return nil
	}
	at, err := time.Parse(time.RFC3339, j.Args.Period.Period)
	if err != nil {
		return fmt.Errorf("weekly summary: period %q: %w", j.Args.Period.Period, err)
	}
	res, err := w.d.Reports.Weekly(ctx, j.Args.LocationID, at)
	if err != nil {
		return fmt.Errorf("weekly summary: %w", err)
	}
	slog.Info("weekly summary", "location", j.Args.LocationID, "week", res.Week, "sent", res.Sent, "skipped", res.Skipped)
	return river.RecordOutput(ctx, res)
}

// SavedReportsArgs is one location's saved-reports slot.
type SavedReportsArgs struct{ Period }

// Kind implements river.JobArgs.
func (SavedReportsArgs) Kind() string { return "schedule.saved-reports" }

type savedReportsWorker struct {
	river.WorkerDefaults[SavedReportsArgs]
	d Deps
}

// Work runs the location's saved reports due on the slot's local day and
// stores their runs; each run's period key makes a rerun store nothing
// twice.
func (w *savedReportsWorker) Work(ctx context.Context, j *river.Job[SavedReportsArgs]) error {
	if w.d.Reports == nil {
		slog.Warn("saved reports: no reports service", "location", j.Args.LocationID)
		return nil
	}
	at, err := time.Parse(time.RFC3339, j.Args.Period.Period)
	if err != nil {
		return fmt.Errorf("saved reports: period %q: %w", j.Args.Period.Period, err)
	}
	// The slot's time carries the location's offset: its wall clock is
	// the location's day.
	res, err := w.d.Reports.RunDue(ctx, j.Args.LocationID, at, at.Location())
	if err != nil {
		return fmt.Errorf("saved reports: %w", err)
	}
	if len(res.Failed) > 0 {
		slog.Warn("saved reports failed", "location", j.Args.LocationID, "failed", res.Failed)
	}
	slog.Info("saved reports", "location", j.Args.LocationID, "ran", res.Ran, "skipped", res.Skipped)
	return river.RecordOutput(ctx, res)
}
