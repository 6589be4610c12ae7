package automation

import (
	"context"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
)

// env builds what a condition sees: the event (or, for a dry run, one of
// the rule's trigger made up now), and the contact and booking as they are
// now. A dry run's booking is the contact's next active one, else their
// latest. It returns the contact it read (or was given), nil for none.
func (s *Service) env(ctx context.Context, c *ent.Client, rule *ent.AutomationRule, ev *ent.Event, ct *ent.Contact) (Env, *ent.Contact, error) {
	now := s.Now.Now()
	env := Env{Event: EventEnv{Type: rule.Trigger, At: now}}
	var bookingID *pulid.ID
	if ev != nil {
		env.Event = eventEnv(ev)
		var contactID *pulid.ID
		contactID, bookingID = subjectIDs(ev)
		if contactID != nil {
			got, err := c.Contact.Get(ctx, *contactID)
			if err != nil && !ent.IsNotFound(err) {
				return env, nil, err
			}
			ct = got
		}
	}
	if ct != nil {
		env.Contact = contactEnv(ct)
	}
	var b *ent.Booking
	var err error
	switch {
	case bookingID != nil:
		b, err = c.Booking.Query().Where(booking.ID(*bookingID)).WithService().Only(ctx)
	case ev == nil && ct != nil:
		b, err = c.Booking.Query().
			Where(booking.ContactID(ct.ID), booking.StatusIn(booking.StatusPending, booking.StatusConfirmed), booking.StartsAtGT(now)).
			Order(booking.ByStartsAt()).WithService().First(ctx)
		if ent.IsNotFound(err) {
			b, err = c.Booking.Query().Where(booking.ContactID(ct.ID)).
				Order(ent.Desc(booking.FieldStartsAt)).WithService().First(ctx)
		}
	}
	if err != nil && !ent.IsNotFound(err) {
		return env, ct, err
	}
	if b != nil {
		env.Booking = BookingEnv{
			Exists: true, ID: string(b.ID), Status: string(b.Status), StartsAt: b.StartsAt,
			HoursUntil: b.StartsAt.Sub(now).Hours(),
		}
		if svc := b.Edges.Service; svc != nil {
			env.Booking.Service, env.Booking.Modality = svc.Name, string(svc.Modality)
		}
	}
	return env, ct, nil
}

func eventEnv(ev *ent.Event) EventEnv {
	p := ev.Payload
	str := func(k string) string { v, _ := p[k].(string); return v }
	num := func(k string) int { v, _ := p[k].(float64); return int(v) }
	_, byRule := p["caused_by_rule"]
	return EventEnv{
		Type: ev.Type, At: ev.At,
		FromStage: str("from_stage"), ToStage: str("to_stage"),
		FromWarmness: num("from"), ToWarmness: num("to"),
		Reason: str("reason"), ByRule: byRule,
	}
}

func contactEnv(ct *ent.Contact) ContactEnv {
	return ContactEnv{
		Exists: true, ID: string(ct.ID), FirstName: ct.FirstName, LastName: ct.LastName,
		Pipeline: string(ct.Pipeline), Stage: string(ct.Stage), LeadSource: string(ct.LeadSource),
		Warmness: ct.Warmness, HasPhone: ct.Phone != nil && *ct.Phone != "", HasEmail: ct.Email != nil && *ct.Email != "",
		SMSConsent: ct.SmsConsent, EmailConsent: ct.EmailConsent, Archived: ct.ArchivedAt != nil,
	}
}

// localTime formats t for a step's sentence, in UTC (the page shows it).
func localTime(t time.Time) string { return t.UTC().Format("Mon 2 Jan 15:04 UTC") }
