package ui_test

// The bookings pages over plain HTTP, as a browser without JavaScript uses
// them: the calendar's views against bookingsInRange, the forms posted and
// their answers read with goquery, and every change checked through the
// GraphQL API. The clock is testutil.Now: Wednesday 11 March 2026, 09:00
// in Sydney (22:00 UTC the day before).

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

var bkSydney = func() *time.Location {
	tz, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		panic(err)
	}
	return tz
}()

// bkBooking is a booking as the GraphQL API returns it.
type bkBooking struct {
	ID       string    `json:"id"`
	StartsAt time.Time `json:"startsAt"`
	EndsAt   time.Time `json:"endsAt"`
	Status   string    `json:"status"`
	Contact  person    `json:"contact"`
	Service  struct {
		Name     string `json:"name"`
		Resource string `json:"resource"`
	} `json:"service"`
	Staff *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"staff"`
	CancelReason *string `json:"cancelReason"`
}

const bkFields = `id startsAt endsAt status cancelReason contact { id firstName lastName } service { name resource } staff { id name }`

// bkInRange lists bookingsInRange, with optional filters as GraphQL
// arguments (e.g. `status: [pending]`).
func bkInRange(t *testing.T, srv *testutil.Server, c *http.Client, from, to, filters string) []bkBooking {
	t.Helper()
	var out struct{ BookingsInRange []bkBooking }
	srv.MustGraphQL(t, c, `query($from: Date!, $to: Date!) { bookingsInRange(from: $from, to: $to`+filters+`) { `+bkFields+` } }`,
		map[string]any{"from": from, "to": to}).Decode(t, &out)
	return out.BookingsInRange
}

func bkGet(t *testing.T, srv *testutil.Server, c *http.Client, id string) bkBooking {
	t.Helper()
	var out struct{ Node bkBooking }
	srv.MustGraphQL(t, c, `query($id: ID!) { node(id: $id) { ... on Booking { `+bkFields+` } } }`, map[string]any{"id": id}).Decode(t, &out)
	if out.Node.ID != id {
		t.Fatalf("booking %s not found", id)
	}
	return out.Node
}

// bkServiceID returns the ID of the service with that name.
func bkServiceID(t *testing.T, srv *testutil.Server, c *http.Client, name string) string {
	t.Helper()
	var out struct {
		Services struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	srv.MustGraphQL(t, c, `query($n: String!) { services(where: {name: $n}) { edges { node { id } } } }`, map[string]any{"n": name}).Decode(t, &out)
	if len(out.Services.Edges) != 1 {
		t.Fatalf("service %q: %d found", name, len(out.Services.Edges))
	}
	return out.Services.Edges[0].Node.ID
}

// bkContacts returns the first n contacts by last name.
func bkContacts(t *testing.T, srv *testutil.Server, c *http.Client, n int) []person {
	t.Helper()
	var out struct {
		Contacts struct{ Edges []struct{ Node person } }
	}
	srv.MustGraphQL(t, c, `query($n: Int!) { contacts(first: $n, orderBy: {field: LAST_NAME, direction: ASC}) { edges { node { id firstName lastName } } } }`,
		map[string]any{"n": n}).Decode(t, &out)
	if len(out.Contacts.Edges) < n {
		t.Fatalf("only %d contacts", len(out.Contacts.Edges))
	}
	ps := make([]person, n)
	for i, e := range out.Contacts.Edges[:n] {
		ps[i] = e.Node
	}
	return ps
}

// bkCreate books through GraphQL (test setup).
func bkCreate(t *testing.T, srv *testutil.Server, c *http.Client, contactID, svcID string, start time.Time, minutes int) string {
	t.Helper()
	var out struct{ CreateBooking struct{ ID string } }
	book := func() {
		srv.MustGraphQL(t, c, `mutation($in: CreateBookingInput!) { createBooking(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"contactID": contactID, "serviceID": svcID, "startsAt": start.UTC(), "endsAt": start.Add(time.Duration(minutes) * time.Minute).UTC(),
		}}).Decode(t, &out)
	}
	// A visit that has started was booked before it.
	if start.Before(srv.App.Now()) {
		srv.BookedBefore(t, start, book)
	} else {
		book()
	}
	return out.CreateBooking.ID
}

func bkConfirm(t *testing.T, srv *testutil.Server, c *http.Client, id string) {
	t.Helper()
	srv.MustGraphQL(t, c, `mutation($id: ID!) { confirmBooking(id: $id) { id } }`, map[string]any{"id": id})
}

// bkClock is t's local time as the calendar shows it.
func bkClock(t time.Time) string { return t.In(bkSydney).Format("15:04") }

// bkRowLabel is the time heading of the row a cell is in.
func bkRowLabel(cell *goquery.Selection) string {
	return text(cell.ParentsFiltered("tr").First().Find(byTestID("cal-time")))
}

// bkEvent finds a booking's cell in a calendar page.
func bkEvent(p page, id string) *goquery.Selection {
	return p.Doc.Find(byTestID("cal-event") + `[data-booking-id="` + id + `"]`)
}

// bkStatus fails unless the page has the status.
func bkStatus(t *testing.T, p page, want int, what string) {
	t.Helper()
	if p.Status != want {
		t.Fatalf("%s: status %d, want %d; errors %q", what, p.Status, want, errorsOn(p))
	}
}

