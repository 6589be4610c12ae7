package ui

// A booking's page and the forms that change bookings: new booking,
// confirm, reschedule, cancel (with a reason), complete and no-show. Each
// POST checks the permission its mutation declares, runs the mutation in
// one transaction and redirects (303) with a ?done= flash. The action
// forms are pages of their own; htmx loads them into the booking page as a
// <dialog> (views.BookingDialogTarget), and they post as plain forms either
// way. Complete and no-show cannot be undone, so they ask first
// (confirm=yes).

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/bookingevent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// contactChoices is how many contacts the new booking form's select
// offers: the best matches of the search, or the first by name.
const contactChoices = 50

// bookingFormErrors sorts the error of a booking mutation for a form.
// INVALID and CONFLICT, and NOT_FOUND of a record the form chose, belong
// in the form: next to the form field that fields maps the API's field to,
// else above the form. conflict is the booking a CONFLICT clashes with.
// Any other error returns ok false, and the caller shows the error page.
func bookingFormErrors(err error, fields inputs) (errs views.FieldErrors, conflict string, status int, ok bool) {
	if errs, status, ok = formErrors(err, fields, notHere); ok && status == http.StatusConflict {
		conflict, _ = apperr.From(err).Details["conflictWith"].(string)
	}
	return errs, conflict, status, ok
}

// localStart reads a date (YYYY-MM-DD) and a time (HH:MM) of the
// location's zone as an instant. A time the clocks skip is refused; a time
// that happens twice (the hour repeated when daylight saving ends) is the
// first of the two.
func localStart(date, clock string, tz *time.Location) (time.Time, views.FieldErrors) {
	errs := views.FieldErrors{}
	day, err := time.Parse(calDateLayout, strings.TrimSpace(date))
	if err != nil {
		errs["date"] = "Enter the date, e.g. 2026-03-11."
	}
	m, ok := calClock(clock)
	if !ok || m >= calDayMinutes {
		errs["time"] = "Enter the time, e.g. 09:30."
	}
	if len(errs) > 0 {
		return time.Time{}, errs
	}
	t := calAt(day, m, tz)
	if !calWallOK(t, day, m, tz) {
		return time.Time{}, views.FieldErrors{"time": fmt.Sprintf("%s does not exist on %s: the clocks go forward. Choose another time.", clock, day.Format("2 January"))}
	}
	if e := t.Add(-time.Hour); calWallOK(e, day, m, tz) {
		t = e
	}
	return t, nil
}

// transitionRefused reports whether the state machine refused an action
// (INVALID on the field status): the booking page says why, not the form.
func transitionRefused(err error) bool {
	ae := apperr.From(err)
	return ae.Code == apperr.Invalid && ae.Field == "status"
}

// dialog reports whether htmx asked for an action form as a dialog. The
// answer varies with those headers, and says so to caches.
func dialog(w http.ResponseWriter, r *http.Request) bool {
	w.Header().Add("Vary", "HX-Request, HX-Target")
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == views.BookingDialogTarget
}

// loadBooking reads a booking of the active location through node(id:).
func (u *UI) loadBooking(ctx context.Context, id pulid.ID) (*ent.Booking, error) {
	n, err := u.api.bookings.Node(ctx, id)
	if err != nil {
		return nil, err
	}
	b, ok := n.(*ent.Booking)
	if !ok {
		return nil, apperr.NotFoundf("id", "not found")
	}
	return b, nil
}

// appointment reads a booking and names it.
func (u *UI) appointment(ctx context.Context, id pulid.ID) (views.Appointment, error) {
	b, err := u.loadBooking(ctx, id)
	if err != nil {
		return views.Appointment{}, err
	}
	as, err := appointments(ctx, []*ent.Booking{b})
	if err != nil {
		return views.Appointment{}, err
	}
	return as[0], nil
}

