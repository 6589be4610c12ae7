package graph

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/aiusage"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// The AI operations (graph/ai.graphql) hand everything to internal/aiwire
// and internal/aiusage; these turn their results into the schema's types.

func (r *Resolver) aiConfigured() error {
	if r.AI == nil || r.AI.Usage == nil {
		return apperr.Errorf(apperr.Internal, "the AI layer is not configured")
	}
	return nil
}

// aiUsageReport reads the usage from..to, by default this month so far
// in the location's zone.
func (r *Resolver) aiUsageReport(ctx context.Context, from, to *types.Date) (*AIUsageReport, error) {
	if err := r.aiConfigured(); err != nil {
		return nil, err
	}
	if from == nil || to == nil {
		b, err := r.AI.Usage.Budget(ctx)
		if err != nil {
			return nil, err
		}
		if from == nil {
			d := types.Date(b.Month.Start.Format(types.DateLayout))
			from = &d
		}
		if to == nil {
			d := types.Date(r.Now.Now().In(b.Month.Zone).Format(types.DateLayout))
			to = &d
		}
	}
	groups, err := r.AI.Usage.Usage(ctx, *from, *to)
	if err != nil {
		return nil, err
	}
	rep := &AIUsageReport{From: *from, To: *to, Groups: make([]*AIUsageGroup, 0, len(groups))}
	for _, g := range groups {
		mean := 0.0
		if g.Calls > 0 {
			mean = float64(g.LatencyUs) / float64(g.Calls) / 1000
		}
		rep.Groups = append(rep.Groups, &AIUsageGroup{
			Location: g.LocationID, LocationCode: g.LocationCode, Day: g.Day, UseCase: g.UseCase, Engine: g.Engine, Model: g.Model,
			Calls: g.Calls, InputTokens: int(g.InputTokens), OutputTokens: int(g.OutputTokens),
			CostIn: g.CostIn, CostOut: g.CostOut, Cost: g.Cost(), CacheHits: g.CacheHits, Fallbacks: g.Fallbacks,
			MeanLatencyMs: mean,
		})
		rep.Calls += g.Calls
		rep.Cost += g.Cost()
	}
	return rep, nil
}

func aiBudgetOf(b aiusage.BudgetView) *AIBudget {
	out := &AIBudget{
		LimitCents: int(b.LimitCents), Limit: b.Status.Limit, Spent: b.Status.Spent,
		Percent: b.Status.Percent(), Level: b.Status.Level(), Exhausted: b.Status.Exhausted(),
		Month: b.Month.Label, MonthStart: b.Month.Start, MonthEnd: b.Month.End,
		Alerts: make([]*AIBudgetAlert, 0, len(b.Alerts)),
	}
	for _, a := range b.Alerts {
		out.Alerts = append(out.Alerts, &AIBudgetAlert{Level: a.Level, At: a.At, Spent: a.Spent, Limit: a.Limit})
	}
	return out
}

func (r *Resolver) aiBudget(ctx context.Context) (*AIBudget, error) {
	if err := r.aiConfigured(); err != nil {
		return nil, err
	}
	b, err := r.AI.Usage.Budget(ctx)
	if err != nil {
		return nil, err
	}
	return aiBudgetOf(b), nil
}

func (r *Resolver) setAIBudget(ctx context.Context, cents int) (*AIBudget, error) {
	if err := r.aiConfigured(); err != nil {
		return nil, err
	}
	b, err := r.AI.Usage.SetBudget(ctx, int64(cents))
	if err != nil {
		return nil, err
	}
	return aiBudgetOf(b), nil
}

func (r *Resolver) classifySMS(ctx context.Context, text string) (*SMSIntentResult, error) {
	if err := r.aiConfigured(); err != nil {
		return nil, err
	}
	res, err := r.AI.ClassifySMS(ctx, text)
	if err != nil {
		return nil, err
	}
	out := &SMSIntentResult{
		Intent: string(res.Intent), Confidence: res.Confidence, NeedsReview: res.NeedsReview,
		Engine: res.Engine, Model: res.Model, Reason: res.Reason,
	}
	if res.Fallback != "" {
		out.Fallback = &res.Fallback
	}
	if p := res.Proposed; p != nil {
		start, end, text := p.Start, p.End, p.Text
		out.ProposedTime, out.ProposedEnd, out.ProposedText = &start, &end, &text
	}
	return out, nil
}