func TestBookings_WeekViewShowsTheWeekInLocalTime(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "staff@example.com")

	// The default view is this week, Monday to Sunday in Sydney.
	p := getPage(t, srv, c, "/bookings")
	bkStatus(t, p, http.StatusOK, "/bookings")
	if got := text(p.Doc.Find(byTestID("cal-title"))); got != "9 – 15 March 2026" {
		t.Errorf("title = %q", got)
	}
	var heads []string
	p.Doc.Find(byTestID("cal-head")).Each(func(_ int, s *goquery.Selection) { heads = append(heads, s.AttrOr("data-date", "")) })
	if want := []string{"2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13", "2026-03-14", "2026-03-15"}; !slices.Equal(heads, want) {
		t.Errorf("columns = %q, want %q", heads, want)
	}
	if got := p.Doc.Find(byTestID("cal-head")+".today").AttrOr("data-date", ""); got != "2026-03-11" {
		t.Errorf("today's column is %q, want 2026-03-11", got)
	}

	all := bkInRange(t, srv, c, "2026-03-09", "2026-03-15", "")
	var shown, cancelled []bkBooking
	for _, b := range all {
		if b.Status == "cancelled" {
			cancelled = append(cancelled, b)
		} else {
			shown = append(shown, b)
		}
	}
	if len(shown) < 10 {
		t.Fatalf("the demo week has %d bookings: the test would prove little", len(shown))
	}
	if got := p.Doc.Find(byTestID("cal-event")).Length(); got != len(shown) {
		t.Errorf("the calendar shows %d bookings, the API has %d that are not cancelled", got, len(shown))
	}
	if got, want := text(p.Doc.Find(byTestID("cal-summary"))), fmt.Sprintf("%d bookings", len(shown)); !strings.HasPrefix(got, want) {
		t.Errorf("summary = %q, want %q…", got, want)
	}
	for _, b := range shown {
		cell := bkEvent(p, b.ID)
		if cell.Length() != 1 {
			t.Errorf("%s (%s) is shown %d times", b.ID, b.StartsAt, cell.Length())
			continue
		}
		// The local day, the local times, and the row of the local start.
		if got, want := cell.AttrOr("data-date", ""), b.StartsAt.In(bkSydney).Format("2006-01-02"); got != want {
			t.Errorf("%s starts %s: it is in the column of %s, want %s", b.ID, b.StartsAt, got, want)
		}
		if got, want := text(cell.Find(byTestID("cal-event-time"))), bkClock(b.StartsAt)+"–"+bkClock(b.EndsAt); got != want {
			t.Errorf("%s: time %q, want %q", b.ID, got, want)
		}
		if got := bkRowLabel(cell); got != bkClock(b.StartsAt) {
			t.Errorf("%s: in the row of %s, want %s", b.ID, got, bkClock(b.StartsAt))
		}
		slots := int((b.EndsAt.Sub(b.StartsAt) + 14*time.Minute) / (15 * time.Minute))
		if got := cell.AttrOr("rowspan", ""); got != strconv.Itoa(slots) {
			t.Errorf("%s lasts %s: rowspan %s, want %d", b.ID, b.EndsAt.Sub(b.StartsAt), got, slots)
		}
		if !cell.HasClass(b.Status) {
			t.Errorf("%s is %s: cell classes %q", b.ID, b.Status, cell.AttrOr("class", ""))
		}
		if href := cell.Find("a").AttrOr("href", ""); href != "/bookings/"+b.ID {
			t.Errorf("%s links to %q", b.ID, href)
		}
		if name := b.Contact.Name(); !strings.Contains(text(cell), name) {
			t.Errorf("%s: cell %q does not name %s", b.ID, text(cell), name)
		}
	}
	for _, b := range cancelled {
		if bkEvent(p, b.ID).Length() != 0 {
			t.Errorf("cancelled %s is shown by default", b.ID)
		}
	}
	// Staff may book: empty slots link to the form at their time.
	slot := p.Doc.Find(`td[data-date="2026-03-12"] ` + byTestID("cal-slot")).First()
	if slot.Length() == 0 {
		t.Fatal("no bookable slot on Thursday")
	}

	withCancelled := getPage(t, srv, c, "/bookings?view=week&date=2026-03-11&cancelled=show")
	if got := withCancelled.Doc.Find(byTestID("cal-event")).Length(); got != len(all) {
		t.Errorf("with cancelled: %d bookings shown, want %d", got, len(all))
	}
	for _, b := range cancelled {
		if !bkEvent(withCancelled, b.ID).HasClass("cancelled") {
			t.Errorf("cancelled %s is not shown as cancelled", b.ID)
		}
	}

	// Navigation: the next week and back.
	next := p.Doc.Find(byTestID("cal-next")).AttrOr("href", "")
	np := getPage(t, srv, c, next)
	if got := text(np.Doc.Find(byTestID("cal-title"))); got != "16 – 22 March 2026" {
		t.Errorf("next week's title = %q (from %s)", got, next)
	}
	if got := text(getPage(t, srv, c, np.Doc.Find(byTestID("cal-prev")).AttrOr("href", "")).Doc.Find(byTestID("cal-title"))); got != "9 – 15 March 2026" {
		t.Errorf("back again: title = %q", got)
	}
	for _, bad := range []string{"/bookings?view=year", "/bookings?date=11-03-2026"} {
		if got := getPage(t, srv, c, bad).Status; got != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", bad, got)
		}
	}
}

func TestBookings_MonthViewCounts(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "staff@example.com")

	p := getPage(t, srv, c, "/bookings?view=month&date=2026-03-20")
	bkStatus(t, p, http.StatusOK, "month view")
	if got := text(p.Doc.Find(byTestID("cal-title"))); got != "March 2026" {
		t.Errorf("title = %q", got)
	}
	days := p.Doc.Find(byTestID("month-day"))
	// Monday 23 February to Sunday 5 April: six weeks.
	if days.Length() != 42 || days.First().AttrOr("data-date", "") != "2026-02-23" || days.Last().AttrOr("data-date", "") != "2026-04-05" {
		t.Fatalf("the month shows %d days, %s to %s", days.Length(), days.First().AttrOr("data-date", ""), days.Last().AttrOr("data-date", ""))
	}
	if got := p.Doc.Find(byTestID("month-day")+".today").AttrOr("data-date", ""); got != "2026-03-11" {
		t.Errorf("today is %q", got)
	}
	byDay := map[string][]bkBooking{}
	inMonth := 0
	for _, b := range bkInRange(t, srv, c, "2026-02-23", "2026-04-05", "") {
		if b.Status == "cancelled" {
			continue
		}
		d := b.StartsAt.In(bkSydney).Format("2006-01-02")
		byDay[d] = append(byDay[d], b)
		if strings.HasPrefix(d, "2026-03-") {
			inMonth++
		}
	}
	busy := 0
	days.Each(func(_ int, s *goquery.Selection) {
		d := s.AttrOr("data-date", "")
		want := byDay[d]
		if got := s.AttrOr("data-count", ""); got != strconv.Itoa(len(want)) {
			t.Errorf("%s: count %s, want %d", d, got, len(want))
		}
		if len(want) == 0 {
			if s.Find(byTestID("month-count")).Length() != 0 {
				t.Errorf("%s: a count shows on a day without bookings", d)
			}
			return
		}
		if len(want) > 3 {
			busy++
		}
		label := "1 booking"
		if len(want) != 1 {
			label = fmt.Sprintf("%d bookings", len(want))
		}
		if got := text(s.Find(byTestID("month-count"))); got != label {
			t.Errorf("%s: count reads %q, want %q", d, got, label)
		}
		var ids []string
		s.Find(byTestID("month-event")).Each(func(_ int, e *goquery.Selection) { ids = append(ids, e.AttrOr("data-booking-id", "")) })
		var wantIDs []string
		for _, b := range want[:min(3, len(want))] {
			wantIDs = append(wantIDs, b.ID)
		}
		if !slices.Equal(ids, wantIDs) {
			t.Errorf("%s lists %q, want the first three %q", d, ids, wantIDs)
		}
		if more := len(want) - 3; more > 0 {
			if got := text(s.Find(byTestID("month-more"))); got != fmt.Sprintf("+%d more", more) {
				t.Errorf("%s: %q, want +%d more", d, got, more)
			}
		}
		if href := s.Find("a.cal-mday-num").AttrOr("href", ""); !strings.Contains(href, "view=day") || !strings.Contains(href, "date="+d) {
			t.Errorf("%s links to %q, want its day view", d, href)
		}
	})
	if busy == 0 {
		t.Error("no day has more than three bookings: the +N more check proved nothing")
	}
	if got, want := text(p.Doc.Find(byTestID("cal-summary"))), fmt.Sprintf("%d bookings", inMonth); !strings.HasPrefix(got, want) {
		t.Errorf("summary = %q, want %q in March", got, want)
	}
}

