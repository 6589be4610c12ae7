package messaging

import (
	"context"
	"slices"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/smstemplate"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// The template editor's operations, for the viewer's active location. The
// privacy layer checks the permissions (templates: automation).

// Templates lists the location's templates in the standard order.
func (s *Service) Templates(ctx context.Context, c *ent.Client) ([]*ent.SMSTemplate, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := c.SMSTemplate.Query().Where(smstemplate.LocationID(v.LocationID)).All(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ts, func(a, b *ent.SMSTemplate) int { return rank(a.Key) - rank(b.Key) })
	return ts, nil
}

func rank(key string) int {
	i := slices.IndexFunc(DefaultTemplates, func(d DefaultTemplate) bool { return d.Key == key })
	if i < 0 {
		return len(DefaultTemplates)
	}
	return i
}

// TemplateChange is an edit of a template; nil fields stay.
type TemplateChange struct {
	Name      *string
	Body      *string
	Marketing *bool
}

// UpdateTemplate changes the location's template with key (creating it
// from the standard one if the location lacks it). INVALID for an empty
// body or an unknown variable; NOT_FOUND for a key that is not standard.
func (s *Service) UpdateTemplate(ctx context.Context, c *ent.Client, key string, ch TemplateChange) (*ent.SMSTemplate, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	if ch.Body != nil {
		if err := CheckTemplate(*ch.Body); err != nil {
			return nil, err
		}
	}
	if ch.Name != nil && *ch.Name == "" {
		return nil, apperr.Invalidf("name", "the name is empty")
	}
	t, err := c.SMSTemplate.Query().Where(smstemplate.LocationID(v.LocationID), smstemplate.Key(key)).Only(ctx)
	if ent.IsNotFound(err) {
		d, derr := template(ctx, c, v.LocationID, key)
		if derr != nil {
			return nil, derr
		}
		t, err = c.SMSTemplate.Create().SetLocationID(v.LocationID).SetKey(d.Key).SetName(d.Name).SetBody(d.Body).SetMarketing(d.Marketing).Save(ctx)
	}
	if err != nil {
		return nil, err
	}
	return t.Update().SetNillableName(ch.Name).SetNillableBody(ch.Body).SetNillableMarketing(ch.Marketing).Save(ctx)
}

// Preview is a template rendered for a real contact.
type Preview struct {
	Template string
	Body     string
	Count    Count
	// CostCents is Count.Segments × the price per segment.
	CostCents int
	// Unknown lists variables the text uses that are not known.
	Unknown []string
}

// Count counts body's segments and prices them.
func (s *Service) Count(body string) (Count, int) {
	c := CountSMS(body)
	return c, c.Segments * s.PriceCents
}

// Preview renders the template with key (or body, when given: the text
// being edited) for the contact, and optionally one of their bookings (by
// default their next one), as QueueSMS would. NOT_FOUND for an unknown
// key, contact or booking.
func (s *Service) Preview(ctx context.Context, c *ent.Client, key string, contactID pulid.ID, bookingID *pulid.ID, body *string) (*Preview, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	t, err := template(ctx, c, v.LocationID, key)
	if err != nil {
		return nil, err
	}
	if body != nil {
		t.Body = *body
	}
	ct, err := c.Contact.Get(ctx, contactID)
	if err != nil {
		return nil, notFound(err, "contactID", "contact %s not found", contactID)
	}
	loc, err := c.Location.Get(ctx, ct.LocationID)
	if err != nil {
		return nil, err
	}
	q := c.Booking.Query().Where(booking.ContactID(ct.ID)).WithService()
	if bookingID != nil {
		q.Where(booking.ID(*bookingID))
	} else {
		q.Where(booking.StartsAtGT(s.Now.Now())).Order(ent.Asc(booking.FieldStartsAt)).Limit(1)
	}
	bks, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	if bookingID != nil && len(bks) == 0 {
		return nil, apperr.NotFoundf("bookingID", "booking %s not found for this contact", *bookingID)
	}
	text, unknown := Render(t.Body, Vars(ct, loc, bks, zoneOf(loc)))
	text = Finish(text, loc.Name, t.Marketing)
	cnt, cost := s.Count(text)
	return &Preview{Template: t.Key, Body: text, Count: cnt, CostCents: cost, Unknown: unknown}, nil
}
