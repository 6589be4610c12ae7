package reports_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/reportemail"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/warmnesssnapshot"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/reports"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

func date(s string) *types.Date { d := types.Date(s); return &d }

func request(kind reports.Kind, from, to string) reports.Request {
	return reports.Request{Kind: kind, From: date(from), To: date(to)}
}

func total(t *testing.T, r *reports.Result, key string) reports.Total {
	t.Helper()
	for _, x := range r.Totals {
		if x.Key == key {
			return x
		}
	}
	t.Fatalf("no total %q in %+v", key, r.Totals)
	return reports.Total{}
}

func breakdown(t *testing.T, r *reports.Result, key string) map[string]reports.Row {
	t.Helper()
	for _, b := range r.Breakdowns {
		if b.Key == key {
			out := map[string]reports.Row{}
			for _, row := range b.Rows {
				out[row.Key] = row
			}
			return out
		}
	}
	t.Fatalf("no breakdown %q", key)
	return nil
}

func series(t *testing.T, r *reports.Result, key string) []reports.Point {
	t.Helper()
	for _, s := range r.Series {
		if s.Key == key {
			return s.Points
		}
	}
	t.Fatalf("no series %q", key)
	return nil
}

// near compares figures computed by division.
func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// wantRate checks a row's count, denominator and rate.
func wantRate(t *testing.T, what string, rows map[string]reports.Row, key string, count, denom int) {
	t.Helper()
	r, ok := rows[key]
	if !ok {
		t.Errorf("%s: no row %q (rows %v)", what, key, rows)
		return
	}
	if r.Count != count || r.Denominator == nil || *r.Denominator != denom || r.Rate == nil || !near(*r.Rate, float64(count)/float64(denom)) {
		t.Errorf("%s %s (%s): got %d of %v rate %v, want %d of %d", what, key, r.Label, r.Count, deref(r.Denominator), deref(r.Rate), count, denom)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func sharedFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixture(t, testutil.OpenDB(t))
}

// No-shows over two weeks that cross the end of daylight saving (Sunday 5
// April 2026, 3 am), every figure counted by hand in the fixture's
// comments: 14 no-shows of 69 recorded outcomes at Sydney and
// Parramatta; Melbourne's three never count.
func TestNoShows(t *testing.T) {
	f := sharedFixture(t)
	res, err := f.svcReports.Generate(f.managerCtx(), request(reports.NoShows, "2026-03-30", "2026-04-12"))
	if err != nil {
		t.Fatal(err)
	}
	rt := total(t, res, "no_show_rate")
	if *rt.Count != 14 || *rt.Denominator != 69 || !near(rt.Value, 14.0/69) {
		t.Errorf("no-show rate %d of %d = %v, want 14 of 69", *rt.Count, *rt.Denominator, rt.Value)
	}
	// The previous 14 days, 16–29 March: Sunday 29 March 23:50 (AEDT)
	// and 1 of 10 on Tuesday 17 March.
	if sp := res.Request; sp.CompareFrom == nil || *sp.CompareFrom != "2026-03-16" || *sp.CompareTo != "2026-03-29" {
		t.Errorf("comparison %v–%v, want 2026-03-16–2026-03-29", deref(sp.CompareFrom), deref(sp.CompareTo))
	}
	if rt.Previous == nil || !near(*rt.Previous, 2.0/11) {
		t.Errorf("previous rate %v, want 2/11", deref(rt.Previous))
	}
	// 14/69 against 2/11: z = 0.164, p = 0.87 — not significant.
	if rt.Significant || rt.PValue == nil || math.Abs(*rt.PValue-0.87) > 0.01 {
		t.Errorf("significance %v p=%v, want not significant, p≈0.87", rt.Significant, deref(rt.PValue))
	}
	if a := total(t, res, "attended"); a.Value != 55 {
		t.Errorf("attended %v, want 55", a.Value)
	}
	// Weeks start on Monday in Sydney: week 1 (30 March – 5 April) holds
	// Sunday 23:30 AEST and Monday 00:15 AEDT.
	pts := series(t, res, "no_show_rate")
	if len(pts) != 2 || pts[0].From != "2026-03-30" || pts[0].To != "2026-04-05" || pts[1].From != "2026-04-06" || pts[1].To != "2026-04-12" {
		t.Fatalf("weeks %+v", pts)
	}
	if *pts[0].Count != 9 || *pts[0].Denominator != 22 || *pts[1].Count != 5 || *pts[1].Denominator != 47 {
		t.Errorf("weeks: %d of %d and %d of %d, want 9 of 22 and 5 of 47", *pts[0].Count, *pts[0].Denominator, *pts[1].Count, *pts[1].Denominator)
	}
	wd := breakdown(t, res, "weekday")
	wantRate(t, "weekday", wd, "0", 2, 2) // Sunday: 5 April 23:30, 12 April 23:45
	wantRate(t, "weekday", wd, "1", 0, 2) // Monday: 30 March 00:15, 6 April 00:30
	wantRate(t, "weekday", wd, "2", 2, 40)
	wantRate(t, "weekday", wd, "3", 2, 5)
	wantRate(t, "weekday", wd, "5", 8, 20)
	if len(wd) != 5 {
		t.Errorf("weekdays %v, want 5", wd)
	}
	hr := breakdown(t, res, "hour")
	wantRate(t, "hour", hr, "23", 2, 2)
	wantRate(t, "hour", hr, "0", 0, 2)
	wantRate(t, "hour", hr, "9", 2, 5)
	wantRate(t, "hour", hr, "10", 2, 40)
	wantRate(t, "hour", hr, "16", 8, 20)
	if hr["23"].LowSample != true || hr["16"].LowSample != false {
		t.Errorf("2 of 2 is a low sample, 8 of 20 is not: %+v %+v", hr["23"], hr["16"])
	}
	loc := breakdown(t, res, "location")
	wantRate(t, "location", loc, string(f.syd), 12, 64)
	wantRate(t, "location", loc, string(f.par), 2, 5)
	if _, ok := loc[string(f.mel)]; ok {
		t.Error("Melbourne is in the report")
	}
	src := breakdown(t, res, "source")
	wantRate(t, "source", src, "meta_ads", 8, 20)
	wantRate(t, "source", src, "google_ads", 6, 49)
	lt := breakdown(t, res, "lead_time")
	wantRate(t, "lead time", lt, "3", 8, 20) // 8–14 days
	wantRate(t, "lead time", lt, "1", 6, 49) // 1–2 days
	rem := breakdown(t, res, "reminder")
	wantRate(t, "reminder", rem, "confirmed", 2, 40)
	wantRate(t, "reminder", rem, "not_confirmed", 12, 29)
	svc := breakdown(t, res, "service")
	wantRate(t, "service", svc, "CT Chest", 2, 40)
	wantRate(t, "service", svc, "MRI Knee", 12, 29)
	// Friday 4 pm stands out: 8 of 20 against 6 of the other 49
	// (z = 2.60, p = 0.009).
	var out *ai.Fact
	for _, fc := range reports.Facts(res) {
		if fc.Kind == ai.FactOutlier {
			fc := fc
			out = &fc
			break
		}
	}
	if out == nil || out.Segment != "Friday 4 pm" || out.Value != 40 || out.Count != 8 || out.N != 20 || *out.Previous != 20.3 {
		t.Errorf("outlier %+v, want Friday 4 pm at 40%% (8 of 20) against 20.3%%", out)
	}

	// Filters: Fridays after 3 pm only.
	req := request(reports.NoShows, "2026-03-30", "2026-04-12")
	req.Filters = &reports.Filters{Weekdays: []int{5}, Hours: []int{15, 16, 17}}
	res, err = f.svcReports.Generate(f.managerCtx(), req)
	if err != nil {
		t.Fatal(err)
	}
	if rt := total(t, res, "no_show_rate"); *rt.Count != 8 || *rt.Denominator != 20 {
		t.Errorf("Friday afternoons: %d of %d, want 8 of 20", *rt.Count, *rt.Denominator)
	}
}

// A location the viewer does not belong to is FORBIDDEN, named on the
// field; one where their role may not read reports likewise.
func TestLocationTheViewerMayNotSee(t *testing.T) {
	f := sharedFixture(t)
	req := request(reports.NoShows, "2026-03-30", "2026-04-12")
	req.LocationIDs = []pulid.ID{f.syd, f.mel}
	_, err := f.svcReports.Generate(f.managerCtx(), req)
	if e := apperr.From(err); e == nil || e.Code != apperr.Forbidden || e.Field != "locationIDs" {
		t.Fatalf("Melbourne: got %v, want FORBIDDEN on locationIDs", err)
	}
	// Parramatta alone.
	req.LocationIDs = []pulid.ID{f.par}
	res, err := f.svcReports.Generate(f.managerCtx(), req)
	if err != nil {
		t.Fatal(err)
	}
	if rt := total(t, res, "no_show_rate"); *rt.Count != 2 || *rt.Denominator != 5 {
		t.Errorf("Parramatta: %d of %d, want 2 of 5", *rt.Count, *rt.Denominator)
	}
	if _, err := f.svcReports.Generate(context.Background(), req); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Errorf("no viewer: %v", err)
	}
}

