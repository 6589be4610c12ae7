package wix

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/wixservice"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/hooks"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/wix/wixwire"
)

// Service turns Wix bookings into the CRM's: contacts found or created
// through the contact service's duplicate detection, bookings through the
// bookings service (so its history, stage moves and automation events
// follow), and a task for staff when a Wix service has no mapping.
type Service struct {
	Client   *ent.Client
	Contacts *contacts.Service
	Bookings *bookings.Service
	Tasks    *tasks.Service
	Now      clock.Clock
	// API reaches the Wix Bookings API for the manual sync; nil: no sync.
	API *API
}

// Register makes s the processor of stored Wix booking events.
func (s *Service) Register(p *hooks.Pipeline) {
	p.Register(Source, KindBooking, hooks.ProcessorFunc(s.Process))
}

// Process applies one stored Wix event (the webhook.process job, as the
// job capability at the event's location). It reconciles the booking
// with the event's state, so a repeat, a replay or a sync of the same
// booking changes nothing more.
func (s *Service) Process(ctx context.Context, ev *ent.WebhookEvent) error {
	e, err := wixwire.ReadStored(ev.Payload)
	if err != nil {
		return &hooks.Permanent{Err: err}
	}
	out, err := s.Reconcile(ctx, e.Booking, e.Slug)
	if err != nil {
		return err
	}
	if out == OutcomeUnchanged || out == OutcomeSkipped {
		return fmt.Errorf("%w: %s", hooks.ErrIgnore, out)
	}
	return nil
}

// Outcome is what reconciling one booking did.
type Outcome string

// Outcomes of Reconcile.
const (
	OutcomeCreated     Outcome = "created"
	OutcomeConfirmed   Outcome = "confirmed"
	OutcomeRescheduled Outcome = "rescheduled"
	OutcomeCancelled   Outcome = "cancelled"
	OutcomeUpdated     Outcome = "updated"
	OutcomeTask        Outcome = "task"
	OutcomeUnchanged   Outcome = "unchanged"
	OutcomeSkipped     Outcome = "skipped"
)

// want is the state a Wix booking asks for.
type want int

const (
	wantPending want = iota
	wantConfirmed
	wantCancelled
)

func wanted(b wixwire.Booking, slug string) (want, string) {
	switch {
	case slug == wixwire.SlugDeclined || b.Status == "DECLINED":
		return wantCancelled, "Declined in Wix"
	case slug == wixwire.SlugCanceled || b.Status == "CANCELED":
		return wantCancelled, "Cancelled in Wix"
	case b.Status == "CONFIRMED" || slug == wixwire.SlugConfirmed:
		return wantConfirmed, ""
	}
	return wantPending, ""
}

// Reconcile makes the location's booking of Wix booking b what Wix says
// (slug is the event's, empty for a sync), in one transaction: created
// (with its contact) when new and still to come, confirmed, moved to
// Wix's time, or cancelled with the reason. A booking of a service with
// no mapping becomes one task for staff. It acts as the viewer in ctx.
func (s *Service) Reconcile(ctx context.Context, b wixwire.Booking, slug string) (Outcome, error) {
	out := OutcomeUnchanged
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		st, reason := wanted(b, slug)
		existing, err := c.Booking.Query().Where(booking.SourceEQ(booking.SourceWix), booking.ExternalID(b.ID)).Only(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return err
		}
		if existing == nil {
			if st == wantCancelled || !b.End.After(s.Now.Now()) {
				out = OutcomeSkipped
				return nil
			}
			out, err = s.create(ctx, c, b, st)
			return err
		}
		if !bookings.Active(existing.Status) {
			return nil
		}
		if st == wantCancelled {
			out = OutcomeCancelled
			_, err = s.Bookings.Cancel(ctx, existing.ID, reason)
			return err
		}
		if !existing.StartsAt.Equal(b.Start) || !existing.EndsAt.Equal(b.End) {
			end := b.End
			if _, err := s.Bookings.Reschedule(ctx, existing.ID, b.Start, &end); err != nil {
				return err
			}
			out = OutcomeRescheduled
		}
		if st == wantConfirmed && existing.Status == booking.StatusPending {
			if _, err := s.Bookings.Confirm(ctx, existing.ID); err != nil {
				return err
			}
			if out == OutcomeUnchanged {
				out = OutcomeConfirmed
			} else {
				out = OutcomeUpdated
			}
		}
		return nil
	})
	return out, err
}

func (s *Service) create(ctx context.Context, c *ent.Client, b wixwire.Booking, st want) (Outcome, error) {
	m, err := c.WixService.Query().Where(wixservice.WixServiceID(b.ServiceID)).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return "", err
	}
	ct, err := s.contact(ctx, b.Contact)
	if err != nil {
		return "", err
	}
	if m == nil {
		made, err := s.unmapped(ctx, c, b, ct)
		if err != nil || !made {
			return OutcomeUnchanged, err
		}
		return OutcomeTask, nil
	}
	ext := b.ID
	nb, err := s.Bookings.Create(ctx, bookings.NewBooking{
		ContactID: ct.ID, ServiceID: m.ServiceID, StartsAt: b.Start, EndsAt: b.End,
		Source: booking.SourceWix, ExternalID: &ext, Notes: "Booked on the clinic's website (Wix booking " + b.ID + ")",
	})
	if err != nil {
		return "", err
	}
	if st == wantConfirmed {
		if _, err := s.Bookings.Confirm(ctx, nb.ID); err != nil {
			return "", err
		}
	}
	return OutcomeCreated, nil
}

