package sms

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/optout"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// MaxBody is the longest free text staff may send (ten parts).
const MaxBody = 1530

// Problems a text for a contact can have (Check).
const (
	ProblemNoPhone  = "no_phone"
	ProblemOptedOut = "opted_out"
	ProblemEmpty    = "empty"
	ProblemTooLong  = "too_long"
)

// Check is what Send would do with a text now.
type Check struct {
	Allowed bool
	// Problem is why not (a Problem* code), or "".
	Problem string
	// Message says why not, or what will happen, in words.
	Message string
	// SendAfter is the end of quiet hours when the text would wait.
	SendAfter *time.Time
	Count     messaging.Count
	CostCents int
	// ReplyTo is the inbound message a text to an opted-out number
	// answers (the patient wrote after opting out).
	ReplyTo *pulid.ID
}

// Check says whether Send would accept body for the contact now, and
// when it would go (the send box's live check). Errors: NOT_FOUND.
func (s *Service) Check(ctx context.Context, c *ent.Client, contactID pulid.ID, body string) (Check, error) {
	ct, err := c.Contact.Get(ctx, contactID)
	if err != nil {
		return Check{}, notFound(err, "contactID", "contact %s not found", contactID)
	}
	cnt, cost := s.Messaging.Count(body)
	ch := Check{Count: cnt, CostCents: cost}
	refuse := func(problem, msg string) (Check, error) {
		ch.Problem, ch.Message = problem, msg
		return ch, nil
	}
	switch {
	case ct.Phone == nil || *ct.Phone == "":
		return refuse(ProblemNoPhone, "The contact has no mobile number.")
	case strings.TrimSpace(body) == "":
		return refuse(ProblemEmpty, "Type a message.")
	case len([]rune(body)) > MaxBody:
		return refuse(ProblemTooLong, fmt.Sprintf("The message is %d characters; at most %d can be sent.", len([]rune(body)), MaxBody))
	}
	oo, err := c.OptOut.Query().Where(optout.LocationID(ct.LocationID), optout.ChannelEQ(optout.ChannelSms), optout.Address(*ct.Phone)).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return Check{}, err
	}
	if oo != nil {
		last, err := c.Message.Query().
			// Written since the opt-out, the STOP itself aside (it is
			// recorded in the same instant).
			Where(message.ContactID(ct.ID), message.DirectionEQ(message.DirectionInbound), message.CreatedAtGTE(oo.CreatedAt),
				message.Or(message.ActionIsNil(), message.ActionNEQ(message.ActionOptedOut))).
			Order(ent.Desc(message.FieldCreatedAt)).First(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return Check{}, err
		}
		if last == nil {
			return refuse(ProblemOptedOut, "This number opted out of SMS (STOP). Only a reply to a message they send later can go.")
		}
		ch.ReplyTo = &last.ID
	}
	ch.Allowed = true
	ch.Message = fmt.Sprintf("%d part(s), %s.", cnt.Segments, cents(cost))
	loc, err := c.Location.Get(ctx, ct.LocationID)
	if err != nil {
		return Check{}, err
	}
	now := s.Now.Now()
	zone := zoneOf(loc)
	if at := messaging.QuietHoursOf(loc.Settings, zone).NextAllowed(now); at.After(now) {
		ch.SendAfter = &at
		ch.Message += " Quiet hours: it will go at " + at.In(zone).Format("Mon 15:04") + "."
	}
	if ct.SmsFailedAt != nil {
		reason := "it failed"
		if ct.SmsFailedReason != nil {
			reason = *ct.SmsFailedReason
		}
		ch.Message += " The last SMS to this number failed (" + reason + "): check the number."
	}
	if oo != nil {
		ch.Message += " The number opted out: this goes only as a reply to their message."
	}
	return ch, nil
}

func cents(c int) string { return fmt.Sprintf("$%d.%02d", c/100, c%100) }

func zoneOf(l *ent.Location) *time.Location {
	z, err := time.LoadLocation(l.Timezone)
	if err != nil {
		return time.UTC
	}
	return z
}

// Send queues a free text to the contact from the viewer, after the
// checks of Check; it waits for the end of quiet hours when it falls in
// them. Sending answers the conversation: it no longer needs a reply and
// is read. Errors: NOT_FOUND (contact), INVALID (a Check problem).
func (s *Service) Send(ctx context.Context, c *ent.Client, contactID pulid.ID, body string) (*ent.Message, error) {
	ch, err := s.Check(ctx, c, contactID, body)
	if err != nil {
		return nil, err
	}
	if !ch.Allowed {
		field := "body"
		if ch.Problem == ProblemNoPhone || ch.Problem == ProblemOptedOut {
			field = "contactID"
		}
		return nil, apperr.Invalidf(field, "%s", ch.Message)
	}
	var by *pulid.ID
	if v := viewer.FromContext(ctx); v != nil && v.UserID != "" {
		by = &v.UserID
	}
	m, err := s.Messaging.QueueSMS(ctx, c, messaging.SMSInput{ContactID: contactID, Body: body, SentBy: by, ReplyTo: ch.ReplyTo})
	if err != nil {
		return nil, err
	}
	if err := s.touch(ctx, c, m, touchAnswered); err != nil {
		return nil, err
	}
	return m, nil
}
