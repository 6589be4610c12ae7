package contacts

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
	"github.com/avatarimaging/avatarcrm/internal/txn"
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
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		if enriched {
			return s.Enricher.Enriched(ctx, out)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