// The funnel of March 2026: 4 leads, 3 contacted, 2 booked, 1 attended;
// median days 1, 1.5 and 5 between the steps.
func TestFunnel(t *testing.T) {
	f := sharedFixture(t)
	res, err := f.svcReports.Generate(f.managerCtx(), request(reports.Funnel, "2026-03-01", "2026-03-31"))
	if err != nil {
		t.Fatal(err)
	}
	steps := breakdown(t, res, "funnel")
	if steps["lead"].Count != 4 {
		t.Errorf("leads %d, want 4", steps["lead"].Count)
	}
	wantRate(t, "funnel", steps, "contacted", 3, 4)
	wantRate(t, "funnel", steps, "booked", 2, 3)
	wantRate(t, "funnel", steps, "attended", 1, 2)
	for key, want := range map[string]float64{"contacted": 1, "booked": 1.5, "attended": 5} {
		if m := steps[key].MedianDays; m == nil || *m != want {
			t.Errorf("median days to %s: %v, want %v", key, deref(m), want)
		}
	}
	conv := total(t, res, "conversion_rate")
	if !near(conv.Value, 0.25) || conv.Previous == nil || *conv.Previous != 0 {
		t.Errorf("conversion %v (previous %v), want 0.25 against 0 (1 lead in February)", conv.Value, deref(conv.Previous))
	}
	booked := breakdown(t, res, "source_booked")
	wantRate(t, "booked by source", booked, "meta_ads", 2, 2)
	wantRate(t, "booked by source", booked, "google_ads", 0, 2)
}

