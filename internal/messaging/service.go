package messaging

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/txmemo"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Service records outbound messages and sends them through the provider.
type Service struct {
	// Client is the root client (the send job opens its own transactions).
	Client *ent.Client
	// Jobs enqueues the send jobs (the queue; set before anything is queued).
	Jobs jobs.Enqueuer
	// Provider sends; nil is the Outbox.
	Provider Provider
	// From is the sender name or number (AVATARCRM_SMS_FROM); empty lets
	// the provider choose.
	From string
	// PriceCents is the price of one SMS segment, for the cost of messages
	// the provider does not price (the outbox) and of previews.
	PriceCents int
	Now        clock.Clock
}

// SMSInput is one SMS to queue (see QueueSMS).
type SMSInput struct {
	ContactID pulid.ID  // required; To = contact's E.164 phone
	BookingID *pulid.ID // optional context for template variables
	// Template is a template key (TemplateWelcome, …) or "" with Body.
	Template string
	Body     string    // used when Template == ""
	RuleID   *pulid.ID // the automation rule that sent it, if any
	SentBy   *pulid.ID // the user who sent it, if a person
	// Marketing needs consent (sms_consent) and carries the opt-out line;
	// a marketing template (recall) makes the message marketing too.
	Marketing bool
	Urgent    bool   // ignores quiet hours
	Key       string // idempotency/unique key, e.g. "reminder_24h:<bookingID>:<startsAtUnix>"
	// Bookings are further bookings of the same contact and day that a
	// combined reminder covers (besides BookingID).
	Bookings []pulid.ID
	// ReplyTo is the patient's inbound message this one answers (two-way
	// SMS). A reply that is not marketing goes even to a number that
	// opted out: the patient wrote after opting out (or the reply
	// confirms the opt-out itself).
	ReplyTo *pulid.ID
	// Contact, when set, is the contact ContactID as the caller read it in
	// c's transaction and unchanged since (the automation's event job
	// read it for the rule): QueueSMS does not read it again.
	Contact *ent.Contact
	// KeyNew says no message can hold Key yet (the automation's first run
	// of a rule for an event, whose messages commit with its run): the
	// lookup by Key is skipped. The unique index on the key still refuses
	// a second message.
	KeyNew bool
}

func (s *Service) provider() Provider {
	if s.Provider == nil {
		return Outbox{}
	}
	return s.Provider
}

// timeBound templates speak of a booking's time: stale once it moves.
var timeBound = []string{TemplateConfirmation, TemplateReminder24h, TemplateReminder2h}

// QueueSMS records one Message and enqueues its send job in the caller's
// transaction (ctx must carry the txn; ent client c is the txn's client);
// with a provider that sends inline (the Outbox) a message that may go now
// is sent in that transaction instead, with no job (inline.go).
// Idempotent by in.Key: a second call with the same non-empty Key returns
// the existing Message and sends nothing.
//
// The message is rendered now, in the location's zone; quiet hours defer a
// non-urgent one (status deferred, its job scheduled for the end of them).
// The send job checks again, at send time, opt-out, consent and whether the
// booking was cancelled or moved. Errors: NOT_FOUND (contact, booking or
// template), INVALID (no text).
// locationKey and templateKey are QueueSMS's keys in a txmemo.
type (
	locationKey pulid.ID
	templateKey struct {
		loc pulid.ID
		key string
	}
)

