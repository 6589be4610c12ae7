// Package contacts is the contact service: creating contacts with duplicate
// detection, archiving and restoring them, permanent deletion, merging
// duplicates, bulk changes, the contact timeline, and CSV import and
// export.
//
// Every method acts as the viewer in ctx, at their active location: the ent
// privacy policies apply tenancy and permissions underneath, and methods
// that need more than the entity's permission (archive needs
// contacts:delete, purge an administrator) check it first. A method that
// changes several rows runs in the caller's transaction (ent.TxFromContext,
// as GraphQL mutations have) or opens its own, so it changes all or nothing.
//
// Errors are apperr codes: NOT_FOUND for a contact that is not at the
// viewer's location, FORBIDDEN, INVALID with the field, CONFLICT for
// duplicates.
package contacts

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/avatarimaging/avatarcrm/internal/auth"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/jobs"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/gencache"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// Stages moves contacts between pipeline stages, recording the change; the
// pipeline service implements it.
type Stages interface {
	Move(ctx context.Context, contactID pulid.ID, to contact.Stage, reason string) (*ent.Contact, error)
}

// Enricher reads what a contact's own words (its notes) ask for — the
// AI layer's enrichment, internal/aiwire — in the transaction of the
// create or update that writes them.
type Enricher interface {
	// Enrich sets what it reads from m's notes on m (a create, or an
	// update that sets the notes) before it is saved, so it costs no
	// write of its own; it never waits on a network. loc is the contact's
	// location. It reports whether it read anything.
	Enrich(ctx context.Context, c *ent.Client, loc pulid.ID, m *ent.ContactMutation) (bool, error)
	// Enriched follows a save whose notes Enrich read, in the same
	// transaction: it may enqueue a refinement that runs after the
	// commit.
	Enriched(ctx context.Context, ct *ent.Contact) error
}

// Service is the contact service. Set the fields, then call Start to run
// the import worker and Close to stop it.
type Service struct {
	Client *ent.Client
	// Warmness recomputes scores after a merge.
	Warmness *warmness.Service
	// Stages moves contacts between stages in bulk updates; nil refuses
	// stage changes there.
	Stages Stages
	// Audit records exports; nil records nothing (tests of other layers).
	Audit *audit.Log
	// Now is the clock; nil is the system clock.
	Now clock.Clock
	// Events writes contact.created in the create's transaction; nil
	// writes none (CSV imports never do: see docs/AUTOMATION.md).
	Events *events.Outbox
	// Enricher reads the notes of contacts created and updated here
	// (not imported ones); nil reads nothing.
	Enricher Enricher
	// Logger receives the import worker's errors; nil means slog.Default().
	Logger *slog.Logger
	// Jobs enqueues an import's job in the transaction that records the
	// import (import.go); AddWorkers registers its worker.
	Jobs jobs.Enqueuer
	// Policies gives an import's worker the permission table and
	// overrides of the person it imports as; nil: the defaults.
	Policies auth.Policies

	// counts are the contact counts kept for the contacts page (count.go).
	counts gencache.Map[countKey, Counted]
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// client returns the transaction's client (ent.FromContext) or the root.
func (s *Service) client(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return s.Client
}

// region returns the phone region of the viewer's location ("AU" when it
// cannot be known), to read local numbers as the contact hook does.
func region(ctx context.Context, c *ent.Client) string {
	v := viewer.FromContext(ctx)
	if v == nil || v.LocationID == "" {
		return "AU"
	}
	r, err := schema.LocationRegion(ctx, c, v.LocationID)
	if err != nil || r == "" {
		return "AU"
	}
	return r
}

// Create creates a contact from input; the contact hook normalises it
// (phone E.164 in the location's region, email lower-cased, names trimmed)
// and refuses unreadable input with INVALID and the field. Unless
// allowDuplicate, a contact with the same phone or email among the
// location's contacts that are not archived makes it fail with CONFLICT,
// Details {duplicateOf: id, matchedOn: "phone"|"email"} and Field the
// matching field.
func (s *Service) Create(ctx context.Context, input ent.CreateContactInput, allowDuplicate bool) (*ent.Contact, error) {
	// Before the duplicate check, so a refusal never says what exists.
	if _, err := viewer.Authorize(ctx, rbac.ContactsCreate); err != nil {
		return nil, err
	}
	var out *ent.Contact
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		if !allowDuplicate {
			reg := region(ctx, c)
			dup, on, err := findDuplicate(ctx, c, normPhone(input.Phone, reg), normEmail(input.Email))
			if err != nil {
				return err
			}
			if dup != nil {
				return DuplicateError(dup.ID, on)
			}
		}
		cr := c.Contact.Create().SetInput(input)
		defaultCampaign(cr.Mutation())
		enriched, err := s.enrich(ctx, c, cr.Mutation())
		if err != nil {
			return err
		}
		if out, err = cr.Save(ctx); err != nil {
			return err
		}
		if enriched {
			if err := s.Enricher.Enriched(ctx, out); err != nil {
				return err
			}
		}
		return s.Events.Emit(ctx, c, events.Event{
			Type: events.ContactCreated, LocationID: out.LocationID, Subject: out.ID, ContactID: out.ID,
			Data: map[string]any{"lead_source": string(out.LeadSource)},
		})
	})
	return out, err
}

