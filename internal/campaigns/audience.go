package campaigns

import (
	"context"
	"slices"

	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/sqljson"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/optout"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Exclusion reasons, in the order they are counted: a contact is counted
// under the first that applies.
const (
	ReasonNoEmail      = "no_email"
	ReasonUnsubscribed = "unsubscribed"
	ReasonNoConsent    = "no_consent"
	ReasonBounced      = "bounced"
)

var reasonLabels = map[string]string{
	ReasonNoEmail:      "No email address",
	ReasonUnsubscribed: "Unsubscribed",
	ReasonNoConsent:    "No email marketing consent",
	ReasonBounced:      "Address bounced",
}

// CheckAudience validates a filter: known stages, pipelines and sources, a
// warmness range inside 0 to 100, the active location.
func CheckAudience(ctx context.Context, f *types.CampaignAudience) error {
	for _, s := range f.Stages {
		if !slices.Contains(schema.Stages, s) {
			return apperr.Invalidf("audience.stages", "unknown stage %q", s)
		}
	}
	for _, p := range f.Pipelines {
		if !slices.Contains(schema.Pipelines, p) {
			return apperr.Invalidf("audience.pipelines", "unknown pipeline %q", p)
		}
	}
	for _, s := range f.Sources {
		if !slices.Contains(schema.LeadSources, s) {
			return apperr.Invalidf("audience.sources", "unknown lead source %q", s)
		}
	}
	for _, w := range []*int{f.WarmnessMin, f.WarmnessMax} {
		if w != nil && (*w < 0 || *w > 100) {
			return apperr.Invalidf("audience.warmness", "warmness is 0 to 100")
		}
	}
	if f.WarmnessMin != nil && f.WarmnessMax != nil && *f.WarmnessMin > *f.WarmnessMax {
		return apperr.Invalidf("audience.warmnessMin", "the lowest warmness is above the highest")
	}
	if f.LocationID != nil {
		v, err := viewer.AtLocation(ctx)
		if err != nil {
			return err
		}
		if *f.LocationID != v.LocationID {
			return apperr.Invalidf("audience.locationID", "a campaign reaches the contacts of the active location only")
		}
	}
	return nil
}

// matches is the filter as contact predicates (the tenant rule adds the
// location); archived contacts never match.
func matches(f types.CampaignAudience) []predicate.Contact {
	ps := []predicate.Contact{contact.ArchivedAtIsNil()}
	if len(f.Stages) > 0 {
		ps = append(ps, contact.StageIn(convert[contact.Stage](f.Stages)...))
	}
	if len(f.Pipelines) > 0 {
		ps = append(ps, contact.PipelineIn(convert[contact.Pipeline](f.Pipelines)...))
	}
	if len(f.Sources) > 0 {
		ps = append(ps, contact.LeadSourceIn(convert[contact.LeadSource](f.Sources)...))
	}
	if f.WarmnessMin != nil {
		ps = append(ps, contact.WarmnessGTE(*f.WarmnessMin))
	}
	if f.WarmnessMax != nil {
		ps = append(ps, contact.WarmnessLTE(*f.WarmnessMax))
	}
	held := booking.StatusNEQ(booking.StatusCancelled)
	switch {
	case f.LastBookingBefore != nil && f.NeverBooked:
		ps = append(ps, contact.Not(contact.HasBookingsWith(held, booking.StartsAtGTE(*f.LastBookingBefore))))
	case f.LastBookingBefore != nil:
		ps = append(ps, contact.HasBookingsWith(held), contact.Not(contact.HasBookingsWith(held, booking.StartsAtGTE(*f.LastBookingBefore))))
	case f.NeverBooked:
		ps = append(ps, contact.Not(contact.HasBookingsWith(held)))
	}
	if f.LastBookingAfter != nil {
		ps = append(ps, contact.HasBookingsWith(held, booking.StartsAtGTE(*f.LastBookingAfter)))
	}
	if len(f.ServiceIDs) > 0 {
		ps = append(ps, contact.HasBookingsWith(held, booking.ServiceIDIn(f.ServiceIDs...)))
	}
	if len(f.Tags) > 0 {
		tags := f.Tags
		ps = append(ps, func(s *sql.Selector) {
			or := make([]*sql.Predicate, len(tags))
			for i, t := range tags {
				or[i] = sqljson.ValueContains(s.C(contact.FieldTags), t)
			}
			s.Where(sql.Or(or...))
		})
	}
	return ps
}

func convert[T ~string](xs []string) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = T(x)
	}
	return out
}