// bkForm is a filled-in new booking form.
func bkForm(contact, service, date, clock string) url.Values {
	return url.Values{"contact": {contact}, "service": {service}, "date": {date}, "time": {clock}}
}

func TestBookings_CreateFromTheCalendar(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "staff@example.com")
	knee := bkServiceID(t, srv, c, "MRI Knee")
	brain := bkServiceID(t, srv, c, "MRI Brain")
	xray := bkServiceID(t, srv, c, "X-Ray Chest")
	people := bkContacts(t, srv, c, 3)

	// Wednesday 1 April, 10:00 in Sydney is 23:00 UTC on 31 March (still
	// daylight time). The empty slot links to the form at that instant.
	week := getPage(t, srv, c, "/bookings?view=week&date=2026-04-01")
	var slotHref string
	week.Doc.Find(`td[data-date="2026-04-01"] ` + byTestID("cal-slot")).Each(func(_ int, s *goquery.Selection) {
		if bkRowLabel(s.Parent()) == "10:00" {
			slotHref = s.AttrOr("href", "")
		}
	})
	u, err := url.Parse(slotHref)
	if err != nil || u.Path != "/bookings/new" || u.Query().Get("start") != "2026-03-31T23:00:00Z" || u.Query().Get("view") != "week" {
		t.Fatalf("the 10:00 slot of 1 April links to %q", slotHref)
	}
	form := getPage(t, srv, c, slotHref)
	bkStatus(t, form, http.StatusOK, "the form")
	if d, tm := form.Doc.Find("#booking-date").AttrOr("value", ""), form.Doc.Find("#booking-time").AttrOr("value", ""); d != "2026-04-01" || tm != "10:00" {
		t.Errorf("the form is prefilled with %s %s, want 2026-04-01 10:00", d, tm)
	}
	if got := form.Doc.Find("#booking-time").AttrOr("step", ""); got != "900" {
		t.Errorf("the time's step is %q, want 900 (15-minute slots)", got)
	}
	if form.Doc.Find(`#booking-service option[data-minutes="30"]`).Length() == 0 {
		t.Error("the service options do not carry their minutes")
	}

	// Submitted as local times, stored in UTC.
	f := bkForm(people[0].ID, knee, "2026-04-01", "10:00")
	f.Set("view", "week")
	f.Set("notes", "Left knee, referral from Dr Patel")
	resp := postPage(t, srv, c, "/bookings", f)
	bkStatus(t, resp, http.StatusSeeOther, "create")
	loc, _ := url.Parse(resp.Location)
	if loc.Path != "/bookings" || loc.Query().Get("view") != "week" || loc.Query().Get("date") != "2026-04-01" || loc.Query().Get("done") != "booking-created" {
		t.Errorf("after creating: %s", resp.Location)
	}
	id := strings.TrimPrefix(loc.Fragment, "booking-")
	b := bkGet(t, srv, c, id)
	if want := time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC); !b.StartsAt.Equal(want) || !b.EndsAt.Equal(want.Add(30*time.Minute)) {
		t.Errorf("stored %s–%s, want %s and 30 minutes", b.StartsAt, b.EndsAt, want)
	}
	if b.Status != "pending" || b.Contact.ID != people[0].ID || b.Service.Name != "MRI Knee" {
		t.Errorf("stored %+v", b)
	}
	back := getPage(t, srv, c, resp.Location)
	if got := text(back.Doc.Find(".flash")); !strings.Contains(got, "Booking made") {
		t.Errorf("flash = %q", got)
	}
	if cell := bkEvent(back, id); cell.Length() != 1 || bkRowLabel(cell) != "10:00" || cell.AttrOr("data-date", "") != "2026-04-01" {
		t.Errorf("the week view shows it %d times, in row %q of %q", cell.Length(), bkRowLabel(cell), cell.AttrOr("data-date", ""))
	}
	day := getPage(t, srv, c, "/bookings?view=day&date=2026-04-01")
	cell := bkEvent(day, id)
	if cell.Length() != 1 || bkRowLabel(cell) != "10:00" || text(cell.Find(byTestID("cal-event-time"))) != "10:00–10:30" {
		t.Fatalf("the day view shows it %d times, in row %q, reading %q", cell.Length(), bkRowLabel(cell), text(cell))
	}
	if !strings.Contains(text(cell), people[0].Name()) {
		t.Errorf("the cell reads %q", text(cell))
	}

	// The booking's page.
	detail := getPage(t, srv, c, "/bookings/"+id)
	bkStatus(t, detail, http.StatusOK, "booking page")
	if href := detail.Doc.Find(byTestID("booking-contact")).AttrOr("href", ""); href != "/contacts/"+people[0].ID {
		t.Errorf("the patient links to %q", href)
	}
	for tid, want := range map[string]string{
		"booking-when": "Wed 1 Apr 2026, 10:00–10:30", "booking-service": "MRI Knee", "booking-room": "MRI-1",
		"booking-notes": "Left knee, referral from Dr Patel", "booking-staff": "Nobody assigned", "booking-status": "Pending",
	} {
		if got := text(detail.Doc.Find(byTestID(tid))); got != want {
			t.Errorf("%s = %q, want %q", tid, got, want)
		}
	}
	hist := detail.Doc.Find(byTestID("history-item"))
	if hist.Length() != 1 || hist.AttrOr("data-kind", "") != "created" || !strings.Contains(text(hist), "Booked for Wed 1 Apr 10:00–10:30") || !strings.Contains(text(hist), "Chloe Nguyen") {
		t.Errorf("history: %q", text(hist))
	}

	t.Run("ConflictShownOnTheTime", func(t *testing.T) {
		// MRI Brain needs MRI-1 too: 10:15 clashes.
		f := bkForm(people[1].ID, brain, "2026-04-01", "10:15")
		f.Set("view", "week")
		p := postPage(t, srv, c, "/bookings", f)
		bkStatus(t, p, http.StatusConflict, "a clashing booking")
		msg := p.Doc.Find(byTestID("field-error-booking-time"))
		if !strings.Contains(text(msg), "MRI-1 is already booked from Wed 1 Apr 10:00 to 10:30") {
			t.Errorf("the time's message is %q; all errors %q", text(msg), errorsOn(p))
		}
		if href := msg.Find(byTestID("conflict-link")).AttrOr("href", ""); href != "/bookings/"+id {
			t.Errorf("the message links to %q, want the other booking", href)
		}
		if got := p.Doc.Find("#booking-time").AttrOr("aria-describedby", ""); got != "booking-time-error" {
			t.Errorf("the time input is described by %q", got)
		}
		// The input is kept.
		if got := p.Doc.Find("#booking-time").AttrOr("value", ""); got != "10:15" {
			t.Errorf("time kept as %q", got)
		}
		if got := p.Doc.Find("#booking-service option[selected]").AttrOr("value", ""); got != brain {
			t.Errorf("service kept as %q", got)
		}
		if got := p.Doc.Find("#booking-contact option[selected]").AttrOr("value", ""); got != people[1].ID {
			t.Errorf("patient kept as %q", got)
		}
		if n := len(bkInRange(t, srv, c, "2026-04-01", "2026-04-01", "")); n != 1 {
			t.Errorf("%d bookings on 1 April after the refused one, want 1", n)
		}
		// At 10:30 the room is free again (intervals are half open).
		ok := postPage(t, srv, c, "/bookings", bkForm(people[1].ID, brain, "2026-04-01", "10:30"))
		bkStatus(t, ok, http.StatusSeeOther, "the next slot")
		if !strings.HasPrefix(ok.Location, "/bookings/bkg_") {
			t.Errorf("without a view the form returns to the booking: %s", ok.Location)
		}
	})

	t.Run("StaffClash", func(t *testing.T) {
		staff := people[2].ID // a contact is not a staff member: NOT_FOUND next to the field
		f := bkForm(people[2].ID, xray, "2026-04-01", "12:00")
		f.Set("staff", staff)
		p := postPage(t, srv, c, "/bookings", f)
		bkStatus(t, p, http.StatusUnprocessableEntity, "a staff member who is not one")
		if text(p.Doc.Find(byTestID("field-error-booking-staff"))) == "" {
			t.Errorf("no message on the staff field: %q", errorsOn(p))
		}
		me := userID(t, srv, srv.SignIn(t, "admin@example.com"), "mri.tech@example.com")
		f.Set("staff", me)
		bkStatus(t, postPage(t, srv, c, "/bookings", f), http.StatusSeeOther, "X-ray with Sam")
		// The same person at the same time in another room.
		g := bkForm(people[0].ID, bkServiceID(t, srv, c, "CT Chest"), "2026-04-01", "12:05")
		g.Set("staff", me)
		p = postPage(t, srv, c, "/bookings", g)
		bkStatus(t, p, http.StatusConflict, "Sam twice")
		if got := text(p.Doc.Find(byTestID("field-error-booking-staff"))); !strings.Contains(got, "already has a booking") || p.Doc.Find(byTestID("field-error-booking-staff")+" "+byTestID("conflict-link")).Length() != 1 {
			t.Errorf("staff message %q", got)
		}
	})

	t.Run("MissingFields", func(t *testing.T) {
		p := postPage(t, srv, c, "/bookings", url.Values{"date": {"2026-04-02"}, "time": {"25:00"}})
		bkStatus(t, p, http.StatusUnprocessableEntity, "an empty form")
		for _, f := range []string{"booking-contact", "booking-service", "booking-time"} {
			if text(p.Doc.Find(byTestID("field-error-"+f))) == "" {
				t.Errorf("no message on %s: %q", f, errorsOn(p))
			}
		}
	})

	t.Run("Reschedule", func(t *testing.T) {
		rf := getPage(t, srv, c, "/bookings/"+id+"/reschedule")
		bkStatus(t, rf, http.StatusOK, "the reschedule form")
		if d, tm := rf.Doc.Find("#reschedule-date").AttrOr("value", ""), rf.Doc.Find("#reschedule-time").AttrOr("value", ""); d != "2026-04-01" || tm != "10:00" {
			t.Errorf("prefilled with %s %s", d, tm)
		}
		// Onto the MRI Brain booked at 10:30: a clash, shown on the time.
		p := postPage(t, srv, c, "/bookings/"+id+"/reschedule", url.Values{"date": {"2026-04-01"}, "time": {"10:45"}})
		bkStatus(t, p, http.StatusConflict, "a clashing reschedule")
		if got := text(p.Doc.Find(byTestID("field-error-reschedule-time"))); !strings.Contains(got, "MRI-1 is already booked") {
			t.Errorf("message %q", got)
		}
		if p.Doc.Find(byTestID("field-error-reschedule-time")+" "+byTestID("conflict-link")).Length() != 1 {
			t.Error("no link to the other booking")
		}
		postDone(t, srv, c, "/bookings/"+id+"/reschedule", url.Values{"date": {"2026-04-02"}, "time": {"08:15"}}, "/bookings/"+id)
		b := bkGet(t, srv, c, id)
		if want := time.Date(2026, 4, 1, 21, 15, 0, 0, time.UTC); !b.StartsAt.Equal(want) || b.EndsAt.Sub(b.StartsAt) != 30*time.Minute || b.Status != "pending" {
			t.Errorf("after rescheduling: %s–%s %s", b.StartsAt, b.EndsAt, b.Status)
		}
		d := getPage(t, srv, c, "/bookings/"+id)
		if got := text(d.Doc.Find(byTestID("history-item") + `[data-kind="rescheduled"]`)); !strings.Contains(got, "Rescheduled from Wed 1 Apr 10:00–10:30 to Thu 2 Apr 08:15–08:45") {
			t.Errorf("history: %q", got)
		}
	})
}

