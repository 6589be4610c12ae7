package reports_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/adspend"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/stagechange"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/reports"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

var sydney = func() *time.Location {
	z, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		panic(err)
	}
	return z
}()

// at is a Sydney wall-clock time: at("2026-04-05", "23:30").
func at(date, hm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+hm, sydney)
	if err != nil {
		panic(err)
	}
	return t
}

// fixture is a small clinic group whose every figure the tests compute by
// hand: Sydney (SYD) and Parramatta (PAR), where the manager belongs, and
// Melbourne (MEL), where they do not and whose rows must never count.
type fixture struct {
	d             *db.DB
	c             *ent.Client
	sys           context.Context
	syd, par, mel pulid.ID
	manager       pulid.ID
	staff         pulid.ID
	svc           map[string]pulid.ID // "SYD MRI Knee" → id
	n             int
	now           time.Time
	svcReports    *reports.Service
}

// Monday 13 April 2026, 8 am in Sydney: the Monday summary's moment.
var fixtureNow = at("2026-04-13", "08:00")

func (f *fixture) must(err error) {
	if err != nil {
		panic(err)
	}
}

func (f *fixture) location(code, name, zone string) pulid.ID {
	l, err := f.c.Location.Create().SetCode(code).SetName(name).SetTimezone(zone).Save(f.sys)
	f.must(err)
	return l.ID
}

func (f *fixture) user(email, name string, roles map[pulid.ID]membership.Role) pulid.ID {
	u, err := f.c.User.Create().SetEmail(email).SetName(name).Save(f.sys)
	f.must(err)
	for loc, role := range roles {
		f.must(f.c.Membership.Create().SetLocationID(loc).SetUserID(u.ID).SetRole(role).Exec(f.sys))
	}
	return u.ID
}

func (f *fixture) service(loc pulid.ID, code, name string, cents int) {
	s, err := f.c.Service.Create().SetLocationID(loc).SetName(name).SetModality("mri").SetDurationMinutes(30).SetPriceCents(cents).Save(f.sys)
	f.must(err)
	f.svc[code+" "+name] = s.ID
}

// contact creates a lead at loc.
func (f *fixture) contact(loc pulid.ID, src contact.LeadSource, created time.Time) pulid.ID {
	f.n++
	c, err := f.c.Contact.Create().SetLocationID(loc).SetFirstName(fmt.Sprintf("Lead%d", f.n)).
		SetLeadSource(src).SetCreatedAt(created).Save(f.sys)
	f.must(err)
	return c.ID
}

