package aiwire

import (
	"context"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/aiusage"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// Service is what the GraphQL operations of graph/ai.graphql call.
type Service struct {
	Client *ent.Client
	// AI is the whole layer (the remote model when configured).
	AI *ai.AI
	// Usage is the AI layer's books: usage, budget, alerts.
	Usage *aiusage.Store
	// Warmness rescores contacts (its Scorer is the AI layer's, its
	// Refine enqueues the remote refinement).
	Warmness *warmness.Service
	Now      clock.Clock
}

func (s *Service) client(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return s.Client
}

// ClassifySMS reads text as a patient's reply at the viewer's location,
// in its zone, as the inbound SMS path will: nothing is sent or changed
// (the call is recorded, and spends the budget like any other).
func (s *Service) ClassifySMS(ctx context.Context, text string) (ai.SMSIntent, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.LocationID == "" {
		return ai.SMSIntent{}, apperr.Errorf(apperr.Unauthenticated, "sign in at a location")
	}
	if len([]rune(text)) == 0 {
		return ai.SMSIntent{}, apperr.Invalidf("text", "type a message to classify")
	}
	zone, err := s.zone(ctx, v.LocationID)
	if err != nil {
		return ai.SMSIntent{}, err
	}
	return s.AI.DetectSMSIntent(ctx, ai.SMSInput{LocationID: string(v.LocationID), Message: text, Now: s.Now.Now(), Zone: zone})
}

// zone is the location's time zone (as integrity: any member may know
// where their clinic is).
func (s *Service) zone(ctx context.Context, loc pulid.ID) (*time.Location, error) {
	l, err := s.client(ctx).Location.Query().Where(location.ID(loc)).Select(location.FieldTimezone).Only(viewer.Integrity.Grant(ctx, ""))
	if err != nil {
		return nil, err
	}
	z, err := time.LoadLocation(l.Timezone)
	if err != nil {
		return time.UTC, nil
	}
	return z, nil
}

// RecalculateWarmness rescores a contact now with the built-in engine
// and, when a remote model is configured and the contact has sent
// messages, enqueues its refinement in the same transaction.
func (s *Service) RecalculateWarmness(ctx context.Context, id pulid.ID) (*ent.Contact, error) {
	return s.Warmness.Recalculate(ctx, id)
}