// bookingDetail shows a booking: patient, service, time, staff, status,
// notes, history, its tasks, and the actions its status allows.
func (u *UI) bookingDetail(w http.ResponseWriter, r *http.Request) {
	u.showBooking(w, r, http.StatusOK, "")
}

// showBooking renders the booking page with status, and a refused
// action's message when there is one.
func (u *UI) showBooking(w http.ResponseWriter, r *http.Request, status int, actionError string) {
	ctx := r.Context()
	p, err := u.page(ctx, r, "Booking", "bookings")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	a, err := u.appointment(ctx, idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	b := a.Booking
	now := u.opts.Now.Now()
	p.Title = "Booking: " + views.BookingPatient(a.Contact)
	d := views.BookingDetail{A: a, Room: a.Service.Resource, Error: actionError, Now: now}
	day := calDateOf(b.StartsAt, p.Me.TZ).Format(calDateLayout)
	d.CalendarHref = "/bookings?" + url.Values{"view": {views.ViewDay}, "date": {day}}.Encode()

	events, err := u.api.bookings.BookingHistory(ctx, b)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	lk, err := u.bookingLookup(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	for _, ev := range events {
		d.History = append(d.History, eventRow(ev, lk, p.Me.TZ))
	}
	tk, err := u.api.bookings.Tasks(ctx, nil, ptr(20), nil, nil,
		&ent.TaskOrder{Direction: entgql.OrderDirectionAsc, Field: ent.TaskOrderFieldCreatedAt},
		&ent.TaskWhereInput{BookingID: &b.ID})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if d.Tasks, err = taskRows(ctx, taskNodes(tk)); err != nil {
		u.fail(w, r, err)
		return
	}
	// A button for each operation the viewer may run and the booking's
	// status allows now.
	can := func(op graph.Op, a bookings.Action) bool { return u.allowed(ctx, op) && bookings.Allowed(b, a, now) }
	d.Actions = views.BookingActions{
		Confirm: can(graph.OpConfirmBooking, bookings.ActionConfirm), Reschedule: can(graph.OpRescheduleBooking, bookings.ActionReschedule),
		Cancel: can(graph.OpCancelBooking, bookings.ActionCancel), Complete: can(graph.OpCompleteBooking, bookings.ActionComplete),
		NoShow: can(graph.OpMarkNoShow, bookings.ActionNoShow),
	}
	if u.allowed(ctx, graph.OpCompleteBooking) {
		_, err := bookings.Next(b.Status, bookings.ActionComplete)
		d.NotStarted = err == nil && !bookings.Started(b, now)
	}
	renderStatus(w, r, status, views.BookingDetailPage(p, d))
}

// eventRow describes one history entry.
func eventRow(ev *ent.BookingEvent, lk *bookingLookup, tz *time.Location) views.BookingEventRow {
	row := views.BookingEventRow{Kind: string(ev.Kind), At: ev.At, Reason: ev.Reason}
	if ev.ActorID != nil {
		if us := lk.users[*ev.ActorID]; us != nil {
			row.Actor = us.Name
		}
	}
	span := func(s, e *time.Time) string {
		if s == nil {
			return ""
		}
		out := views.DayTime(*s, tz)
		if e != nil {
			out += "–" + views.Clock(*e, tz)
		}
		return out
	}
	switch ev.Kind {
	case bookingevent.KindCreated:
		row.Text = "Booked"
		if w := span(ev.ToStartsAt, ev.ToEndsAt); w != "" {
			row.Text += " for " + w
		}
	case bookingevent.KindConfirmed:
		row.Text = "Confirmed"
	case bookingevent.KindRescheduled:
		row.Text = "Rescheduled from " + span(ev.FromStartsAt, ev.FromEndsAt) + " to " + span(ev.ToStartsAt, ev.ToEndsAt)
	case bookingevent.KindCancelled:
		row.Text = "Cancelled"
	case bookingevent.KindCompleted:
		row.Text = "Attended"
	case bookingevent.KindNoShow:
		row.Text = "Did not attend"
	case bookingevent.KindUpdated:
		row.Text = "Updated"
	default:
		row.Text = views.Humanize(string(ev.Kind))
	}
	return row
}

// newBooking shows the new booking form. ?start= (RFC 3339, from a
// calendar slot) or ?date= and ?time= (local) prefill the time, ?contact=
// the patient, ?view= the calendar view to return to. ?q= searches the
// contacts; an htmx request for the contact picker gets only the picker,
// so the select updates as the user types.
func (u *UI) newBooking(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCreateBooking) {
		return
	}
	ctx := r.Context()
	p, err := u.page(ctx, r, "New booking", "bookings")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	qs := r.URL.Query()
	f := bookingFormFrom(qs)
	f.Errors = views.FieldErrors{}
	if s := qs.Get("start"); s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			l := t.In(p.Me.TZ)
			f.Date, f.Time = l.Format(calDateLayout), l.Format("15:04")
		} else {
			f.Errors["time"] = "The link's start time could not be read: enter the date and time."
		}
	}
	if f.Date == "" {
		f.Date = calDateOf(u.opts.Now.Now(), p.Me.TZ).Format(calDateLayout)
	}
	if err := u.fillBookingForm(ctx, p, &f); err != nil {
		u.fail(w, r, err)
		return
	}
	w.Header().Add("Vary", "HX-Request, HX-Target")
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "booking-contact" {
		render(w, r, views.ContactPicker(f))
		return
	}
	render(w, r, views.NewBookingPage(p, f))
}

