package ui

import (
	"context"
	"net/http"
	"strings"

	"entgo.io/contrib/entgql"
	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// messagingAPI is the messages area: the outbox, the SMS templates and
// the schedules.
type messagingAPI interface {
	Messages(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.MessageOrder, where *ent.MessageWhereInput, list ...graph.List) (*ent.MessageConnection, error)
	SmsTemplates(ctx context.Context) ([]*ent.SMSTemplate, error)
	UpdateSMSTemplate(ctx context.Context, key string, input graph.UpdateSMSTemplateInput) (*ent.SMSTemplate, error)
	PreviewSMSTemplate(ctx context.Context, key string, contactID pulid.ID, bookingID *pulid.ID, body *string) (*graph.SMSPreview, error)
	Schedules(ctx context.Context) ([]*graph.ScheduleRun, error)
	Contacts(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.ContactOrder, where *ent.ContactWhereInput, list ...graph.List) (*ent.ContactConnection, error)
}

func (u *UI) messagingRoutes(r chi.Router) {
	r.Get("/messages", u.messagesPage)
	r.Get("/messages/templates", u.smsTemplatesPage)
	r.Get("/messages/templates/{key}", u.smsTemplateEditor)
	r.Post("/messages/templates/{key}", u.saveSMSTemplate)
	r.Post("/messages/templates/{key}/preview", u.previewSMSTemplate)
	r.Get("/messages/schedules", u.schedulesPage)
}

// messagesPage is the outbox, newest first, filtered by status, contact
// and rule.
func (u *UI) messagesPage(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpMessages) {
		return
	}
	p, err := u.page(r.Context(), r, "Messages", "messages")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	d := views.MessagesPage{Filter: views.MessageFilter{Status: q.Get("status"), ContactID: q.Get("contact"), RuleID: q.Get("rule")}, Statuses: schema.MessageStatuses}
	where := &ent.MessageWhereInput{}
	if s := d.Filter.Status; s != "" {
		st := message.Status(s)
		if message.StatusValidator(st) != nil {
			u.fail(w, r, apperr.Invalidf("status", "There is no message status %q.", s))
			return
		}
		where.Status = &st
	}
	if id := d.Filter.ContactID; id != "" {
		cid := pulid.ID(id)
		where.ContactID = &cid
	}
	if id := d.Filter.RuleID; id != "" {
		rid := pulid.ID(id)
		where.RuleID = &rid
	}
	var after *entgql.Cursor[pulid.ID]
	if a := q.Get("after"); a != "" {
		var c entgql.Cursor[pulid.ID]
		if err := c.UnmarshalGQL(a); err != nil {
			u.fail(w, r, apperr.Invalidf("after", "The page link is not valid."))
			return
		}
		after = &c
	}
	conn, err := u.api.messaging.Messages(r.Context(), after, ptr(50), nil, nil, nil, where)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	for _, e := range conn.Edges {
		m := e.Node
		row := views.MessageRow{
			ID: m.ID.String(), To: m.To, Body: m.Body, Template: m.Template, Status: string(m.Status), Provider: m.Provider,
			ContactID: m.ContactID.String(), Segments: m.Segments, CostCents: m.CostCents,
			Created: m.CreatedAt, Sent: m.SentAt, SendAfter: m.SendAfter,
		}
		if m.SuppressedReason != nil {
			row.Reason = *m.SuppressedReason
		} else if m.Error != "" {
			row.Reason = m.Error
		}
		if m.RuleID != nil {
			row.RuleID = m.RuleID.String()
		}
		if ct, err := m.Contact(r.Context()); err == nil {
			row.ContactName = strings.TrimSpace(ct.FirstName + " " + ct.LastName)
		} else {
			row.ContactName = row.ContactID
		}
		d.Rows = append(d.Rows, row)
	}
	if conn.PageInfo.HasNextPage && conn.PageInfo.EndCursor != nil {
		d.Next = cursorString(conn.PageInfo.EndCursor)
	}
	render(w, r, views.MessagesPageView(p, d))
}

func (u *UI) smsTemplatesPage(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSmsTemplates) {
		return
	}
	p, err := u.page(r.Context(), r, "SMS templates", "messages")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	ts, err := u.api.messaging.SmsTemplates(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := views.TemplatesPage{CanEdit: u.allowed(r.Context(), graph.OpUpdateSMSTemplate)}
	for _, t := range ts {
		c := messaging.CountSMS(t.Body)
		d.Rows = append(d.Rows, views.TemplateRow{Key: t.Key, Name: t.Name, Body: t.Body, Marketing: t.Marketing, Segments: c.Segments, Encoding: c.Encoding})
	}
	render(w, r, views.SMSTemplatesPage(p, d))
}

