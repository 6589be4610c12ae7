// Package pipeline moves contacts between the stages of the clinic's
// pipelines (Lead, Pre-Appointment, Post-Appointment, Partnership) by a
// fixed transition table, records every move (a StageChange row and a
// touchpoint on the contact's timeline), and reads the stage analytics from
// those records. See docs/PIPELINES.md.
//
// Every method acts as the viewer in the context: the privacy rules limit it
// to the viewer's location and check contacts:update (moving) and
// contacts:create (the history rows), so a contact of another location reads
// as not found.
package pipeline

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/avatarimaging/avatarcrm/internal/clock"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/stagechange"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// MaxReason is the longest reason a move keeps (the StageChange column).
const MaxReason = 300

// Service moves contacts through the pipelines.
type Service struct {
	Client *ent.Client
	// Now is the clock; nil is the system clock.
	Now clock.Clock
	// Events writes contact.stage_moved in the move's transaction; nil
	// writes none.
	Events *events.Outbox
}

// Move validates and performs a stage move of a contact at the viewer's
// location: it records a StageChange (from and to pipeline and stage, the
// actor, the reason) and a touchpoint of kind stage_change on the contact's
// timeline, and sets the contact's stage, pipeline and stage_changed_at. A
// move the transition table refuses is INVALID on the field "stage", naming
// both stages. Moving to the current stage is a no-op that returns the
// contact unchanged and records nothing.
func (s *Service) Move(ctx context.Context, contactID pulid.ID, to contact.Stage, reason string) (*ent.Contact, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxReason {
		return nil, apperr.Invalidf("reason", "the reason is longer than %d characters", MaxReason)
	}
	if err := contact.StageValidator(to); err != nil {
		return nil, apperr.Invalidf("stage", "unknown stage %q", to)
	}
	var out *ent.Contact
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		ct, err := c.Contact.Get(ctx, contactID)
		if err != nil {
			if ent.IsNotFound(err) {
				return apperr.NotFoundf("contactID", "contact %s not found", contactID)
			}
			return err
		}
		if ct.Stage == to {
			out = ct
			return mayChange(ctx, c, ct.ID)
		}
		if err := CanMove(ct.Stage, to); err != nil {
			return err
		}
		now := s.Now.Now()
		toPipeline := PipelineOf(to)
		// The stage in the WHERE clause makes a concurrent move of the same
		// contact fail here instead of recording a "from" that no longer
		// holds.
		updated, err := c.Contact.UpdateOneID(ct.ID).Where(contact.StageEQ(ct.Stage)).
			SetStage(to).SetPipeline(toPipeline).SetStageChangedAt(now).Save(ctx)
		if ent.IsNotFound(err) {
			return s.notMoved(ctx, c, ct)
		}
		if err != nil {
			return err
		}
		var actor *pulid.ID
		if v := viewer.FromContext(ctx); v != nil && v.UserID != "" {
			id := v.UserID
			actor = &id
		}
		if err := c.StageChange.Create().
			SetContactID(ct.ID).
			SetFromPipeline(stagechange.FromPipeline(ct.Pipeline)).SetFromStage(stagechange.FromStage(ct.Stage)).
			SetToPipeline(stagechange.ToPipeline(toPipeline)).SetToStage(stagechange.ToStage(to)).
			SetAt(now).SetNillableActorID(actor).SetReason(reason).
			Exec(ctx); err != nil {
			return err
		}
		if err := c.Touchpoint.Create().
			SetContactID(ct.ID).SetKind(touchpoint.KindStageChange).
			SetSummary(summary(ct.Pipeline, ct.Stage, toPipeline, to, reason)).
			SetOccurredAt(now).SetNillableActorID(actor).
			Exec(ctx); err != nil {
			return err
		}
		out = updated
		return s.Events.Emit(ctx, c, events.Event{
			Type: events.ContactStageMoved, LocationID: ct.LocationID, Subject: ct.ID, ContactID: ct.ID,
			Data: map[string]any{"from_stage": string(ct.Stage), "to_stage": string(to)},
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// mayChange asks the contact's privacy policy whether the viewer could
// change it, without writing anything: a move to the current stage changes
// nothing, but must be refused to whoever could not have moved the contact
// (a viewer gets FORBIDDEN, as a real move answers).
func mayChange(ctx context.Context, c *ent.Client, id pulid.ID) error {
	m := c.Contact.Update().Where(contact.ID(id)).Mutation()
	if err := contact.Policy.EvalMutation(ctx, m); err != nil {
		return err
	}
	// The policy's filters are now predicates of the mutation; IDs selects
	// what the update would have reached.
	ids, err := m.IDs(ctx)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return apperr.NotFoundf("contactID", "contact %s not found", id)
	}
	return nil
}

// notMoved explains an update that matched no row although the contact was
// just read: either someone moved it meanwhile (CONFLICT) or the viewer may
// read it but not change it (the privacy filter; not found).
func (s *Service) notMoved(ctx context.Context, c *ent.Client, was *ent.Contact) error {
	now, err := c.Contact.Get(ctx, was.ID)
	if err == nil && now.Stage != was.Stage {
		return apperr.Conflictf("the contact moved to %s meanwhile; reload and try again", now.Stage)
	}
	return apperr.NotFoundf("contactID", "contact %s not found", was.ID)
}

// summary is the timeline line of a move, e.g. "Stage: Booked → Confirmed
// (Pre-Appointment) — confirmed by SMS".
func summary(fromP contact.Pipeline, from contact.Stage, toP contact.Pipeline, to contact.Stage, reason string) string {
	s := fmt.Sprintf("Stage: %s → %s", Label(from), Label(to))
	if fromP != toP {
		s += fmt.Sprintf(" (%s → %s)", PipelineLabel(fromP), PipelineLabel(toP))
	}
	if reason != "" {
		s += " — " + reason
	}
	return s
}

// MaxBulk is the most contacts MoveMany takes at once.
const MaxBulk = 500

// Failure is a contact MoveMany did not move, and why.
type Failure struct {
	ContactID pulid.ID
	Err       *apperr.Error
}

// MoveMany moves each contact of ids (at most MaxBulk; INVALID on
// "contactIDs" beyond) as Move does, and returns how many are now in the
// stage (including those that already were) and the ones refused, in the
// order given; a repeated ID moves once. A refusal (INVALID, NOT_FOUND,
// FORBIDDEN, …) leaves the others to go on; an internal error stops it and
// is returned, since a database error may have ended the transaction
// (PostgreSQL) and a half-reported result would mislead.
func (s *Service) MoveMany(ctx context.Context, ids []pulid.ID, to contact.Stage, reason string) (moved int, failed []Failure, err error) {
	if len(ids) > MaxBulk {
		return 0, nil, apperr.Invalidf("contactIDs", "move at most %d contacts at once (got %d)", MaxBulk, len(ids))
	}
	seen := make(map[pulid.ID]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, err := s.Move(ctx, id, to, reason); err != nil {
			ae := apperr.From(err)
			if ae.Code == apperr.Internal {
				return moved, failed, err
			}
			failed = append(failed, Failure{ContactID: id, Err: ae})
			continue
		}
		moved++
	}
	return moved, failed, nil
}
