package ai

import (
	"context"
	"sync"
	"time"
)

// UsageRecord is one call of the AI layer, as the AIUsage table will
// store it.
type UsageRecord struct {
	// At is when the call started.
	At         time.Time
	LocationID string
	UseCase    UseCase
	// Engine answered (EngineBuiltin or the remote provider).
	Engine string
	// Model is the remote model called, or BuiltinModel when none was.
	Model string
	// Tokens, from the model's usage block (0 for the built-in engine and
	// for cache hits).
	InputTokens, OutputTokens int64
	// CostIn and CostOut price the tokens with the model's price.
	CostIn, CostOut Nanodollars
	// Latency of the whole call, built-in fallback included.
	Latency  time.Duration
	CacheHit bool
	// Fallback says why the built-in engine answered although a remote
	// model is configured; empty otherwise.
	Fallback string
	// Alert is 80 or 100 when this call took the location's spending for
	// the month across that share of its budget: the moment to tell the
	// admins. 0 otherwise.
	Alert int
}

// Cost is CostIn + CostOut.
func (r UsageRecord) Cost() Nanodollars { return r.CostIn + r.CostOut }

// UsageSink receives a record of every call. The wiring stores them as
// AIUsage rows; an error is logged and does not fail the call.
type UsageSink interface {
	RecordUsage(ctx context.Context, r UsageRecord) error
}

// Budget tells what a location may still spend on remote models this
// month (the month in the location's zone is the Budget's business).
type Budget interface {
	BudgetStatus(ctx context.Context, locationID string, at time.Time) (BudgetStatus, error)
}

// BudgetStatus is a location's spending this month against its budget.
type BudgetStatus struct {
	// Limit is the monthly budget; 0 means none is set (no limit).
	Limit Nanodollars
	// Spent is what the month's calls cost so far.
	Spent Nanodollars
}

// Alert thresholds, in percent of the monthly budget.
const (
	AlertWarn      = 80
	AlertExhausted = 100
)

// Level returns AlertExhausted when the budget is spent, AlertWarn from
// 80% of it, else 0. Without a limit it is 0.
func (b BudgetStatus) Level() int {
	if b.Limit <= 0 {
		return 0
	}
	switch {
	case b.Spent >= b.Limit:
		return AlertExhausted
	case b.Spent*100 >= b.Limit*AlertWarn:
		return AlertWarn
	}
	return 0
}

// Exhausted reports whether the location may make no more remote calls
// this month: only the built-in engine answers until the month turns or
// the budget is raised.
func (b BudgetStatus) Exhausted() bool { return b.Level() == AlertExhausted }

// Percent is Spent as a whole percentage of Limit (0 without a limit).
func (b BudgetStatus) Percent() int {
	if b.Limit <= 0 {
		return 0
	}
	return int(b.Spent * 100 / b.Limit)
}

// Crossed returns the alert level a spend of cost takes b across (80 or
// 100), or 0 when it crosses none.
func (b BudgetStatus) Crossed(cost Nanodollars) int {
	after := BudgetStatus{Limit: b.Limit, Spent: b.Spent + cost}
	if l := after.Level(); l > b.Level() {
		return l
	}
	return 0
}

// MemoryUsage keeps usage records in memory and is a Budget over them:
// for tests and the evaluation command. Months are calendar months in
// Zone (UTC when nil). The zero value is ready.
type MemoryUsage struct {
	mu      sync.Mutex
	records []UsageRecord
	limits  map[string]Nanodollars
	// Zone decides where a month begins.
	Zone *time.Location
}

// RecordUsage implements UsageSink.
func (m *MemoryUsage) RecordUsage(_ context.Context, r UsageRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records = append(m.records, r)
	return nil
}

// SetLimit sets a location's monthly budget (0: none).
func (m *MemoryUsage) SetLimit(locationID string, limit Nanodollars) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.limits == nil {
		m.limits = map[string]Nanodollars{}
	}
	m.limits[locationID] = limit
}

// BudgetStatus implements Budget: the location's limit and the cost of
// its records in at's month.
func (m *MemoryUsage) BudgetStatus(_ context.Context, locationID string, at time.Time) (BudgetStatus, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	zone := m.Zone
	if zone == nil {
		zone = time.UTC
	}
	y, mo, _ := at.In(zone).Date()
	st := BudgetStatus{Limit: m.limits[locationID]}
	for _, r := range m.records {
		ry, rm, _ := r.At.In(zone).Date()
		if r.LocationID == locationID && ry == y && rm == mo {
			st.Spent += r.Cost()
		}
	}
	return st, nil
}

// Records returns a copy of the records so far.
func (m *MemoryUsage) Records() []UsageRecord {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]UsageRecord(nil), m.records...)
}
