package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// The schedules of the automation issue (names are contracts for the CLI).
// warmness and reprioritize do their work now; reminders, recalls and
// weekly-summary enqueue their jobs on time, and their workers are
// placeholders that the automation step fills (marked PLACEHOLDER below).

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
	}
}

// Deps are the services the scheduled jobs call.
type Deps struct {
	Warmness *warmness.Service
	Tasks    *tasks.Service
}

// AddWorkers registers the workers of the scheduled jobs.
func AddWorkers(ws *jobs.Workers, d Deps) {
	jobs.Add(ws, &warmnessWorker{d: d})
	jobs.Add(ws, &reprioritizeWorker{d: d})
	jobs.Add(ws, &placeholderWorker[RemindersArgs]{})
	jobs.Add(ws, &placeholderWorker[RecallsArgs]{})
	jobs.Add(ws, &placeholderWorker[WeeklySummaryArgs]{})
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

func (w *warmnessWorker) Work(ctx context.Context, j *river.Job[WarmnessArgs]) error {
	n, err := w.d.Warmness.RecalculateAll(ctx)
	if err != nil {
		return fmt.Errorf("rescored %d contacts before: %w", n, err)
	}
	slog.Info("warmness rescored", "contacts", n, "period", j.Args.Period.Period)
	return river.RecordOutput(ctx, map[string]int{"rescored": n})
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

// RecallsArgs scans one location for recalls due.
type RecallsArgs struct{ Period }

// Kind implements river.JobArgs.
func (RecallsArgs) Kind() string { return "schedule.recalls" }

// WeeklySummaryArgs is one location's weekly summary slot.
type WeeklySummaryArgs struct{ Period }

// Kind implements river.JobArgs.
func (WeeklySummaryArgs) Kind() string { return "schedule.weekly-summary" }

// placeholderWorker completes a scheduled job without doing anything.
//
// PLACEHOLDER(automation): the reminders, recalls and weekly-summary scans
// are filled by the automation step (issue 14, items 2-4): the reminders
// scan enqueues one unique job per booking and offset
// ("reminder-24h:<booking>"), the recalls scan one per completed booking
// due, the weekly summary its report. Replace the registration in
// AddWorkers with the real worker; the schedule and its unique period stay.
type placeholderWorker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
}

func (w *placeholderWorker[T]) Work(ctx context.Context, j *river.Job[T]) error {
	slog.Debug("scheduled job has no worker yet (placeholder)", "kind", j.Kind, "job", j.ID)
	return river.RecordOutput(ctx, map[string]string{"placeholder": "filled by the automation step"})
}