// bookingFormFrom reads the new booking form's fields.
func bookingFormFrom(v url.Values) views.BookingForm {
	f := views.BookingForm{
		Contact: trim(v.Get("contact")), Q: trim(v.Get("q")), Service: v.Get("service"), Staff: v.Get("staff"),
		Date: trim(v.Get("date")), Time: trim(v.Get("time")), Notes: v.Get("notes"), View: v.Get("view"),
		PastVisit: v.Get("past_visit"),
	}
	if f.View != views.ViewDay && f.View != views.ViewWeek && f.View != views.ViewMonth {
		f.View = ""
	}
	return f
}

// fillBookingForm adds the choices to the form: contacts (the search's
// best matches, or the first by name, and the chosen one), active
// services, staff, and the computed end.
func (u *UI) fillBookingForm(ctx context.Context, p views.Page, f *views.BookingForm) error {
	q := u.api.bookings
	settings, err := u.locationSettings(ctx, p)
	if err != nil {
		return err
	}
	f.Step, f.Zone = calHoursOf(settings).slot*60, p.Me.TZ.String()
	var found []*ent.Contact
	if f.Q != "" {
		rs, err := q.SearchContacts(ctx, f.Q, ptr(contactChoices), ptr(false), nil)
		if err != nil {
			return err
		}
		for _, res := range rs {
			found = append(found, res.Contact)
		}
		switch len(found) {
		case 0:
			f.ContactsNote = fmt.Sprintf("No contact matches “%s”.", f.Q)
		case 1:
			f.ContactsNote = fmt.Sprintf("1 contact matches “%s”.", f.Q)
			if f.Contact == "" {
				f.Contact = found[0].ID.String()
			}
		default:
			f.ContactsNote = fmt.Sprintf("%d contacts match “%s”, best first.", len(found), f.Q)
		}
	} else {
		conn, err := q.Contacts(ctx, nil, ptr(contactChoices), nil, nil,
			&ent.ContactOrder{Direction: entgql.OrderDirectionAsc, Field: ent.ContactOrderFieldLastName}, nil)
		if err != nil {
			return err
		}
		for _, e := range conn.Edges {
			found = append(found, e.Node)
		}
		f.ContactsNote = "Type a name, phone or email to find the patient."
	}
	if f.Contact != "" && !slices.ContainsFunc(found, func(c *ent.Contact) bool { return c.ID.String() == f.Contact }) {
		if n, err := q.Node(ctx, pulid.ID(f.Contact)); err == nil {
			if c, ok := n.(*ent.Contact); ok {
				found = append([]*ent.Contact{c}, found...)
			}
		}
	}
	for _, c := range found {
		f.Contacts = append(f.Contacts, views.Option{Value: c.ID.String(), Label: contactLabel(c)})
	}
	lk, err := u.bookingLookup(ctx)
	if err != nil {
		return err
	}
	minutes := 0
	for _, s := range lk.serviceList {
		if !s.Active && s.ID.String() != f.Service {
			continue
		}
		label := fmt.Sprintf("%s · %d min", s.Name, s.DurationMinutes)
		if s.Resource != "" {
			label += " · " + s.Resource
		}
		f.Services = append(f.Services, views.BookingServiceOption{Value: s.ID.String(), Label: label, Minutes: s.DurationMinutes})
		if s.ID.String() == f.Service {
			minutes = s.DurationMinutes
		}
	}
	f.StaffOptions = lk.staffOptions(false)
	if start, errs := localStart(f.Date, f.Time, p.Me.TZ); len(errs) == 0 && minutes > 0 {
		f.Ends = views.Clock(start.Add(time.Duration(minutes)*time.Minute), p.Me.TZ)
	}
	return nil
}