// exclusion returns the predicates of each reason, cumulative: a contact
// is excluded for the first reason whose predicate it meets.
func exclusions(optedOut []string) []struct {
	reason string
	p      predicate.Contact
} {
	unsub := contact.EmailUnsubscribedAtNotNil()
	if len(optedOut) > 0 {
		unsub = contact.Or(unsub, contact.EmailIn(optedOut...))
	}
	return []struct {
		reason string
		p      predicate.Contact
	}{
		{ReasonNoEmail, contact.Or(contact.EmailIsNil(), contact.EmailEQ(""))},
		{ReasonUnsubscribed, unsub},
		{ReasonNoConsent, contact.EmailConsent(false)},
		{ReasonBounced, contact.EmailFailedAtNotNil()},
	}
}

// eligible is the filter plus every rule of consent: an address, email
// marketing consent, no unsubscribe (by contact or by address), no bounce.
func eligible(f types.CampaignAudience, optedOut []string) []predicate.Contact {
	ps := matches(f)
	for _, e := range exclusions(optedOut) {
		ps = append(ps, contact.Not(e.p))
	}
	return ps
}

// optedOut lists the location's unsubscribed addresses (OptOut rows of
// channel email): they hold for a duplicate contact with the same address.
func optedOut(ctx context.Context, c *ent.Client) ([]string, error) {
	return c.OptOut.Query().Where(optout.ChannelEQ(optout.ChannelEmail)).Select(optout.FieldAddress).Strings(ctx)
}

// PreviewAudience counts an audience, samples its eligible contacts
// (warmest first) and counts the rest by reason.
func (s *Service) PreviewAudience(ctx context.Context, c *ent.Client, f types.CampaignAudience, sample int) (AudiencePreview, error) {
	if err := CheckAudience(ctx, &f); err != nil {
		return AudiencePreview{}, err
	}
	if sample <= 0 {
		sample = 10
	}
	sample = min(sample, 50)
	out, err := optedOut(ctx, c)
	if err != nil {
		return AudiencePreview{}, err
	}
	var p AudiencePreview
	if p.Matched, err = c.Contact.Query().Where(matches(f)...).Count(ctx); err != nil {
		return p, err
	}
	el := eligible(f, out)
	if p.Eligible, err = c.Contact.Query().Where(el...).Count(ctx); err != nil {
		return p, err
	}
	if p.Sample, err = c.Contact.Query().Where(el...).Order(ent.Desc(contact.FieldWarmness), ent.Asc(contact.FieldID)).Limit(sample).All(ctx); err != nil {
		return p, err
	}
	before := matches(f)
	for _, e := range exclusions(out) {
		n, err := c.Contact.Query().Where(append(slices.Clone(before), e.p)...).Count(ctx)
		if err != nil {
			return p, err
		}
		if n > 0 {
			p.Excluded = append(p.Excluded, Exclusion{Reason: e.reason, Label: reasonLabels[e.reason], Count: n})
		}
		before = append(before, contact.Not(e.p))
	}
	return p, nil
}

// eligibleIDs lists the eligible contacts' IDs and addresses, in ID order.
func eligibleContacts(ctx context.Context, c *ent.Client, f types.CampaignAudience) ([]*ent.Contact, error) {
	out, err := optedOut(ctx, c)
	if err != nil {
		return nil, err
	}
	return c.Contact.Query().Where(eligible(f, out)...).Order(ent.Asc(contact.FieldID)).
		Select(contact.FieldID, contact.FieldEmail, contact.FieldLocationID).All(ctx)
}

var _ = pulid.ID("")
