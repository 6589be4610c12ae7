package aiusage

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/aiusage"
	"github.com/avatarimaging/avatarcrm/ent/event"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// MaxDays bounds a usage report: a quarter and a day.
const MaxDays = 93

// Group is the usage of one location, day (in the location's zone), use
// case, engine and model.
type Group struct {
	LocationID   pulid.ID
	LocationCode string
	Day          types.Date
	UseCase      string
	Engine       string
	Model        string
	Calls        int
	InputTokens  int64
	OutputTokens int64
	CostIn       ai.Nanodollars
	CostOut      ai.Nanodollars
	CacheHits    int
	Fallbacks    int
	// LatencyUs is the sum of the calls' latencies (the mean is
	// LatencyUs / Calls).
	LatencyUs int64
}

// Cost is CostIn + CostOut.
func (g Group) Cost() ai.Nanodollars { return g.CostIn + g.CostOut }

// Usage returns the usage of the viewer's active location from day from
// to day to (inclusive, in the location's zone), grouped by day, use
// case, engine and model, in that order. It reads as the viewer: the
// AIUsage policy (settings:read, the viewer's location) applies.
func (s *Store) Usage(ctx context.Context, from, to types.Date) ([]Group, error) {
	loc, zone, code, err := s.viewerLocation(ctx)
	if err != nil {
		return nil, err
	}
	f, err := dayStart(from, zone)
	if err != nil {
		return nil, apperr.Invalidf("from", "%v", err)
	}
	t, err := dayStart(to, zone)
	if err != nil {
		return nil, apperr.Invalidf("to", "%v", err)
	}
	end := t.AddDate(0, 0, 1)
	switch {
	case end.Before(f) || !end.After(f):
		return nil, apperr.Invalidf("to", "to (%s) is before from (%s)", to, from)
	case end.Sub(f) > MaxDays*25*time.Hour:
		return nil, apperr.Invalidf("to", "a usage report covers at most %d days", MaxDays)
	}
	// Counts held in memory are written first (flush.go), outside any
	// transaction of the caller's (SQLite has one writer).
	if ent.TxFromContext(ctx) == nil {
		if err := s.Flush(ctx); err != nil {
			return nil, err
		}
	}
	rows, err := s.client(ctx).AIUsage.Query().
		Where(aiusage.LocationID(loc), aiusage.CreatedAtGTE(f.UTC()), aiusage.CreatedAtLT(end.UTC())).
		Select(aiusage.FieldCreatedAt, aiusage.FieldUseCase, aiusage.FieldEngine, aiusage.FieldModel,
			aiusage.FieldInputTokens, aiusage.FieldOutputTokens, aiusage.FieldCostIn, aiusage.FieldCostOut,
			aiusage.FieldCacheHit, aiusage.FieldFallback, aiusage.FieldLatencyUs, aiusage.FieldCalls).
		All(ctx)
	if err != nil {
		return nil, err
	}
	type key struct {
		day                   types.Date
		useCase, engine, mdel string
	}
	groups := map[key]*Group{}
	for _, r := range rows {
		k := key{types.Date(r.CreatedAt.In(zone).Format(types.DateLayout)), r.UseCase, r.Engine, r.Model}
		g := groups[k]
		if g == nil {
			g = &Group{LocationID: loc, LocationCode: code, Day: k.day, UseCase: r.UseCase, Engine: r.Engine, Model: r.Model}
			groups[k] = g
		}
		// A row counts one remote call or a group of free built-in ones
		// (counter.go).
		calls := max(r.Calls, 1)
		g.Calls += calls
		g.InputTokens += r.InputTokens
		g.OutputTokens += r.OutputTokens
		g.CostIn += ai.Nanodollars(r.CostIn)
		g.CostOut += ai.Nanodollars(r.CostOut)
		g.LatencyUs += r.LatencyUs
		if r.CacheHit {
			g.CacheHits += calls
		}
		if r.Fallback != "" {
			g.Fallbacks += calls
		}
	}
	out := make([]Group, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Day != b.Day {
			return a.Day < b.Day
		}
		if a.UseCase != b.UseCase {
			return a.UseCase < b.UseCase
		}
		if a.Engine != b.Engine {
			return a.Engine < b.Engine
		}
		return a.Model < b.Model
	})
	return out, nil
}

