package ui

// What staff do to contacts from the list and the contact page: bulk
// changes, stage moves, archive and restore, and permanent deletion. Like
// the other areas, each POST runs its operation (which checks the schema's
// permission and runs in one transaction) and answers 303 with a ?done=
// flash, or the page again with the message (422, or 409 for a conflict).

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

var contactStages = enums[contact.Stage](schema.Stages)

// bulkErrorsShown is how many of a bulk change's failures the message
// names; the rest are counted.
const bulkErrorsShown = 10

// contactBulk fills the list's bulk bar for the viewer. qs is the list's
// query string: the bulk form returns to it.
func (u *UI) contactBulk(ctx context.Context, p views.Page, qs url.Values, d *views.ContactList) error {
	b := views.ContactBulk{CanUpdate: u.allowed(ctx, graph.OpBulkUpdateContacts), SelectAll: qs.Get("select") == "all"}
	v := url.Values{}
	for _, k := range []string{"q", "pipeline", "stage", "sort", "after", "before"} {
		if qs.Get(k) != "" {
			v.Set(k, qs.Get(k))
		}
	}
	b.Next = "/contacts"
	if len(v) > 0 {
		b.Next += "?" + v.Encode()
	}
	if b.CanUpdate {
		ppl, err := u.people(ctx)
		if err != nil {
			return err
		}
		b.Assignees = ppl.Options
		b.Stages = options(contactStages)
	}
	d.Bulk = b
	return nil
}

// contactsNext reads the list a bulk form returns to: the contacts list
// with its query, nothing else.
func contactsNext(next string) url.Values {
	nu, err := url.Parse(next)
	if err != nil || nu.Path != "/contacts" || nu.Host != "" || nu.Scheme != "" {
		return url.Values{}
	}
	q := nu.Query()
	q.Del("done")
	q.Del("select")
	return q
}

// splitTags reads tags typed as "mri, follow-up".
func splitTags(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// bulkContacts applies the bulk bar's change to the ticked contacts
// (bulkUpdateContacts) and shows the list again with what happened: how
// many were updated, and each one that could not be changed and why. It
// answers with the page rather than a redirect, because those reasons are
// not one of the fixed flash messages.
func (u *UI) bulkContacts(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpBulkUpdateContacts) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	qs := contactsNext(r.PostFormValue("next"))
	var ids []pulid.ID
	for _, id := range r.PostForm["ids"] {
		if id = trim(id); id != "" {
			ids = append(ids, pulid.ID(id))
		}
	}
	in := graph.BulkUpdateContactsInput{
		AddTags: splitTags(r.PostFormValue("add_tag")), RemoveTags: splitTags(r.PostFormValue("remove_tag")),
	}
	if a := trim(r.PostFormValue("assign_to")); a != "" {
		in.AssignTo = ptr(pulid.ID(a))
	}
	var problem string
	if st := r.PostFormValue("stage"); st != "" {
		if s, err := enumValue("stage", st, contactStages); err != nil {
			problem = "Choose one of the listed stages."
		} else {
			in.Stage = &s
		}
	}
	switch {
	case problem != "":
	case len(ids) == 0:
		problem = "Tick at least one contact first."
	case in.AssignTo == nil && in.Stage == nil && len(in.AddTags) == 0 && len(in.RemoveTags) == 0:
		problem = "Choose what to change: assign to someone, add or remove a tag, or move to a stage."
	}
	var res *contacts.BulkResult
	if problem == "" {
		var err error
		res, err = u.api.contacts.BulkUpdateContacts(ctx, ids, in)
		if err != nil {
			ae := apperr.From(err)
			switch {
			case ae.Code == apperr.Invalid, ae.Code == apperr.NotFound && ae.Field == "assignTo":
				problem = "Nothing was changed: " + sentence(ae.Message)
				if ae.Field == "assignTo" {
					problem = "Nothing was changed: that person is not a member of this location."
				}
			default:
				u.fail(w, r, err)
				return
			}
		}
	}
	p, err := u.page(ctx, r, "Contacts", "contacts")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d, err := u.contactList(ctx, p, qs)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p.Path = d.Bulk.Next
	status := http.StatusOK
	d.Bulk.Selected = map[string]bool{}
	switch {
	case problem != "":
		status = http.StatusUnprocessableEntity
		p.Error = problem
		for _, id := range ids {
			d.Bulk.Selected[id.String()] = true
		}
	case res.Failed == 0:
		p.Flash = fmt.Sprintf("Updated %s.", plural(res.Updated, "contact", "contacts"))
	default:
		msg, err := u.bulkMessage(ctx, res)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		p.Error = msg
		// The ones that failed stay ticked, to try again.
		for _, e := range res.Errors {
			d.Bulk.Selected[e.ID.String()] = true
		}
	}
	renderStatus(w, r, status, views.ContactsPage(p, d))
}