// editor loads the template with key and the contacts to preview it for.
func (u *UI) editor(ctx context.Context, key string) (views.TemplateEditor, error) {
	d := views.TemplateEditor{Key: key, Variables: messaging.Variables, CanEdit: u.allowed(ctx, graph.OpUpdateSMSTemplate)}
	ts, err := u.api.messaging.SmsTemplates(ctx)
	if err != nil {
		return d, err
	}
	found := false
	for _, t := range ts {
		if t.Key == key {
			d.Name, d.Body, d.Marketing, found = t.Name, t.Body, t.Marketing, true
		}
	}
	if !found {
		return d, apperr.NotFoundf("key", "There is no SMS template %q.", key)
	}
	conn, err := u.api.messaging.Contacts(ctx, nil, ptr(25), nil, nil, nil, nil)
	if err != nil {
		return d, err
	}
	for _, e := range conn.Edges {
		c := e.Node
		d.Contacts = append(d.Contacts, views.Option{Value: c.ID.String(), Label: strings.TrimSpace(c.FirstName + " " + c.LastName)})
	}
	if len(d.Contacts) > 0 {
		d.ContactID = d.Contacts[0].Value
	}
	return d, nil
}

// preview renders body for the contact, or says why it cannot.
func (u *UI) preview(ctx context.Context, key, contactID, body string) views.SMSPreview {
	if contactID == "" {
		return views.SMSPreview{Error: "Add a contact to preview the text."}
	}
	pv, err := u.api.messaging.PreviewSMSTemplate(ctx, key, pulid.ID(contactID), nil, &body)
	if err != nil {
		return views.SMSPreview{Error: sentence(apperr.From(err).Message)}
	}
	return views.SMSPreview{Body: pv.Body, Encoding: pv.Count.Encoding, Units: pv.Count.Units, Segments: pv.Count.Segments, CostCents: pv.Count.CostCents, Unknown: pv.UnknownVariables}
}

func (u *UI) smsTemplateEditor(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpPreviewSMSTemplate) {
		return
	}
	d, err := u.editor(r.Context(), chi.URLParam(r, "key"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if c := r.URL.Query().Get("contact"); c != "" {
		d.ContactID = c
	}
	d.Saved = r.URL.Query().Get("saved") == "1"
	d.Preview = u.preview(r.Context(), d.Key, d.ContactID, d.Body)
	p, err := u.page(r.Context(), r, d.Name, "messages")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.SMSTemplateEditorPage(p, d))
}

// previewSMSTemplate answers the editor's htmx request with the preview
// box (the text as it would go, and its parts); without htmx, the editor.
func (u *UI) previewSMSTemplate(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpPreviewSMSTemplate) || !u.parseForm(w, r) {
		return
	}
	key := chi.URLParam(r, "key")
	pv := u.preview(r.Context(), key, r.PostFormValue("contact"), r.PostFormValue("body"))
	if r.Header.Get("HX-Request") != "" {
		render(w, r, views.SMSPreviewBox(pv))
		return
	}
	d, err := u.editor(r.Context(), key)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d.Name, d.Body, d.Marketing, d.ContactID, d.Preview = r.PostFormValue("name"), r.PostFormValue("body"), r.PostFormValue("marketing") == "true", r.PostFormValue("contact"), pv
	p, err := u.page(r.Context(), r, d.Name, "messages")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.SMSTemplateEditorPage(p, d))
}

func (u *UI) saveSMSTemplate(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpUpdateSMSTemplate) || !u.parseForm(w, r) {
		return
	}
	key := chi.URLParam(r, "key")
	name, body, marketing := r.PostFormValue("name"), r.PostFormValue("body"), r.PostFormValue("marketing") == "true"
	_, err := u.api.messaging.UpdateSMSTemplate(r.Context(), key, graph.UpdateSMSTemplateInput{Name: &name, Body: &body, Marketing: &marketing})
	if err == nil {
		http.Redirect(w, r, "/messages/templates/"+key+"?saved=1&contact="+r.PostFormValue("contact"), http.StatusSeeOther)
		return
	}
	errs, status, ok := formErrors(err, named("name", "body"), "")
	if !ok {
		u.fail(w, r, err)
		return
	}
	d, lerr := u.editor(r.Context(), key)
	if lerr != nil {
		u.fail(w, r, lerr)
		return
	}
	d.Name, d.Body, d.Marketing, d.ContactID, d.Errors = name, body, marketing, r.PostFormValue("contact"), errs
	d.Preview = u.preview(r.Context(), key, d.ContactID, body)
	p, perr := u.page(r.Context(), r, "SMS template", "messages")
	if perr != nil {
		u.fail(w, r, perr)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = views.SMSTemplateEditorPage(p, d).Render(r.Context(), w)
}

func (u *UI) schedulesPage(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSchedules) {
		return
	}
	p, err := u.page(r.Context(), r, "Schedules", "messages")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	runs, err := u.api.messaging.Schedules(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	rows := make([]views.ScheduleRow, 0, len(runs))
	for _, s := range runs {
		row := views.ScheduleRow{Name: s.Name, Doc: s.Doc, Cron: s.Cron, Next: s.NextRun}
		if s.Location != nil {
			row.Location = *s.Location
		}
		rows = append(rows, row)
	}
	render(w, r, views.SchedulesPage(p, rows))
}
