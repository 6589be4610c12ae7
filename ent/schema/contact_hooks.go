package schema

import (
	"context"
	"sync"

	"entgo.io/ent"

	gen "github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Hooks of the Contact.
func (Contact) Hooks() []ent.Hook {
	return []ent.Hook{normalizeContact}
}

// normalizeContact keeps every stored contact canonical, whatever path wrote
// it: names trimmed, phone in E.164 read in the location's region, email
// lower-cased. Input that cannot be read is refused with the field named.
func normalizeContact(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		cm, ok := m.(*gen.ContactMutation)
		if !ok || !m.Op().Is(ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne) {
			return next.Mutate(ctx, m)
		}
		if v, ok := cm.FirstName(); ok {
			cm.SetFirstName(normalize.Name(v))
		}
		if v, ok := cm.LastName(); ok {
			cm.SetLastName(normalize.Name(v))
		}
		if v, ok := cm.Phone(); ok {
			if normalize.Name(v) == "" {
				cm.ClearPhone()
			} else {
				region, err := regionOf(ctx, cm)
				if err != nil {
					return nil, err
				}
				p, err := normalize.Phone(v, region)
				if err != nil {
					return nil, apperr.Invalidf("phone", "%q %s", v, err)
				}
				cm.SetPhone(p)
			}
		}
		if v, ok := cm.Email(); ok {
			if normalize.Name(v) == "" {
				cm.ClearEmail()
			} else {
				e, err := normalize.Email(v)
				if err != nil {
					return nil, apperr.Invalidf("email", "%q %s", v, err)
				}
				cm.SetEmail(e)
			}
		}
		if v, ok := cm.DateOfBirth(); ok {
			if err := v.Validate(); err != nil {
				return nil, apperr.Invalidf("dateOfBirth", "%s", err)
			}
		}
		return next.Mutate(ctx, m)
	})
}

// regions caches each location's phone region; it changes rarely and is
// read on every contact write.
var regions sync.Map // pulid.ID -> string

func regionOf(ctx context.Context, m *gen.ContactMutation) (string, error) {
	loc, ok := m.LocationID()
	if !ok {
		if v := viewer.FromContext(ctx); v != nil {
			loc = v.LocationID
		}
	}
	if loc == "" {
		return "AU", nil
	}
	return LocationRegion(ctx, m.Client(), loc)
}

// LocationRegion returns location loc's phone region from the cache this
// hook normalises phones with, reading it through c once. A duplicate
// check normalises the number it looks for with it, as the contacts it
// compares with were stored, without a query per create.
func LocationRegion(ctx context.Context, c *gen.Client, loc pulid.ID) (string, error) {
	if r, ok := regions.Load(loc); ok {
		return r.(string), nil
	}
	l, err := c.Location.Get(viewer.Integrity.Grant(ctx, ""), loc)
	if err != nil {
		return "", err
	}
	regions.Store(loc, l.Region)
	return l.Region, nil
}

// ForgetRegion drops a cached region after a location's region changes.
func ForgetRegion(loc pulid.ID) { regions.Delete(loc) }