// contactLabel tells patients of the same name apart: name, then phone or
// email, and date of birth.
func contactLabel(c *ent.Contact) string {
	parts := []string{views.BookingPatient(c)}
	switch {
	case c.Phone != nil && *c.Phone != "":
		parts = append(parts, *c.Phone)
	case c.Email != nil && *c.Email != "":
		parts = append(parts, *c.Email)
	}
	if c.DateOfBirth != nil {
		parts = append(parts, "born "+string(*c.DateOfBirth))
	}
	return strings.Join(parts, " · ")
}

// createBooking posts the new booking form: createBooking, at the local
// date and time converted to UTC. It returns to the calendar the form was
// opened from (at the booking's day), or else to the new booking's page.
func (u *UI) createBooking(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCreateBooking) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	p, err := u.page(ctx, r, "New booking", "bookings")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := bookingFormFrom(r.PostForm)
	errs := views.FieldErrors{}
	if f.Contact == "" {
		errs["contact"] = "Choose the patient."
	}
	if f.Service == "" {
		errs["service"] = "Choose a service."
	}
	start, terrs := localStart(f.Date, f.Time, p.Me.TZ)
	for k, v := range terrs {
		errs[k] = v
	}
	if f.Staff != "" {
		lk, err := u.bookingLookup(ctx)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		if lk.users[pulid.ID(f.Staff)] == nil {
			errs["staff"] = "Choose a staff member from the list."
		}
	}
	status := http.StatusUnprocessableEntity
	var created *ent.Booking
	if len(errs) == 0 {
		in := ent.CreateBookingInput{ContactID: pulid.ID(f.Contact), ServiceID: pulid.ID(f.Service), StartsAt: start, Notes: &f.Notes}
		if f.Staff != "" {
			in.StaffID = ptr(pulid.ID(f.Staff))
		}
		var past *graph.PastVisitInput
		if f.PastVisit != "" {
			past = &graph.PastVisitInput{Outcome: graph.PastVisitOutcome(f.PastVisit)}
			if !past.Outcome.IsValid() {
				err = apperr.Invalidf("pastVisit", "choose one of the listed outcomes")
			}
		}
		if err == nil {
			created, err = u.api.bookings.CreateBooking(ctx, in, past)
		}
		if err != nil {
			var ok bool
			errs, f.Conflict, status, ok = bookingFormErrors(err, inputs{
				"contactID": "contact", "serviceID": "service", "staffID": "staff",
				"startsAt": "time", "endsAt": "time", "notes": "notes", "pastVisit": "past_visit",
			})
			if !ok {
				u.fail(w, r, err)
				return
			}
			for k := range errs {
				f.ConflictField = k
			}
		}
	}
	if created == nil {
		f.Errors = errs
		// A time that has passed asks what to record instead of booking it
		// as upcoming.
		f.AskPast = errs.Has("past_visit") || f.PastVisit != ""
		if err := u.fillBookingForm(ctx, p, &f); err != nil {
			u.fail(w, r, err)
			return
		}
		p.Error = "The booking was not made: please check the form."
		renderStatus(w, r, status, views.NewBookingPage(p, f))
		return
	}
	if f.View != "" {
		day := calDateOf(created.StartsAt, p.Me.TZ).Format(calDateLayout)
		redirectDone(w, r, "/bookings", "booking-created", url.Values{"view": {f.View}, "date": {day}}, "booking-"+created.ID.String())
		return
	}
	redirectDone(w, r, "/bookings/"+created.ID.String(), "booking-created", nil, "")
}

