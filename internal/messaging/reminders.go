package messaging

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/service"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

// Reminder kinds: a template and when it is due before the booking. The
// 24 h reminder is due at the same wall-clock time the local day before
// (so 25 or 23 hours before across a daylight-saving change: "tomorrow at
// 10" is said at 10); the 2 h one two hours before.
var reminderKinds = []struct {
	Template string
	Due      func(startsAt time.Time, zone *time.Location) time.Time
}{
	{TemplateReminder24h, func(t time.Time, z *time.Location) time.Time { return t.In(z).AddDate(0, 0, -1).UTC() }},
	{TemplateReminder2h, func(t time.Time, _ *time.Location) time.Time { return t.Add(-2 * time.Hour) }},
}

// ReminderKey is the idempotency key of a reminder: its kind, its booking
// and the booking's start, so a rescheduled booking's new time gets a
// reminder of its own.
func ReminderKey(template string, b *ent.Booking) string {
	return template + ":" + string(b.ID) + ":" + strconv.FormatInt(b.StartsAt.Unix(), 10)
}

// ScanResult counts what a scan did.
type ScanResult struct {
	Queued  int `json:"queued"`
	Skipped int `json:"skipped"` // already covered by a message
}

// ScanReminders queues the reminders that are due at now at every
// location: for each booking still pending or confirmed whose 24 h (or 2 h)
// reminder time has come and whose next reminder is not yet due, one SMS
// per patient and day, covering all of that patient's bookings that day
// (a combined reminder). A booking already covered by a live message of the
// kind is skipped, and the key makes a second queue of the same reminder
// the same message: running the scan twice sends nothing twice. ctx acts
// for the scheduled job.
func (s *Service) ScanReminders(ctx context.Context, now time.Time) (ScanResult, error) {
	var res ScanResult
	locs, err := s.Client.Location.Query().All(ctx)
	if err != nil {
		return res, err
	}
	var errs []error
	for _, l := range locs {
		r, err := s.scanLocation(ctx, l, now)
		res.Queued += r.Queued
		res.Skipped += r.Skipped
		if err != nil {
			errs = append(errs, fmt.Errorf("location %s: %w", l.Code, err))
		}
	}
	return res, errors.Join(errs...)
}

func (s *Service) scanLocation(ctx context.Context, l *ent.Location, now time.Time) (ScanResult, error) {
	var res ScanResult
	zone := zoneOf(l)
	// Bookings that start within two days: a 24 h reminder is due at most
	// 25 hours before, and the same day's other bookings are combined.
	bks, err := s.Client.Booking.Query().
		Where(booking.LocationID(l.ID), booking.StatusIn(booking.StatusPending, booking.StatusConfirmed),
			booking.StartsAtGT(now), booking.StartsAtLT(now.Add(50*time.Hour))).
		WithService().Order(ent.Asc(booking.FieldStartsAt)).All(ctx)
	if err != nil {
		return res, err
	}
	type group struct {
		contact  pulid.ID
		day      string
		template string
	}
	due := map[group][]*ent.Booking{}
	var order []group
	for _, b := range bks {
		for i, k := range reminderKinds {
			at := k.Due(b.StartsAt, zone)
			if now.Before(at) {
				continue
			}
			// Past the next reminder's time, this one is stale.
			if i+1 < len(reminderKinds) && !now.Before(reminderKinds[i+1].Due(b.StartsAt, zone)) {
				continue
			}
			g := group{b.ContactID, b.StartsAt.In(zone).Format(time.DateOnly), k.Template}
			if _, ok := due[g]; !ok {
				order = append(order, g)
			}
			due[g] = append(due[g], b)
		}
	}
	var errs []error
	for _, g := range order {
		// The patient's other bookings that day join the reminder.
		var day []*ent.Booking
		for _, b := range bks {
			if b.ContactID == g.contact && b.StartsAt.In(zone).Format(time.DateOnly) == g.day {
				day = append(day, b)
			}
		}
		covered, err := s.covered(ctx, l.ID, g.contact, g.template, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var todo []*ent.Booking
		for _, b := range day {
			if !covered[coverOf(b)] {
				todo = append(todo, b)
			}
		}
		if len(todo) == 0 || !slices.ContainsFunc(due[g], func(b *ent.Booking) bool { return !covered[coverOf(b)] }) {
			res.Skipped++
			continue
		}
		first := todo[0]
		in := SMSInput{ContactID: g.contact, BookingID: &first.ID, Template: g.template, Key: ReminderKey(g.template, first)}
		for _, b := range todo[1:] {
			in.Bookings = append(in.Bookings, b.ID)
		}
		err = txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
			_, err := s.QueueSMS(ctx, c, in)
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("reminder %s: %w", in.Key, err))
			continue
		}
		res.Queued++
	}
	return res, errors.Join(errs...)
}

