package ui

// The bookings pages: the calendar (/bookings: day, week and month views),
// the filtered list (/bookings/list), a booking's page with the actions its
// status allows (/bookings/{id}), and the new booking form. Everything is
// shown in the active location's time zone, and every form takes local
// times; the resolvers store UTC. Like every form, a change runs its
// operation (which checks the schema's permission and runs in one
// transaction), answers 303 with a ?done= flash, and shows a bad input next
// to its field (422, or 409 for a conflict).

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// bookingRoutes mounts the bookings pages; the caller has required a
// viewer.
func (u *UI) bookingRoutes(r chi.Router) {
	r.Get("/bookings", u.calendar)
	r.Get("/bookings/list", u.bookingList)
	r.Get("/bookings/new", u.newBooking)
	r.Post("/bookings", u.createBooking)
	r.Get("/bookings/{id}", u.bookingDetail)
	r.Post("/bookings/{id}/confirm", u.confirmBooking)
	r.Get("/bookings/{id}/reschedule", u.rescheduleForm)
	r.Post("/bookings/{id}/reschedule", u.rescheduleBooking)
	r.Get("/bookings/{id}/cancel", u.cancelForm)
	r.Post("/bookings/{id}/cancel", u.cancelBooking)
	r.Get("/bookings/{id}/complete", u.completeBooking)
	r.Post("/bookings/{id}/complete", u.completeBooking)
	r.Get("/bookings/{id}/no-show", u.markNoShow)
	r.Post("/bookings/{id}/no-show", u.markNoShow)
}

