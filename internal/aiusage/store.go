// Package aiusage keeps the AI layer's books in the database: every call
// of internal/ai as an AIUsage row (the ai.UsageSink), each location's
// monthly budget and what it has spent (the ai.Budget, months in the
// location's own zone), the alerts at 80% and 100% of the budget, and the
// grouped usage the admin AI page and the aiUsage query read.
//
// Costs are ai.Nanodollars (US dollars × 10⁹) everywhere; budgets are
// entered and stored in US cents (the location's settings, aiBudgetCents) because
// providers bill in US dollars whatever the clinic's currency.
package aiusage

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/aiusage"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// EventBudget is the Event written when a call takes a location's
// spending for the month across 80% or 100% of its budget. Its payload:
// {"level": 80|100, "month": "2026-12", "spent": nanodollars, "limit":
// nanodollars}. The admin AI page lists the month's; automation rules can
// react to it (tell the admins by email or SMS).
const EventBudget = "ai.budget"

// Store is the AI layer's books. It implements ai.UsageSink and ai.Budget.
type Store struct {
	// Client is used outside a transaction; inside one (ent.FromContext)
	// the transaction's client is used, so a record commits with the
	// change that caused the call.
	Client *ent.Client
	Now    clock.Clock
	Log    *slog.Logger

	// pending holds, per open transaction (*ent.Tx), the built-in calls
	// counted in it, written at its commit (counter.go).
	pending sync.Map

	// hold, once Start ran, holds committed counts until the flusher
	// writes them (flush.go); mu guards hold, stop and done.
	mu         sync.Mutex
	hold       *heldCounts
	stop, done chan struct{}
	flushMu    sync.Mutex
}

var (
	_ ai.UsageSink = (*Store)(nil)
	_ ai.Budget    = (*Store)(nil)
)

func (s *Store) client(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return s.Client
}

func (s *Store) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// RecordUsage writes r as an AIUsage row of r's location, and an
// EventBudget when r crossed an alert level; a free call of the built-in
// engine is counted in its group's row instead (counter.go). It writes as the ai-usage
// capability: whoever caused the call (a receptionist classifying a
// reply, a job) spends the location's budget without holding the
// settings permissions that reading the books needs. A record without a
// location (the evaluation command) is not stored.
//
// The nightly rescoring of every contact is not recorded row by row (the
// warmness scorer leaves it out, see internal/aiwire): it is the built-in
// engine, costs nothing, and would write as many rows (and audit
// entries) as there are contacts every night; its job logs how many it
// scored.
func (s *Store) RecordUsage(ctx context.Context, r ai.UsageRecord) error {
	if r.LocationID == "" {
		return nil
	}
	c := s.client(ctx)
	sys := viewer.AIUsage.Grant(ctx, "")
	loc := pulid.ID(r.LocationID)
	at := r.At
	if at.IsZero() {
		at = s.Now.Now()
	}
	if counted(r) {
		return s.count(ctx, c, loc, at, r)
	}
	err := c.AIUsage.Create().
		SetLocationID(loc).SetCreatedAt(at.UTC()).
		SetUseCase(string(r.UseCase)).SetEngine(r.Engine).SetModel(r.Model).
		SetInputTokens(max(r.InputTokens, 0)).SetOutputTokens(max(r.OutputTokens, 0)).
		SetCostIn(int64(max(r.CostIn, 0))).SetCostOut(int64(max(r.CostOut, 0))).
		SetLatencyUs(r.Latency.Microseconds()).SetCacheHit(r.CacheHit).
		SetFallback(r.Fallback).SetAlert(r.Alert).SetRemote(r.Model != "" && r.Model != ai.BuiltinModel).
		Exec(sys)
	if err != nil {
		return fmt.Errorf("ai usage: %w", err)
	}
	if r.Alert == 0 {
		return nil
	}
	st, m, err := s.status(sys, c, loc, at)
	if err != nil {
		return err
	}
	if err := c.Event.Create().
		SetLocationID(loc).SetType(EventBudget).SetSubjectID(string(loc)).
		SetPayload(map[string]any{"level": r.Alert, "month": m.Label, "spent": int64(st.Spent), "limit": int64(st.Limit)}).
		SetAt(at.UTC()).Exec(sys); err != nil {
		return fmt.Errorf("ai budget alert: %w", err)
	}
	s.log().Warn("ai: budget alert", "location", loc, "level", r.Alert, "spent", st.Spent.String(), "limit", st.Limit.String())
	return nil
}

// BudgetStatus implements ai.Budget: the location's budget and what its
// calls cost in at's month, in the location's zone.
func (s *Store) BudgetStatus(ctx context.Context, locationID string, at time.Time) (ai.BudgetStatus, error) {
	st, _, err := s.status(viewer.AIUsage.Grant(ctx, ""), s.client(ctx), pulid.ID(locationID), at)
	return st, err
}

// Month is a calendar month in a location's zone.
type Month struct {
	// Start and End bound it: [Start, End), local midnights.
	Start, End time.Time
	// Label is "2026-12".
	Label string
	Zone  *time.Location
}

// MonthOf returns the month that contains at in zone.
func MonthOf(at time.Time, zone *time.Location) Month {
	l := at.In(zone)
	start := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, zone)
	return Month{Start: start, End: start.AddDate(0, 1, 0), Label: start.Format("2006-01"), Zone: zone}
}

// status reads the location's budget and zone and sums the cost of its
// calls in at's month. ctx must be allowed to read them.
func (s *Store) status(ctx context.Context, c *ent.Client, loc pulid.ID, at time.Time) (ai.BudgetStatus, Month, error) {
	l, err := c.Location.Query().Where(location.ID(loc)).
		Select(location.FieldTimezone, location.FieldSettings).Only(ctx)
	if err != nil {
		return ai.BudgetStatus{}, Month{}, fmt.Errorf("ai budget: location %s: %w", loc, err)
	}
	zone, err := time.LoadLocation(l.Timezone)
	if err != nil {
		zone = time.UTC
	}
	m := MonthOf(at, zone)
	spent, err := s.spent(ctx, c, loc, m.Start, m.End)
	if err != nil {
		return ai.BudgetStatus{}, m, err
	}
	return ai.BudgetStatus{Limit: ai.Cents(l.Settings.AIBudgetCents), Spent: spent}, m, nil
}

// spent sums cost_in + cost_out of the location's calls in [from, to).
// Only calls of a remote model cost anything; the index on (location,
// remote, created_at) keeps the sum off the built-in engine's many rows.
func (s *Store) spent(ctx context.Context, c *ent.Client, loc pulid.ID, from, to time.Time) (ai.Nanodollars, error) {
	var v []struct {
		In  *int64 `json:"cin"`
		Out *int64 `json:"cout"`
	}
	err := c.AIUsage.Query().
		Where(aiusage.LocationID(loc), aiusage.Remote(true),
			aiusage.CreatedAtGTE(from.UTC()), aiusage.CreatedAtLT(to.UTC())).
		Aggregate(ent.As(ent.Sum(aiusage.FieldCostIn), "cin"), ent.As(ent.Sum(aiusage.FieldCostOut), "cout")).
		Scan(ctx, &v)
	if err != nil {
		return 0, fmt.Errorf("ai budget: spending: %w", err)
	}
	var n ai.Nanodollars
	for _, r := range v {
		if r.In != nil {
			n += ai.Nanodollars(*r.In)
		}
		if r.Out != nil {
			n += ai.Nanodollars(*r.Out)
		}
	}
	return n, nil
}
