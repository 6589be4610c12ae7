package aiwire

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"entgo.io/ent/dialect/sql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// RefineArgs asks a remote model to refine a contact's warmness after the
// change that rescored it has committed. Unique by contact while one is
// waiting: ten replies in a minute make one remote call.
type RefineArgs struct {
	LocationID pulid.ID `json:"location_id" river:"unique"`
	ContactID  pulid.ID `json:"contact_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (RefineArgs) Kind() string { return "ai.refine_warmness" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (RefineArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable,
	}}}
}

// Enqueuer is the part of the job queue the refinement needs.
type Enqueuer interface {
	Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (jobs.Enqueued, error)
}

// RefineHook returns the warmness.Service's Refine function: enqueue a
// RefineArgs job in the change's transaction. Set it only when a remote
// model is configured.
func RefineHook(q Enqueuer) func(ctx context.Context, loc, id pulid.ID) error {
	return func(ctx context.Context, loc, id pulid.ID) error {
		_, err := q.Enqueue(ctx, RefineArgs{LocationID: loc, ContactID: id}, nil)
		if err == jobs.ErrNoTransaction {
			// A change made outside any transaction (a command, a test
			// fixture) keeps its built-in score; it is not worth failing.
			return nil
		}
		return err
	}
}

// RefineWorker works RefineArgs: it reads the contact's history, asks the
// AI layer (the remote model, with the built-in engine as its fallback)
// outside any transaction, then stores the answer when a model gave it.
// A fallback leaves the built-in score; the usage row says why.
type RefineWorker struct {
	river.WorkerDefaults[RefineArgs]
	Client *ent.Client
	AI     *ai.AI
	Now    clock.Clock
}

// Work implements river.Worker. It runs as the job capability at the
// contact's location (internal/jobs).
func (w *RefineWorker) Work(ctx context.Context, j *river.Job[RefineArgs]) error {
	in, ct, err := LoadWarmnessInput(ctx, w.Client, j.Args.ContactID, w.Now.Now())
	if ent.IsNotFound(err) {
		return nil // purged since
	}
	if err != nil {
		return err
	}
	res, err := w.AI.AnalyzeWarmness(ctx, in)
	if err != nil {
		return err
	}
	if res.Engine == ai.EngineBuiltin {
		slog.InfoContext(ctx, "ai: warmness kept the built-in score", "contact", ct.ID, "fallback", res.Fallback)
		return nil
	}
	return txn.Run(ctx, w.Client, func(ctx context.Context, c *ent.Client) error {
		// A change after the job was enqueued has rescored the contact
		// and enqueued its own refinement; this answer is stale.
		cur, err := c.Contact.Query().Where(contact.ID(ct.ID)).Select(contact.FieldWarmnessScoredAt).Only(ctx)
		if err != nil {
			return err
		}
		if cur.WarmnessScoredAt != nil && ct.WarmnessScoredAt != nil && cur.WarmnessScoredAt.After(*ct.WarmnessScoredAt) {
			return nil
		}
		return c.Contact.UpdateOneID(ct.ID).
			SetWarmness(res.Score).SetWarmnessReasons(res.Reasons).
			SetWarmnessScoredAt(w.Now.Now()).
			Exec(warmness.WithoutRecalc(ctx))
	})
}

// LoadWarmnessInput reads what AnalyzeWarmness needs of a contact: the
// contact, its communications of the last 90 days (newest first, with
// the summaries of inbound ones as their text) and its bookings.
func LoadWarmnessInput(ctx context.Context, c *ent.Client, id pulid.ID, now time.Time) (ai.WarmnessInput, *ent.Contact, error) {
	ct, err := c.Contact.Query().Where(contact.ID(id)).Only(ctx)
	if err != nil {
		return ai.WarmnessInput{}, nil, err
	}
	in := ai.WarmnessInput{
		LocationID: string(ct.LocationID), Now: now,
		Contact: ai.WarmContact{
			LeadSource: string(ct.LeadSource), Stage: string(ct.Stage), Archived: ct.ArchivedAt != nil,
			SMSConsent: ct.SmsConsent, EmailConsent: ct.EmailConsent,
		},
	}
	in.Contact.FirstName, in.Contact.LastName = ct.FirstName, ct.LastName
	tps, err := c.Touchpoint.Query().
		Where(touchpoint.ContactID(id), touchpoint.OccurredAtGTE(now.AddDate(0, 0, -90))).
		Order(touchpoint.ByOccurredAt(sql.OrderDesc())).Limit(500).
		Select(touchpoint.FieldKind, touchpoint.FieldOccurredAt, touchpoint.FieldSummary).All(ctx)
	if err != nil {
		return in, ct, fmt.Errorf("warmness input: touchpoints: %w", err)
	}
	for _, tp := range tps {
		t := ai.Touchpoint{Kind: string(tp.Kind), At: tp.OccurredAt}
		switch tp.Kind {
		case touchpoint.KindSmsIn, touchpoint.KindEmailIn, touchpoint.KindCallIn, touchpoint.KindWebForm:
			t.Text = tp.Summary
		}
		in.Touchpoints = append(in.Touchpoints, t)
	}
	bks, err := c.Booking.Query().Where(booking.ContactID(id)).Select(booking.FieldStatus, booking.FieldStartsAt).All(ctx)
	if err != nil {
		return in, ct, fmt.Errorf("warmness input: bookings: %w", err)
	}
	for _, b := range bks {
		in.Bookings = append(in.Bookings, ai.BookingFact{Status: string(b.Status), StartsAt: b.StartsAt})
	}
	return in, ct, nil
}