// contact finds the booking's contact by phone or email with the contact
// service's duplicate detection (oldest match first), or creates one with
// source wix.
func (s *Service) contact(ctx context.Context, d wixwire.Contact) (*ent.Contact, error) {
	if d.Phone != "" || d.Email != "" {
		dups, err := s.Contacts.DuplicatesOf(ctx, contacts.Probe{Phone: d.Phone, Email: d.Email})
		if err != nil {
			return nil, err
		}
		for _, dup := range dups {
			for _, on := range dup.MatchedOn {
				if on == "phone" || on == "email" {
					return dup.Contact, nil
				}
			}
		}
	}
	first := d.FirstName
	if first == "" {
		first, _, _ = strings.Cut(d.Email, "@")
	}
	if first == "" {
		first = "Wix booking"
	}
	src := contact.LeadSourceWix
	in := ent.CreateContactInput{FirstName: first, LeadSource: &src}
	if d.LastName != "" {
		in.LastName = &d.LastName
	}
	if d.Phone != "" {
		in.Phone = &d.Phone
	}
	if d.Email != "" {
		in.Email = &d.Email
	}
	return s.Contacts.Create(ctx, in, false)
}

// unmapped leaves staff a task to map the Wix service and book the
// patient by hand; the same booking again adds no second task (made
// false).
func (s *Service) unmapped(ctx context.Context, c *ent.Client, b wixwire.Booking, ct *ent.Contact) (made bool, err error) {
	name := b.ServiceName
	if name == "" {
		name = b.ServiceID
	}
	title := fmt.Sprintf("Wix booking %s: map Wix service %q", b.ID, name)
	if len(title) > 200 {
		title = title[:200]
	}
	exists, err := c.Task.Query().Where(task.Title(title)).Exist(ctx)
	if err != nil || exists {
		return false, err
	}
	id := ct.ID
	due := s.Now.Now().Add(time.Hour)
	_, err = s.Tasks.Create(ctx, tasks.NewTask{
		Title: title, ContactID: &id, DueAt: &due,
		Description: fmt.Sprintf("A booking arrived from Wix for a service with no mapping (Wix service id %s, %s to %s UTC). "+
			"Map the service on Admin → Integrations, then book the patient here (or replay the event on Admin → Webhook events).",
			b.ServiceID, b.Start.Format(time.RFC3339), b.End.Format(time.RFC3339)),
	})
	return err == nil, err
}

// Mappings, for the admin page and GraphQL (settings permissions apply
// through the WixService policy).

// Mappings lists the location's Wix service mappings.
func (s *Service) Mappings(ctx context.Context, c *ent.Client) ([]*ent.WixService, error) {
	return c.WixService.Query().Order(ent.Asc(wixservice.FieldWixName), ent.Asc(wixservice.FieldWixServiceID)).All(ctx)
}

// SetMapping maps a Wix service id to one of the location's services
// (replacing its mapping). INVALID for an empty id, NOT_FOUND for a
// service that is not the location's.
func (s *Service) SetMapping(ctx context.Context, c *ent.Client, wixID, wixName string, serviceID pulid.ID) (*ent.WixService, error) {
	wixID, wixName = strings.TrimSpace(wixID), strings.TrimSpace(wixName)
	if wixID == "" || len(wixID) > 100 {
		return nil, apperr.Invalidf("wixServiceID", "give Wix's service id (up to 100 characters)")
	}
	if len(wixName) > 200 {
		return nil, apperr.Invalidf("wixName", "is too long: at most 200 characters")
	}
	if _, err := c.Service.Get(ctx, serviceID); err != nil {
		if ent.IsNotFound(err) {
			return nil, apperr.NotFoundf("serviceID", "service %s not found", serviceID)
		}
		return nil, err
	}
	var out *ent.WixService
	err := txn.Run(ctx, c, func(ctx context.Context, c *ent.Client) error {
		old, err := c.WixService.Query().Where(wixservice.WixServiceID(wixID)).Only(ctx)
		switch {
		case err == nil:
			out, err = old.Update().SetServiceID(serviceID).SetWixName(wixName).Save(ctx)
		case ent.IsNotFound(err):
			out, err = c.WixService.Create().SetWixServiceID(wixID).SetWixName(wixName).SetServiceID(serviceID).Save(ctx)
		}
		return err
	})
	return out, err
}

// DeleteMapping removes a mapping (NOT_FOUND when it is not the
// location's).
func (s *Service) DeleteMapping(ctx context.Context, c *ent.Client, id pulid.ID) error {
	err := c.WixService.DeleteOneID(id).Exec(ctx)
	if ent.IsNotFound(err) {
		return apperr.NotFoundf("id", "mapping %s not found", id)
	}
	return err
}