func (s *Service) QueueSMS(ctx context.Context, c *ent.Client, in SMSInput) (*ent.Message, error) {
	ct := in.Contact
	if ct == nil || ct.ID != in.ContactID {
		var err error
		ct, err = c.Contact.Get(ctx, in.ContactID)
		if err != nil {
			return nil, notFound(err, "contactID", "contact %s not found", in.ContactID)
		}
	}
	// The message and its touchpoint point at ct, read at its location in
	// this transaction: the tenant hook need not read it again.
	ctx = viewer.CheckedAt(ctx, ct.LocationID, ct.ID)
	if in.Key != "" && !in.KeyNew {
		m, err := c.Message.Query().Where(message.LocationID(ct.LocationID), message.Key(in.Key)).Only(ctx)
		if err == nil {
			return m, nil
		}
		if !ent.IsNotFound(err) {
			return nil, err
		}
	}
	// Once per batch of events (txmemo): the location cannot change
	// under the batch's transaction.
	loc, err := txmemo.Get(ctx, locationKey(ct.LocationID), func() (*ent.Location, error) {
		return c.Location.Get(ctx, ct.LocationID)
	})
	if err != nil {
		return nil, fmt.Errorf("queue sms: location: %w", err)
	}
	zone := zoneOf(loc)
	var bks []*ent.Booking
	ids := in.Bookings
	if in.BookingID != nil {
		ids = append([]pulid.ID{*in.BookingID}, ids...)
	}
	if len(ids) > 0 {
		bks, err = c.Booking.Query().Where(booking.IDIn(ids...), booking.ContactID(ct.ID)).WithService().Order(ent.Asc(booking.FieldStartsAt)).All(ctx)
		if err != nil {
			return nil, err
		}
		if len(bks) != len(slices.Compact(slices.Sorted(slices.Values(ids)))) {
			return nil, apperr.NotFoundf("bookingID", "booking not found for contact %s", ct.ID)
		}
		for _, b := range bks {
			if b.LocationID == loc.ID {
				ctx = viewer.CheckedAt(ctx, loc.ID, b.ID)
			}
		}
	}
	body, marketing := in.Body, in.Marketing
	if in.Template != "" {
		t, err := txmemo.Get(ctx, templateKey{loc.ID, in.Template}, func() (DefaultTemplate, error) {
			return template(ctx, c, loc.ID, in.Template)
		})
		if err != nil {
			return nil, err
		}
		body, _ = Render(t.Body, Vars(ct, loc, bks, zone))
		marketing = marketing || t.Marketing
	}
	body = Finish(body, loc.Name, marketing)
	if body == "" {
		return nil, apperr.Invalidf("body", "the message is empty")
	}
	now := s.Now.Now()
	cnt := CountSMS(body)
	create := c.Message.Create().
		SetLocationID(loc.ID).SetContactID(ct.ID).SetChannel(message.ChannelSms).
		SetBody(body).SetTemplate(in.Template).SetMarketing(marketing).SetUrgent(in.Urgent).
		SetSegments(cnt.Segments).SetCostCents(cnt.Segments * s.PriceCents).
		SetNillableRuleID(in.RuleID).SetNillableSentByID(in.SentBy).SetNillableReplyToID(in.ReplyTo).
		SetCreatedAt(now).SetUpdatedAt(now)
	to := ""
	if ct.Phone != nil {
		to = *ct.Phone
	}
	create.SetTo(to)
	// What the send job would read back to check the message (inline.go).
	probe := &ent.Message{LocationID: loc.ID, ContactID: ct.ID, To: to, Body: body, Template: in.Template,
		Marketing: marketing, ReplyToID: in.ReplyTo, CostCents: cnt.Segments * s.PriceCents, Edges: ent.MessageEdges{Contact: ct}}
	if in.Key != "" {
		create.SetKey(in.Key)
	}
	if len(bks) > 0 {
		create.SetBookingID(bks[0].ID).SetBookingStartsAt(bks[0].StartsAt)
		if in.BookingID != nil {
			create.SetBookingID(*in.BookingID)
			for _, b := range bks {
				if b.ID == *in.BookingID {
					create.SetBookingStartsAt(b.StartsAt)
				}
			}
		}
		create.SetCovers(covers(bks))
		probe.Covers = covers(bks)
	}
	var opts *river.InsertOpts
	if !in.Urgent {
		if at := QuietHoursOf(loc.Settings, zone).NextAllowed(now); at.After(now) {
			create.SetStatus(message.StatusDeferred).SetSendAfter(at)
			opts = &river.InsertOpts{ScheduledAt: at}
		}
	}
	if p, ok := s.provider().(Inline); ok && p.SendsInline() && opts == nil {
		// Not deferred, and a provider that only records: send now, in
		// this transaction, with no job (inline.go).
		m, handled, err := s.sendInline(ctx, c, create, probe, p, now)
		if err != nil {
			return nil, fmt.Errorf("queue sms: send inline: %w", err)
		}
		if handled {
			return m, nil
		}
	}
	m, err := create.Save(ctx)
	if err != nil {
		return nil, err
	}
	if s.Jobs == nil {
		return nil, errors.New("queue sms: no job queue")
	}
	if _, err := s.Jobs.Enqueue(ctx, SendArgs{MessageID: m.ID, LocationID: loc.ID}, opts); err != nil {
		return nil, fmt.Errorf("queue sms: enqueue: %w", err)
	}
	return m, nil
}

// covers lists bookings with the start each had when the message was
// queued ("bkg_…@unix"): a booking that moves is no longer covered.
func covers(bks []*ent.Booking) []string {
	out := make([]string, len(bks))
	for i, b := range bks {
		out[i] = coverOf(b)
	}
	return out
}

func coverOf(b *ent.Booking) string {
	return string(b.ID) + "@" + strconv.FormatInt(b.StartsAt.Unix(), 10)
}

// Vars are the template variables for a contact (and bookings) at loc.
func Vars(ct *ent.Contact, loc *ent.Location, bks []*ent.Booking, zone *time.Location) map[string]string {
	apps := make([]Appointment, 0, len(bks))
	for _, b := range bks {
		name := "appointment"
		if b.Edges.Service != nil {
			name = b.Edges.Service.Name
		}
		apps = append(apps, Appointment{Service: name, StartsAt: b.StartsAt})
	}
	v := BookingVars(apps, zone)
	v["first_name"] = ct.FirstName
	v["last_name"] = ct.LastName
	v["clinic"] = loc.Name
	v["clinic_phone"] = loc.Phone
	if _, ok := v["service"]; !ok {
		v["service"] = "scan"
	}
	return v
}

func zoneOf(l *ent.Location) *time.Location {
	z, err := time.LoadLocation(l.Timezone)
	if err != nil {
		return time.UTC
	}
	return z
}

func notFound(err error, field, format string, args ...any) error {
	if ent.IsNotFound(err) {
		return apperr.NotFoundf(field, format, args...)
	}
	return err
}