// viewerLocation is the viewer's active location, its zone and code.
func (s *Store) viewerLocation(ctx context.Context) (pulid.ID, *time.Location, string, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.LocationID == "" {
		return "", nil, "", apperr.Errorf(apperr.Unauthenticated, "sign in at a location")
	}
	l, err := s.client(ctx).Location.Query().Where(location.ID(v.LocationID)).
		Select(location.FieldTimezone, location.FieldCode).Only(ctx)
	if err != nil {
		return "", nil, "", err
	}
	zone, err := time.LoadLocation(l.Timezone)
	if err != nil {
		zone = time.UTC
	}
	return l.ID, zone, l.Code, nil
}

// Alert is a budget alert of the month.
type Alert struct {
	Level int
	At    time.Time
	Spent ai.Nanodollars
	Limit ai.Nanodollars
}

// BudgetView is a location's budget this month, for the aiBudget query
// and the admin AI page.
type BudgetView struct {
	LocationID pulid.ID
	// LimitCents is the monthly budget in US cents (0: none).
	LimitCents int64
	Status     ai.BudgetStatus
	Month      Month
	// Alerts are the month's alerts, oldest first.
	Alerts []Alert
}

// Budget returns the viewer's location's budget, what its calls cost
// this month and the month's alerts. The caller has checked the
// permission to read it (the aiBudget operation's settings:read); the
// sums are read as the ai-usage capability.
func (s *Store) Budget(ctx context.Context) (BudgetView, error) {
	loc, _, _, err := s.viewerLocation(ctx)
	if err != nil {
		return BudgetView{}, err
	}
	c := s.client(ctx)
	sys := viewer.AIUsage.Grant(ctx, "")
	st, m, err := s.status(sys, c, loc, s.Now.Now())
	if err != nil {
		return BudgetView{}, err
	}
	bv := BudgetView{LocationID: loc, LimitCents: int64(st.Limit / ai.Cents(1)), Status: st, Month: m}
	evs, err := c.Event.Query().
		Where(event.LocationID(loc), event.Type(EventBudget), event.AtGTE(m.Start.UTC()), event.AtLT(m.End.UTC())).
		Order(ent.Asc(event.FieldAt)).Limit(50).All(sys)
	if err != nil {
		return BudgetView{}, err
	}
	for _, e := range evs {
		a := Alert{At: e.At}
		a.Level = int(num(e.Payload["level"]))
		a.Spent = ai.Nanodollars(num(e.Payload["spent"]))
		a.Limit = ai.Nanodollars(num(e.Payload["limit"]))
		bv.Alerts = append(bv.Alerts, a)
	}
	return bv, nil
}

// SetBudget sets the viewer's location's monthly budget in US cents (0:
// none; kept in the location's settings) and returns the budget as it now stands. Raising the budget above
// the month's spending lets remote calls resume at once. It writes with the
// viewer's own rights (the Location policy: the active location only);
// the setAIBudget operation has checked settings:update.
func (s *Store) SetBudget(ctx context.Context, cents int64) (BudgetView, error) {
	if cents < 0 {
		return BudgetView{}, apperr.Invalidf("cents", "a budget cannot be negative")
	}
	if cents > 100_000_000 {
		return BudgetView{}, apperr.Invalidf("cents", "a budget above US$1,000,000 a month is surely a typo")
	}
	loc, _, _, err := s.viewerLocation(ctx)
	if err != nil {
		return BudgetView{}, err
	}
	c := s.client(ctx)
	l, err := c.Location.Query().Where(location.ID(loc)).Only(ctx)
	if err != nil {
		return BudgetView{}, err
	}
	settings := l.Settings
	settings.AIBudgetCents = cents
	if err := c.Location.UpdateOneID(loc).SetSettings(settings).Exec(ctx); err != nil {
		return BudgetView{}, err
	}
	return s.Budget(ctx)
}

// num reads a JSON number (float64 after a round trip, int64 before).
func num(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case int64:
		return n
	case int:
		return int64(n)
	}
	return 0
}

// dayStart is local midnight of d in zone.
func dayStart(d types.Date, zone *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(types.DateLayout, string(d), zone)
	if err != nil {
		return time.Time{}, fmt.Errorf("a date looks like 2026-12-06")
	}
	return t, nil
}
