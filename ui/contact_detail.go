package ui

import (
	"context"
	"net/http"
	"strings"

	"entgo.io/contrib/entgql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// contactTimelineLength is how many timeline items a contact's page shows.
const contactTimelineLength = 100

// contact shows one contact: details, warmness and why, possible
// duplicates, bookings, tasks, the timeline, and the actions the viewer
// may take.
func (u *UI) contact(w http.ResponseWriter, r *http.Request) {
	u.showContact(w, r, http.StatusOK, nil)
}

// loadContact reads a contact of the active location, archived ones too,
// through node(id:).
func (u *UI) loadContact(ctx context.Context, id pulid.ID) (*ent.Contact, error) {
	n, err := u.api.contacts.Node(ctx, id)
	if err != nil {
		return nil, err
	}
	c, ok := n.(*ent.Contact)
	if !ok {
		return nil, apperr.NotFoundf("id", "not found")
	}
	return c, nil
}

// showContact renders the contact page with status; edit, when not nil,
// puts a refused action's form or message on it.
func (u *UI) showContact(w http.ResponseWriter, r *http.Request, status int, edit func(*views.ContactDetail)) {
	ctx := r.Context()
	p, err := u.page(ctx, r, "Contact", "contacts")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	c, err := u.loadContact(ctx, idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p.Title = contactName(c)
	d, err := u.contactDetail(ctx, p, c)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if d.SMS, err = u.smsThread(ctx, r, c); err != nil {
		u.fail(w, r, err)
		return
	}
	if edit != nil {
		edit(&d)
		if d.Error != "" {
			p.Error = d.Error
		}
	}
	renderStatus(w, r, status, views.ContactPage(p, d))
}

// contactDetail gathers what the contact page shows.
func (u *UI) contactDetail(ctx context.Context, p views.Page, c *ent.Contact) (views.ContactDetail, error) {
	q := u.api.contacts
	d := views.ContactDetail{Contact: c, Now: u.opts.Now.Now(), StageForm: views.StageForm{Errors: views.FieldErrors{}},
		CanPurge: contacts.MayPurge(ctx) == nil, Log: u.logForm(p), CanLog: c.ArchivedAt == nil && u.allowed(ctx, graph.OpLogTouchpoint)}
	var err error
	if c.AssignedToID != nil {
		if d.Assignee, err = c.AssignedTo(ctx); err != nil && !ent.IsNotFound(err) {
			return d, err
		}
	}
	if c.InterestedServiceID != nil {
		n, err := q.Node(ctx, *c.InterestedServiceID)
		if err != nil && apperr.CodeOf(err) != apperr.NotFound && !ent.IsNotFound(err) {
			return d, err
		}
		d.InterestedService, _ = n.(*ent.Service)
	}
	if c.MergedIntoID != nil {
		if d.MergedInto, err = u.contactByID(ctx, *c.MergedIntoID); err != nil && apperr.CodeOf(err) != apperr.NotFound {
			return d, err
		}
	}
	for _, s := range pipeline.Targets(c.Stage) {
		d.StageTargets = append(d.StageTargets, views.Option{Value: string(s), Label: pipeline.Label(s)})
	}
	if u.allowed(ctx, graph.OpBookings) {
		bk, err := q.Bookings(ctx, nil, ptr(50), nil, nil,
			&ent.BookingOrder{Direction: entgql.OrderDirectionDesc, Field: ent.BookingOrderFieldStartsAt},
			&ent.BookingWhereInput{ContactID: &c.ID})
		if err != nil {
			return d, err
		}
		if d.Bookings, err = appointments(ctx, bookingNodes(bk)); err != nil {
			return d, err
		}
	}
	if u.allowed(ctx, graph.OpTasks) {
		tk, err := q.Tasks(ctx, nil, ptr(50), nil, nil,
			&ent.TaskOrder{Direction: entgql.OrderDirectionDesc, Field: ent.TaskOrderFieldCreatedAt},
			&ent.TaskWhereInput{ContactID: &c.ID})
		if err != nil {
			return d, err
		}
		if d.Tasks, err = taskRows(ctx, taskNodes(tk)); err != nil {
			return d, err
		}
	}
	items, err := q.ContactTimeline(ctx, c.ID, ptr(contactTimelineLength))
	if err != nil {
		return d, err
	}
	for _, it := range items {
		row := views.TimelineRow{At: it.At, Kind: it.Kind, Summary: it.Summary}
		// The record's prefix says what it is (a touchpoint about a
		// booking is still a touchpoint).
		switch ref := it.Ref.String(); {
		case strings.HasPrefix(ref, pulid.Booking+"_"):
			row.Href = "/bookings/" + ref
		case strings.HasPrefix(ref, pulid.Task+"_"):
			row.Href = "/tasks/" + ref
		}
		d.Timeline = append(d.Timeline, row)
	}
	if c.ArchivedAt == nil {
		dups, err := q.FindDuplicates(ctx, c.ID)
		if err != nil {
			return d, err
		}
		for _, dup := range dups {
			d.Duplicates = append(d.Duplicates, views.DuplicateRow{Contact: dup.Contact, MatchedOn: dup.MatchedOn})
		}
	}
	return d, nil
}