// Revenue for April: completed bookings' prices by source, with ad spend
// → cost per booked patient and return on spend.
func TestRevenue(t *testing.T) {
	f := sharedFixture(t)
	res, err := f.svcReports.Generate(f.managerCtx(), request(reports.Revenue, "2026-04-01", "2026-04-30"))
	if err != nil {
		t.Fatal(err)
	}
	rev := total(t, res, "revenue")
	// Google: 6 April MRI $500 + 38 CT at $300 + 3 Parramatta MRI at
	// $500; Meta: 12 MRI at $500. The previous 30 days (2–31 March): 30
	// March MRI, 10 March MRI, 9 CT on 17 March.
	if rev.Value != 1940000 || rev.Previous == nil || *rev.Previous != 370000 {
		t.Errorf("revenue %v (previous %v), want 1940000 against 370000", rev.Value, deref(rev.Previous))
	}
	if ros := total(t, res, "return_on_spend"); !near(ros.Value, 1940000.0/700000) {
		t.Errorf("return on spend %v, want 1940000/700000", ros.Value)
	}
	src := breakdown(t, res, "source")
	for key, want := range map[string]struct {
		value, spend, cpb int64
		booked            int
		ros               float64
	}{
		"meta_ads":   {600000, 200000, 10000, 20, 3},
		"google_ads": {1340000, 500000, 10000, 50, 2.68},
	} {
		r := src[key]
		if r.Value == nil || int64(*r.Value) != want.value || r.Count != want.booked || r.SpendCents == nil || *r.SpendCents != want.spend ||
			r.CostPerBookedCents == nil || *r.CostPerBookedCents != want.cpb || r.ReturnOnSpend == nil || !near(*r.ReturnOnSpend, want.ros) {
			t.Errorf("%s: value %v booked %d spend %v per booked %v return %v; want %+v", key, deref(r.Value), r.Count,
				deref(r.SpendCents), deref(r.CostPerBookedCents), deref(r.ReturnOnSpend), want)
		}
	}
	// Meta returns the most: a best-source fact.
	var best string
	for _, fc := range reports.Facts(res) {
		if fc.Kind == ai.FactBest && fc.ID == "return_on_spend" {
			best = fc.Segment
		}
	}
	if best != "Meta Ads" {
		t.Errorf("best return on spend %q, want Meta Ads", best)
	}
}

