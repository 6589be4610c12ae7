package contacts

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Update changes a contact from input. The contact hook normalises what
// changes, as on create. A new stage goes through the pipeline rules
// (Stages.Move): the move is validated and recorded like moveStage, so an
// update can never skip the history a stage change must leave. The pipeline
// follows from the stage; giving one that does not match is INVALID.
func (s *Service) Update(ctx context.Context, id pulid.ID, input ent.UpdateContactInput) (*ent.Contact, error) {
	stage, pl := input.Stage, input.Pipeline
	input.Stage, input.Pipeline = nil, nil
	if pl != nil && (stage == nil || pipeline.PipelineOf(*stage) != *pl) {
		return nil, apperr.Invalidf("pipeline", "the pipeline follows from the stage: set stage (a stage of the %s pipeline) instead", *pl)
	}
	// entgql v0.7.0's generated Mutate appends input.Tags instead of
	// input.AppendTags (ent/contrib#639), so appendTags alone would do
	// nothing; append here instead.
	appendTags := input.AppendTags
	input.AppendTags = nil
	var out *ent.Contact
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		if input.EmailConsent != nil && *input.EmailConsent {
			if err := checkReconsent(ctx, c, id); err != nil {
				return err
			}
		}
		if stage != nil {
			if s.Stages == nil {
				return apperr.Invalidf("stage", "stage changes are not available here")
			}
			if _, err := s.Stages.Move(ctx, id, *stage, ""); err != nil {
				return err
			}
		}
		u := c.Contact.UpdateOneID(id).SetInput(input)
		if appendTags != nil {
			u.AppendTags(appendTags)
		}
		enriched, err := s.enrich(ctx, c, u.Mutation())
		if err != nil {
			return err
		}
		changed := changedFields(ctx, u.Mutation())
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		if enriched {
			if err := s.Enricher.Enriched(ctx, out); err != nil {
				return err
			}
		}
		if stage != nil {
			changed = append(changed, "stage")
		}
		if len(changed) == 0 {
			return nil
		}
		// The names of the fields, never their values: the event (and the
		// outbound webhooks made from it) says what changed, not to what.
		return s.Events.Emit(ctx, c, events.Event{
			Type: events.ContactUpdated, LocationID: out.LocationID, Subject: out.ID, ContactID: out.ID,
			Data: map[string]any{"changed": changed},
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// changedFields names the fields an update changes: those it sets to a
// value other than the stored one, and those it clears that held one.
func changedFields(ctx context.Context, m *ent.ContactMutation) []string {
	var out []string
	for _, f := range m.Fields() {
		if f == "updated_at" {
			continue
		}
		nv, _ := m.Field(f)
		ov, err := m.OldField(ctx, f)
		if err != nil || !reflect.DeepEqual(deref(nv), deref(ov)) {
			out = append(out, f)
		}
	}
	for _, f := range m.ClearedFields() {
		if ov, err := m.OldField(ctx, f); err != nil || deref(ov) != nil {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// deref is the value a pointer points at (nil for a nil pointer).
func deref(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer {
		return v
	}
	if rv.IsNil() {
		return nil
	}
	return rv.Elem().Interface()
}

// checkReconsent refuses a person's request to turn email marketing
// consent back on for a contact who unsubscribed (the unsubscribe turned
// it off): the Spam Act wants the recipient's own consent, and a box a
// staff member ticks is not that (docs/EMAIL.md). Work no person is
// behind (a web form the patient sent, an integration) may set the field;
// the unsubscribe still stops every campaign email.
func checkReconsent(ctx context.Context, c *ent.Client, id pulid.ID) error {
	if v := viewer.FromContext(ctx); v == nil || v.System {
		return nil
	}
	ct, err := c.Contact.Get(ctx, id)
	if err != nil || ct.EmailConsent || ct.EmailUnsubscribedAt == nil {
		return err
	}
	name := strings.TrimSpace(ct.FirstName + " " + ct.LastName)
	return &apperr.Error{Code: apperr.ConsentWithdrawn, Field: "emailConsent",
		Message: fmt.Sprintf("%s unsubscribed from marketing email on %s. Under the Spam Act only they can opt in again, not a ticked box; the email consent was not turned back on",
			name, ct.EmailUnsubscribedAt.UTC().Format("2 Jan 2006"))}
}