// enrich runs the Enricher, if any, on m: a create at the viewer's
// location, or an update at its contact's.
func (s *Service) enrich(ctx context.Context, c *ent.Client, m *ent.ContactMutation) (bool, error) {
	if s.Enricher == nil {
		return false, nil
	}
	notes, ok := m.Notes()
	if !ok {
		return false, nil
	}
	var loc pulid.ID
	if id, ok := m.ID(); ok && !m.Op().Is(ent.OpCreate) {
		// The contact's own location (a role may reach others).
		ct, err := c.Contact.Query().Where(contact.ID(id)).Select(contact.FieldLocationID, contact.FieldNotes).Only(ctx)
		if err != nil {
			return false, err
		}
		if ct.Notes == notes {
			// The edit form sends the notes unchanged with every edit:
			// they have been read already.
			return false, nil
		}
		loc = ct.LocationID
	} else if v := viewer.FromContext(ctx); v != nil {
		loc = v.LocationID
	}
	if loc == "" {
		return false, nil
	}
	return s.Enricher.Enrich(ctx, c, loc, m)
}

// DuplicateError is the CONFLICT a new contact that duplicates id gets.
func DuplicateError(id pulid.ID, matchedOn string) *apperr.Error {
	return &apperr.Error{
		Code:    apperr.Conflict,
		Field:   matchedOn,
		Message: fmt.Sprintf("duplicate: contact %s has the same %s", id, matchedOn),
		Details: map[string]any{"duplicateOf": string(id), "matchedOn": matchedOn},
	}
}

// normPhone and normEmail normalise what a person typed for matching; an
// unreadable value matches nothing (the hook refuses it on create).
func normPhone(p *string, region string) string {
	if p == nil || normalize.Name(*p) == "" {
		return ""
	}
	v, err := normalize.Phone(*p, region)
	if err != nil {
		return ""
	}
	return v
}

func normEmail(e *string) string {
	if e == nil || normalize.Name(*e) == "" {
		return ""
	}
	v, err := normalize.Email(*e)
	if err != nil {
		return ""
	}
	return v
}

// findDuplicate returns the oldest contact of the viewer's location, not
// archived, with the phone or the email, and which of them matched.
func findDuplicate(ctx context.Context, c *ent.Client, phone, email string) (*ent.Contact, string, error) {
	var each []predicate.Contact
	if phone != "" {
		each = append(each, contact.Phone(phone))
	}
	if email != "" {
		each = append(each, contact.Email(email))
	}
	if len(each) == 0 {
		return nil, "", nil
	}
	cs, err := oldestMatching(ctx, c, "", each, 1)
	if err != nil || len(cs) == 0 {
		return nil, "", err
	}
	if ct := cs[0]; phone == "" || ct.Phone == nil || *ct.Phone != phone {
		return ct, "email", nil
	}
	return cs[0], "phone", nil
}

