package ui

import (
	"net/http"
	"net/url"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// bookings lists one day's bookings, the day read in the location's zone.
func (u *UI) bookings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := u.page(ctx, r, "Bookings", "bookings")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	qs := r.URL.Query()
	day := u.opts.Now()
	if s := qs.Get("date"); s != "" {
		t, err := time.ParseInLocation("2006-01-02", s, p.Me.TZ)
		if err != nil {
			u.fail(w, r, apperr.Invalidf("date", "date must look like 2026-12-01"))
			return
		}
		day = t
	}
	start, end := dayBounds(day, p.Me.TZ)
	d := views.BookingList{Day: start, Status: qs.Get("status"), Statuses: options(schema.BookingStatuses)}
	dayLink := func(t time.Time) string {
		v := url.Values{"date": {t.Format("2006-01-02")}}
		if d.Status != "" {
			v.Set("status", d.Status)
		}
		return "/bookings?" + v.Encode()
	}
	d.PrevDay, d.NextDay = dayLink(start.AddDate(0, 0, -1)), dayLink(end)
	where := &ent.BookingWhereInput{StartsAtGTE: &start, StartsAtLT: &end}
	if d.Status != "" {
		st := booking.Status(d.Status)
		if booking.StatusValidator(st) != nil {
			u.fail(w, r, apperr.Invalidf("status", "unknown status %q", d.Status))
			return
		}
		where.Status = &st
	}
	conn, err := u.r.Query().Bookings(ctx, nil, ptr(200), nil, nil,
		&ent.BookingOrder{Direction: entgql.OrderDirectionAsc, Field: ent.BookingOrderFieldStartsAt}, where)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if d.Appointments, err = appointments(ctx, bookingNodes(conn)); err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.BookingsPage(p, d))
}
