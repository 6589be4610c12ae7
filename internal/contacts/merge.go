package contacts

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/stagechange"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// MaxMerge is the most duplicates one merge takes.
const MaxMerge = 20

// Merge folds duplicates into survivor, in one transaction: their
// touchpoints, bookings, tasks and stage changes move to the survivor; the
// survivor gains their tags and, where its own are empty, their phone,
// email, date of birth and referrer (the first duplicate that has one, in
// the order given); their notes are appended to its notes. The duplicates
// are archived with merged_into_id = survivor, a note touchpoint on the
// survivor records the merge, and the survivor's warmness is recomputed.
//
// It needs contacts:update and contacts:delete. Every contact must be at
// the viewer's location (NOT_FOUND otherwise); the survivor may not be
// among the duplicates, nor a duplicate repeated (INVALID); the survivor
// may not be archived, nor a duplicate already merged (INVALID).
func (s *Service) Merge(ctx context.Context, survivorID pulid.ID, duplicateIDs []pulid.ID) (*ent.Contact, error) {
	if _, err := viewer.Authorize(ctx, rbac.ContactsUpdate); err != nil {
		return nil, err
	}
	v, err := viewer.Authorize(ctx, rbac.ContactsDelete)
	if err != nil {
		return nil, err
	}
	switch {
	case len(duplicateIDs) == 0:
		return nil, apperr.Invalidf("duplicateIDs", "name at least one duplicate")
	case len(duplicateIDs) > MaxMerge:
		return nil, apperr.Invalidf("duplicateIDs", "merge at most %d contacts at once", MaxMerge)
	case slices.Contains(duplicateIDs, survivorID):
		return nil, apperr.Invalidf("duplicateIDs", "a contact cannot be merged with itself")
	}
	if sorted := slices.Sorted(slices.Values(duplicateIDs)); len(slices.Compact(sorted)) != len(duplicateIDs) {
		return nil, apperr.Invalidf("duplicateIDs", "a duplicate is named twice")
	}
	var out *ent.Contact
	err = txn.Run(warmness.WithoutRecalc(ctx), s.Client, func(ctx context.Context, c *ent.Client) error {
		survivor, err := c.Contact.Get(ctx, survivorID)
		if ent.IsNotFound(err) {
			return apperr.NotFoundf("survivorID", "contact %s not found", survivorID)
		}
		if err != nil {
			return err
		}
		if survivor.ArchivedAt != nil {
			return apperr.Invalidf("survivorID", "the contact to keep is archived; restore it first")
		}
		found, err := c.Contact.Query().Where(contact.IDIn(duplicateIDs...)).All(ctx)
		if err != nil {
			return err
		}
		byID := map[pulid.ID]*ent.Contact{}
		for _, d := range found {
			byID[d.ID] = d
		}
		dups := make([]*ent.Contact, 0, len(duplicateIDs))
		for _, id := range duplicateIDs {
			d, ok := byID[id]
			if !ok {
				return apperr.NotFoundf("duplicateIDs", "contact %s not found", id)
			}
			if d.MergedIntoID != nil {
				return apperr.Invalidf("duplicateIDs", "contact %s was already merged into %s", id, *d.MergedIntoID)
			}
			dups = append(dups, d)
		}

		if err := s.moveHistory(ctx, c, survivor.ID, duplicateIDs); err != nil {
			return err
		}
		upd := c.Contact.UpdateOne(survivor)
		tags := slices.Clone(survivor.Tags)
		notes := survivor.Notes
		phone, email, dob, referrer := survivor.Phone, survivor.Email, survivor.DateOfBirth, survivor.Referrer
		var names []string
		for _, d := range dups {
			for _, t := range d.Tags {
				if !slices.Contains(tags, t) {
					tags = append(tags, t)
				}
			}
			if phone == nil && d.Phone != nil {
				phone = d.Phone
				upd.SetPhone(*d.Phone)
			}
			if email == nil && d.Email != nil {
				email = d.Email
				upd.SetEmail(*d.Email)
			}
			if dob == nil && d.DateOfBirth != nil {
				dob = d.DateOfBirth
				upd.SetDateOfBirth(*d.DateOfBirth)
			}
			if referrer == nil && d.Referrer != nil {
				referrer = d.Referrer
				upd.SetReferrer(*d.Referrer)
			}
			if n := strings.TrimSpace(d.Notes); n != "" && !strings.Contains(notes, n) {
				if notes != "" {
					notes += "\n\n"
				}
				notes += n
			}
			names = append(names, fmt.Sprintf("%s (%s)", normalize.FullName(d.FirstName, d.LastName), d.ID))
		}
		if !slices.Equal(tags, survivor.Tags) {
			upd.SetTags(tags)
		}
		if notes != survivor.Notes {
			upd.SetNotes(notes)
		}
		if _, err := upd.Save(ctx); err != nil {
			return err
		}
		now := s.Now.Now()
		if err := c.Contact.Update().Where(contact.IDIn(duplicateIDs...)).
			SetArchivedAt(now).SetMergedIntoID(survivor.ID).Exec(ctx); err != nil {
			return err
		}
		tp := c.Touchpoint.Create().SetContactID(survivor.ID).SetKind(touchpoint.KindNote).
			SetSummary(normalize.Truncate("Merged with "+strings.Join(names, ", "), 500)).SetOccurredAt(now)
		if v.UserID != "" {
			tp.SetActorID(v.UserID)
		}
		if err := tp.Exec(ctx); err != nil {
			return err
		}
		for _, d := range dups {
			if _, err := s.recalc(ctx, d.ID); err != nil {
				return err
			}
		}
		out, err = s.recalc(ctx, survivor.ID)
		return err
	})
	return out, err
}

