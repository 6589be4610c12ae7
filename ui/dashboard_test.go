package ui_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// "Today" on the dashboard is the location's calendar day, also on the two
// days a year Sydney changes its clocks: 5 April 2026 has 25 hours (AEDT →
// AEST) and 4 October 2026 has 23 (AEST → AEDT). Bookings just inside the
// day's first and last half hour are listed, those just outside are not.
func TestDashboard_TodayAcrossDaylightSavingChanges(t *testing.T) {
	for _, tc := range []struct {
		name     string
		now      time.Time // midday, local
		dayStart time.Time // 00:00 local, in UTC
		dayEnd   time.Time // 00:00 local the next day, in UTC
		heading  string
	}{
		{"daylight time ends", time.Date(2026, 4, 5, 2, 0, 0, 0, time.UTC),
			time.Date(2026, 4, 4, 13, 0, 0, 0, time.UTC), time.Date(2026, 4, 5, 14, 0, 0, 0, time.UTC), "Sunday 5 April 2026"},
		{"daylight time begins", time.Date(2026, 10, 4, 2, 0, 0, 0, time.UTC),
			time.Date(2026, 10, 3, 14, 0, 0, 0, time.UTC), time.Date(2026, 10, 4, 13, 0, 0, 0, time.UTC), "Sunday 4 October 2026"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.dayEnd.Sub(tc.dayStart); got != 25*time.Hour && got != 23*time.Hour {
				t.Fatalf("test setup: the day lasts %s", got)
			}
			srv := testutil.StartServer(t, testutil.ServerOptions{Now: func() time.Time { return tc.now }})
			c := srv.SignIn(t, "staff@example.com")
			people := bkContacts(t, srv, c, 4)
			svc := bkServiceID(t, srv, c, "Screening Mammogram")
			before := bkCreate(t, srv, c, people[0].ID, svc, tc.dayStart.Add(-30*time.Minute), 20)
			first := bkCreate(t, srv, c, people[1].ID, svc, tc.dayStart.Add(30*time.Minute), 20)
			last := bkCreate(t, srv, c, people[2].ID, svc, tc.dayEnd.Add(-30*time.Minute), 20)
			after := bkCreate(t, srv, c, people[3].ID, svc, tc.dayEnd.Add(30*time.Minute), 20)

			p := getPage(t, srv, c, "/")
			bkStatus(t, p, http.StatusOK, "dashboard")
			if got := text(p.Doc.Find("h1 .muted")); got != tc.heading {
				t.Errorf("the dashboard says today is %q, want %q", got, tc.heading)
			}
			listed := map[string]string{}
			p.Doc.Find(byTestID("appointment-booking")).Each(func(_ int, s *goquery.Selection) {
				listed[s.AttrOr("href", "")] = text(s)
			})
			for id, want := range map[string]string{first: "00:30", last: "23:30"} {
				if got, ok := listed["/bookings/"+id]; !ok || got != want {
					t.Errorf("booking at %s local: listed %v at %q", want, ok, got)
				}
			}
			for _, id := range []string{before, after} {
				if _, ok := listed["/bookings/"+id]; ok {
					t.Errorf("booking %s of another day is listed as today's", id)
				}
			}
			var times []string
			p.Doc.Find(byTestID("appointment-booking")).Each(func(_ int, s *goquery.Selection) { times = append(times, text(s)) })
			if !slices.IsSorted(times) {
				t.Errorf("appointments out of order: %q", times)
			}
		})
	}
}
