package ui

// Merging duplicates: /contacts/{id}/merge. Step one (a GET form) offers
// the contact, its possible duplicates (findDuplicates) and any contact
// found by name; the person ticks the ones to merge and chooses the one to
// keep. Step two (?step=review, still a GET) summarises what moves. Its
// form posts with confirm=yes: mergeContacts, then the survivor's page.
// All of it works without JavaScript.

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// mergeSearchMax is how many contacts a search on the merge page offers.
const mergeSearchMax = 10

// mergeContacts serves both steps of a merge and the merge itself.
func (u *UI) mergeContacts(w http.ResponseWriter, r *http.Request) {
	// A merge changes the survivor as well as archiving the duplicates:
	// the service asks for both, and so does the page.
	if !u.may(w, r, graph.OpMergeContacts) || !u.may(w, r, graph.OpUpdateContact) {
		return
	}
	if r.Method == http.MethodPost && !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	id := idParam(r)
	base, err := u.loadContact(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	vals := r.URL.Query()
	if r.Method == http.MethodPost {
		vals = r.PostForm
	}
	with := map[pulid.ID]bool{}
	var order []pulid.ID // the ticked contacts, in the order offered
	for _, x := range vals["with"] {
		if x != "" && pulid.ID(x) != id && !with[pulid.ID(x)] {
			with[pulid.ID(x)] = true
			order = append(order, pulid.ID(x))
		}
	}
	survivor := pulid.ID(vals.Get("survivor"))
	if survivor == "" {
		survivor = id
	}
	d := views.MergePage{ID: id.String(), Q: trim(vals.Get("q")), Errors: views.FieldErrors{}}
	p, err := u.page(ctx, r, "Merge "+contactName(base), "contacts")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if confirmed(r) {
		dups := mergeDuplicates(id, order, survivor)
		var kept *ent.Contact
		kept, err := u.api.contacts.MergeContacts(ctx, survivor, dups)
		if err == nil {
			redirectDone(w, r, "/contacts/"+kept.ID.String(), "contacts-merged", nil, "")
			return
		}
		ae := apperr.From(err)
		if ae.Code != apperr.Invalid && ae.Code != apperr.NotFound && ae.Code != apperr.Conflict {
			u.fail(w, r, err)
			return
		}
		d.Errors[""] = "Nothing was merged: " + sentence(ae.Message)
		status = Status(ae.Code)
		if ae.Code == apperr.NotFound {
			d.Errors[""] = "Nothing was merged: one of the contacts is no longer at this location. Choose again."
			status = http.StatusUnprocessableEntity
		}
	}
	if err := u.mergeCandidates(ctx, base, with, order, survivor, &d); err != nil {
		u.fail(w, r, err)
		return
	}
	review := status == http.StatusOK && (vals.Get("step") == "review" || r.Method == http.MethodPost)
	if review {
		switch {
		case len(order) == 0:
			d.Errors["with"] = "Tick at least one other contact to merge with " + contactName(base) + "."
		case survivor != id && !with[survivor]:
			d.Errors["survivor"] = "Keep one of the ticked contacts."
		}
		if len(d.Errors) > 0 {
			status = http.StatusUnprocessableEntity
		} else if d.Review, err = u.mergeReview(ctx, d.Candidates, survivor, mergeDuplicates(id, order, survivor)); err != nil {
			u.fail(w, r, err)
			return
		}
	}
	if len(d.Errors) > 0 {
		p.Error = "Please check your choice."
	}
	renderStatus(w, r, status, views.MergeView(p, d))
}

// mergeDuplicates is what a merge folds into survivor: the contact the
// page is about and the ticked ones, but the survivor.
func mergeDuplicates(id pulid.ID, with []pulid.ID, survivor pulid.ID) []pulid.ID {
	all := append([]pulid.ID{id}, with...)
	return slices.DeleteFunc(all, func(x pulid.ID) bool { return x == survivor })
}

// mergeCandidates lists what the merge page offers: the contact, its
// possible duplicates, the ticked ones, and the matches of a search.
func (u *UI) mergeCandidates(ctx context.Context, base *ent.Contact, with map[pulid.ID]bool, order []pulid.ID, survivor pulid.ID, d *views.MergePage) error {
	q := u.api.contacts
	seen := map[pulid.ID]bool{}
	add := func(c *ent.Contact, matched []string) {
		if seen[c.ID] {
			return
		}
		seen[c.ID] = true
		d.Candidates = append(d.Candidates, views.MergeCandidate{
			Contact: c, MatchedOn: matched, Fixed: c.ID == base.ID,
			Included: c.ID == base.ID || with[c.ID], Survivor: c.ID == survivor,
		})
	}
	add(base, nil)
	dups, err := q.FindDuplicates(ctx, base.ID)
	if err != nil {
		return err
	}
	for _, dup := range dups {
		add(dup.Contact, dup.MatchedOn)
	}
	for _, id := range order {
		if seen[id] {
			continue
		}
		c, err := u.contactByID(ctx, id)
		if apperr.CodeOf(err) == apperr.NotFound {
			continue
		}
		if err != nil {
			return err
		}
		add(c, nil)
	}
	if d.Q != "" {
		rs, err := q.SearchContacts(ctx, d.Q, ptr(mergeSearchMax), ptr(false), nil)
		if err != nil {
			return err
		}
		found := 0
		for _, res := range rs {
			if !seen[res.Contact.ID] {
				found++
			}
			add(res.Contact, nil)
		}
		d.SearchNote = fmt.Sprintf("%s more found for “%s”.", plural(found, "contact", "contacts"), d.Q)
	}
	return nil
}

// mergeReview summarises a merge: what each duplicate brings (its
// touchpoints, bookings and tasks) and the survivor's empty fields and
// tags it gains, in the order mergeContacts applies them.
func (u *UI) mergeReview(ctx context.Context, cands []views.MergeCandidate, survivor pulid.ID, dups []pulid.ID) (*views.MergeReview, error) {
	byID := map[pulid.ID]*ent.Contact{}
	for _, c := range cands {
		byID[c.Contact.ID] = c.Contact
	}
	rv := &views.MergeReview{Survivor: byID[survivor]}
	if rv.Survivor == nil {
		return nil, apperr.NotFoundf("survivor", "not found")
	}
	q := u.api.contacts
	s := rv.Survivor
	phone, email, dob, ref := s.Phone != nil, s.Email != nil, s.DateOfBirth != nil, s.Referrer != nil
	tags := slices.Clone(s.Tags)
	for _, id := range dups {
		c := byID[id]
		if c == nil {
			return nil, apperr.NotFoundf("with", "not found")
		}
		mc := views.MergeCounts{Contact: c}
		tp, err := q.Touchpoints(ctx, nil, ptr(1), nil, nil, nil, &ent.TouchpointWhereInput{ContactID: &c.ID})
		if err != nil {
			return nil, err
		}
		bk, err := q.Bookings(ctx, nil, ptr(1), nil, nil, nil, &ent.BookingWhereInput{ContactID: &c.ID})
		if err != nil {
			return nil, err
		}
		tk, err := q.Tasks(ctx, nil, ptr(1), nil, nil, nil, &ent.TaskWhereInput{ContactID: &c.ID})
		if err != nil {
			return nil, err
		}
		mc.Touchpoints, mc.Bookings, mc.Tasks = tp.TotalCount, bk.TotalCount, tk.TotalCount
		rv.Duplicates = append(rv.Duplicates, mc)
		fill := func(have *bool, v *string, label string) {
			if !*have && v != nil {
				*have = true
				rv.Fills = append(rv.Fills, label+": "+*v+" (from "+contactName(c)+")")
			}
		}
		fill(&phone, c.Phone, "Phone")
		fill(&email, c.Email, "Email")
		if c.DateOfBirth != nil {
			b := string(*c.DateOfBirth)
			fill(&dob, &b, "Date of birth")
		}
		fill(&ref, c.Referrer, "Referrer")
		for _, t := range c.Tags {
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
				rv.Tags = append(rv.Tags, t)
			}
		}
	}
	return rv, nil
}