// Archive hides a contact from lists (deleteContact). It needs
// contacts:delete. Archiving an archived contact changes nothing.
// Returns NOT_FOUND or FORBIDDEN.
func (s *Service) Archive(ctx context.Context, id pulid.ID) (*ent.Contact, error) {
	return s.setArchived(ctx, id, true)
}

// Restore brings an archived contact back into lists. It needs
// contacts:delete, like Archive. A contact merged into another cannot be
// restored (CONFLICT, Details {mergedInto: id}): its history moved to the
// survivor.
func (s *Service) Restore(ctx context.Context, id pulid.ID) (*ent.Contact, error) {
	return s.setArchived(ctx, id, false)
}

// setArchived archives or restores contact id; a contact already in that
// state is returned unchanged.
func (s *Service) setArchived(ctx context.Context, id pulid.ID, archive bool) (*ent.Contact, error) {
	if _, err := viewer.Authorize(ctx, rbac.ContactsDelete); err != nil {
		return nil, err
	}
	var out *ent.Contact
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		ct, err := c.Contact.Get(ctx, id)
		if err != nil {
			return err
		}
		if !archive && ct.MergedIntoID != nil {
			return &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("this contact was merged into %s; open that one instead", *ct.MergedIntoID),
				Details: map[string]any{"mergedInto": string(*ct.MergedIntoID)}}
		}
		if (ct.ArchivedAt != nil) == archive {
			out = ct
			return nil
		}
		u := c.Contact.UpdateOne(ct)
		if archive {
			u.SetArchivedAt(s.Now.Now())
		} else {
			u.ClearArchivedAt()
		}
		out, err = u.Save(ctx)
		return err
	})
	return out, err
}

// MayPurge says whether the viewer may delete contacts for good (Purge):
// administrators holding contacts:delete, and the system. It returns the
// refusal Purge would give, so a page can hide the button by the same rule.
func MayPurge(ctx context.Context) error {
	v, err := viewer.Authorize(ctx, rbac.ContactsDelete)
	if err != nil {
		return err
	}
	if !v.System && v.Role != rbac.Admin {
		return apperr.Forbiddenf("only an administrator can delete a contact permanently; archive it instead")
	}
	return nil
}

// Purge deletes a contact for good with its touchpoints, bookings (and
// their history) and tasks. Only administrators may, and they need
// contacts:delete too. Each deleted row is audited by the audit hook.
// Returns FORBIDDEN or NOT_FOUND.
func (s *Service) Purge(ctx context.Context, id pulid.ID) error {
	if err := MayPurge(ctx); err != nil {
		return err
	}
	return txn.Run(warmness.WithoutRecalc(ctx), s.Client, func(ctx context.Context, c *ent.Client) error {
		if _, err := c.Contact.Query().Where(contact.ID(id)).OnlyID(ctx); err != nil {
			return err
		}
		// Rows are deleted through ent, not left to the foreign keys'
		// cascade, so that the audit trail names every one of them.
		if _, err := c.Task.Delete().Where(task.ContactID(id)).Exec(ctx); err != nil {
			return err
		}
		if _, err := c.Touchpoint.Delete().Where(touchpoint.ContactID(id)).Exec(ctx); err != nil {
			return err
		}
		if _, err := c.Booking.Delete().Where(booking.ContactID(id)).Exec(ctx); err != nil {
			return err
		}
		return c.Contact.DeleteOneID(id).Exec(ctx)
	})
}

// defaultCampaign attributes a new contact to its utm_campaign when no
// campaign was given, so a lead from a tagged ad link (the website form,
// an integrator passing UTM fields) counts in the revenue report's
// campaign breakdown without staff copying it by hand.
func defaultCampaign(m *ent.ContactMutation) {
	if _, set := m.Campaign(); set {
		return
	}
	utm, ok := m.UtmCampaign()
	utm = strings.TrimSpace(utm)
	if !ok || utm == "" {
		return
	}
	if r := []rune(utm); len(r) > 120 { // the campaign column's limit
		utm = string(r[:120])
	}
	m.SetCampaign(utm)
}
