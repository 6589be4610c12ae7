package contacts

import (
	"context"
	"slices"
	"strings"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// MaxBulk is the most contacts one bulk update takes.
const MaxBulk = 1000

// BulkChange is what a bulk update does to each contact; nil and empty
// fields change nothing.
type BulkChange struct {
	// AssignTo assigns the contacts to a member of the location.
	AssignTo *pulid.ID
	// AddTags and RemoveTags edit the tags (a tag in both is removed).
	AddTags, RemoveTags []string
	// Stage moves the contacts through the pipeline service, which
	// records each move.
	Stage *contact.Stage
}

// BulkResult counts what a bulk update did.
type BulkResult struct {
	Updated int
	Failed  int
	// Errors has one entry per contact that was not updated.
	Errors []BulkError
}

// BulkError says why one contact was not updated.
type BulkError struct {
	ID      pulid.ID
	Code    string
	Message string
	Field   string
}

// BulkUpdate applies change to each contact of ids, in one transaction. A
// contact that cannot be changed (not found at the location, archived, a
// stage move refused) is reported in the result's Errors and the others are
// still updated; an error of the whole operation (no change asked, an
// unknown assignee, a database failure) is returned instead. It needs
// contacts:update.
func (s *Service) BulkUpdate(ctx context.Context, ids []pulid.ID, change BulkChange) (*BulkResult, error) {
	if _, err := viewer.Authorize(ctx, rbac.ContactsUpdate); err != nil {
		return nil, err
	}
	add, remove := cleanTags(change.AddTags), cleanTags(change.RemoveTags)
	switch {
	case len(ids) == 0:
		return nil, apperr.Invalidf("ids", "choose at least one contact")
	case len(ids) > MaxBulk:
		return nil, apperr.Invalidf("ids", "change at most %d contacts at once", MaxBulk)
	case change.AssignTo == nil && change.Stage == nil && len(add) == 0 && len(remove) == 0:
		return nil, apperr.Invalidf("input", "nothing to change")
	case change.Stage != nil && contact.StageValidator(*change.Stage) != nil:
		return nil, apperr.Invalidf("stage", "unknown stage %q", *change.Stage)
	case change.Stage != nil && s.Stages == nil:
		return nil, apperr.Invalidf("stage", "stage changes are not available")
	}
	res := &BulkResult{Errors: []BulkError{}}
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		if change.AssignTo != nil {
			// Users are visible to members of their locations only.
			ok, err := c.User.Query().Where(user.ID(*change.AssignTo)).Exist(ctx)
			if err != nil {
				return err
			}
			if !ok {
				return apperr.NotFoundf("assignTo", "user %s not found", *change.AssignTo)
			}
		}
		seen := map[pulid.ID]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			err := s.bulkOne(ctx, c, id, change, add, remove)
			if err == nil {
				res.Updated++
				continue
			}
			ae := apperr.From(err)
			if ae.Code == apperr.Internal {
				// A database failure may have spoilt the transaction
				// (PostgreSQL refuses every later statement): give up.
				return err
			}
			res.Failed++
			res.Errors = append(res.Errors, BulkError{ID: id, Code: string(ae.Code), Message: ae.Message, Field: ae.Field})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Service) bulkOne(ctx context.Context, c *ent.Client, id pulid.ID, change BulkChange, add, remove []string) error {
	ct, err := c.Contact.Get(ctx, id)
	if err != nil {
		return err
	}
	if ct.ArchivedAt != nil {
		return apperr.Invalidf("ids", "contact %s is archived", id)
	}
	// The stage first: it is the change most likely to be refused, and a
	// refused contact should not be half changed.
	if change.Stage != nil && *change.Stage != ct.Stage {
		if ct, err = s.Stages.Move(ctx, id, *change.Stage, "bulk update"); err != nil {
			return err
		}
	}
	upd := c.Contact.UpdateOne(ct)
	changed := false
	if change.AssignTo != nil && (ct.AssignedToID == nil || *ct.AssignedToID != *change.AssignTo) {
		upd.SetAssignedToID(*change.AssignTo)
		changed = true
	}
	if len(add) > 0 || len(remove) > 0 {
		tags := slices.Clone(ct.Tags)
		for _, t := range add {
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
		tags = slices.DeleteFunc(tags, func(t string) bool { return slices.Contains(remove, t) })
		if !slices.Equal(tags, ct.Tags) {
			upd.SetTags(tags)
			changed = true
		}
	}
	if changed {
		return upd.Exec(ctx)
	}
	return nil
}

// cleanTags trims tags and drops empty and repeated ones.
func cleanTags(in []string) []string {
	out := make([]string, 0, len(in))
	for _, t := range in {
		t = normalize.Name(t)
		if t != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, t) }) {
			out = append(out, t)
		}
	}
	return out
}
