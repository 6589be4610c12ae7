package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/stagechange"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
	"github.com/avatarimaging/avatarcrm/internal/seed"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// day is midnight UTC on a day of February 2030, far from the demo data.
func day(d int) time.Time { return time.Date(2030, 2, d, 0, 0, 0, 0, time.UTC) }

// history writes a contact created at created, in the stage of its last
// move, with the moves given as from → to at times.
func history(t *testing.T, ctx context.Context, c *ent.Client, created time.Time, moves ...move) *ent.Contact {
	t.Helper()
	last := moves[len(moves)-1].to
	ct, err := c.Contact.Create().SetFirstName("History").SetStage(last).SetPipeline(pipeline.PipelineOf(last)).
		SetCreatedAt(created).SetStageChangedAt(moves[len(moves)-1].at).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range moves {
		if err := c.StageChange.Create().SetContactID(ct.ID).
			SetFromStage(stagechange.FromStage(m.from)).SetFromPipeline(stagechange.FromPipeline(pipeline.PipelineOf(m.from))).
			SetToStage(stagechange.ToStage(m.to)).SetToPipeline(stagechange.ToPipeline(pipeline.PipelineOf(m.to))).
			SetAt(m.at).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return ct
}

type move struct {
	from, to contact.Stage
	at       time.Time
}

// TestAnalytics checks every figure on a constructed history for February
// 2030 (see the comments for the arithmetic).
func TestAnalytics(t *testing.T) {
	checkAnalytics(t, testutil.DemoDB(t).Client)
}

// TestAnalyticsPostgres runs the same history on PostgreSQL (skipped
// without a server; see testutil.PostgresURL).
func TestAnalyticsPostgres(t *testing.T) {
	url := testutil.PostgresURL(t)
	d, err := db.Open(context.Background(), db.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Demo(context.Background(), testutil.Client(t, d), seed.Options{Now: testutil.Now}); err != nil {
		t.Fatal(err)
	}
	checkAnalytics(t, d.Client)
}

func checkAnalytics(t *testing.T, c *ent.Client) {
	ctx, _ := staffCtx(t, c)
	svc := &pipeline.Service{Client: c, Now: clock()}
	const (
		newLead   = contact.StageNewLead
		contacted = contact.StageContacted
		qualified = contact.StageQualified
		booked    = contact.StageBooked
		confirmed = contact.StageConfirmed
	)
	jan := func(d int) time.Time { return time.Date(2030, 1, d, 0, 0, 0, 0, time.UTC) }
	mar := func(d int) time.Time { return time.Date(2030, 3, d, 0, 0, 0, 0, time.UTC) }
	// A skips qualified, is booked and confirmed.
	history(t, ctx, c, jan(10),
		move{newLead, contacted, day(2)}, move{contacted, booked, day(4)}, move{booked, confirmed, day(5)})
	// B stops at qualified.
	history(t, ctx, c, jan(20),
		move{newLead, contacted, day(3)}, move{contacted, qualified, day(10)})
	// C was contacted in January, is corrected back to new_lead and
	// contacted again, then goes back once more in March: no conversion.
	history(t, ctx, c, jan(1),
		move{newLead, contacted, jan(25)}, move{contacted, newLead, day(6)}, move{newLead, contacted, day(7)},
		move{contacted, newLead, mar(5)})
	// D is booked at the end of February and confirmed in March: a
	// conversion after the period still counts.
	history(t, ctx, c, day(20),
		move{newLead, booked, day(27)}, move{booked, confirmed, mar(2)})

	stats, err := svc.Analytics(ctx, day(1), mar(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != len(pipeline.Stages) {
		t.Fatalf("%d stats, want one per stage", len(stats))
	}
	by := map[contact.Stage]pipeline.StageStat{}
	for i, s := range stats {
		if s.Stage != pipeline.Stages[i] || s.Pipeline != pipeline.PipelineOf(s.Stage) {
			t.Fatalf("stat %d is %s/%s, want pipeline order", i, s.Pipeline, s.Stage)
		}
		by[s.Stage] = s
	}
	days := func(n float64) time.Duration { return time.Duration(n * 24 * float64(time.Hour)) }
	type want struct {
		entered, cohort, converted int
		rate                       *float64
		exits                      int
		median                     *time.Duration
	}
	f := func(v float64) *float64 { return &v }
	dur := func(v time.Duration) *time.Duration { return &v }
	wants := map[contact.Stage]want{
		// Entered by C on the 6th; C was contacted on the 7th.
		// Exits: A 23 days after creation (Jan 10 → Feb 2), B 14 (Jan 20 →
		// Feb 3), C 1 (Feb 6 → 7), D 7 (Feb 20 → 27): median (7+14)/2.
		newLead: {entered: 1, cohort: 1, converted: 1, rate: f(1), exits: 4, median: dur(days(10.5))},
		// Entered by A, B and C (C's January entry is outside); A (booked,
		// skipping qualified) and B converted, C went back: 2 of 3.
		// Exits: A 2 days, B 7, C 12 (Jan 25 → Feb 6); C's March exit is
		// outside: median 7.
		contacted: {entered: 3, cohort: 3, converted: 2, rate: f(2.0 / 3), exits: 3, median: dur(days(7))},
		// B, never further.
		qualified: {entered: 1, cohort: 1, converted: 0, rate: f(0), exits: 0},
		// A and D, both confirmed (D in March). A's exit after 1 day.
		booked: {entered: 2, cohort: 2, converted: 2, rate: f(1), exits: 1, median: dur(days(1))},
		// A; D's entry is in March.
		confirmed: {entered: 1, cohort: 1, converted: 0, rate: f(0), exits: 0},
	}
	for _, st := range pipeline.Stages {
		got, w := by[st], wants[st]
		if got.Entered != w.entered || got.EnteredContacts != w.cohort || got.Converted != w.converted || got.Exits != w.exits {
			t.Errorf("%s: entered %d (%d contacts), converted %d, exits %d; want %d (%d), %d, %d",
				st, got.Entered, got.EnteredContacts, got.Converted, got.Exits, w.entered, w.cohort, w.converted, w.exits)
		}
		switch {
		case (got.ConversionRate == nil) != (w.rate == nil):
			t.Errorf("%s: conversion rate %v, want %v", st, ptrStr(got.ConversionRate), ptrStr(w.rate))
		case w.rate != nil && *got.ConversionRate != *w.rate:
			t.Errorf("%s: conversion rate %v, want %v", st, *got.ConversionRate, *w.rate)
		}
		switch {
		case (got.MedianTimeInStage == nil) != (w.median == nil):
			t.Errorf("%s: median %v, want %v", st, ptrStr(got.MedianTimeInStage), ptrStr(w.median))
		case w.median != nil && *got.MedianTimeInStage != *w.median:
			t.Errorf("%s: median %v, want %v", st, *got.MedianTimeInStage, *w.median)
		}
		// Current is everything in the stage now, demo contacts included.
		n, err := c.Contact.Query().Where(contact.StageEQ(st), contact.ArchivedAtIsNil()).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.Current != n {
			t.Errorf("%s: current %d, want %d", st, got.Current, n)
		}
	}
	if by[contact.StagePartnershipActive].NextStage != nil || *by[contact.StageRecalled].NextStage != contact.StageBooked ||
		*by[contact.StageReady].NextStage != contact.StageCompleted {
		t.Error("next stages: partnership_active has none, recalled → booked, ready → completed")
	}

	t.Run("OtherLocationSeesNothing", func(t *testing.T) {
		par := testutil.As(t, c, "par-staff@example.com")
		stats, err := svc.Analytics(par, day(1), mar(1))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stats {
			if s.Entered != 0 || s.Exits != 0 {
				t.Fatalf("PAR sees SYD's history: %+v", s)
			}
		}
	})
	t.Run("EmptyPeriodInvalid", func(t *testing.T) {
		_, err := svc.Analytics(ctx, day(2), day(2))
		if ae := apperr.From(err); ae.Code != apperr.Invalid || ae.Field != "from" {
			t.Fatalf("got %v", err)
		}
	})
}

// TestAnalyticsFromMoves: the figures follow moves made through Move, with
// the service's clock as the time of each move.
func TestAnalyticsFromMoves(t *testing.T) {
	d := testutil.DemoDB(t)
	c := d.Client
	ctx, _ := staffCtx(t, c)
	now := day(1)
	svc := &pipeline.Service{Client: c, Now: func() time.Time { return now }}
	ct, err := c.Contact.Create().SetFirstName("Moved").SetCreatedAt(day(1)).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		to contact.Stage
		at time.Time
	}{{contact.StageContacted, day(2)}, {contact.StageBooked, day(2).Add(36 * time.Hour)}, {contact.StageConfirmed, day(9)}} {
		now = step.at
		if _, err := svc.Move(ctx, ct.ID, step.to, ""); err != nil {
			t.Fatal(err)
		}
	}
	stats, err := svc.Analytics(ctx, day(1), day(28))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stats {
		switch s.Stage {
		case contact.StageContacted:
			if s.Entered != 1 || *s.ConversionRate != 1 || *s.MedianTimeInStage != 36*time.Hour {
				t.Errorf("contacted: %+v", s)
			}
		case contact.StageBooked:
			if s.Entered != 1 || *s.ConversionRate != 1 || *s.MedianTimeInStage != 7*24*time.Hour-36*time.Hour {
				t.Errorf("booked: %+v (median %v)", s, s.MedianTimeInStage)
			}
		case contact.StageNewLead:
			if s.Exits != 1 || *s.MedianTimeInStage != 24*time.Hour {
				t.Errorf("new_lead (entered at creation): %+v", s)
			}
		}
	}
}

func ptrStr[T any](p *T) any {
	if p == nil {
		return "nil"
	}
	return *p
}

// Period: the 30 days to now unless told otherwise.
func TestPeriod(t *testing.T) {
	svc := &pipeline.Service{Now: clock()}
	from, to := svc.Period(nil, nil)
	if !to.Equal(testutil.Now) || !from.Equal(testutil.Now.AddDate(0, 0, -30)) {
		t.Errorf("default period %s – %s", from, to)
	}
	end := day(10)
	if from, to := svc.Period(nil, &end); !to.Equal(end) || !from.Equal(day(10).AddDate(0, 0, -30)) {
		t.Errorf("given the end: %s – %s", from, to)
	}
	start := day(1)
	if from, to := svc.Period(&start, &end); !from.Equal(start) || !to.Equal(end) {
		t.Errorf("given both: %s – %s", from, to)
	}
}