func TestBookings_CancelNeedsAReason(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "staff@example.com")
	people := bkContacts(t, srv, c, 2)
	us := bkServiceID(t, srv, c, "Ultrasound Pelvis")
	start := time.Date(2026, 4, 8, 10, 0, 0, 0, bkSydney)
	id := bkCreate(t, srv, c, people[0].ID, us, start, 30)

	detail := getPage(t, srv, c, "/bookings/"+id)
	if href := detail.Doc.Find(byTestID("action-cancel")).AttrOr("href", ""); href != "/bookings/"+id+"/cancel" {
		t.Fatalf("the Cancel link goes to %q", href)
	}
	if got := detail.Doc.Find(byTestID("action-cancel")).AttrOr("hx-target", ""); got != "#modal" || detail.Doc.Find("#modal").Length() != 1 {
		t.Errorf("htmx would load the form into %q (container present: %d)", got, detail.Doc.Find("#modal").Length())
	}
	form := getPage(t, srv, c, "/bookings/"+id+"/cancel")
	bkStatus(t, form, http.StatusOK, "the cancel form")
	var reasons []string
	form.Doc.Find("#cancel-reason option").Each(func(_ int, s *goquery.Selection) { reasons = append(reasons, s.AttrOr("value", "")) })
	if len(reasons) != 9 || reasons[0] != "" || reasons[1] != "Patient unwell" || reasons[8] != "other" {
		t.Errorf("reasons offered: %q", reasons)
	}
	// As a dialog, for htmx.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/bookings/"+id+"/cancel", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "modal")
	frag := fetch(t, c, req)
	if frag.Status != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(frag.Body), "<dialog") || strings.Contains(frag.Body, "<html") {
		t.Errorf("the dialog fragment: %d %.80q", frag.Status, frag.Body)
	}

	// No reason: refused, next to the field.
	p := postPage(t, srv, c, "/bookings/"+id+"/cancel", url.Values{"reason": {""}, "other": {""}})
	bkStatus(t, p, http.StatusUnprocessableEntity, "no reason")
	if got := text(p.Doc.Find(byTestID("field-error-cancel-reason"))); !strings.Contains(got, "reason") {
		t.Errorf("message %q; errors %q", got, errorsOn(p))
	}
	if got := p.Doc.Find("#cancel-reason").AttrOr("aria-invalid", ""); got != "true" {
		t.Errorf("the select's aria-invalid = %q", got)
	}
	// "Other" without saying what.
	p = postPage(t, srv, c, "/bookings/"+id+"/cancel", url.Values{"reason": {"other"}, "other": {"  "}})
	bkStatus(t, p, http.StatusUnprocessableEntity, "other, blank")
	if text(p.Doc.Find(byTestID("field-error-cancel-other"))) == "" {
		t.Errorf("no message on the other reason: %q", errorsOn(p))
	}
	if b := bkGet(t, srv, c, id); b.Status != "pending" {
		t.Fatalf("a refused cancel changed the status to %s", b.Status)
	}

	// A listed reason.
	after := postDone(t, srv, c, "/bookings/"+id+"/cancel", url.Values{"reason": {"Patient unwell"}}, "/bookings/"+id)
	if b := bkGet(t, srv, c, id); b.Status != "cancelled" || b.CancelReason == nil || *b.CancelReason != "Patient unwell" {
		t.Errorf("after cancelling: %s %v", b.Status, b.CancelReason)
	}
	if got := text(after.Doc.Find(byTestID("booking-status"))); got != "Cancelled" {
		t.Errorf("status shows %q", got)
	}
	if got := text(after.Doc.Find(byTestID("booking-cancel-reason"))); got != "Patient unwell" {
		t.Errorf("reason shows %q", got)
	}
	if got := text(after.Doc.Find(byTestID("history-item") + `[data-kind="cancelled"]`)); got == "" || !strings.Contains(got, "Patient unwell") {
		t.Errorf("history: %q", got)
	}
	if after.Doc.Find(byTestID("booking-actions")).Length() != 0 {
		t.Errorf("a cancelled booking offers actions: %q", text(after.Doc.Find(byTestID("booking-actions"))))
	}
	// Again: the state machine says no, as a message.
	again := postPage(t, srv, c, "/bookings/"+id+"/cancel", url.Values{"reason": {"Patient unwell"}})
	bkStatus(t, again, http.StatusUnprocessableEntity, "cancelling twice")
	if got := text(again.Doc.Find(byTestID("action-error"))); !strings.Contains(got, "Cannot cancel a booking that is cancelled") {
		t.Errorf("message %q", got)
	}
	if got := getPage(t, srv, c, "/bookings/"+id+"/cancel"); got.Status != http.StatusUnprocessableEntity || text(got.Doc.Find(byTestID("action-error"))) == "" {
		t.Errorf("the form of a cancelled booking: %d %q", got.Status, errorsOn(got))
	}

	// A reason typed in.
	id2 := bkCreate(t, srv, c, people[1].ID, us, start.Add(time.Hour), 30)
	postDone(t, srv, c, "/bookings/"+id2+"/cancel", url.Values{"reason": {"other"}, "other": {"Car broke down"}}, "/bookings/"+id2)
	if b := bkGet(t, srv, c, id2); b.Status != "cancelled" || b.CancelReason == nil || *b.CancelReason != "Car broke down" {
		t.Errorf("free-text cancel: %s %v", b.Status, b.CancelReason)
	}
}