// bookings creates n bookings at the same time, each for a new contact
// of the source, the first noShows of them no-shows and the rest with
// status st; made lead days before and confirmed or not.
func (f *fixture) bookings(loc pulid.ID, svc string, start time.Time, n, noShows int, st booking.Status, src contact.LeadSource, lead int, confirmed bool) {
	price := 0
	if s, err := f.c.Service.Get(f.sys, f.svc[svc]); err == nil {
		price = s.PriceCents
	}
	for i := range n {
		ct := f.contact(loc, src, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		status := st
		if i < noShows {
			status = booking.StatusNoShow
		}
		cr := f.c.Booking.Create().SetLocationID(loc).SetContactID(ct).SetServiceID(f.svc[svc]).SetStartsAt(start).
			SetEndsAt(start.Add(30 * time.Minute)).SetStatus(status).SetPriceCents(price).
			SetCreatedAt(start.AddDate(0, 0, -lead))
		if confirmed {
			cr.SetConfirmedAt(start.AddDate(0, 0, -1))
		}
		f.must(cr.Exec(f.sys))
	}
}

func (f *fixture) stage(ct pulid.ID, loc pulid.ID, from, to contact.Stage, when time.Time) {
	f.must(f.c.StageChange.Create().SetLocationID(loc).SetContactID(ct).SetFromPipeline("lead").SetFromStage(stagechange.FromStage(from)).
		SetToPipeline("lead").SetToStage(stagechange.ToStage(to)).SetAt(when).Exec(f.sys))
}

func (f *fixture) snapshot(loc, ct pulid.ID, day string, score int) {
	f.must(f.c.WarmnessSnapshot.Create().SetLocationID(loc).SetContactID(ct).SetDay(day).SetScore(score).
		SetBand(reports.Band(score)).Exec(f.sys))
}

// managerCtx acts as the manager at Sydney (and a viewer at Parramatta).
func (f *fixture) managerCtx() context.Context {
	return viewer.NewContext(context.Background(), &viewer.Viewer{UserID: f.manager, LocationID: f.syd, Role: rbac.Manager,
		Memberships: map[pulid.ID]rbac.Role{f.syd: rbac.Manager, f.par: rbac.Viewer}})
}

// newFixture builds the clinic group on db (see each test for the rows
// that matter to it).
func newFixture(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	f := &fixture{d: d, c: d.Client, sys: viewer.Seed.Grant(context.Background(), "test"), svc: map[string]pulid.ID{}, now: fixtureNow}
	f.syd = f.location("SYD", "Avatar Imaging Sydney", "Australia/Sydney")
	f.par = f.location("PAR", "Avatar Imaging Parramatta", "Australia/Sydney")
	f.mel = f.location("MEL", "Avatar Imaging Melbourne", "Australia/Melbourne")
	f.manager = f.user("manager@example.com", "Mia Manager", map[pulid.ID]membership.Role{f.syd: membership.RoleManager, f.par: membership.RoleViewer})
	f.staff = f.user("staff@example.com", "Sam Staff", map[pulid.ID]membership.Role{f.syd: membership.RoleStaff})
	f.service(f.syd, "SYD", "MRI Knee", 50000)
	f.service(f.syd, "SYD", "CT Chest", 30000)
	f.service(f.par, "PAR", "MRI Knee", 50000)
	f.service(f.mel, "MEL", "MRI Knee", 50000)

	// No-shows, 30 March to 12 April 2026 (daylight saving ends on
	// Sunday 5 April at 3 am: AEDT +11 before, AEST +10 after).
	g := contact.LeadSourceGoogleAds
	// Sunday 5 April 23:30 AEST is week 1's last hour (a fixed +11 would
	// put it on Monday 6 April, in week 2).
	f.bookings(f.syd, "SYD MRI Knee", at("2026-04-05", "23:30"), 1, 1, booking.StatusNoShow, g, 2, false)
	// Monday 6 April 00:30 AEST: week 2, Monday, hour 0.
	f.bookings(f.syd, "SYD MRI Knee", at("2026-04-06", "00:30"), 1, 0, booking.StatusCompleted, g, 2, false)
	// Monday 30 March 00:15 AEDT: the period's first hour (a fixed +10
	// would put it on Sunday 29 March, outside).
	f.bookings(f.syd, "SYD MRI Knee", at("2026-03-30", "00:15"), 1, 0, booking.StatusCompleted, g, 2, false)
	// Sunday 12 April 23:45: the period's last hour.
	f.bookings(f.syd, "SYD MRI Knee", at("2026-04-12", "23:45"), 1, 1, booking.StatusNoShow, g, 2, false)
	// Just outside: Monday 13 April 00:10 and Sunday 29 March 23:50 (the
	// latter is the comparison period's last hour).
	f.bookings(f.syd, "SYD MRI Knee", at("2026-04-13", "00:10"), 1, 1, booking.StatusNoShow, g, 2, false)
	f.bookings(f.syd, "SYD MRI Knee", at("2026-03-29", "23:50"), 1, 1, booking.StatusNoShow, g, 2, false)
	// Friday 3 April 4 pm: 8 of 20 missed, booked 10 days ahead, from Meta.
	f.bookings(f.syd, "SYD MRI Knee", at("2026-04-03", "16:00"), 20, 8, booking.StatusCompleted, contact.LeadSourceMetaAds, 10, false)
	// Tuesday 7 April 10 am: 2 of 40 missed, reminders confirmed.
	f.bookings(f.syd, "SYD CT Chest", at("2026-04-07", "10:00"), 40, 2, booking.StatusCompleted, g, 2, true)
	// Outcomes not recorded: cancelled, still pending.
	f.bookings(f.syd, "SYD MRI Knee", at("2026-04-01", "09:00"), 1, 0, booking.StatusCancelled, g, 2, false)
	f.bookings(f.syd, "SYD MRI Knee", at("2026-04-02", "09:00"), 1, 0, booking.StatusPending, g, 2, false)
	// Parramatta, Wednesday 8 April 9 am: 2 of 5.
	f.bookings(f.par, "PAR MRI Knee", at("2026-04-08", "09:00"), 5, 2, booking.StatusCompleted, g, 2, false)
	// Melbourne, where the manager does not belong: never counted.
	f.bookings(f.mel, "MEL MRI Knee", at("2026-04-02", "09:00"), 3, 3, booking.StatusCompleted, g, 2, false)
	// The comparison period (16–29 March): Tuesday 17 March, 1 of 10.
	f.bookings(f.syd, "SYD CT Chest", at("2026-03-17", "10:00"), 10, 1, booking.StatusCompleted, g, 2, false)

	// The funnel, March 2026 at Sydney.
	l1 := f.contact(f.syd, contact.LeadSourceMetaAds, at("2026-03-02", "09:00"))
	f.stage(l1, f.syd, contact.StageNewLead, contact.StageContacted, at("2026-03-03", "09:00"))
	f.stage(l1, f.syd, contact.StageContacted, contact.StageBooked, at("2026-03-05", "09:00"))
	f.must(f.c.Booking.Create().SetLocationID(f.syd).SetContactID(l1).SetServiceID(f.svc["SYD MRI Knee"]).
		SetStartsAt(at("2026-03-10", "09:00")).SetEndsAt(at("2026-03-10", "09:30")).SetStatus(booking.StatusCompleted).
		SetPriceCents(50000).SetCreatedAt(at("2026-03-05", "09:00")).Exec(f.sys))
	l2 := f.contact(f.syd, contact.LeadSourceMetaAds, at("2026-03-04", "09:00"))
	f.stage(l2, f.syd, contact.StageNewLead, contact.StageContacted, at("2026-03-07", "09:00"))
	f.stage(l2, f.syd, contact.StageContacted, contact.StageBooked, at("2026-03-08", "09:00"))
	f.must(f.c.Booking.Create().SetLocationID(f.syd).SetContactID(l2).SetServiceID(f.svc["SYD MRI Knee"]).
		SetStartsAt(at("2026-05-10", "09:00")).SetEndsAt(at("2026-05-10", "09:30")).SetStatus(booking.StatusPending).
		SetCreatedAt(at("2026-03-08", "09:00")).Exec(f.sys))
	l3 := f.contact(f.syd, g, at("2026-03-10", "09:00"))
	f.stage(l3, f.syd, contact.StageNewLead, contact.StageContacted, at("2026-03-10", "21:00"))
	f.contact(f.syd, g, at("2026-03-20", "09:00"))
	f.contact(f.syd, g, at("2026-02-20", "09:00")) // February: not in March's cohort
	f.contact(f.mel, g, at("2026-03-20", "09:00")) // Melbourne: never counted

	// Ad spend for April.
	for _, s := range []struct {
		loc   pulid.ID
		src   string
		cents int64
	}{{f.syd, "meta_ads", 200000}, {f.syd, "google_ads", 500000}, {f.mel, "meta_ads", 999999}} {
		f.must(f.c.AdSpend.Create().SetLocationID(s.loc).SetSource(adSource(s.src)).SetMonth("2026-04").SetCents(s.cents).Exec(f.sys))
	}

	// Warmness snapshots (bands change on the days given).
	w1 := f.contact(f.syd, g, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	f.snapshot(f.syd, w1, "2026-03-01", 90)
	f.snapshot(f.syd, w1, "2026-04-02", 50)
	w2 := f.contact(f.syd, g, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	f.snapshot(f.syd, w2, "2026-03-20", 30)
	f.snapshot(f.syd, w2, "2026-04-10", 85)
	w3 := f.contact(f.syd, g, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	f.snapshot(f.syd, w3, "2026-04-07", 70)
	w4 := f.contact(f.syd, g, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	f.snapshot(f.syd, w4, "2026-03-01", 95)
	m1 := f.contact(f.mel, g, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	f.snapshot(f.mel, m1, "2026-04-01", 99)

	f.svcReports = &reports.Service{Client: d.Client, SQL: d.SQL, Dialect: d.Dialect, Now: clock.Fixed(fixtureNow)}
	return f
}

func adSource(s string) adspend.Source { return adspend.Source(s) }