// bookingAction runs a status change of the booking in the path and
// redirects to its page with the flash; a refused change shows the booking
// page with the message (422, or 409).
func (u *UI) bookingAction(w http.ResponseWriter, r *http.Request, flash string, fn func(ctx context.Context, id pulid.ID) error) {
	id := idParam(r)
	err := fn(r.Context(), id)
	u.finish(w, r, err, done{Path: "/bookings/" + id.String(), Key: flash}, nil, "", func(errs views.FieldErrors, status int) {
		u.showBooking(w, r, status, errs.Get(""))
	})
}

// confirmBooking posts Confirm: confirmBooking.
func (u *UI) confirmBooking(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpConfirmBooking) || !u.parseForm(w, r) {
		return
	}
	u.bookingAction(w, r, "booking-confirmed", func(ctx context.Context, id pulid.ID) error {
		_, err := u.api.bookings.ConfirmBooking(ctx, id)
		return err
	})
}

// actionForm reads what the form of an action on booking {id} shows: the
// page and the booking. When the booking's status does not allow act it
// answers with the booking page and the state machine's reason (422), and
// reports false, as it does after any other error it has answered.
func (u *UI) actionForm(w http.ResponseWriter, r *http.Request, title string, act bookings.Action) (views.Page, views.Appointment, bool) {
	ctx := r.Context()
	p, err := u.page(ctx, r, title, "bookings")
	if err != nil {
		u.fail(w, r, err)
		return p, views.Appointment{}, false
	}
	a, err := u.appointment(ctx, idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return p, a, false
	}
	if _, err := bookings.Next(a.Booking.Status, act); err != nil {
		u.showBooking(w, r, http.StatusUnprocessableEntity, sentence(apperr.From(err).Message))
		return p, a, false
	}
	return p, a, true
}

// rescheduleForm shows the form that moves a booking: a new local date
// and time; the booking keeps its length.
func (u *UI) rescheduleForm(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpRescheduleBooking) {
		return
	}
	p, a, ok := u.actionForm(w, r, "Reschedule", bookings.ActionReschedule)
	if !ok {
		return
	}
	l := a.Booking.StartsAt.In(p.Me.TZ)
	f := views.BookingRescheduleForm{A: a, Date: l.Format(calDateLayout), Time: l.Format("15:04"), Dialog: dialog(w, r)}
	if err := u.fillReschedule(r.Context(), p, &f); err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderReschedule(w, r, p, http.StatusOK, f)
}

