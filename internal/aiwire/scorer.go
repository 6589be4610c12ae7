// Package aiwire connects the AI layer (internal/ai) to the CRM: the
// warmness scorer behind warmness.Scorer, the job that refines a score
// with a remote model after the commit, and the operations the GraphQL
// schema offers (classifySMS, recalculateWarmness). internal/ai knows
// nothing of ent; this package reads the rows and passes plain values.
package aiwire

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// Scorer scores warmness with the AI layer's built-in engine: the
// warmness rules, then the meaning of the contact's latest message. It
// never waits on a remote model (it runs inside the change's
// transaction); the refinement job does that after the commit.
type Scorer struct {
	AI *ai.AI
}

var (
	_ warmness.Scorer       = Scorer{}
	_ warmness.EngineScorer = Scorer{}
)

// Score implements warmness.Scorer.
func (s Scorer) Score(ctx context.Context, f warmness.Facts) (int, []types.WarmnessReason, error) {
	r, err := s.ScoreEngine(ctx, f)
	return r.Score, r.Reasons, err
}

// ScoreEngine implements warmness.EngineScorer. The nightly rescoring of
// every contact (warmness.Bulk) records no usage row per contact.
func (s Scorer) ScoreEngine(ctx context.Context, f warmness.Facts) (warmness.Scored, error) {
	latest := make([]ai.Touchpoint, 0, len(f.Messages))
	for _, m := range f.Messages {
		latest = append(latest, ai.Touchpoint{Kind: m.Kind, At: m.At, Text: m.Text})
	}
	loc := f.LocationID
	if warmness.Bulk(ctx) {
		loc = ""
	}
	w, err := s.AI.AnalyzeFacts(ctx, loc, f, latest)
	if err != nil {
		return warmness.Scored{}, err
	}
	return warmness.Scored{Score: w.Score, Reasons: w.Reasons, Engine: w.Engine}, nil
}