// moveHistory moves the duplicates' touchpoints, bookings, tasks and stage
// changes to the survivor.
func (s *Service) moveHistory(ctx context.Context, c *ent.Client, survivor pulid.ID, dups []pulid.ID) error {
	if err := c.Touchpoint.Update().Where(touchpoint.ContactIDIn(dups...)).SetContactID(survivor).Exec(ctx); err != nil {
		return err
	}
	if err := c.Booking.Update().Where(booking.ContactIDIn(dups...)).SetContactID(survivor).Exec(ctx); err != nil {
		return err
	}
	if err := c.Task.Update().Where(task.ContactIDIn(dups...)).SetContactID(survivor).Exec(ctx); err != nil {
		return err
	}
	// A stage change's contact is immutable (history is not rewritten
	// in place): it is written again for the survivor, with its own ID,
	// time, stages, actor and reason, and the original removed.
	changes, err := c.StageChange.Query().Where(stagechange.ContactIDIn(dups...)).All(ctx)
	if err != nil || len(changes) == 0 {
		return err
	}
	ids := make([]pulid.ID, len(changes))
	for i, sc := range changes {
		ids[i] = sc.ID
	}
	if _, err := c.StageChange.Delete().Where(stagechange.IDIn(ids...)).Exec(ctx); err != nil {
		return err
	}
	for _, sc := range changes {
		err := c.StageChange.Create().SetID(sc.ID).SetContactID(survivor).
			SetNillableFromPipeline(sc.FromPipeline).SetNillableFromStage(sc.FromStage).
			SetToPipeline(sc.ToPipeline).SetToStage(sc.ToStage).SetAt(sc.At).
			SetNillableActorID(sc.ActorID).SetReason(sc.Reason).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}

// recalc recomputes a contact's warmness when the service has a scorer.
func (s *Service) recalc(ctx context.Context, id pulid.ID) (*ent.Contact, error) {
	if s.Warmness == nil {
		return s.client(ctx).Contact.Get(ctx, id)
	}
	return s.Warmness.Recalculate(ctx, id)
}

// Duplicate is a contact that may be the same person, and why.
type Duplicate struct {
	Contact *ent.Contact
	// MatchedOn lists what matched: "phone", "email", "name_dob" (the
	// same name, ignoring case and spacing, and date of birth).
	MatchedOn []string
}

// Probe is what DuplicatesOf matches on; empty fields match nothing.
type Probe struct {
	Phone, Email, FirstName, LastName string
	DateOfBirth                       types.Date
	// Exclude leaves one contact out (the one whose duplicates are sought).
	Exclude pulid.ID
}

// FindDuplicates returns the contacts of the location, not archived, that
// may be the same person as contact id: the same phone, the same email, or
// the same name and date of birth. Returns NOT_FOUND for an unknown id.
func (s *Service) FindDuplicates(ctx context.Context, id pulid.ID) ([]Duplicate, error) {
	c := s.client(ctx)
	ct, err := c.Contact.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	p := Probe{FirstName: ct.FirstName, LastName: ct.LastName, Exclude: ct.ID}
	if ct.Phone != nil {
		p.Phone = *ct.Phone
	}
	if ct.Email != nil {
		p.Email = *ct.Email
	}
	if ct.DateOfBirth != nil {
		p.DateOfBirth = *ct.DateOfBirth
	}
	return s.DuplicatesOf(ctx, p)
}

// maxDuplicates caps what DuplicatesOf returns.
const maxDuplicates = 20

// DuplicatesOf returns the contacts of the location, not archived, that
// match p (phone and email as typed, read like the contact hook reads
// them), oldest first, at most 20.
func (s *Service) DuplicatesOf(ctx context.Context, p Probe) ([]Duplicate, error) {
	c := s.client(ctx)
	phone := normPhone(&p.Phone, region(ctx, c))
	email := normEmail(&p.Email)
	first, last := normalize.Name(p.FirstName), normalize.Name(p.LastName)
	// One query per kind of match, each answered by its own index
	// (location_id with phone, email or date_of_birth): SQLite reads an OR
	// of them by scanning the location's contacts.
	var each []predicate.Contact
	if phone != "" {
		each = append(each, contact.Phone(phone))
	}
	if email != "" {
		each = append(each, contact.Email(email))
	}
	nameDOB := first != "" && p.DateOfBirth != ""
	if nameDOB {
		each = append(each, contact.And(contact.DateOfBirth(p.DateOfBirth), contact.FirstNameEqualFold(first), contact.LastNameEqualFold(last)))
	}
	cs, err := oldestMatching(ctx, c, p.Exclude, each, maxDuplicates)
	if err != nil {
		return nil, err
	}
	out := make([]Duplicate, 0, len(cs))
	for _, ct := range cs {
		d := Duplicate{Contact: ct, MatchedOn: []string{}}
		if phone != "" && ct.Phone != nil && *ct.Phone == phone {
			d.MatchedOn = append(d.MatchedOn, "phone")
		}
		if email != "" && ct.Email != nil && *ct.Email == email {
			d.MatchedOn = append(d.MatchedOn, "email")
		}
		if nameDOB && ct.DateOfBirth != nil && *ct.DateOfBirth == p.DateOfBirth &&
			strings.EqualFold(ct.FirstName, first) && strings.EqualFold(ct.LastName, last) {
			d.MatchedOn = append(d.MatchedOn, "name_dob")
		}
		out = append(out, d)
	}
	return out, nil
}

// oldestMatching returns the contacts, not archived and not exclude, that
// match any of preds, oldest first, at most limit: one indexed query per
// predicate, merged.
func oldestMatching(ctx context.Context, c *ent.Client, exclude pulid.ID, preds []predicate.Contact, limit int) ([]*ent.Contact, error) {
	seen := map[pulid.ID]bool{}
	var out []*ent.Contact
	for _, pred := range preds {
		q := c.Contact.Query().Where(contact.ArchivedAtIsNil(), pred)
		if exclude != "" {
			q.Where(contact.IDNEQ(exclude))
		}
		cs, err := q.Order(contact.ByCreatedAt(), contact.ByID()).Limit(limit).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, ct := range cs {
			if !seen[ct.ID] {
				seen[ct.ID] = true
				out = append(out, ct)
			}
		}
	}
	slices.SortFunc(out, func(a, b *ent.Contact) int {
		if d := a.CreatedAt.Compare(b.CreatedAt); d != 0 {
			return d
		}
		return strings.Compare(string(a.ID), string(b.ID))
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
