package ui

import (
	"net/http"
	"net/url"

	"entgo.io/contrib/entgql"
	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/search"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

const contactsPerPage = 25

var contactSorts = []views.Option{
	{Value: "warmness", Label: "Warmness (hottest first)"},
	{Value: "name", Label: "Name (A–Z)"},
	{Value: "newest", Label: "Newest first"},
	{Value: "updated", Label: "Recently updated"},
}

func contactOrder(sort string) *ent.ContactOrder {
	switch sort {
	case "name":
		return &ent.ContactOrder{Direction: entgql.OrderDirectionAsc, Field: ent.ContactOrderFieldLastName}
	case "newest":
		return &ent.ContactOrder{Direction: entgql.OrderDirectionDesc, Field: ent.ContactOrderFieldCreatedAt}
	case "updated":
		return &ent.ContactOrder{Direction: entgql.OrderDirectionDesc, Field: ent.ContactOrderFieldUpdatedAt}
	}
	return &ent.ContactOrder{Direction: entgql.OrderDirectionDesc, Field: ent.ContactOrderFieldWarmness}
}

// searchResultsMax is how many contacts a search shows: the best matches,
// on one page, in score order (the sort and the pager apply to the plain
// list only).
const searchResultsMax = 50

// contacts lists contacts. An htmx request gets only the results, so typing
// in the search box updates the list without a reload.
func (u *UI) contacts(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := u.page(ctx, r, "Contacts", "contacts")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	qs := r.URL.Query()
	d := views.ContactList{
		Q: trim(qs.Get("q")), Pipeline: qs.Get("pipeline"), Stage: qs.Get("stage"), Sort: qs.Get("sort"),
		Pipelines: options(schema.Pipelines), Stages: options(schema.Stages), Sorts: contactSorts,
		Now: u.opts.Now(),
	}
	if d.Sort == "" {
		d.Sort = "warmness"
	}
	where := &ent.ContactWhereInput{}
	if d.Pipeline != "" {
		pl := contact.Pipeline(d.Pipeline)
		if contact.PipelineValidator(pl) != nil {
			u.fail(w, r, apperr.Invalidf("pipeline", "unknown pipeline %q", d.Pipeline))
			return
		}
		where.Pipeline = &pl
	}
	if d.Stage != "" {
		st := contact.Stage(d.Stage)
		if contact.StageValidator(st) != nil {
			u.fail(w, r, apperr.Invalidf("stage", "unknown stage %q", d.Stage))
			return
		}
		where.Stage = &st
	}
	if d.Q != "" {
		// A search: the best matches by score (typos allowed), within
		// the pipeline and stage filters.
		rs, err := u.r.ContactSearch().Search(ctx, d.Q, search.Options{Limit: searchResultsMax, Filter: where})
		if err != nil {
			u.fail(w, r, err)
			return
		}
		d.Total = len(rs)
		for _, res := range rs {
			row := views.ContactRow{Contact: res.Contact}
			if res.Contact.AssignedToID != nil {
				if row.Assignee, err = res.Contact.AssignedTo(ctx); err != nil && !ent.IsNotFound(err) {
					u.fail(w, r, err)
					return
				}
			}
			d.Rows = append(d.Rows, row)
		}
		u.renderContacts(w, r, p, d)
		return
	}
	after, before := parseCursor(qs.Get("after")), parseCursor(qs.Get("before"))
	var first, last *int
	if before != nil {
		last = ptr(contactsPerPage)
	} else {
		first = ptr(contactsPerPage)
	}
	conn, err := u.r.Query().Contacts(ctx, after, first, before, last, contactOrder(d.Sort), where)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d.Total = conn.TotalCount
	for _, e := range conn.Edges {
		row := views.ContactRow{Contact: e.Node}
		if e.Node.AssignedToID != nil {
			if row.Assignee, err = e.Node.AssignedTo(ctx); err != nil && !ent.IsNotFound(err) {
				u.fail(w, r, err)
				return
			}
		}
		d.Rows = append(d.Rows, row)
	}
	link := func(key, cur string) string {
		v := url.Values{}
		for _, k := range []string{"q", "pipeline", "stage", "sort"} {
			if qs.Get(k) != "" {
				v.Set(k, qs.Get(k))
			}
		}
		v.Set(key, cur)
		return "/contacts?" + v.Encode()
	}
	pi := conn.PageInfo
	if pi.HasNextPage || (before != nil && pi.EndCursor != nil) {
		d.Next = link("after", cursorString(pi.EndCursor))
	}
	if pi.HasPreviousPage || (after != nil && pi.StartCursor != nil) {
		d.Prev = link("before", cursorString(pi.StartCursor))
	}
	u.renderContacts(w, r, p, d)
}

// renderContacts answers an htmx request with only the results, so typing
// in the search box updates the list without a reload.
func (u *UI) renderContacts(w http.ResponseWriter, r *http.Request, p views.Page, d views.ContactList) {
	if r.Header.Get("HX-Request") != "" && r.Header.Get("HX-Target") == "contact-results" {
		render(w, r, views.ContactResults(p, d))
		return
	}
	render(w, r, views.ContactsPage(p, d))
}

// contact shows one contact: details, warmness, bookings, tasks, timeline.
func (u *UI) contact(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := pulid.ID(chi.URLParam(r, "id"))
	p, err := u.page(ctx, r, "Contact", "contacts")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	q := u.r.Query()
	n, err := q.Node(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	c, ok := n.(*ent.Contact)
	if !ok {
		u.fail(w, r, apperr.NotFoundf("id", "not found"))
		return
	}
	p.Title = c.FirstName + " " + c.LastName
	d := views.ContactDetail{Contact: c, Now: u.opts.Now()}
	if c.AssignedToID != nil {
		if d.Assignee, err = c.AssignedTo(ctx); err != nil && !ent.IsNotFound(err) {
			u.fail(w, r, err)
			return
		}
	}
	bk, err := q.Bookings(ctx, nil, ptr(50), nil, nil,
		&ent.BookingOrder{Direction: entgql.OrderDirectionDesc, Field: ent.BookingOrderFieldStartsAt},
		&ent.BookingWhereInput{ContactID: &c.ID})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if d.Bookings, err = appointments(ctx, bookingNodes(bk)); err != nil {
		u.fail(w, r, err)
		return
	}
	tk, err := q.Tasks(ctx, nil, ptr(50), nil, nil,
		&ent.TaskOrder{Direction: entgql.OrderDirectionDesc, Field: ent.TaskOrderFieldCreatedAt},
		&ent.TaskWhereInput{ContactID: &c.ID})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if d.Tasks, err = taskRows(ctx, taskNodes(tk)); err != nil {
		u.fail(w, r, err)
		return
	}
	tp, err := q.Touchpoints(ctx, nil, ptr(100), nil, nil,
		&ent.TouchpointOrder{Direction: entgql.OrderDirectionDesc, Field: ent.TouchpointOrderFieldOccurredAt},
		&ent.TouchpointWhereInput{ContactID: &c.ID})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	for _, e := range tp.Edges {
		d.Timeline = append(d.Timeline, e.Node)
	}
	render(w, r, views.ContactPage(p, d))
}