func (u *UI) fillReschedule(ctx context.Context, p views.Page, f *views.BookingRescheduleForm) error {
	settings, err := u.locationSettings(ctx, p)
	if err != nil {
		return err
	}
	b := f.A.Booking
	f.Step, f.Zone = calHoursOf(settings).slot*60, p.Me.TZ.String()
	f.Minutes = int(b.EndsAt.Sub(b.StartsAt) / time.Minute)
	if start, errs := localStart(f.Date, f.Time, p.Me.TZ); len(errs) == 0 {
		f.Ends = views.Clock(start.Add(b.EndsAt.Sub(b.StartsAt)), p.Me.TZ)
	}
	return nil
}

func (u *UI) renderReschedule(w http.ResponseWriter, r *http.Request, p views.Page, status int, f views.BookingRescheduleForm) {
	p.Title = "Reschedule: " + views.BookingPatient(f.A.Contact)
	if f.Dialog {
		renderStatus(w, r, status, views.RescheduleDialog(p, f))
		return
	}
	renderStatus(w, r, status, views.ReschedulePage(p, f))
}

// rescheduleBooking posts the reschedule form: rescheduleBooking. A clash
// is shown on the time, with a link to the other booking.
func (u *UI) rescheduleBooking(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpRescheduleBooking) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	p, err := u.page(ctx, r, "Reschedule", "bookings")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	id := idParam(r)
	f := views.BookingRescheduleForm{Date: trim(r.PostFormValue("date")), Time: trim(r.PostFormValue("time"))}
	start, errs := localStart(f.Date, f.Time, p.Me.TZ)
	status := http.StatusUnprocessableEntity
	if len(errs) == 0 {
		_, err := u.api.bookings.RescheduleBooking(ctx, id, start, nil)
		if err == nil {
			redirectDone(w, r, "/bookings/"+id.String(), "booking-rescheduled", nil, "")
			return
		}
		if transitionRefused(err) {
			u.showBooking(w, r, http.StatusUnprocessableEntity, sentence(apperr.From(err).Message))
			return
		}
		var ok bool
		// The form has only the new time: a clash of the staff member is
		// about it too.
		errs, f.Conflict, status, ok = bookingFormErrors(err, inputs{"startsAt": "time", "endsAt": "time", "staffID": "time"})
		if !ok {
			u.fail(w, r, err)
			return
		}
	}
	if f.A, err = u.appointment(ctx, id); err != nil {
		u.fail(w, r, err)
		return
	}
	f.Errors = errs
	if err := u.fillReschedule(ctx, p, &f); err != nil {
		u.fail(w, r, err)
		return
	}
	p.Error = "The booking was not moved: please check the form."
	u.renderReschedule(w, r, p, status, f)
}

// otherReason is the cancel form's choice for a reason typed in.
const otherReason = "other"

// cancelForm shows the form that cancels a booking: a reason from the
// location's list, or another one typed in.
func (u *UI) cancelForm(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCancelBooking) {
		return
	}
	p, a, ok := u.actionForm(w, r, "Cancel booking", bookings.ActionCancel)
	if !ok {
		return
	}
	u.renderCancel(w, r, p, http.StatusOK, views.BookingCancelForm{A: a, Dialog: dialog(w, r)})
}

