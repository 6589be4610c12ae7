package ui

// The contacts list (/contacts): search as you type, filters, sort, pages,
// and the bulk bar. The other contact pages are in contact_*.go: the
// contact's page (contact_detail.go), the new and edit forms
// (contact_form.go), actions (contact_actions.go), the CSV export
// (contact_export.go), merging (contact_merge.go) and the CSV import
// (contact_import.go). They follow the admin area's conventions (admin.go).

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
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

// contactRoutes mounts the contacts pages; the caller has required a
// viewer. Fixed paths (new, import, export.csv) are matched before {id}.
func (u *UI) contactRoutes(r chi.Router) {
	r.Get("/contacts", u.contacts)
	r.Post("/contacts/bulk", u.bulkContacts)
	r.Get("/contacts/export.csv", u.exportContacts)
	r.Get("/contacts/new", u.newContact)
	r.Post("/contacts/new", u.createContact)
	r.Get("/contacts/import", u.importForm)
	r.Post("/contacts/import", u.importPreview)
	r.Post("/contacts/import/start", u.startImport)
	r.Get("/contacts/import/{id}", u.importJob)
	r.Get("/contacts/{id}", u.contact)
	r.Get("/contacts/{id}/edit", u.editContact)
	r.Post("/contacts/{id}/edit", u.updateContact)
	r.Post("/contacts/{id}/stage", u.moveStage)
	r.Post("/contacts/{id}/touchpoints", u.logTouchpoint)
	r.Post("/contacts/{id}/archive", u.archiveContact)
	r.Post("/contacts/{id}/restore", u.restoreContact)
	r.Post("/contacts/{id}/warmness", u.recalculateWarmness)
	r.Get("/contacts/{id}/purge", u.purgeContact)
	r.Post("/contacts/{id}/purge", u.purgeContact)
	r.Get("/contacts/{id}/merge", u.mergeContacts)
	r.Post("/contacts/{id}/merge", u.mergeContacts)
}

// contactWhere reads the list's pipeline and stage filters, refusing
// values that are not on the lists (INVALID).
func contactWhere(pipelineValue, stageValue string) (*ent.ContactWhereInput, error) {
	where := &ent.ContactWhereInput{}
	if pipelineValue != "" {
		pl := contact.Pipeline(pipelineValue)
		if contact.PipelineValidator(pl) != nil {
			return nil, apperr.Invalidf("pipeline", "unknown pipeline %q", pipelineValue)
		}
		where.Pipeline = &pl
	}
	if stageValue != "" {
		st := contact.Stage(stageValue)
		if contact.StageValidator(st) != nil {
			return nil, apperr.Invalidf("stage", "unknown stage %q", stageValue)
		}
		where.Stage = &st
	}
	return where, nil
}

// contacts lists contacts. An htmx request gets only the results, so typing
// in the search box updates the list without a reload.
func (u *UI) contacts(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := u.page(ctx, r, "Contacts", "contacts")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d, err := u.contactList(ctx, p, r.URL.Query())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderContacts(w, r, p, d)
}

// contactList builds the list for the query string qs: a search (the best
// matches, on one page) or a page of the filtered, sorted list.
func (u *UI) contactList(ctx context.Context, p views.Page, qs url.Values) (views.ContactList, error) {
	d := views.ContactList{
		Q: trim(qs.Get("q")), Pipeline: qs.Get("pipeline"), Stage: qs.Get("stage"), Sort: qs.Get("sort"),
		Pipelines: options(schema.Pipelines), Stages: options(schema.Stages), Sorts: contactSorts,
		Now: u.opts.Now.Now(),
	}
	if d.Sort == "" {
		d.Sort = "warmness"
	}
	where, err := contactWhere(d.Pipeline, d.Stage)
	if err != nil {
		return d, err
	}
	if err := u.contactBulk(ctx, p, qs, &d); err != nil {
		return d, err
	}
	if d.Q != "" {
		// A search: the best matches by score (typos allowed), within
		// the pipeline and stage filters.
		rs, err := u.api.contacts.SearchContacts(ctx, d.Q, ptr(searchResultsMax), nil, where)
		if err != nil {
			return d, err
		}
		d.Total = len(rs)
		for _, res := range rs {
			row, err := contactRow(ctx, res.Contact)
			if err != nil {
				return d, err
			}
			d.Rows = append(d.Rows, row)
		}
		return d, nil
	}
	after, before := parseCursor(qs.Get("after")), parseCursor(qs.Get("before"))
	var first, last *int
	switch {
	case before != nil:
		last = ptr(contactsPerPage)
		d.Cursor, d.CursorKey = qs.Get("before"), "before"
	case after != nil:
		first = ptr(contactsPerPage)
		d.Cursor, d.CursorKey = qs.Get("after"), "after"
	default:
		first = ptr(contactsPerPage)
	}
	// The assignees of the page's rows in one query, not one a row; the
	// total apart, counted or kept (ContactCount): counting 100,000
	// contacts was most of the page's work.
	conn, err := u.api.contacts.Contacts(ctx, after, first, before, last, contactOrder(d.Sort), where,
		graph.List{With: []string{"assignedTo"}})
	if err != nil {
		return d, err
	}
	total, err := u.api.contacts.ContactCount(ctx, where)
	if err != nil {
		return d, err
	}
	d.Total = total.N
	if total.Kept {
		d.CountedAgo = countedAgo(d.Now.Sub(total.At))
	}
	for _, e := range conn.Edges {
		row, err := contactRow(ctx, e.Node)
		if err != nil {
			return d, err
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
	return d, nil
}

// countedAgo says how long ago a kept total was counted.
func countedAgo(age time.Duration) string {
	if age < time.Second {
		return "counted just now"
	}
	if age < time.Minute {
		return fmt.Sprintf("counted %d s ago", int(age/time.Second))
	}
	return fmt.Sprintf("counted %d min ago", int(age/time.Minute))
}

// contactRow resolves the assignee of a list row.
func contactRow(ctx context.Context, c *ent.Contact) (views.ContactRow, error) {
	row := views.ContactRow{Contact: c}
	if c.AssignedToID != nil {
		var err error
		if row.Assignee, err = c.AssignedTo(ctx); err != nil && !ent.IsNotFound(err) {
			return row, err
		}
	}
	return row, nil
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
