// Package alert tells staff about something that needs a person: a
// webhook event that keeps failing, a dead letter. Raise stores the alert
// (StaffAlert) and enqueues its send job in the caller's transaction; the
// job hands it to the Sender: Slack's incoming webhook when
// AVATARCRM_SLACK_WEBHOOK_URL is set, otherwise the Outbox, which sends
// nothing and leaves the stored row to be shown on the admin events page.
// Any package may raise alerts through the Alerter interface.
package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/staffalert"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Alert is one message to staff. Text must carry no patient data: it
// leaves the system (Slack).
type Alert struct {
	LocationID pulid.ID
	// Topic says what kind of alert it is (webhook.failing); with Subject
	// (what it is about, an ID) it is the alert's identity: raising the
	// same pair again does nothing.
	Topic, Subject string
	Text           string
}

// Alerter raises alerts.
type Alerter interface {
	Raise(ctx context.Context, a Alert) error
}

// Sender delivers an alert's text.
type Sender interface {
	// Name is "slack" or "outbox".
	Name() string
	// Send delivers text; an error is retried by the job unless it is
	// Permanent.
	Send(ctx context.Context, text string) error
}

// Permanent marks a send error no retry can fix (Slack: 400, 403, 404,
// 410).
type Permanent struct{ Err error }

func (e *Permanent) Error() string { return e.Err.Error() }
func (e *Permanent) Unwrap() error { return e.Err }

// Outbox is the default Sender: it sends nothing; the stored alert, shown
// on the admin events page with channel "outbox", is the message.
type Outbox struct{}

// Name implements Sender.
func (Outbox) Name() string { return "outbox" }

// Send implements Sender.
func (Outbox) Send(context.Context, string) error { return nil }

// Service stores alerts and sends them by job.
type Service struct {
	Client *ent.Client
	Sender Sender
	Jobs   jobs.Enqueuer
	Now    clock.Clock
}

// Args is the job that sends one stored alert.
type Args struct {
	AlertID    pulid.ID `json:"alert_id" river:"unique"`
	LocationID pulid.ID `json:"location_id"`
}

// Kind implements river.JobArgs.
func (Args) Kind() string { return "alert.send" }

// InsertOpts implements river.JobArgsWithInsertOpts: one job per alert.
func (Args) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Raise implements Alerter: it stores a and enqueues its send job in the
// transaction of ctx (or one of its own). The same topic and subject
// again is no new alert.
func (s *Service) Raise(ctx context.Context, a Alert) error {
	if len(a.Text) > 3000 {
		a.Text = a.Text[:3000]
	}
	if len(a.Subject) > 200 {
		a.Subject = a.Subject[:200]
	}
	ctx = viewer.Consequences.Grant(ctx, "alert")
	return txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		exists, err := c.StaffAlert.Query().Where(staffalert.LocationID(a.LocationID), staffalert.Topic(a.Topic), staffalert.Subject(a.Subject)).Exist(ctx)
		if err != nil || exists {
			return err
		}
		row, err := c.StaffAlert.Create().SetLocationID(a.LocationID).SetTopic(a.Topic).SetSubject(a.Subject).
			SetText(a.Text).SetCreatedAt(s.Now.Now()).SetChannel(s.sender().Name()).Save(ctx)
		if err != nil {
			return err
		}
		slog.Warn("staff alert", "topic", a.Topic, "subject", a.Subject, "channel", s.sender().Name())
		_, err = s.Jobs.Enqueue(ctx, Args{AlertID: row.ID, LocationID: a.LocationID}, nil)
		return err
	})
}

func (s *Service) sender() Sender {
	if s.Sender == nil {
		return Outbox{}
	}
	return s.Sender
}

// AddWorkers registers the send job's worker.
func AddWorkers(ws *jobs.Workers, s *Service) { jobs.Add(ws, &worker{s: s}) }

type worker struct {
	river.WorkerDefaults[Args]
	s *Service
}

// Work sends one alert once: a sent (or outbox) alert is not sent again.
func (w *worker) Work(ctx context.Context, j *river.Job[Args]) error {
	s := w.s
	a, err := s.Client.StaffAlert.Get(ctx, j.Args.AlertID)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if a.Status != staffalert.StatusPending {
		return nil
	}
	snd := s.sender()
	up := s.Client.StaffAlert.UpdateOneID(a.ID).SetChannel(snd.Name())
	serr := snd.Send(ctx, a.Text)
	var perm *Permanent
	switch {
	case serr == nil && snd.Name() == "outbox":
		up.SetStatus(staffalert.StatusOutbox).SetSentAt(s.Now.Now())
	case serr == nil:
		up.SetStatus(staffalert.StatusSent).SetSentAt(s.Now.Now()).SetLastError("")
	case errors.As(serr, &perm):
		up.SetStatus(staffalert.StatusFailed).SetLastError(trim(serr.Error()))
	default:
		up.SetLastError(trim(serr.Error()))
	}
	if err := up.Exec(ctx); err != nil {
		return fmt.Errorf("alert %s: %w", a.ID, err)
	}
	if perm != nil {
		return river.JobCancel(serr)
	}
	return serr
}

func trim(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}
