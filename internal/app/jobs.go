package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jonboulle/clockwork"

	"github.com/avatarimaging/avatarcrm/internal/alert"
	"github.com/avatarimaging/avatarcrm/internal/automation"
	"github.com/avatarimaging/avatarcrm/internal/campaigns"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/email"
	"github.com/avatarimaging/avatarcrm/internal/hooks"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/schedule"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
	"github.com/avatarimaging/avatarcrm/internal/wix"
)

// ExtraWorkers, when set before Open, registers more job kinds; the crash
// tests use it to add a job that calls a local server.
var ExtraWorkers func(*jobs.Workers)

// TimerClock, when set before Open, drives the schedules' timers instead of
// the real clock; tests that run the program in a child process shift it
// (with the app's clock) to put a schedule's slot a moment ahead.
var TimerClock clockwork.Clock

// TuneJobs, when set before Open, adjusts the job queue's configuration:
// the benchmarks use it to compare River's connection layouts.
var TuneJobs func(*jobs.Config)

// openJobs builds the job queue with the worker of every job kind, and the
// schedules. Nothing runs until startJobs.
func (a *App) openJobs(ctx context.Context, warm *warmness.Service, taskSvc *tasks.Service) error {
	msg, err := a.openMessaging(ctx)
	if err != nil {
		return err
	}
	cs, err := a.openCampaigns(ctx)
	if err != nil {
		return err
	}
	a.Campaigns = cs
	if a.Reports != nil && cs.Email != nil && cs.Email.Name() != email.OutboxName {
		// The Monday summary leaves through the same provider as campaigns;
		// with the outbox it stays a stored ReportEmail row.
		a.Reports.Mailer = reportMailer{p: cs.Email, from: cs.From}
	}
	ws := jobs.NewWorkers()
	messaging.AddWorkers(ws, msg)
	campaigns.AddWorkers(ws, cs)
	a.SMS.Messaging = msg
	hooks.AddWorkers(ws, a.Hooks)
	alert.AddWorkers(ws, a.Alerts)
	wix.AddWorkers(ws, a.Wix)
	schedule.AddWorkers(ws, schedule.Deps{Warmness: warm, Tasks: taskSvc, Messaging: msg, Reports: a.Reports})
	a.aiWorkers(ws)
	automation.AddWorkers(ws, a.Automation)
	contacts.AddWorkers(ws, a.Contacts)
	a.webhookWorkers(ws)
	if ExtraWorkers != nil {
		ExtraWorkers(ws)
	}
	jc := a.Config.Jobs
	qc := jobs.Config{Workers: jc.Workers, JobTimeout: jc.Timeout, RescueAfter: jc.RescueAfter, OnlyKinds: a.OnlyJobKinds}
	if TuneJobs != nil {
		TuneJobs(&qc)
	}
	q, err := jobs.New(ctx, a.DB, ws, qc)
	if err != nil {
		return err
	}
	a.Jobs = q
	msg.Jobs = q
	a.Hooks.Jobs, a.Alerts.Jobs = q, q
	if a.Webhooks != nil {
		a.Webhooks.Jobs = q
	}
	a.Events.Jobs, a.Automation.Jobs, a.Contacts.Jobs = q, q, q
	cs.Jobs = q
	a.Automation.SMS = smsSender(msg)
	a.Automation.Email = cs
	a.Schedules = &schedule.Scheduler{Queue: q, Client: a.Ent.Ent, Entries: schedule.Entries(), Now: a.Now, Clock: TimerClock}
	return nil
}

// startJobs starts working jobs and the schedules' timers, as configured.
func (a *App) startJobs(ctx context.Context) error {
	if err := a.Jobs.Start(ctx); err != nil {
		return err
	}
	if a.Config.Jobs.Schedules {
		if err := a.Schedules.Start(ctx); err != nil {
			return err
		}
	}
	slog.Info("jobs", "workers", a.Config.Jobs.Workers, "schedules", a.Config.Jobs.Schedules, "kinds", len(a.Jobs.Kinds()))
	return nil
}

// stopJobs stops the timers, then lets running jobs finish until ctx ends
// (those cut off run again later: delivery is at least once).
func (a *App) stopJobs(ctx context.Context) error {
	if a.Jobs == nil {
		return nil
	}
	return errors.Join(a.Schedules.Stop(), a.Jobs.Stop(ctx))
}

// RunWorker works jobs and runs the schedules until ctx is cancelled,
// without serving HTTP: `avatarcrm worker`. Open the App with Worker set.
func (a *App) RunWorker(ctx context.Context) error {
	if a.Jobs == nil {
		return errors.New("worker: open the app first")
	}
	if !a.Jobs.Working() {
		return fmt.Errorf("worker: AVATARCRM_JOBS_WORKERS is 0; a worker must work jobs")
	}
	if err := a.startJobs(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	slog.Info("worker stopping")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.Config.ShutdownTimeout)
	defer cancel()
	err := a.stopJobs(sctx)
	if aerr := a.Ent.AIUsage.Stop(sctx); aerr != nil {
		err = errors.Join(err, fmt.Errorf("ai usage: %w", aerr))
	}
	if aerr := a.Audit.Close(sctx); aerr != nil {
		err = errors.Join(err, fmt.Errorf("audit: %w", aerr))
	}
	return err
}

// openMessaging builds the messaging service with the configured SMS
// provider, and gives every location the standard SMS templates it lacks
// (locations made before templates existed, or by a path that did not
// seed them).
func (a *App) openMessaging(ctx context.Context) (*messaging.Service, error) {
	sc := a.Config.SMS
	p, err := messaging.NewProvider(messaging.ProviderConfig{
		Provider: sc.Provider, ClickSendUsername: sc.ClickSendUsername, ClickSendAPIKey: sc.ClickSendAPIKey,
		ClickSendBaseURL: sc.ClickSendBaseURL, ClickSendPerSecond: sc.ClickSendRate,
	})
	if err != nil {
		return nil, err
	}
	a.Messaging = &messaging.Service{Client: a.DB.Client, Provider: p, From: sc.From, PriceCents: sc.PriceCents, Now: a.Now}
	sys := viewer.Seed.Grant(ctx, "startup")
	ids, err := a.DB.Client.Location.Query().IDs(sys)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if err := messaging.SeedTemplates(sys, a.DB.Client, id); err != nil {
			return nil, err
		}
	}
	return a.Messaging, nil
}
