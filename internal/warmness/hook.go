package warmness

import (
	"context"
	"slices"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// contactFields are the contact fields the score depends on.
var contactFields = []string{
	contact.FieldLeadSource, contact.FieldStage, contact.FieldSmsConsent, contact.FieldEmailConsent, contact.FieldArchivedAt,
}

// bookingFields and touchpointFields are the fields whose change on an
// existing row moves its contact's score.
var (
	bookingFields    = []string{booking.FieldStatus, booking.FieldStartsAt, booking.FieldContactID}
	touchpointFields = []string{touchpoint.FieldKind, touchpoint.FieldOccurredAt, touchpoint.FieldContactID}
)

// Hook returns an ent hook, for client.Use, that keeps scores current in
// the transaction of every change they depend on:
//
//   - a touchpoint created, changed (kind, time, contact) or deleted;
//   - a booking created, changed (status, start, contact) or deleted;
//   - a contact created (scored from its own fields before it is
//     inserted), or updated in its lead source, consents, stage or
//     archived state.
//
// The hook's own update of a contact's score changes none of those fields
// and runs under WithoutRecalc, so it never triggers itself. A contact
// UpdateOne returns the contact with its new score.
func (s *Service) Hook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if skipped(ctx) {
				return next.Mutate(ctx, m)
			}
			switch m := m.(type) {
			case *ent.ContactMutation:
				return s.onContact(ctx, next, m)
			case *ent.TouchpointMutation:
				if k, ok := m.Kind(); ok && m.Op().Is(ent.OpCreate) && !slices.Contains(communication, k) {
					// A note or a stage change moves no score.
					return next.Mutate(ctx, m)
				}
				return s.onChild(ctx, next, m, m.Client(), touchpointFields, touchpointContacts)
			case *ent.BookingMutation:
				return s.onChild(ctx, next, m, m.Client(), bookingFields, bookingContacts)
			}
			return next.Mutate(ctx, m)
		})
	}
}

// onContact scores a new contact from its own fields (it has no history
// yet), and rescores contacts whose scored fields changed.
func (s *Service) onContact(ctx context.Context, next ent.Mutator, m *ent.ContactMutation) (ent.Value, error) {
	if m.Op().Is(ent.OpCreate) {
		f := Facts{Now: s.Now.Now()}
		f.LeadSource, _ = m.LeadSource()
		f.Stage, _ = m.Stage()
		f.SMSConsent, _ = m.SmsConsent()
		f.EmailConsent, _ = m.EmailConsent()
		_, f.Archived = m.ArchivedAt()
		if loc, ok := m.Field("location_id"); ok {
			f.LocationID = string(loc.(pulid.ID))
		} else if v := viewer.FromContext(ctx); v != nil {
			f.LocationID = string(v.LocationID)
		}
		sc, err := s.score(ent.NewContext(ctx, m.Client()), f)
		if err != nil {
			return nil, err
		}
		m.SetWarmness(sc.Score)
		m.SetWarmnessReasons(sc.Reasons)
		m.SetWarmnessScoredAt(f.Now)
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return v, err
		}
		if ct, ok := v.(*ent.Contact); ok {
			sys := viewer.Consequences.Grant(ctx, "")
			if err := s.crossed(sys, m.Client(), ct.LocationID, ct.ID, 0, sc.Score, f.Now); err != nil {
				return nil, err
			}
			if err := s.refine(ctx, ct.LocationID, ct.ID, f); err != nil {
				return nil, err
			}
		}
		return v, nil
	}
	if !touches(m, contactFields) || !m.Op().Is(ent.OpUpdate|ent.OpUpdateOne) {
		return next.Mutate(ctx, m)
	}
	ids, err := m.IDs(ctx)
	if err != nil {
		return nil, err
	}
	v, err := next.Mutate(ctx, m)
	if err != nil {
		return v, err
	}
	for _, id := range ids {
		ct, err := s.recalc(ctx, m.Client(), id)
		if err != nil {
			return nil, err
		}
		if m.Op().Is(ent.OpUpdateOne) {
			v = ct
		}
	}
	return v, nil
}

// idsMutation is a touchpoint or booking mutation.
type idsMutation interface {
	ent.Mutation
	IDs(context.Context) ([]pulid.ID, error)
}

// onChild rescores the contacts of the touchpoints or bookings a mutation
// creates, changes or deletes: the contacts before the change (found
// first, as a delete or a move takes the row away from them) and after.
func (s *Service) onChild(ctx context.Context, next ent.Mutator, m idsMutation, c *ent.Client,
	fields []string, contactsOf func(context.Context, *ent.Client, []pulid.ID) ([]pulid.ID, error)) (ent.Value, error) {
	op := m.Op()
	if op.Is(ent.OpUpdate|ent.OpUpdateOne) && !touches(m, fields) {
		return next.Mutate(ctx, m)
	}
	var affected []pulid.ID
	if !op.Is(ent.OpCreate) {
		ids, err := m.IDs(ctx)
		if err != nil {
			return nil, err
		}
		if affected, err = contactsOf(viewer.Consequences.Grant(ctx, ""), c, ids); err != nil {
			return nil, err
		}
	}
	v, err := next.Mutate(ctx, m)
	if err != nil {
		return v, err
	}
	if id, ok := m.Field("contact_id"); ok {
		affected = append(affected, id.(pulid.ID))
	}
	slices.Sort(affected)
	for _, id := range slices.Compact(affected) {
		if _, err := s.recalc(ctx, c, id); err != nil {
			if ent.IsNotFound(err) {
				// The contact went with the change (a purge).
				continue
			}
			return nil, err
		}
	}
	return v, nil
}

func touchpointContacts(ctx context.Context, c *ent.Client, ids []pulid.ID) ([]pulid.ID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return asIDs(c.Touchpoint.Query().Where(touchpoint.IDIn(ids...)).Select(touchpoint.FieldContactID).Strings(ctx))
}

func bookingContacts(ctx context.Context, c *ent.Client, ids []pulid.ID) ([]pulid.ID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return asIDs(c.Booking.Query().Where(booking.IDIn(ids...)).Select(booking.FieldContactID).Strings(ctx))
}

// touches reports whether m sets or clears one of fields.
func touches(m ent.Mutation, fields []string) bool {
	for _, f := range fields {
		if _, ok := m.Field(f); ok || m.FieldCleared(f) {
			return true
		}
	}
	return false
}

func asIDs(ss []string, err error) ([]pulid.ID, error) {
	out := make([]pulid.ID, len(ss))
	for i, s := range ss {
		out[i] = pulid.ID(s)
	}
	return out, err
}