// Warmness bands at the end of each week, movement between the day before
// the period and its last day, high-warmness leads gained and lost.
func TestWarmnessTrends(t *testing.T) {
	f := sharedFixture(t)
	res, err := f.svcReports.Generate(f.managerCtx(), request(reports.WarmnessTrends, "2026-03-30", "2026-04-12"))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]float64{"hot_leads": 2, "hot_gained": 1, "hot_lost": 1, "warmed": 1, "cooled": 1} {
		if got := total(t, res, key).Value; got != want {
			t.Errorf("%s %v, want %v", key, got, want)
		}
	}
	if p := total(t, res, "hot_leads").Previous; p == nil || *p != 2 {
		t.Errorf("high-warmness leads on 29 March: %v, want 2", deref(p))
	}
	for key, want := range map[string][2]float64{"band_4": {1, 2}, "band_3": {0, 1}, "band_2": {1, 1}, "band_1": {1, 0}, "band_0": {0, 0}} {
		pts := series(t, res, key)
		if len(pts) != 2 || pts[0].Value != want[0] || pts[1].Value != want[1] {
			t.Errorf("%s %+v, want %v", key, pts, want)
		}
	}
	mv := breakdown(t, res, "movement")
	if mv["4-2"].Count != 1 || mv["1-4"].Count != 1 || mv["new-3"].Count != 1 || len(mv) != 3 {
		t.Errorf("movement %+v", mv)
	}
}

// Stages in March: conversion from contacted 2 of 3, median days in
// new_lead 1 and in contacted 1.5.
func TestStages(t *testing.T) {
	f := sharedFixture(t)
	res, err := f.svcReports.Generate(f.managerCtx(), request(reports.Stages, "2026-03-01", "2026-03-31"))
	if err != nil {
		t.Fatal(err)
	}
	st := breakdown(t, res, "stage")
	wantRate(t, "stage", st, "contacted", 2, 3)
	wantRate(t, "stage", st, "booked", 0, 2)
	tin := breakdown(t, res, "time_in_stage")
	if v := tin["new_lead"].Value; v == nil || *v != 1 {
		t.Errorf("days in new_lead %v, want 1", deref(v))
	}
	if v := tin["contacted"].Value; v == nil || *v != 1.5 {
		t.Errorf("days in contacted %v, want 1.5", deref(v))
	}
}

// The Monday summary goes to the managers and admins who opted in, once
// per week however often the schedule runs.
func TestWeeklySummarySendsOnce(t *testing.T) {
	f := sharedFixture(t)
	if err := f.svcReports.Subscribe(f.managerCtx(), true); err != nil {
		t.Fatal(err)
	}
	// Staff may not opt in (reports:manage), and a staff row would not
	// count.
	staffCtx := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: f.staff, LocationID: f.syd, Role: "staff"})
	if err := f.svcReports.Subscribe(staffCtx, true); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("staff subscribing: %v, want FORBIDDEN", err)
	}
	f.must(f.c.ReportSubscription.Create().SetLocationID(f.syd).SetUserID(f.staff).SetWeekly(true).Exec(f.sys))
	job := viewer.ForJob(context.Background(), f.syd, "schedule.weekly-summary")
	for i, want := range []reports.WeeklyResult{{Week: "2026-04-06", Recipients: 1, Sent: 1}, {Week: "2026-04-06", Recipients: 1, Skipped: 1}} {
		got, err := f.svcReports.Weekly(job, f.syd, fixtureNow)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("run %d: %+v, want %+v", i+1, got, want)
		}
	}
	emails, err := f.c.ReportEmail.Query().All(f.sys)
	if err != nil {
		t.Fatal(err)
	}
	if len(emails) != 1 || emails[0].To != "manager@example.com" || emails[0].Status != reportemail.StatusStored || emails[0].Provider != "outbox" {
		t.Fatalf("emails %+v", emails)
	}
	// 6–12 April at Sydney: 3 of 42 missed, 39 attended; the week before
	// 9 of 22.
	for _, want := range []string{"7.1% (3 of 42)", "the week before 40.9%", "<th style=\"padding:4px 8px;border:1px solid #ccc;text-align:left\">Attended</th><td style=\"padding:4px 8px;border:1px solid #ccc;text-align:left\">39</td>", "Google Ads"} {
		if !strings.Contains(emails[0].HTML, want) {
			t.Errorf("the email lacks %q:\n%s", want, emails[0].HTML)
		}
	}
	if strings.Contains(emails[0].HTML, "<svg") || strings.Contains(emails[0].HTML, "<img") {
		t.Error("the email has images")
	}
}

