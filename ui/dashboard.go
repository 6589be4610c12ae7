package ui

import (
	"net/http"

	"entgo.io/contrib/entgql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// dashboard shows today at the active location: appointments (in the
// location's time zone), urgent tasks, hot leads and the latest touchpoints.
func (u *UI) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := u.page(ctx, r, "Dashboard", "dashboard")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	now := u.opts.Now.Now()
	start, end := dayBounds(now, p.Me.TZ)
	d := views.Dashboard{Now: now, Today: start}
	q := u.api.dash

	// Nothing here shows a total: a List without Total skips the counts,
	// and With loads services and users in one query instead of one a row. Contacts stay
	// one lookup by id a row: loaded together (id IN (…) with the
	// location's filter) SQLite, which has no statistics here, reads the
	// location's contacts through the location index (40 ms at 100,000).
	bk, err := q.Bookings(ctx, nil, ptr(100), nil, nil,
		&ent.BookingOrder{Direction: entgql.OrderDirectionAsc, Field: ent.BookingOrderFieldStartsAt},
		&ent.BookingWhereInput{StartsAtGTE: &start, StartsAtLT: &end, StatusNEQ: ptr(booking.StatusCancelled)},
		graph.List{With: []string{"service", "staff"}})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if d.Appointments, err = appointments(ctx, bookingNodes(bk)); err != nil {
		u.fail(w, r, err)
		return
	}

	tk, err := q.Tasks(ctx, nil, ptr(10), nil, nil,
		&ent.TaskOrder{Direction: entgql.OrderDirectionAsc, Field: ent.TaskOrderFieldDueAt},
		&ent.TaskWhereInput{Priority: ptr(task.PriorityUrgent), StatusIn: []task.Status{task.StatusPending, task.StatusInProgress}},
		graph.List{With: []string{"assignee"}})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if d.UrgentTasks, err = taskRows(ctx, taskNodes(tk)); err != nil {
		u.fail(w, r, err)
		return
	}

	hot, err := q.Contacts(ctx, nil, ptr(10), nil, nil,
		&ent.ContactOrder{Direction: entgql.OrderDirectionDesc, Field: ent.ContactOrderFieldWarmness},
		&ent.ContactWhereInput{WarmnessGT: ptr(80)}, graph.List{})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	for _, e := range hot.Edges {
		d.HotContacts = append(d.HotContacts, e.Node)
	}

	tp, err := q.Touchpoints(ctx, nil, ptr(10), nil, nil,
		&ent.TouchpointOrder{Direction: entgql.OrderDirectionDesc, Field: ent.TouchpointOrderFieldOccurredAt}, nil, graph.List{})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	for _, e := range tp.Edges {
		c, err := e.Node.Contact(ctx)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		d.Recent = append(d.Recent, views.TouchRow{Touchpoint: e.Node, Contact: c})
	}
	render(w, r, views.DashboardPage(p, d))
}