// bulkMessage says what a bulk change with failures did, naming each
// contact that was not changed and why.
func (u *UI) bulkMessage(ctx context.Context, res *contacts.BulkResult) (string, error) {
	ids := make([]pulid.ID, 0, len(res.Errors))
	for _, e := range res.Errors {
		ids = append(ids, e.ID)
	}
	names := map[pulid.ID]string{}
	conn, err := u.api.contacts.Contacts(ctx, nil, ptr(len(ids)), nil, nil, nil, &ent.ContactWhereInput{
		IDIn: ids, Or: []*ent.ContactWhereInput{{ArchivedAtIsNil: true}, {ArchivedAtNotNil: true}},
	})
	if err != nil {
		return "", err
	}
	for _, e := range conn.Edges {
		names[e.Node.ID] = contactName(e.Node)
	}
	var reasons []string
	for i, e := range res.Errors {
		if i == bulkErrorsShown {
			reasons = append(reasons, fmt.Sprintf("and %d more", len(res.Errors)-i))
			break
		}
		name, ok := names[e.ID]
		if !ok {
			name = e.ID.String()
		}
		msg := strings.TrimSuffix(strings.TrimSpace(e.Message), ".")
		switch {
		case e.Code == string(apperr.NotFound):
			msg = "not found at this location"
		case strings.Contains(msg, "is archived"):
			msg = "archived"
		}
		reasons = append(reasons, name+": "+msg)
	}
	return fmt.Sprintf("Updated %s; %d could not be changed: %s.",
		plural(res.Updated, "contact", "contacts"), res.Failed, strings.Join(reasons, "; ")), nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// moveStage moves the contact to a stage the pipeline allows (moveStage),
// with an optional reason. A move the pipeline refuses shows the contact
// page with the message next to the stage.
func (u *UI) moveStage(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpMoveStage) || !u.parseForm(w, r) {
		return
	}
	id := idParam(r)
	f := views.StageForm{Stage: r.PostFormValue("stage"), Reason: trim(r.PostFormValue("reason")), Errors: views.FieldErrors{}}
	status := http.StatusUnprocessableEntity
	st, err := enumValue("stage", f.Stage, contactStages)
	if err != nil {
		f.Errors["stage"] = "Choose the stage to move to."
	} else {
		var reason *string
		if f.Reason != "" {
			reason = &f.Reason
		}
		_, err := u.api.contacts.MoveStage(r.Context(), id, st, reason)
		if err == nil {
			redirectDone(w, r, "/contacts/"+id.String(), "contact-stage", nil, "")
			return
		}
		var ok bool
		if f.Errors, status, ok = formErrors(err, named("stage", "reason"), ""); !ok {
			u.fail(w, r, err)
			return
		}
	}
	u.showContact(w, r, status, func(d *views.ContactDetail) {
		d.StageForm = f
		d.Error = "The stage was not changed: the reason is next to the stage under Manage."
	})
}

// contactAction runs op, a change of the contact in the path (archive,
// restore), and redirects to its page with the flash; a refused change
// shows the page with the reason.
func (u *UI) contactAction(w http.ResponseWriter, r *http.Request, op graph.Op, flash string, fn func(ctx context.Context, id pulid.ID) error) {
	if !u.may(w, r, op) || !u.parseForm(w, r) {
		return
	}
	id := idParam(r)
	if err := fn(r.Context(), id); err != nil {
		ae := apperr.From(err)
		if ae.Code != apperr.Invalid && ae.Code != apperr.Conflict {
			u.fail(w, r, err)
			return
		}
		msg := sentence(ae.Message)
		if _, merged := ae.Details["mergedInto"]; merged {
			msg = "This contact was merged into another and cannot be restored: open that one instead."
		}
		u.showContact(w, r, Status(ae.Code), func(d *views.ContactDetail) { d.Error = msg })
		return
	}
	redirectDone(w, r, "/contacts/"+id.String(), flash, nil, "")
}

// archiveContact archives the contact (deleteContact): it leaves lists and
// searches and keeps its history; Restore brings it back.
func (u *UI) archiveContact(w http.ResponseWriter, r *http.Request) {
	u.contactAction(w, r, graph.OpDeleteContact, "contact-archived", func(ctx context.Context, id pulid.ID) error {
		_, err := u.api.contacts.DeleteContact(ctx, id)
		return err
	})
}

// restoreContact brings an archived contact back (restoreContact).
func (u *UI) restoreContact(w http.ResponseWriter, r *http.Request) {
	u.contactAction(w, r, graph.OpRestoreContact, "contact-restored", func(ctx context.Context, id pulid.ID) error {
		_, err := u.api.contacts.RestoreContact(ctx, id)
		return err
	})
}

// recalculateWarmness rescores the contact now (recalculateWarmness):
// the built-in engine at once, a remote model's refinement after.
func (u *UI) recalculateWarmness(w http.ResponseWriter, r *http.Request) {
	u.contactAction(w, r, graph.OpRecalculateWarmness, "warmness-recalculated", func(ctx context.Context, id pulid.ID) error {
		_, err := u.api.contacts.RecalculateWarmness(ctx, id)
		return err
	})
}

// purgeContact deletes a contact for good (purgeContact), administrators
// only, after a confirmation page.
func (u *UI) purgeContact(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpPurgeContact) {
		return
	}
	ctx := r.Context()
	if err := contacts.MayPurge(ctx); err != nil {
		u.fail(w, r, err)
		return
	}
	if r.Method == http.MethodPost && !u.parseForm(w, r) {
		return
	}
	id := idParam(r)
	if confirmed(r) {
		_, err := u.api.contacts.PurgeContact(ctx, id)
		u.finish(w, r, err, done{Path: "/contacts", Key: "contact-purged"}, nil, "", nil)
		return
	}
	c, err := u.loadContact(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p, err := u.page(ctx, r, "Delete permanently", "contacts")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	cf := views.Confirm{
		Title: "Delete " + contactName(c) + " permanently?",
		Message: "The contact is deleted for good, with every touchpoint, booking and task of theirs. " +
			"This cannot be undone; the audit trail keeps a record of what was deleted. To hide the contact but keep the history, archive it instead.",
		Action: r.URL.Path, Button: "Delete permanently", Cancel: "/contacts/" + id.String(),
	}
	p.Title = cf.Title
	render(w, r, views.ConfirmPage(p, cf))
}