// The warmness schedule's snapshot writes a row only for a contact whose
// band changed since its latest snapshot, at most one per contact and day.
func TestSnapshot(t *testing.T) {
	f := sharedFixture(t)
	ct := f.contact(f.syd, "google_ads", fixtureNow)
	set := func(score int) {
		f.must(f.c.Contact.UpdateOneID(ct).SetWarmness(score).Exec(f.sys))
	}
	count := func() int {
		n, err := f.c.WarmnessSnapshot.Query().Count(f.sys)
		f.must(err)
		return n
	}
	before := count()
	set(55)
	job := viewer.ForJob(context.Background(), "", "schedule.warmness")
	// The fixture's other contacts have a warmness of 0 and no snapshot,
	// or a snapshot of another band: they get one row each the first time.
	n1, err := f.svcReports.Snapshot(job, f.syd, sydney)
	if err != nil || n1 == 0 {
		t.Fatalf("first snapshot: %d, %v", n1, err)
	}
	if n, err := f.svcReports.Snapshot(job, f.syd, sydney); err != nil || n != 0 {
		t.Errorf("again with nothing changed: %d rows, %v; want 0", n, err)
	}
	set(58) // same band
	if n, _ := f.svcReports.Snapshot(job, f.syd, sydney); n != 0 {
		t.Errorf("same band: %d rows, want 0", n)
	}
	set(85) // band 4, the same day: today's row is replaced
	if n, _ := f.svcReports.Snapshot(job, f.syd, sydney); n != 1 {
		t.Errorf("new band: %d rows, want 1", n)
	}
	if got := count(); got != before+n1 {
		t.Errorf("%d snapshots, want %d (one per contact and day)", got, before+n1)
	}
	snaps, err := f.c.WarmnessSnapshot.Query().Where(warmnesssnapshot.ContactID(ct)).All(f.sys)
	f.must(err)
	if len(snaps) != 1 || snaps[0].Band != 4 || snaps[0].Day != "2026-04-13" {
		t.Errorf("snapshots %+v, want one of band 4 on 2026-04-13", snaps)
	}
}

// Saved reports run on their schedule: on Monday 13 April the daily and
// weekly ones, not the monthly one; a second run of the slot stores
// nothing more, and a run never changes.
func TestSavedReportsRunOnSchedule(t *testing.T) {
	f := sharedFixture(t)
	ctx := f.managerCtx()
	last := reports.LastWeek
	save := func(name string, sched reports.Schedule) *reports.Saved {
		sv, err := f.svcReports.Save(ctx, reports.SaveInput{Name: name, Schedule: &sched,
			Request: reports.Request{Kind: reports.NoShows, NamedPeriod: &last, LocationIDs: []pulid.ID{f.syd}}})
		if err != nil {
			t.Fatal(err)
		}
		return sv
	}
	daily := save("Daily", reports.Daily)
	save("Weekly", reports.Weekly)
	save("Monthly", reports.Monthly)
	if daily.Request.From != "2026-04-06" || daily.Request.To != "2026-04-12" {
		t.Errorf("last week resolved to %s–%s, want 2026-04-06–2026-04-12", daily.Request.From, daily.Request.To)
	}
	job := viewer.ForJob(context.Background(), f.syd, "schedule.saved-reports")
	for range 2 {
		res, err := f.svcReports.RunDue(job, f.syd, fixtureNow, sydney)
		if err != nil || res.Ran != 2 || res.Skipped != 1 || len(res.Failed) != 0 {
			t.Fatalf("due: %+v, %v; want 2 run, 1 skipped", res, err)
		}
	}
	runs, err := f.c.ReportRun.Query().All(f.sys)
	f.must(err)
	if len(runs) != 2 {
		t.Fatalf("%d runs stored, want 2", len(runs))
	}
	got, err := f.svcReports.Runs(ctx, daily.ID, 0)
	if err != nil || len(got) != 1 || got[0].Trigger != "schedule" {
		t.Fatalf("daily runs %+v, %v", got, err)
	}
	if rt := total(t, &got[0].Result, "no_show_rate"); *rt.Count != 3 || *rt.Denominator != 42 {
		t.Errorf("stored run: %d of %d, want 3 of 42 (Sydney, 6–12 April)", *rt.Count, *rt.Denominator)
	}
	// Every field is immutable (no setters); deleting is refused too.
	if err := f.c.ReportRun.DeleteOneID(got[0].ID).Exec(f.sys); err == nil {
		t.Error("a stored run was deleted")
	}
}