func (u *UI) renderCancel(w http.ResponseWriter, r *http.Request, p views.Page, status int, f views.BookingCancelForm) {
	reasons, err := u.api.bookings.CancelReasons(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	for _, cr := range reasons {
		f.Reasons = append(f.Reasons, cr.Label)
	}
	p.Title = "Cancel: " + views.BookingPatient(f.A.Contact)
	if f.Dialog {
		renderStatus(w, r, status, views.CancelDialog(p, f))
		return
	}
	renderStatus(w, r, status, views.CancelPage(p, f))
}

// cancelBooking posts the cancel form: cancelBooking with the chosen
// reason, or the one typed in. A reason is required.
func (u *UI) cancelBooking(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCancelBooking) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	id := idParam(r)
	f := views.BookingCancelForm{Reason: trim(r.PostFormValue("reason")), Other: trim(r.PostFormValue("other"))}
	reason, field := f.Reason, "reason"
	if f.Reason == otherReason || (f.Reason == "" && f.Other != "") {
		reason, field = f.Other, "other"
	}
	errs := views.FieldErrors{}
	switch {
	case f.Reason == otherReason && f.Other == "":
		errs["other"] = "Describe the reason, or choose one from the list."
	case reason == "":
		errs["reason"] = "Choose a reason: a cancellation needs one."
	}
	status := http.StatusUnprocessableEntity
	if len(errs) == 0 {
		_, err := u.api.bookings.CancelBooking(ctx, id, reason)
		if err == nil {
			redirectDone(w, r, "/bookings/"+id.String(), "booking-cancelled", nil, "")
			return
		}
		if transitionRefused(err) {
			u.showBooking(w, r, http.StatusUnprocessableEntity, sentence(apperr.From(err).Message))
			return
		}
		var ok bool
		if errs, _, status, ok = bookingFormErrors(err, inputs{"reason": field}); !ok {
			u.fail(w, r, err)
			return
		}
	}
	p, err := u.page(ctx, r, "Cancel booking", "bookings")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if f.A, err = u.appointment(ctx, id); err != nil {
		u.fail(w, r, err)
		return
	}
	f.Errors = errs
	p.Error = "The booking was not cancelled: please check the form."
	u.renderCancel(w, r, p, status, f)
}

// completeBooking records that the patient attended, after asking:
// completeBooking.
func (u *UI) completeBooking(w http.ResponseWriter, r *http.Request) {
	u.outcome(w, r, graph.OpCompleteBooking, bookings.ActionComplete, views.BookingOutcomeForm{
		Action: "complete", Title: "Mark as attended?", Button: "Mark as attended",
		Message: "The booking becomes completed, for good: it cannot be undone. When the service has a recall, a recall task is created.",
	}, "booking-completed", func(ctx context.Context, id pulid.ID) error {
		_, err := u.api.bookings.CompleteBooking(ctx, id)
		return err
	})
}

// markNoShow records that the patient did not attend, after asking:
// markNoShow, which creates the follow-up call the booking page then
// lists.
func (u *UI) markNoShow(w http.ResponseWriter, r *http.Request) {
	u.outcome(w, r, graph.OpMarkNoShow, bookings.ActionNoShow, views.BookingOutcomeForm{
		Action: "no-show", Title: "Mark as a no-show?", Button: "Mark as a no-show",
		Message: "The booking becomes a no-show, for good: it cannot be undone. A follow-up call is created for the next business morning.",
	}, "booking-no-show", func(ctx context.Context, id pulid.ID) error {
		_, err := u.api.bookings.MarkNoShow(ctx, id)
		return err
	})
}

// outcome asks before an outcome that cannot be undone (a GET, or a POST
// without confirm=yes shows the question) and then records it.
func (u *UI) outcome(w http.ResponseWriter, r *http.Request, op graph.Op, act bookings.Action, f views.BookingOutcomeForm, done string, fn func(ctx context.Context, id pulid.ID) error) {
	if !u.may(w, r, op) {
		return
	}
	if r.Method == http.MethodPost && !u.parseForm(w, r) {
		return
	}
	if confirmed(r) {
		u.bookingAction(w, r, done, fn)
		return
	}
	p, a, ok := u.actionForm(w, r, f.Title, act)
	if !ok {
		return
	}
	f.A = a
	if b := a.Booking; !bookings.Started(b, u.opts.Now.Now()) {
		u.showBooking(w, r, http.StatusUnprocessableEntity,
			fmt.Sprintf("The appointment at %s has not started yet: its outcome can be recorded once it has.", views.DayTime(b.StartsAt, p.Me.TZ)))
		return
	}
	f.Dialog = dialog(w, r)
	if f.Dialog {
		render(w, r, views.OutcomeDialog(p, f))
		return
	}
	render(w, r, views.OutcomePage(p, f))
}
