package contacts

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Channels staff log by hand, and the directions.
const (
	ChannelCall  = "call"
	ChannelSMS   = "sms"
	ChannelEmail = "email"
	ChannelNote  = "note"

	Inbound  = "inbound"
	Outbound = "outbound"
)

// LogTouch is a call, message or note a person records on a contact's
// timeline: something that happened outside the CRM (a phone call at the
// desk, an SMS from the clinic mobile).
type LogTouch struct {
	ContactID pulid.ID
	// Channel is call, sms, email or note.
	Channel string
	// Direction is inbound (the person got in touch: it counts as their
	// contact in warmness) or outbound; a note has none.
	Direction string
	Text      string
	// At is when it happened; zero is now. Never in the future.
	At time.Time
}

// MaxTouchText is the longest text a touchpoint holds (its summary).
const MaxTouchText = 500

// futureSlack lets a clock a little ahead of the server's log "now".
const futureSlack = 5 * time.Minute

// LogTouchpoint records lt as a touchpoint by the viewer, in the caller's
// transaction; the warmness hook rescores the contact with it. INVALID
// names the field (channel, direction, text, occurredAt); an unknown
// contact or one of another location is NOT_FOUND.
func (s *Service) LogTouchpoint(ctx context.Context, lt LogTouch) (*ent.Touchpoint, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	kind, err := touchKind(lt.Channel, lt.Direction)
	if err != nil {
		return nil, err
	}
	text := strings.TrimSpace(lt.Text)
	switch {
	case text == "":
		return nil, apperr.Invalidf("text", "say what was said or done")
	case utf8.RuneCountInString(text) > MaxTouchText:
		return nil, apperr.Invalidf("text", "at most %d characters", MaxTouchText)
	}
	now := s.Now.Now()
	at := lt.At
	switch {
	case at.IsZero():
		at = now
	case at.After(now.Add(futureSlack)):
		return nil, apperr.Invalidf("occurredAt", "that is in the future: log what has happened")
	case at.Year() < 2000:
		return nil, apperr.Invalidf("occurredAt", "that is too long ago")
	}
	c := s.client(ctx)
	if _, err := c.Contact.Query().Where(contact.ID(lt.ContactID)).OnlyID(ctx); err != nil {
		return nil, err
	}
	b := c.Touchpoint.Create().SetContactID(lt.ContactID).SetKind(kind).SetSummary(text).SetOccurredAt(at.UTC())
	if v.UserID != "" {
		b.SetActorID(v.UserID)
	}
	return b.Save(ctx)
}

// touchKind maps a channel and a direction to the touchpoint kind.
func touchKind(channel, direction string) (touchpoint.Kind, error) {
	if channel == ChannelNote {
		if direction != "" {
			return "", apperr.Invalidf("direction", "a note has no direction")
		}
		return touchpoint.KindNote, nil
	}
	kinds := map[string][2]touchpoint.Kind{
		ChannelCall:  {touchpoint.KindCallIn, touchpoint.KindCallOut},
		ChannelSMS:   {touchpoint.KindSmsIn, touchpoint.KindSmsOut},
		ChannelEmail: {touchpoint.KindEmailIn, touchpoint.KindEmailOut},
	}
	k, ok := kinds[channel]
	if !ok {
		return "", apperr.Invalidf("channel", "choose call, SMS, email or note")
	}
	switch direction {
	case Inbound:
		return k[0], nil
	case Outbound:
		return k[1], nil
	}
	return "", apperr.Invalidf("direction", "say who got in touch: the patient (inbound) or the clinic (outbound)")
}

// engineKinds are the touchpoint kinds only the campaigns engine writes:
// what a recipient did with a campaign email, recorded by the tracking
// handlers and the send jobs.
var engineKinds = map[touchpoint.Kind]bool{
	touchpoint.KindEmailOpen: true, touchpoint.KindEmailClick: true,
	touchpoint.KindEmailBounce: true, touchpoint.KindEmailUnsub: true,
}

// CreateTouchpoint records a touchpoint from input (createTouchpoint),
// in the caller's transaction when there is one. It refuses a kind that
// only the campaigns engine writes: a hand-made "opened" or
// "unsubscribed" line would claim something the recipient never did.
func (s *Service) CreateTouchpoint(ctx context.Context, input ent.CreateTouchpointInput) (*ent.Touchpoint, error) {
	if engineKinds[input.Kind] {
		return nil, apperr.Invalidf("kind", "%s is recorded by the campaign tracking, not by hand", input.Kind)
	}
	var out *ent.Touchpoint
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		var err error
		out, err = c.Touchpoint.Create().SetInput(input).Save(ctx)
		return err
	})
	return out, err
}
