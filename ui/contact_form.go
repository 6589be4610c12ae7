package ui

// The new contact and edit contact forms. A bad input comes back with the
// message next to its field and everything typed kept (422). A new contact
// with the phone or email of one the location already has comes back with
// a link to that contact and a "Create anyway" button (409), which posts
// the same form with allow_duplicate=yes.

import (
	"net/http"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// contactFields maps the field an error names (ent's, the hooks' or the
// API's) to the form's input.
var contactFields = inputs{
	"first_name": "first_name", "firstName": "first_name",
	"last_name": "last_name", "lastName": "last_name",
	"phone": "phone", "email": "email",
	"date_of_birth": "date_of_birth", "dateOfBirth": "date_of_birth",
	"lead_source": "lead_source", "leadSource": "lead_source",
	"referrer": "referrer", "tags": "tags", "notes": "notes",
	"assigned_to_id": "assigned_to", "assignedToID": "assigned_to",
}

var leadSources = enums[contact.LeadSource](schema.LeadSources)

// contactFormOf reads the form's inputs as they were typed.
func contactFormOf(r *http.Request) views.ContactForm {
	return views.ContactForm{
		FirstName: trim(r.PostFormValue("first_name")), LastName: trim(r.PostFormValue("last_name")),
		Phone: trim(r.PostFormValue("phone")), Email: trim(r.PostFormValue("email")),
		DateOfBirth: trim(r.PostFormValue("date_of_birth")), LeadSource: r.PostFormValue("lead_source"),
		Referrer: trim(r.PostFormValue("referrer")), Tags: trim(r.PostFormValue("tags")),
		SMSConsent: r.PostFormValue("sms_consent") == "yes", EmailConsent: r.PostFormValue("email_consent") == "yes",
		Notes: strings.TrimSpace(r.PostFormValue("notes")), AssignedTo: trim(r.PostFormValue("assigned_to")),
		Errors: views.FieldErrors{},
	}
}

// contactValues checks what the form can check before the service sees it
// (the service would say the same, one error at a time), and returns the
// date of birth and lead source read.
func contactValues(f *views.ContactForm, ppl people) (*types.Date, *contact.LeadSource) {
	if f.FirstName == "" {
		f.Errors["first_name"] = "A contact needs a first name."
	}
	var dob *types.Date
	if f.DateOfBirth != "" {
		s := f.DateOfBirth
		if t, err := time.Parse("02/01/2006", s); err == nil {
			s = t.Format(types.DateLayout)
		}
		d, err := types.ParseDate(s)
		if err != nil {
			f.Errors["date_of_birth"] = "Enter the date of birth as YYYY-MM-DD, e.g. 1980-04-23."
		} else {
			dob = &d
		}
	}
	var src *contact.LeadSource
	if f.LeadSource != "" {
		s, err := enumValue("lead_source", f.LeadSource, leadSources)
		if err != nil {
			f.Errors["lead_source"] = "Choose one of the listed sources."
		} else {
			src = &s
		}
	}
	if f.AssignedTo != "" && ppl.Names[pulid.ID(f.AssignedTo)] == nil {
		f.Errors["assigned_to"] = "Choose someone from the list."
	}
	return dob, src
}

// contactFormErrors puts the error of createContact or updateContact in
// the form: INVALID next to its field (or above the form), a reference
// that is not there next to its field. Anything else returns ok false.
func contactFormErrors(err error) (views.FieldErrors, int, bool) {
	return formErrors(err, contactFields, notHere)
}

func (u *UI) renderContactForm(w http.ResponseWriter, r *http.Request, p views.Page, id string, f views.ContactForm, ppl people, status int) {
	d := views.ContactFormPage{ID: id, Form: f, LeadSources: options(schema.LeadSources), Assignees: ppl.Options}
	renderStatus(w, r, status, views.ContactFormView(p, d))
}

// newContact shows the new contact form.
func (u *UI) newContact(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCreateContact) {
		return
	}
	ctx := r.Context()
	p, err := u.page(ctx, r, "New contact", "contacts")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	ppl, err := u.people(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderContactForm(w, r, p, "", views.ContactForm{LeadSource: string(contact.DefaultLeadSource), Errors: views.FieldErrors{}}, ppl, http.StatusOK)
}

// nilIfEmpty is nil for "", else a pointer to s.
func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// createContact posts the new contact form: createContact, with
// allowDuplicate when the person chose "Create anyway".
func (u *UI) createContact(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCreateContact) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	p, err := u.page(ctx, r, "New contact", "contacts")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	ppl, err := u.people(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := contactFormOf(r)
	dob, src := contactValues(&f, ppl)
	status := http.StatusUnprocessableEntity
	var created *ent.Contact
	if len(f.Errors) == 0 {
		in := ent.CreateContactInput{
			FirstName: f.FirstName, LastName: &f.LastName, Phone: nilIfEmpty(f.Phone), Email: nilIfEmpty(f.Email),
			DateOfBirth: dob, LeadSource: src, Referrer: nilIfEmpty(f.Referrer), Tags: splitTags(f.Tags),
			SmsConsent: &f.SMSConsent, EmailConsent: &f.EmailConsent, Notes: &f.Notes,
		}
		if f.AssignedTo != "" {
			in.AssignedToID = ptr(pulid.ID(f.AssignedTo))
		}
		allow := r.PostFormValue("allow_duplicate") == "yes"
		var err error
		created, err = u.api.contacts.CreateContact(ctx, in, &allow)
		if err != nil {
			ae := apperr.From(err)
			if dupOf, ok := ae.Details["duplicateOf"].(string); ok && ae.Code == apperr.Conflict {
				if f.Duplicate, err = u.contactByID(ctx, pulid.ID(dupOf)); err != nil {
					u.fail(w, r, err)
					return
				}
				f.MatchedOn, _ = ae.Details["matchedOn"].(string)
				p.Error = "This looks like a contact you already have: nothing was created yet."
				u.renderContactForm(w, r, p, "", f, ppl, http.StatusConflict)
				return
			}
			var ok bool
			if f.Errors, status, ok = contactFormErrors(err); !ok {
				u.fail(w, r, err)
				return
			}
		}
	}
	if created == nil {
		p.Error = "No contact was created: please check the form."
		u.renderContactForm(w, r, p, "", f, ppl, status)
		return
	}
	redirectDone(w, r, "/contacts/"+created.ID.String(), "contact-created", nil, "")
}

// contactForEdit reads contact {id}, the page of its edit form and the
// people it can be assigned to. It reports false once it has answered
// with an error.
func (u *UI) contactForEdit(w http.ResponseWriter, r *http.Request) (*ent.Contact, views.Page, people, bool) {
	ctx := r.Context()
	c, err := u.loadContact(ctx, idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return nil, views.Page{}, people{}, false
	}
	p, err := u.page(ctx, r, "Edit "+contactName(c), "contacts")
	if err != nil {
		u.fail(w, r, err)
		return nil, p, people{}, false
	}
	ppl, err := u.people(ctx)
	if err != nil {
		u.fail(w, r, err)
		return nil, p, ppl, false
	}
	return c, p, ppl, true
}

// editContact shows the edit form of a contact.
func (u *UI) editContact(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpUpdateContact) {
		return
	}
	c, p, ppl, ok := u.contactForEdit(w, r)
	if !ok {
		return
	}
	f := views.ContactForm{
		FirstName: c.FirstName, LastName: c.LastName, Phone: deref(c.Phone), Email: deref(c.Email),
		LeadSource: string(c.LeadSource), Referrer: deref(c.Referrer), Tags: strings.Join(c.Tags, ", "),
		SMSConsent: c.SmsConsent, EmailConsent: c.EmailConsent, Notes: c.Notes, Errors: views.FieldErrors{},
	}
	if c.DateOfBirth != nil {
		f.DateOfBirth = string(*c.DateOfBirth)
	}
	if c.AssignedToID != nil {
		f.AssignedTo = c.AssignedToID.String()
	}
	u.renderContactForm(w, r, p, c.ID.String(), f, ppl, http.StatusOK)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// updateContact posts the edit form: updateContact. An emptied input
// clears the field.
func (u *UI) updateContact(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpUpdateContact) || !u.parseForm(w, r) {
		return
	}
	c, p, ppl, ok := u.contactForEdit(w, r)
	if !ok {
		return
	}
	ctx, id := r.Context(), idParam(r)
	f := contactFormOf(r)
	dob, src := contactValues(&f, ppl)
	status := http.StatusUnprocessableEntity
	if len(f.Errors) == 0 {
		tags := splitTags(f.Tags)
		if tags == nil {
			tags = []string{}
		}
		in := ent.UpdateContactInput{
			FirstName: &f.FirstName, LastName: &f.LastName,
			Phone: nilIfEmpty(f.Phone), ClearPhone: f.Phone == "" && c.Phone != nil,
			Email: nilIfEmpty(f.Email), ClearEmail: f.Email == "" && c.Email != nil,
			DateOfBirth: dob, ClearDateOfBirth: dob == nil && c.DateOfBirth != nil,
			LeadSource: src, Referrer: nilIfEmpty(f.Referrer), ClearReferrer: f.Referrer == "" && c.Referrer != nil,
			Tags: tags, SmsConsent: &f.SMSConsent, EmailConsent: &f.EmailConsent, Notes: &f.Notes,
		}
		switch {
		case f.AssignedTo != "":
			in.AssignedToID = ptr(pulid.ID(f.AssignedTo))
		case c.AssignedToID != nil:
			in.ClearAssignedTo = true
		}
		_, err := u.api.contacts.UpdateContact(ctx, id, in)
		if err == nil {
			redirectDone(w, r, "/contacts/"+id.String(), "contact-updated", nil, "")
			return
		}
		var ok bool
		if f.Errors, status, ok = contactFormErrors(err); !ok {
			u.fail(w, r, err)
			return
		}
	}
	p.Error = "Nothing was saved: please check the form."
	u.renderContactForm(w, r, p, id.String(), f, ppl, status)
}