// covered is the set of bookings (at their start, coverOf) that a live
// reminder of template already covers for the contact.
func (s *Service) covered(ctx context.Context, loc, contact pulid.ID, template string, now time.Time) (map[string]bool, error) {
	ms, err := s.Client.Message.Query().
		Where(message.LocationID(loc), message.ContactID(contact), message.Template(template),
			message.StatusNotIn(message.StatusSuppressed, message.StatusFailed),
			message.CreatedAtGT(now.Add(-72*time.Hour))).
		Select(message.FieldCovers).All(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, m := range ms {
		for _, c := range m.Covers {
			out[c] = true
		}
	}
	return out, nil
}

// RecallWindow is how long after its due date a recall is still sent: a
// recall long overdue (the service's interval set after the fact, a
// database restored) is left to staff rather than sent out of the blue.
const RecallWindow = 60 * 24 * time.Hour

// RecallKey is the idempotency key of a booking's recall: once per booking.
func RecallKey(b *ent.Booking) string { return "recall:" + string(b.ID) }

// ScanRecalls queues the recall SMS of every completed booking at the
// location whose service's recall interval (months, in the location's
// zone) has passed within RecallWindow, unless the patient has booked
// again since. Once per booking (RecallKey).
func (s *Service) ScanRecalls(ctx context.Context, locationID pulid.ID, now time.Time) (ScanResult, error) {
	var res ScanResult
	l, err := s.Client.Location.Get(ctx, locationID)
	if err != nil {
		return res, err
	}
	zone := zoneOf(l)
	bks, err := s.Client.Booking.Query().
		Where(booking.LocationID(l.ID), booking.StatusEQ(booking.StatusCompleted),
			booking.HasServiceWith(service.RecallMonthsGT(0)),
			booking.StartsAtGT(now.AddDate(-10, -3, 0)), booking.StartsAtLT(now)).
		WithService().All(ctx)
	if err != nil {
		return res, err
	}
	var errs []error
	for _, b := range bks {
		done := b.StartsAt
		if b.CompletedAt != nil {
			done = *b.CompletedAt
		}
		dueAt := done.In(zone).AddDate(0, b.Edges.Service.RecallMonths, 0)
		if now.Before(dueAt) || now.Sub(dueAt) > RecallWindow {
			continue
		}
		again, err := s.Client.Booking.Query().
			Where(booking.ContactID(b.ContactID), booking.StartsAtGT(b.StartsAt),
				booking.StatusIn(booking.StatusPending, booking.StatusConfirmed, booking.StatusCompleted)).Exist(ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if again {
			res.Skipped++
			continue
		}
		in := SMSInput{ContactID: b.ContactID, BookingID: &b.ID, Template: TemplateRecall, Marketing: true, Key: RecallKey(b)}
		err = txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
			_, err := s.QueueSMS(ctx, c, in)
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("recall %s: %w", b.ID, err))
			continue
		}
		res.Queued++
	}
	return res, errors.Join(errs...)
}