// calendar shows the bookings of a day, a week (Monday to Sunday) or a
// month, in the location's time zone. ?view=day|week|month (week by
// default), ?date=YYYY-MM-DD (today by default), ?hours=all for whole days
// rather than opening hours, ?cancelled=show to include cancelled
// bookings.
func (u *UI) calendar(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := u.page(ctx, r, "Bookings", "bookings")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	tz := p.Me.TZ
	qs := r.URL.Query()
	view := qs.Get("view")
	if view == "" {
		view = views.ViewWeek
	}
	if view != views.ViewDay && view != views.ViewWeek && view != views.ViewMonth {
		u.fail(w, r, apperr.Invalidf("view", "view must be day, week or month"))
		return
	}
	today := calDateOf(u.opts.Now.Now(), tz)
	anchor := today
	if s := qs.Get("date"); s != "" {
		if anchor, err = time.Parse(calDateLayout, s); err != nil {
			u.fail(w, r, apperr.Invalidf("date", "the date must look like 2026-03-11"))
			return
		}
	}
	// The view switcher keeps the date asked for (the month view's anchor
	// becomes the 1st).
	focus := anchor
	whole, withCancelled := qs.Get("hours") == "all", qs.Get("cancelled") == "show"

	per := calPeriodOf(view, anchor)
	anchor = per.anchor
	link := func(view string, d time.Time, whole, withCancelled bool) string {
		v := url.Values{"view": {view}, "date": {d.Format(calDateLayout)}}
		if whole {
			v.Set("hours", "all")
		}
		if withCancelled {
			v.Set("cancelled", "show")
		}
		return "/bookings?" + v.Encode()
	}
	d := views.CalendarPage{
		View: view, Date: anchor.Format(calDateLayout), Zone: tz.String(),
		Title: calTitle(view, per.first, per.last),
		Prev:  link(view, per.prev, whole, withCancelled), Next: link(view, per.next, whole, withCancelled),
		Today:     link(view, today, whole, withCancelled),
		PrevLabel: "Previous " + per.unit, NextLabel: "Next " + per.unit,
		WholeDay: whole, HoursLink: link(view, anchor, !whole, withCancelled),
		ShowCancelled: withCancelled, CancelledLink: link(view, anchor, whole, !withCancelled),
		CanCreate: u.allowed(ctx, graph.OpCreateBooking),
	}
	d.Views = bookingViews(view, focus, whole, withCancelled, per.first, per.last)
	newDate := today
	if view == views.ViewDay || !per.has(today) {
		newDate = per.first
	}
	d.NewLink = "/bookings/new?" + url.Values{"date": {newDate.Format(calDateLayout)}, "view": {view}}.Encode()

	bs, err := u.api.bookings.BookingsInRange(ctx, types.Date(per.from.Format(calDateLayout)), types.Date(per.to.Format(calDateLayout)), nil, nil, nil)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	// The counts are of the period (the month view's grid also shows the
	// days around its month).
	shown := bs[:0:0]
	for _, b := range bs {
		inPeriod := per.has(calDateOf(b.StartsAt, tz))
		if b.Status == booking.StatusCancelled {
			if inPeriod {
				d.Cancelled++
			}
			if !withCancelled {
				continue
			}
		}
		if inPeriod {
			d.Count++
		}
		shown = append(shown, b)
	}
	lk, err := u.bookingLookup(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	as, err := u.appointmentsOf(ctx, shown, lk)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if view == views.ViewMonth {
		d.Month = calMonthGrid(anchor, today, as, tz, func(t time.Time) string { return link(views.ViewDay, t, whole, withCancelled) })
		render(w, r, views.CalendarView(p, d))
		return
	}
	settings, err := u.locationSettings(ctx, p)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	h := calHoursOf(settings)
	var in gridInput
	if view == views.ViewDay {
		in = calDayGrid(anchor, today, calRooms(lk.rooms(), as), as, h, whole, tz)
	} else {
		days := make([]time.Time, 7)
		for i := range days {
			days[i] = per.from.AddDate(0, 0, i)
		}
		in = calWeekGrid(days, today, as, h, whole, tz)
		for g := range in.groups {
			in.groups[g].Href = link(views.ViewDay, days[g], whole, withCancelled)
		}
	}
	if d.CanCreate {
		in.create = func(t time.Time) string {
			return "/bookings/new?" + url.Values{"start": {t.UTC().Format(time.RFC3339)}, "view": {view}}.Encode()
		}
	}
	d.Grid = calAssemble(in)
	d.Grid.Caption = "Bookings, " + d.Title + ", times in " + tz.String()
	render(w, r, views.CalendarView(p, d))
}

// bookingViews are the view switcher's links: the calendar views at the
// anchor date, and the list of the period shown.
func bookingViews(current string, anchor time.Time, whole, withCancelled bool, from, to time.Time) []views.CalViewLink {
	var out []views.CalViewLink
	for _, v := range []struct{ key, label string }{{views.ViewDay, "Day"}, {views.ViewWeek, "Week"}, {views.ViewMonth, "Month"}} {
		q := url.Values{"view": {v.key}, "date": {anchor.Format(calDateLayout)}}
		if whole {
			q.Set("hours", "all")
		}
		if withCancelled {
			q.Set("cancelled", "show")
		}
		out = append(out, views.CalViewLink{Key: v.key, Label: v.label, Href: "/bookings?" + q.Encode(), Current: v.key == current})
	}
	q := url.Values{"from": {from.Format(calDateLayout)}, "to": {to.Format(calDateLayout)}}
	return append(out, views.CalViewLink{Key: "list", Label: "List", Href: "/bookings/list?" + q.Encode(), Current: current == "list"})
}

// bookingStatusFilters are the list's status choices: "open" is pending
// or confirmed.
var bookingStatusFilters = append([]views.Option{{Value: "open", Label: "Open (pending or confirmed)"}}, options(bookings.Statuses)...)

// bookingList lists the bookings that start on the local days from
// through to (two weeks from today by default), filtered by status, staff
// member and service, through bookingsInRange. A bad filter is shown next
// to its field (422).
func (u *UI) bookingList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := u.page(ctx, r, "Bookings list", "bookings")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	tz := p.Me.TZ
	qs := r.URL.Query()
	today := calDateOf(u.opts.Now.Now(), tz)
	d := views.BookingListPage{
		From: trim(qs.Get("from")), To: trim(qs.Get("to")),
		Status: qs.Get("status"), Staff: qs.Get("staff"), Service: qs.Get("service"),
		Statuses: bookingStatusFilters, Errors: views.FieldErrors{},
		CanCreate: u.allowed(ctx, graph.OpCreateBooking), Zone: tz.String(),
	}
	if d.From == "" {
		d.From = today.Format(calDateLayout)
	}
	if d.To == "" {
		d.To = today.AddDate(0, 0, 13).Format(calDateLayout)
	}
	from, ferr := time.Parse(calDateLayout, d.From)
	if ferr != nil {
		d.Errors["from"] = "Enter a date like 2026-03-11."
	}
	to, terr := time.Parse(calDateLayout, d.To)
	if terr != nil {
		d.Errors["to"] = "Enter a date like 2026-03-25."
	}
	if ferr == nil && terr == nil {
		switch {
		case to.Before(from):
			d.Errors["to"] = "The end date must not be before the start date."
		case int(to.Sub(from).Hours()/24)+1 > bookings.MaxRangeDays:
			d.Errors["to"] = fmt.Sprintf("At most %d days at a time: choose a shorter range.", bookings.MaxRangeDays)
		}
	}
	if ferr == nil {
		// The calendar views open on today when the list shows it.
		focus := from
		if terr == nil && !today.Before(from) && !today.After(to) {
			focus = today
		}
		d.Views = bookingViews("list", focus, false, false, from, to)
	} else {
		d.Views = bookingViews("list", today, false, false, today, today)
	}
	var status []booking.Status
	switch d.Status {
	case "":
	case "open":
		status = []booking.Status{booking.StatusPending, booking.StatusConfirmed}
	default:
		if booking.StatusValidator(booking.Status(d.Status)) != nil {
			d.Errors["status"] = "Choose one of the listed statuses."
		}
		status = []booking.Status{booking.Status(d.Status)}
	}
	var staffID, serviceID *pulid.ID
	if d.Staff != "" {
		staffID = ptr(pulid.ID(d.Staff))
	}
	if d.Service != "" {
		serviceID = ptr(pulid.ID(d.Service))
	}
	lk, err := u.bookingLookup(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d.StaffOptions, d.ServiceOptions = lk.staffOptions(false), lk.serviceOptions(true)
	status422 := http.StatusOK
	if len(d.Errors) == 0 {
		bs, err := u.api.bookings.BookingsInRange(ctx, types.Date(d.From), types.Date(d.To), status, staffID, serviceID)
		if err != nil {
			errs, _, st, ok := bookingFormErrors(err, map[string]string{"from": "from", "to": "to", "status": "status", "staffID": "staff", "serviceID": "service"})
			if !ok {
				u.fail(w, r, err)
				return
			}
			d.Errors, status422 = errs, st
		} else if d.Rows, err = u.appointmentsOf(ctx, bs, lk); err != nil {
			u.fail(w, r, err)
			return
		}
	} else {
		status422 = http.StatusUnprocessableEntity
	}
	renderStatus(w, r, status422, views.BookingListView(p, d))
}

// bookingLookup holds the location's services and people, to name the
// bookings of a page without a query per booking.
type bookingLookup struct {
	services    map[pulid.ID]*ent.Service
	serviceList []*ent.Service
	users       map[pulid.ID]*ent.User
	userList    []*ent.User
}

func (u *UI) bookingLookup(ctx context.Context) (*bookingLookup, error) {
	q := u.api.bookings
	svc, err := q.Services(ctx, nil, ptr(1000), nil, nil, &ent.ServiceOrder{Direction: entgql.OrderDirectionAsc, Field: ent.ServiceOrderFieldName}, nil)
	if err != nil {
		return nil, err
	}
	us, err := q.Users(ctx, nil, ptr(1000), nil, nil, &ent.UserOrder{Direction: entgql.OrderDirectionAsc, Field: ent.UserOrderFieldName}, nil)
	if err != nil {
		return nil, err
	}
	lk := &bookingLookup{services: map[pulid.ID]*ent.Service{}, users: map[pulid.ID]*ent.User{}}
	for _, e := range svc.Edges {
		lk.services[e.Node.ID] = e.Node
		lk.serviceList = append(lk.serviceList, e.Node)
	}
	for _, e := range us.Edges {
		lk.users[e.Node.ID] = e.Node
		lk.userList = append(lk.userList, e.Node)
	}
	return lk, nil
}

// rooms are the resources of the active services.
func (lk *bookingLookup) rooms() []string {
	var out []string
	for _, s := range lk.serviceList {
		if s.Active && !slices.Contains(out, s.Resource) {
			out = append(out, s.Resource)
		}
	}
	return out
}

// staffOptions are the people a booking can be assigned to: the
// location's members whose account is not disabled (all of them for a
// filter, withDisabled).
func (lk *bookingLookup) staffOptions(withDisabled bool) []views.Option {
	var out []views.Option
	for _, us := range lk.userList {
		if us.Status == user.StatusDisabled && !withDisabled {
			continue
		}
		out = append(out, views.Option{Value: us.ID.String(), Label: us.Name})
	}
	return out
}

// serviceOptions are the services, active ones only unless withInactive.
func (lk *bookingLookup) serviceOptions(withInactive bool) []views.Option {
	var out []views.Option
	for _, s := range lk.serviceList {
		if s.Active || withInactive {
			out = append(out, views.Option{Value: s.ID.String(), Label: s.Name})
		}
	}
	return out
}

// appointmentsOf names the bookings: contacts in one query, services and
// staff from the lookup (a booking whose service or staff member it lacks
// loads its own).
func (u *UI) appointmentsOf(ctx context.Context, bs []*ent.Booking, lk *bookingLookup) ([]views.Appointment, error) {
	var ids []pulid.ID
	for _, b := range bs {
		if !slices.Contains(ids, b.ContactID) {
			ids = append(ids, b.ContactID)
		}
	}
	contacts := map[pulid.ID]*ent.Contact{}
	if len(ids) > 0 {
		// Archived contacts too: their bookings still happened.
		conn, err := u.api.bookings.Contacts(ctx, nil, ptr(len(ids)), nil, nil, nil, &ent.ContactWhereInput{
			IDIn: ids, Or: []*ent.ContactWhereInput{{ArchivedAtIsNil: true}, {ArchivedAtNotNil: true}},
		})
		if err != nil {
			return nil, err
		}
		for _, e := range conn.Edges {
			contacts[e.Node.ID] = e.Node
		}
	}
	out := make([]views.Appointment, 0, len(bs))
	for _, b := range bs {
		a := views.Appointment{Booking: b, Contact: contacts[b.ContactID], Service: lk.services[b.ServiceID]}
		var err error
		if a.Contact == nil {
			if a.Contact, err = b.Contact(ctx); err != nil {
				return nil, err
			}
		}
		if a.Service == nil {
			if a.Service, err = b.Service(ctx); err != nil {
				return nil, err
			}
		}
		if b.StaffID != nil {
			if a.Staff = lk.users[*b.StaffID]; a.Staff == nil {
				if a.Staff, err = b.Staff(ctx); err != nil && !ent.IsNotFound(err) {
					return nil, err
				}
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// locationSettings are the active location's hours and slot length.
func (u *UI) locationSettings(ctx context.Context, p views.Page) (types.LocationSettings, error) {
	n, err := u.api.bookings.Node(ctx, pulid.ID(p.Me.LocationID))
	if err != nil {
		return types.LocationSettings{}, err
	}
	loc, ok := n.(*ent.Location)
	if !ok {
		return types.LocationSettings{}, apperr.NotFoundf("", "not found")
	}
	return loc.Settings, nil
}