func TestBookings_ConfirmCompleteAndNoShow(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "staff@example.com")
	people := bkContacts(t, srv, c, 3)
	xray := bkServiceID(t, srv, c, "X-Ray Chest")
	// Yesterday at 07:00 and 07:30 Sydney time: before any demo booking.
	yesterday := time.Date(2026, 3, 10, 7, 0, 0, 0, bkSydney)
	attended := bkCreate(t, srv, c, people[0].ID, xray, yesterday, 10)
	missed := bkCreate(t, srv, c, people[1].ID, xray, yesterday.Add(30*time.Minute), 10)
	tomorrow := bkCreate(t, srv, c, people[2].ID, xray, yesterday.AddDate(0, 0, 2), 10)

	actions := func(p page) []string {
		var out []string
		p.Doc.Find(byTestID("booking-actions") + ` [data-testid^="action-"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.TrimPrefix(s.AttrOr("data-testid", ""), "action-"))
		})
		slices.Sort(out)
		return out
	}
	if got := actions(getPage(t, srv, c, "/bookings/"+attended)); !slices.Equal(got, []string{"cancel", "confirm", "reschedule"}) {
		t.Errorf("a pending booking offers %q", got)
	}
	// Not yet confirmed: completing is refused with the state machine's
	// reason.
	p := postPage(t, srv, c, "/bookings/"+attended+"/complete", url.Values{"confirm": {"yes"}})
	bkStatus(t, p, http.StatusUnprocessableEntity, "completing a pending booking")
	if got := text(p.Doc.Find(byTestID("action-error"))); !strings.Contains(got, "confirm it first") {
		t.Errorf("message %q", got)
	}

	after := postDone(t, srv, c, "/bookings/"+attended+"/confirm", nil, "/bookings/"+attended)
	if got := text(after.Doc.Find(byTestID("booking-status"))); got != "Confirmed" {
		t.Errorf("status shows %q", got)
	}
	if got := actions(after); !slices.Equal(got, []string{"cancel", "complete", "no-show", "reschedule"}) {
		t.Errorf("a confirmed booking that has started offers %q", got)
	}
	if got := postPage(t, srv, c, "/bookings/"+attended+"/confirm", nil); got.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(text(got.Doc.Find(byTestID("action-error"))), "already confirmed") {
		t.Errorf("confirming twice: %d %q", got.Status, errorsOn(got))
	}

	// Complete asks first: a GET, or a POST without confirm=yes, shows the
	// question and changes nothing.
	q := getPage(t, srv, c, "/bookings/"+attended+"/complete")
	bkStatus(t, q, http.StatusOK, "the question")
	if q.Doc.Find(byTestID("outcome-form")+` input[name="confirm"][value="yes"]`).Length() != 1 {
		t.Error("the question's form does not confirm")
	}
	bkStatus(t, postPage(t, srv, c, "/bookings/"+attended+"/complete", nil), http.StatusOK, "POST without confirm")
	if b := bkGet(t, srv, c, attended); b.Status != "confirmed" {
		t.Fatalf("an unconfirmed POST completed the booking: %s", b.Status)
	}
	done := postDone(t, srv, c, "/bookings/"+attended+"/complete", url.Values{"confirm": {"yes"}}, "/bookings/"+attended)
	if b := bkGet(t, srv, c, attended); b.Status != "completed" {
		t.Errorf("after completing: %s", b.Status)
	}
	if got := text(done.Doc.Find(byTestID("booking-status"))); got != "Completed" || done.Doc.Find(byTestID("booking-actions")).Length() != 0 {
		t.Errorf("a completed booking shows %q with actions %q", got, actions(done))
	}
	var kinds []string
	done.Doc.Find(byTestID("history-item")).Each(func(_ int, s *goquery.Selection) { kinds = append(kinds, s.AttrOr("data-kind", "")) })
	if !slices.Equal(kinds, []string{"created", "confirmed", "completed"}) {
		t.Errorf("history kinds %q", kinds)
	}

	// No-show: the follow-up call, shown on the booking with a link to the
	// tasks.
	bkConfirm(t, srv, c, missed)
	ns := postDone(t, srv, c, "/bookings/"+missed+"/no-show", url.Values{"confirm": {"yes"}}, "/bookings/"+missed)
	if got := text(ns.Doc.Find(".flash")); !strings.Contains(got, "follow-up call") {
		t.Errorf("flash %q", got)
	}
	if b := bkGet(t, srv, c, missed); b.Status != "no_show" {
		t.Errorf("after the no-show: %s", b.Status)
	}
	var tk struct {
		Tasks struct {
			Edges []struct {
				Node struct {
					ID, Title, Kind string
					Assignee        *struct{ ID string }
				}
			}
		}
	}
	srv.MustGraphQL(t, c, `query($b: ID!) { tasks(where: {bookingID: $b}) { edges { node { id title kind assignee { id } } } } }`,
		map[string]any{"b": missed}).Decode(t, &tk)
	if len(tk.Tasks.Edges) != 1 || tk.Tasks.Edges[0].Node.Kind != "no_show_follow_up" {
		t.Fatalf("tasks of the booking: %+v", tk.Tasks.Edges)
	}
	task := tk.Tasks.Edges[0].Node
	row := ns.Doc.Find(byTestID("booking-task"))
	if row.Length() != 1 || !strings.Contains(text(row), task.Title) {
		t.Fatalf("the booking shows tasks %q, want %q", text(row), task.Title)
	}
	href := row.Find(byTestID("booking-task-link")).AttrOr("href", "")
	if task.Assignee != nil && href != "/tasks?assignee="+task.Assignee.ID || task.Assignee == nil && href != "/tasks" {
		t.Errorf("the task links to %q (assignee %+v)", href, task.Assignee)
	}
	if tasks := getPage(t, srv, c, href); !strings.Contains(text(tasks.Doc.Find("main")), task.Title) {
		t.Errorf("%s does not list %q", href, task.Title)
	}

	// A confirmed booking that has not started: no outcome yet.
	bkConfirm(t, srv, c, tomorrow)
	fut := getPage(t, srv, c, "/bookings/"+tomorrow)
	if got := actions(fut); !slices.Equal(got, []string{"cancel", "reschedule"}) || fut.Doc.Find(byTestID("not-started")).Length() != 1 {
		t.Errorf("a future confirmed booking offers %q", got)
	}
	for _, action := range []string{"complete", "no-show"} {
		p := postPage(t, srv, c, "/bookings/"+tomorrow+"/"+action, url.Values{"confirm": {"yes"}})
		bkStatus(t, p, http.StatusUnprocessableEntity, action+" of a future booking")
		if got := text(p.Doc.Find(byTestID("action-error"))); !strings.Contains(got, "has not started") {
			t.Errorf("%s: message %q", action, got)
		}
	}
	if b := bkGet(t, srv, c, tomorrow); b.Status != "confirmed" {
		t.Errorf("the future booking is %s", b.Status)
	}
}

func TestBookings_ViewerOnlyReads(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	viewer := srv.SignIn(t, "viewer@example.com")
	people := bkContacts(t, srv, staff, 1)
	ct := bkServiceID(t, srv, staff, "CT Chest")
	id := bkCreate(t, srv, staff, people[0].ID, ct, time.Date(2026, 3, 10, 7, 0, 0, 0, bkSydney), 20)
	bkConfirm(t, srv, staff, id)

	for _, path := range []string{"/bookings", "/bookings?view=day", "/bookings?view=month", "/bookings/list"} {
		p := getPage(t, srv, viewer, path)
		bkStatus(t, p, http.StatusOK, path)
		if n := p.Doc.Find(byTestID("new-booking") + `, a[href^="/bookings/new"]`).Length(); n != 0 {
			t.Errorf("%s offers a viewer %d links to book", path, n)
		}
	}
	if n := getPage(t, srv, viewer, "/bookings").Doc.Find(byTestID("cal-event")).Length(); n == 0 {
		t.Error("the viewer sees no bookings")
	}
	d := getPage(t, srv, viewer, "/bookings/"+id)
	bkStatus(t, d, http.StatusOK, "the booking page")
	if d.Doc.Find(byTestID("booking-actions")).Length() != 0 || d.Doc.Find(`main form[method="post"]`).Length() != 0 {
		t.Errorf("a viewer gets actions: %q", text(d.Doc.Find(byTestID("booking-actions"))))
	}
	// The staff member's page of the same booking has them.
	if getPage(t, srv, staff, "/bookings/"+id).Doc.Find(byTestID("booking-actions")).Length() != 1 {
		t.Error("staff get no actions either: the check above proves nothing")
	}

	forged := []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/bookings/new", nil},
		{"POST", "/bookings", bkForm(people[0].ID, ct, "2026-04-01", "10:00")},
		{"POST", "/bookings/" + id + "/confirm", url.Values{}},
		{"GET", "/bookings/" + id + "/cancel", nil},
		{"POST", "/bookings/" + id + "/cancel", url.Values{"reason": {"Patient unwell"}}},
		{"POST", "/bookings/" + id + "/reschedule", url.Values{"date": {"2026-04-01"}, "time": {"11:00"}}},
		{"POST", "/bookings/" + id + "/complete", url.Values{"confirm": {"yes"}}},
		{"POST", "/bookings/" + id + "/no-show", url.Values{"confirm": {"yes"}}},
	}
	for _, f := range forged {
		var p page
		if f.method == "GET" {
			p = getPage(t, srv, viewer, f.path)
		} else {
			p = postPage(t, srv, viewer, f.path, f.form)
		}
		if p.Status != http.StatusForbidden {
			t.Errorf("viewer %s %s: status %d, want 403", f.method, f.path, p.Status)
		}
	}
	if b := bkGet(t, srv, staff, id); b.Status != "confirmed" || !b.StartsAt.Equal(time.Date(2026, 3, 9, 20, 0, 0, 0, time.UTC)) {
		t.Errorf("after the viewer's attempts the booking is %s at %s", b.Status, b.StartsAt)
	}
	if n := len(bkInRange(t, srv, staff, "2026-04-01", "2026-04-01", "")); n != 0 {
		t.Errorf("the viewer's forged booking exists (%d)", n)
	}
}

func TestBookings_DaylightSavingDays(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "staff@example.com")
	people := bkContacts(t, srv, c, 2)
	mam := bkServiceID(t, srv, c, "Screening Mammogram")

	labels := func(p page) []string {
		var out []string
		p.Doc.Find(byTestID("cal-time")).Each(func(_ int, s *goquery.Selection) { out = append(out, text(s)) })
		return out
	}
	slotStart := func(p page, label string) string {
		var start string
		p.Doc.Find(byTestID("cal-row")).Each(func(_ int, row *goquery.Selection) {
			if text(row.Find(byTestID("cal-time"))) == label {
				u, _ := url.Parse(row.Find(byTestID("cal-slot")).First().AttrOr("href", ""))
				start = u.Query().Get("start")
			}
		})
		return start
	}

	// Sunday 5 April 2026: daylight time ends at 03:00, which becomes
	// 02:00 again. The whole day has 25 hours of 15-minute slots.
	end := getPage(t, srv, c, "/bookings?view=day&date=2026-04-05&hours=all")
	bkStatus(t, end, http.StatusOK, "5 April")
	ls := labels(end)
	if len(ls) != 100 {
		t.Fatalf("5 April has %d slots, want 100 (25 hours)", len(ls))
	}
	if ls[0] != "00:00 AEDT" || ls[8] != "02:00 AEDT" || ls[12] != "02:00 AEST" || ls[99] != "23:45 AEST" {
		t.Errorf("labels around the change: %q … %q, last %q", ls[0], ls[8:16], ls[99])
	}
	for label, want := range map[string]string{
		"02:00 AEDT": "2026-04-04T15:00:00Z", "02:00 AEST": "2026-04-04T16:00:00Z", "09:00 AEST": "2026-04-04T23:00:00Z",
	} {
		if got := slotStart(end, label); got != want {
			t.Errorf("5 April %s books at %q, want %s", label, got, want)
		}
	}
	// Sunday 4 October 2026: 02:00 becomes 03:00; 23 hours.
	start := getPage(t, srv, c, "/bookings?view=day&date=2026-10-04&hours=all")
	ls = labels(start)
	if len(ls) != 92 {
		t.Fatalf("4 October has %d slots, want 92 (23 hours)", len(ls))
	}
	if ls[7] != "01:45 AEST" || ls[8] != "03:00 AEDT" {
		t.Errorf("labels around the change: %q", ls[6:10])
	}
	if got := slotStart(start, "09:00 AEDT"); got != "2026-10-03T22:00:00Z" {
		t.Errorf("4 October 09:00 books at %q", got)
	}

	// Booked at 09:00 local on both days through the form: stored at the
	// right instant, shown at 09:00.
	for _, tc := range []struct {
		date string
		utc  time.Time
	}{
		{"2026-04-05", time.Date(2026, 4, 4, 23, 0, 0, 0, time.UTC)},
		{"2026-10-04", time.Date(2026, 10, 3, 22, 0, 0, 0, time.UTC)},
	} {
		p := postPage(t, srv, c, "/bookings", bkForm(people[0].ID, mam, tc.date, "09:00"))
		bkStatus(t, p, http.StatusSeeOther, "booking on "+tc.date)
		id := strings.TrimPrefix(p.Location, "/bookings/")
		id, _, _ = strings.Cut(id, "?")
		if b := bkGet(t, srv, c, id); !b.StartsAt.Equal(tc.utc) || !b.EndsAt.Equal(tc.utc.Add(20*time.Minute)) {
			t.Errorf("%s 09:00 stored as %s–%s, want %s", tc.date, b.StartsAt, b.EndsAt, tc.utc)
		}
		for _, path := range []string{"/bookings?view=day&date=" + tc.date, "/bookings?view=day&hours=all&date=" + tc.date} {
			day := getPage(t, srv, c, path)
			cell := bkEvent(day, id)
			if cell.Length() != 1 || !strings.HasPrefix(bkRowLabel(cell), "09:00") || text(cell.Find(byTestID("cal-event-time"))) != "09:00–09:20" {
				t.Errorf("%s shows it %d times in row %q: %q", path, cell.Length(), bkRowLabel(cell), text(cell))
			}
		}
		week := getPage(t, srv, c, "/bookings?view=week&date="+tc.date)
		if cell := bkEvent(week, id); cell.Length() != 1 || bkRowLabel(cell) != "09:00" || cell.AttrOr("data-date", "") != tc.date {
			t.Errorf("the week of %s shows it in row %q of %q", tc.date, bkRowLabel(cell), cell.AttrOr("data-date", ""))
		}
	}

	// 02:30 on 4 October does not exist in Sydney.
	p := postPage(t, srv, c, "/bookings", bkForm(people[1].ID, mam, "2026-10-04", "02:30"))
	bkStatus(t, p, http.StatusUnprocessableEntity, "a time that does not exist")
	if got := text(p.Doc.Find(byTestID("field-error-booking-time"))); !strings.Contains(got, "does not exist") {
		t.Errorf("message %q", got)
	}
	// 02:30 on 5 April happens twice: the first, in daylight time.
	p = postPage(t, srv, c, "/bookings", bkForm(people[1].ID, mam, "2026-04-05", "02:30"))
	bkStatus(t, p, http.StatusSeeOther, "the repeated hour")
	id, _, _ := strings.Cut(strings.TrimPrefix(p.Location, "/bookings/"), "?")
	if b := bkGet(t, srv, c, id); !b.StartsAt.Equal(time.Date(2026, 4, 4, 15, 30, 0, 0, time.UTC)) {
		t.Errorf("02:30 on 5 April stored as %s, want 15:30 UTC (AEDT)", b.StartsAt)
	}
}

func TestBookings_ListFilters(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "staff@example.com")

	ids := func(p page) []string {
		var out []string
		p.Doc.Find(byTestID("booking-row")).Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("data-booking-id", "")) })
		return out
	}
	apiIDs := func(bs []bkBooking) []string {
		out := []string{}
		for _, b := range bs {
			out = append(out, b.ID)
		}
		return out
	}
	// By default, two weeks from today.
	p := getPage(t, srv, c, "/bookings/list")
	bkStatus(t, p, http.StatusOK, "the list")
	if from, to := p.Doc.Find("#from").AttrOr("value", ""), p.Doc.Find("#to").AttrOr("value", ""); from != "2026-03-11" || to != "2026-03-24" {
		t.Errorf("default range %s to %s", from, to)
	}
	all := bkInRange(t, srv, c, "2026-03-11", "2026-03-24", "")
	if got := ids(p); !slices.Equal(got, apiIDs(all)) || len(all) == 0 {
		t.Errorf("the list has %d rows, the API %d", len(got), len(all))
	}
	first := p.Doc.Find(byTestID("booking-row")).First()
	if want := all[0].StartsAt.In(bkSydney).Format("Mon 2 Jan 15:04") + "–" + bkClock(all[0].EndsAt); text(first.Find(byTestID("booking-link"))) != want {
		t.Errorf("first row's time %q, want %q", text(first.Find(byTestID("booking-link"))), want)
	}

	svc := all[0].Service.Name
	svcID := bkServiceID(t, srv, c, svc)
	staffID := ""
	for _, b := range all {
		if b.Staff != nil {
			staffID = b.Staff.ID
			break
		}
	}
	for _, tc := range []struct{ query, filters string }{
		{"status=open", `, status: [pending, confirmed]`},
		{"status=completed", `, status: [completed]`},
		{"service=" + svcID, `, serviceID: "` + svcID + `"`},
		{"staff=" + staffID, `, staffID: "` + staffID + `"`},
		{"status=confirmed&service=" + svcID, `, status: [confirmed], serviceID: "` + svcID + `"`},
	} {
		p := getPage(t, srv, c, "/bookings/list?from=2026-03-01&to=2026-03-31&"+tc.query)
		bkStatus(t, p, http.StatusOK, tc.query)
		want := apiIDs(bkInRange(t, srv, c, "2026-03-01", "2026-03-31", tc.filters))
		if got := ids(p); !slices.Equal(got, want) {
			t.Errorf("%s: %d rows, the API has %d", tc.query, len(got), len(want))
		}
	}

	// Bad filters, next to their fields.
	for _, tc := range []struct{ query, field, want string }{
		{"from=2026-01-01&to=2026-06-30", "to", "At most 92 days"},
		{"from=yesterday", "from", "Enter a date"},
		{"from=2026-03-20&to=2026-03-10", "to", "must not be before the start"},
		{"status=lost", "status", "Choose one"},
	} {
		p := getPage(t, srv, c, "/bookings/list?"+tc.query)
		bkStatus(t, p, http.StatusUnprocessableEntity, tc.query)
		if got := text(p.Doc.Find(byTestID("field-error-" + tc.field))); !strings.Contains(got, tc.want) {
			t.Errorf("%s: message on %s is %q, want %q; errors %q", tc.query, tc.field, got, tc.want, errorsOn(p))
		}
	}
}

func TestBookings_ContactPickerAndDashboard(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "staff@example.com")
	people := bkContacts(t, srv, c, 1)
	who := people[0]

	// Without script: Find submits the form by GET, which keeps what was
	// typed and lists the matches.
	p := getPage(t, srv, c, "/bookings/new?"+url.Values{"q": {who.LastName}, "date": {"2026-04-01"}, "time": {"11:00"}, "notes": {"kept"}}.Encode())
	bkStatus(t, p, http.StatusOK, "the search")
	var found []string
	p.Doc.Find("#booking-contact option").Each(func(_ int, s *goquery.Selection) { found = append(found, s.AttrOr("value", "")) })
	if !slices.Contains(found, who.ID) {
		t.Errorf("searching %q does not offer %s: %q", who.LastName, who.ID, found)
	}
	if got := p.Doc.Find("#booking-time").AttrOr("value", ""); got != "11:00" || text(p.Doc.Find("#booking-notes")) != "kept" {
		t.Errorf("the search lost the form: time %q notes %q", got, text(p.Doc.Find("#booking-notes")))
	}
	// With htmx: only the select, and the note out of band.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/bookings/new?"+url.Values{"q": {who.LastName}}.Encode(), nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "booking-contact")
	frag := fetch(t, c, req)
	if frag.Status != http.StatusOK || strings.Contains(frag.Body, "<html") || frag.Doc.Find("select#booking-contact").Length() != 1 ||
		frag.Doc.Find(`#booking-contact-note[hx-swap-oob]`).Length() != 1 {
		t.Errorf("the picker fragment: %d %.200q", frag.Status, frag.Body)
	}
	// ?contact= preselects.
	p = getPage(t, srv, c, "/bookings/new?contact="+who.ID)
	if got := p.Doc.Find("#booking-contact option[selected]").AttrOr("value", ""); got != who.ID {
		t.Errorf("?contact= selects %q", got)
	}

	// The dashboard links each of today's appointments to its booking.
	home := getPage(t, srv, c, "/")
	links := home.Doc.Find(byTestID("appointment-booking"))
	if links.Length() == 0 || links.Length() != home.Doc.Find(byTestID("appointment")).Length() {
		t.Fatalf("%d booking links for %d appointments", links.Length(), home.Doc.Find(byTestID("appointment")).Length())
	}
	links.Each(func(_ int, s *goquery.Selection) {
		href := s.AttrOr("href", "")
		if d := getPage(t, srv, c, href); d.Status != http.StatusOK || d.Doc.Find(byTestID("booking-title")).Length() != 1 {
			t.Errorf("%s: status %d", href, d.Status)
		}
	})
}
