package ai

import (
	"context"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema/types"

	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// AnalyzeFacts is the built-in AnalyzeWarmness over facts the caller has
// already derived (warmness.LoadFacts, in the transaction of a change)
// and the contact's latest messages (newest first; only the first is
// read). It never calls a model, so it is what scores a contact inside a
// transaction; a remote refinement runs after the commit with
// AnalyzeWarmness. The rules' reasons come first, then the latest
// message's meaning; the call is recorded like any other.
func (a *AI) AnalyzeFacts(ctx context.Context, locationID string, f warmness.Facts, latest []Touchpoint) (Warmness, error) {
	started := time.Now()
	now := f.Now
	if now.IsZero() {
		now = a.now()
		f.Now = now
	}
	in := WarmnessInput{
		LocationID: locationID, Now: now,
		Contact:     WarmContact{LeadSource: string(f.LeadSource), Stage: string(f.Stage), Archived: f.Archived},
		Touchpoints: latest,
	}
	w, err := a.builtinWarmnessFacts(ctx, in, f, now)
	if err != nil {
		return Warmness{}, err
	}
	if a.o.Usage != nil && locationID != "" {
		rec := UsageRecord{At: a.now(), LocationID: locationID, UseCase: UseWarmness, Engine: EngineBuiltin, Model: BuiltinModel, Latency: time.Since(started)}
		if err := a.o.Usage.RecordUsage(ctx, rec); err != nil {
			a.log.ErrorContext(ctx, "ai: recording usage", "err", err, "use_case", UseWarmness)
		}
	}
	return w, nil
}

// EngineOfReasons names the engine behind a stored score from its
// reasons: a model's adjustment (FactorModel) means the remote engine
// refined it; otherwise the built-in engine scored it.
func EngineOfReasons(reasons []types.WarmnessReason, remote string) string {
	for _, r := range reasons {
		if r.Factor == FactorModel {
			if remote == "" {
				remote = EngineOpenAI
			}
			return remote
		}
	}
	return EngineBuiltin
}