// A saved report naming a location its owner may no longer read runs on
// its schedule over the others and says which it left out; one whose every
// location is gone is not run, and the schedule's output says why. A run
// by hand covers what the person running it may read, the same way.
func TestSavedReportLocationsNoLongerReadable(t *testing.T) {
	f := sharedFixture(t)
	ctx := f.managerCtx()
	daily := reports.Daily
	last := reports.LastWeek
	save := func(name string, locs ...pulid.ID) *reports.Saved {
		sv, err := f.svcReports.Save(ctx, reports.SaveInput{Name: name, Schedule: &daily,
			Request: reports.Request{Kind: reports.NoShows, NamedPeriod: &last, LocationIDs: locs}})
		if err != nil {
			t.Fatal(err)
		}
		return sv
	}
	both := save("Both", f.syd, f.par)
	parOnly := save("Parramatta", f.par)
	job := viewer.ForJob(context.Background(), f.syd, "schedule.saved-reports")
	// Monday: the owner reads both locations (6–12 April: Sydney 3 of 42,
	// Parramatta 2 of 5).
	res, err := f.svcReports.RunDue(job, f.syd, fixtureNow, sydney)
	if err != nil || res.Ran != 2 || len(res.Failed) != 0 {
		t.Fatalf("Monday: %+v, %v; want both run", res, err)
	}
	runs, err := f.svcReports.Runs(ctx, both.ID, 0)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	if rt := total(t, &runs[0].Result, "no_show_rate"); *rt.Count != 5 || *rt.Denominator != 47 {
		t.Errorf("Monday: %d of %d, want 5 of 47 (Sydney and Parramatta)", *rt.Count, *rt.Denominator)
	}
	// The owner leaves Parramatta; Tuesday's runs.
	n, err := f.c.Membership.Delete().Where(membership.UserID(f.manager), membership.LocationID(f.par)).Exec(f.sys)
	if err != nil || n != 1 {
		t.Fatalf("leaving Parramatta: %d, %v", n, err)
	}
	res, err = f.svcReports.RunDue(job, f.syd, fixtureNow.Add(24*time.Hour), sydney)
	if err != nil || res.Ran != 1 || len(res.Failed) != 1 {
		t.Fatalf("Tuesday: %+v, %v; want one run and one failure", res, err)
	}
	if msg := res.Failed[0]; !strings.Contains(msg, string(parOnly.ID)) || !strings.Contains(msg, "may no longer read the reports of Avatar Imaging Parramatta") {
		t.Errorf("the failure says %q", msg)
	}
	runs, err = f.svcReports.Runs(ctx, both.ID, 0)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	got := runs[0].Result
	if len(got.Request.LocationIDs) != 1 || got.Request.LocationIDs[0] != f.syd {
		t.Errorf("Tuesday's run covers %v, want Sydney only", got.Request.LocationIDs)
	}
	if rt := total(t, &got, "no_show_rate"); *rt.Count != 3 || *rt.Denominator != 42 {
		t.Errorf("Tuesday: %d of %d, want 3 of 42 (Sydney)", *rt.Count, *rt.Denominator)
	}
	if !strings.Contains(got.Request.Description, "left out: Avatar Imaging Parramatta, whose reports its owner may no longer read") {
		t.Errorf("the run does not say what it left out: %q", got.Request.Description)
	}
	// By hand, someone who reads Sydney only.
	sydOnly := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: f.manager, LocationID: f.syd, Role: rbac.Manager,
		Memberships: map[pulid.ID]rbac.Role{f.syd: rbac.Manager}})
	run, err := f.svcReports.RunSaved(sydOnly, both.ID, "manual", "")
	if err != nil {
		t.Fatal(err)
	}
	if d := run.Result.Request.Description; !strings.Contains(d, "left out: Avatar Imaging Parramatta, whose reports you may no longer read") {
		t.Errorf("a run by hand does not say what it left out: %q", d)
	}
	if _, err := f.svcReports.RunSaved(sydOnly, parOnly.ID, "manual", ""); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("running a report of Parramatta alone by hand: %v, want FORBIDDEN", err)
	}
}
