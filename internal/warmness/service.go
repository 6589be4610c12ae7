package warmness

import (
	"context"
	"fmt"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/clock"

	"entgo.io/ent/dialect/sql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// WarmThreshold is the score above which a contact is "warm": crossing it
// upwards writes an EventWarm.
const WarmThreshold = 80

// EventWarm is the Event type written when a contact's score rises from at
// most WarmThreshold to above it. Its subject is the contact; its payload
// {"from": old, "to": new}.
const EventWarm = "contact.warm"

// communication are the touchpoint kinds whose creation the Hook rescores
// for. Notes and stage changes are staff's own remarks and bookkeeping.
var communication = []touchpoint.Kind{
	touchpoint.KindSmsIn, touchpoint.KindSmsOut, touchpoint.KindEmailIn, touchpoint.KindEmailOut,
	touchpoint.KindCallIn, touchpoint.KindCallOut, touchpoint.KindBookingEvent, touchpoint.KindWebForm,
	touchpoint.KindEmailClick,
}

// fromPatient are the kinds where the person got in touch: only these (and
// a visit they attended) are "contact" for recency and frequency. What the
// clinic sends or does — outbound messages and calls, bookings it makes,
// cancellations, no-shows, reminders — says nothing of the person's
// interest (docs/CONTACTS.md lists the rules with examples).
//
// A click in a campaign email is the person's own act too, but a light
// one: it counts for recency, and for frequency at most once a day (a
// reader clicking three links is one contact), never as a reply. Opens
// (email_open) count for nothing: mail clients' privacy features load
// every image (Apple Mail Privacy Protection), so an open is often no
// reading at all. Bounces and unsubscribes are not contact either.
var fromPatient = []touchpoint.Kind{
	touchpoint.KindSmsIn, touchpoint.KindEmailIn, touchpoint.KindCallIn, touchpoint.KindWebForm, touchpoint.KindEmailClick,
}

// ClickDays remembers the days of a contact's campaign clicks: a click
// counts once a day (fromPatient), however many links were clicked.
type ClickDays map[string]bool

// First reports whether at is the first click of its (UTC) day, and
// remembers that day.
func (d ClickDays) First(at time.Time) bool {
	day := at.UTC().Format(time.DateOnly)
	if d[day] {
		return false
	}
	d[day] = true
	return true
}

// inbound are the kinds where the person reached out: replies count more.
var inbound = map[touchpoint.Kind]bool{
	touchpoint.KindSmsIn: true, touchpoint.KindEmailIn: true, touchpoint.KindCallIn: true, touchpoint.KindWebForm: true,
}

// Service keeps contacts' stored warmness current.
type Service struct {
	// Client is used outside a transaction; inside one (ent.FromContext or
	// a mutation's client) the transaction's client is used.
	Client *ent.Client
	// Scorer computes the score; nil means Rules.
	Scorer Scorer
	// Now is the clock; nil is the system clock.
	Now clock.Clock
	// Refine, when set, is called after a contact's score is stored by a
	// change or a recalculation a person asked for (not the nightly
	// rescoring), in that transaction, when the contact has sent messages
	// a model could read: the AI wiring enqueues a job that asks a remote
	// model after the commit. An error rolls the change back, so Refine
	// should only enqueue.
	Refine func(ctx context.Context, loc, id pulid.ID) error
	// Events, once active, writes contact.warm with the job that runs
	// the rules; until then (the demo seed, commands without a queue) the
	// Event row alone is written.
	Events *events.Outbox
}

func (s *Service) scorer() Scorer {
	if s.Scorer != nil {
		return s.Scorer
	}
	return Rules{}
}

// score runs the scorer on f and returns its score clamped to 0..100,
// its reasons (never nil) and the engine that scored.
func (s *Service) score(ctx context.Context, f Facts) (Scored, error) {
	var sc Scored
	if es, ok := s.scorer().(EngineScorer); ok {
		r, err := es.ScoreEngine(ctx, f)
		if err != nil {
			return sc, err
		}
		sc = r
	} else {
		score, reasons, err := s.scorer().Score(ctx, f)
		if err != nil {
			return sc, err
		}
		sc = Scored{Score: score, Reasons: reasons, Engine: EngineRules}
	}
	if sc.Reasons == nil {
		sc.Reasons = []types.WarmnessReason{}
	}
	sc.Score = Clamp(sc.Score)
	return sc, nil
}

// refine calls Refine, unless the work is the bulk rescoring of every
// contact.
func (s *Service) refine(ctx context.Context, loc, id pulid.ID, f Facts) error {
	if s.Refine == nil || len(f.Messages) == 0 || Bulk(ctx) {
		return nil
	}
	return s.Refine(ctx, loc, id)
}

func (s *Service) client(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return s.Client
}

type skipKey struct{}

// WithoutRecalc returns ctx in which the Hook recomputes nothing: for work
// that changes many rows of a contact at once (a merge, a purge) and
// recomputes once at the end, and for the Hook's own score update.
func WithoutRecalc(ctx context.Context) context.Context {
	return context.WithValue(ctx, skipKey{}, true)
}

type bulkKey struct{}

// Bulk reports whether ctx is the rescoring of every contact
// (RecalculateAll, nightly): nothing changed but time, so no remote
// refinement is asked for and an AI scorer records no usage per contact.
func Bulk(ctx context.Context) bool {
	b, _ := ctx.Value(bulkKey{}).(bool)
	return b
}

func skipped(ctx context.Context) bool {
	b, _ := ctx.Value(skipKey{}).(bool)
	return b
}

// LoadFacts reads what the score of ct depends on: its communications and
// bookings. ctx must be allowed to read them (the Service reads as the
// privacy layer's Allow, the contact being already known).
func LoadFacts(ctx context.Context, c *ent.Client, ct *ent.Contact, now time.Time) (Facts, error) {
	f := Facts{
		Now: now, LeadSource: ct.LeadSource, Stage: ct.Stage, Archived: ct.ArchivedAt != nil,
		SMSConsent: ct.SmsConsent, EmailConsent: ct.EmailConsent, LocationID: string(ct.LocationID),
	}
	since90, since30 := now.Add(-90*24*time.Hour), now.Add(-30*24*time.Hour)
	// A touchpoint dated after now (a clock ahead of ours) counts as now.
	tps, err := c.Touchpoint.Query().
		Where(touchpoint.ContactID(ct.ID), touchpoint.KindIn(fromPatient...), touchpoint.OccurredAtGTE(since90)).
		Order(touchpoint.ByOccurredAt(sql.OrderDesc())).
		Select(touchpoint.FieldKind, touchpoint.FieldOccurredAt, touchpoint.FieldSummary).
		Limit(5000).
		All(ctx)
	if err != nil {
		return f, fmt.Errorf("warmness: touchpoints: %w", err)
	}
	clicks := ClickDays{}
	for _, tp := range tps {
		at := tp.OccurredAt
		// Every touchpoint read (a second click of a day too: it is the
		// day's click once the later one has left the window) changes
		// the counts when it leaves a window: just after it is 30 or 90
		// days old, as the windows include their start.
		f.changeAt(at.Add(30*24*time.Hour + time.Nanosecond))
		f.changeAt(at.Add(90*24*time.Hour + time.Nanosecond))
		if f.LastTouch == nil {
			f.LastTouch = &at
		}
		if tp.Kind == touchpoint.KindEmailClick && !clicks.First(at) {
			continue
		}
		f.Touches90++
		if !at.Before(since30) {
			f.Touches30++
		}
		if inbound[tp.Kind] {
			f.Replies90++
			if len(f.Messages) < MaxMessages && tp.Summary != "" {
				f.Messages = append(f.Messages, Message{Kind: string(tp.Kind), At: at, Text: tp.Summary})
			}
		}
	}
	if f.LastTouch == nil {
		last, err := c.Touchpoint.Query().
			Where(touchpoint.ContactID(ct.ID), touchpoint.KindIn(fromPatient...)).
			Order(touchpoint.ByOccurredAt(sql.OrderDesc())).
			Select(touchpoint.FieldOccurredAt).
			First(ctx)
		switch {
		case err == nil:
			at := last.OccurredAt
			f.LastTouch = &at
		case !ent.IsNotFound(err):
			return f, fmt.Errorf("warmness: last touchpoint: %w", err)
		}
	}
	bks, err := c.Booking.Query().
		Where(booking.ContactID(ct.ID)).
		Select(booking.FieldStatus, booking.FieldStartsAt).
		All(ctx)
	if err != nil {
		return f, fmt.Errorf("warmness: bookings: %w", err)
	}
	for _, b := range bks {
		switch b.Status {
		case booking.StatusPending, booking.StatusConfirmed:
			if b.StartsAt.After(now) {
				f.Upcoming++
				f.changeAt(b.StartsAt)
			}
		case booking.StatusCompleted:
			f.Attended++
			f.changeAt(b.StartsAt) // a visit dated ahead becomes contact when it starts
			// Coming to a visit is the person's own contact.
			if at := b.StartsAt; !at.After(now) && (f.LastTouch == nil || at.After(*f.LastTouch)) {
				f.LastTouch = &at
			}
		case booking.StatusNoShow:
			f.NoShows++
		case booking.StatusCancelled:
			f.Cancellations++
		}
	}
	return f, nil
}

// changeAt notes t as a moment the facts change, if it is after Now.
func (f *Facts) changeAt(t time.Time) {
	if t.After(f.Now) && (f.NextChange.IsZero() || t.Before(f.NextChange)) {
		f.NextChange = t
	}
}

// Due is when a score computed from f next changes with the clock alone
// (nil: never): the first of f.NextChange and the recency's next step
// (RecencyNext). The warmness schedule rescores a contact only once its
// due time has passed, so a score never stays stale longer than the
// schedule's period, as when it rescored every contact.
//
// A Scorer may depend on the clock only through these: the rules do, and
// the AI layer's built-in engine adds the latest message of the last 90
// days (a window NextChange covers).
func Due(f Facts) *time.Time {
	t := f.NextChange
	if r := RecencyNext(f); !r.IsZero() && (t.IsZero() || r.Before(t)) {
		t = r
	}
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// Recalculate recomputes and stores the score of the contact with id, at
// the viewer's location, and returns the contact as stored. It answers
// NOT_FOUND for a contact the viewer cannot read.
func (s *Service) Recalculate(ctx context.Context, id pulid.ID) (*ent.Contact, error) {
	c := s.client(ctx)
	// Reading with the viewer's own rights applies tenancy and the read
	// permission; the rest is derived data (see recalc).
	if _, err := c.Contact.Query().Where(contact.ID(id)).OnlyID(ctx); err != nil {
		return nil, err
	}
	return s.recalc(ctx, c, id)
}

// RecalculateAll recomputes every contact of the viewer's location (or,
// as the system, of every location) and returns how many it scored; it
// writes only the contacts whose score, reasons or due time changed (see
// Rescore). "avatarcrm warmness recalc" runs it by hand; the schedule
// rescores only the contacts due (RecalculateDue).
func (s *Service) RecalculateAll(ctx context.Context) (int, error) {
	r, err := s.Rescore(ctx, false)
	return r.Checked, err
}

// RecalculateDue rescores the contacts whose score may have changed with
// the clock alone since they were scored: those whose due time
// (Contact.warmness_due_at, see Due) has passed. The warmness schedule
// runs it every 15 minutes.
func (s *Service) RecalculateDue(ctx context.Context) (Rescored, error) {
	return s.Rescore(ctx, true)
}

// recalc computes and stores the score of contact id with client c (a
// transaction's client when there is one, so the score commits with the
// change that moved it).
//
// It reads and writes with the privacy layer's Allow decision, narrowed to
// the viewer's location by an explicit predicate: the score is derived
// data, not a person's edit. Whoever changed a touchpoint or a booking was
// checked for that change; requiring contacts:update on top would make,
// say, a booking update by a role without it fail for a field nobody typed.
func (s *Service) recalc(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Contact, error) {
	sys := viewer.Consequences.Grant(ctx, "")
	v := viewer.FromContext(ctx)
	ct := current(ctx, id)
	if ct != nil && v != nil && !v.System && v.LocationID != "" && ct.LocationID != v.LocationID {
		ct = nil // read it, and find it not found, as below
	}
	if ct == nil {
		q := c.Contact.Query().Where(contact.ID(id))
		if v != nil && !v.System && v.LocationID != "" {
			q.Where(contact.LocationID(v.LocationID))
		}
		var err error
		if ct, err = q.Only(sys); err != nil {
			return nil, err
		}
	}
	now := s.Now.Now()
	f, err := LoadFacts(sys, c, ct, now)
	if err != nil {
		return nil, err
	}
	sc, err := s.score(ent.NewContext(ctx, c), f)
	if err != nil {
		return nil, fmt.Errorf("warmness: score %s: %w", id, err)
	}
	u := c.Contact.UpdateOne(ct).
		SetWarmness(sc.Score).SetWarmnessReasons(sc.Reasons).SetWarmnessScoredAt(now)
	if due := Due(f); due != nil {
		u.SetWarmnessDueAt(*due)
	} else if ct.WarmnessDueAt != nil {
		u.ClearWarmnessDueAt()
	}
	updated, err := u.Save(WithoutRecalc(sys))
	if err != nil {
		return nil, err
	}
	if err := s.crossed(sys, c, ct.LocationID, id, ct.Warmness, sc.Score, now); err != nil {
		return nil, err
	}
	if err := s.refine(ctx, ct.LocationID, id, f); err != nil {
		return nil, err
	}
	return updated, nil
}

// crossed writes an EventWarm when a score rose from at most
// WarmThreshold to above it.
//
// Events belong to automation: creating one needs automation:create,
// which staff lack, yet a receptionist logging a reply may well be what
// makes a lead warm. The event is the system's record of a fact, not the
// receptionist's action, so it is written with the privacy layer's Allow
// decision (ctx is already such a context; the location is set
// explicitly because a system viewer has none). It still goes through the
// audit hook and commits or rolls back with the change.
func (s *Service) crossed(ctx context.Context, c *ent.Client, loc, id pulid.ID, from, to int, now time.Time) error {
	if from > WarmThreshold || to <= WarmThreshold {
		return nil
	}
	if s.Events.Active() {
		return s.Events.Emit(ctx, c, events.Event{
			Type: events.ContactWarm, LocationID: loc, Subject: id, ContactID: id,
			Data: map[string]any{"from": from, "to": to},
		})
	}
	err := c.Event.Create().
		SetLocationID(loc).SetType(EventWarm).SetSubjectID(string(id)).
		SetPayload(map[string]any{"from": from, "to": to}).SetAt(now).
		Exec(viewer.Consequences.Grant(ctx, ""))
	if err != nil {
		return fmt.Errorf("warmness: event: %w", err)
	}
	return nil
}
