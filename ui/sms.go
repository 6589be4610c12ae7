package ui

// Two-way SMS (issue 15, docs/SMS.md): the inbox, a contact's thread and
// send box on the contact page, and the admins' SMS settings. Every
// handler calls the smsAPI operations (graph.Ops), which check the
// permission the schema declares.

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/sms"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// inboxLength is how many conversations the inbox shows.
const inboxLength = 100

// pollOverlap is how far before the render the inbox's poll stamp is.
const pollOverlap = 5 * time.Second

// threadLength is how many messages a contact's thread shows (the latest).
const threadLength = 100

func (u *UI) smsRoutes(r chi.Router) {
	r.Get("/inbox", u.inbox)
	r.Get("/inbox/list", u.inboxList)
	r.Post("/inbox/{id}/done", u.conversationDone)
	r.Post("/inbox/{id}/assign", u.assignConversation)
	r.Get("/contacts/{id}/sms/check", u.smsCheck)
	r.Get("/contacts/{id}/sms/compose", u.smsCompose)
	r.Post("/contacts/{id}/sms", u.sendSMS)
	r.Post("/messages/{id}/undo", u.undoSMSAction)
	r.Get("/admin/sms", u.smsSettings)
	r.Post("/admin/sms", u.updateSMSSettings)
	r.Post("/admin/sms/rotate", u.rotateSMSToken)
}

// assignees are the people a conversation can be assigned to: the
// viewer, and the location's other active members when the viewer may
// list people.
func (u *UI) assignees(ctx context.Context) ([]views.Option, map[pulid.ID]string, error) {
	names := map[pulid.ID]string{}
	me, err := u.api.layout.Me(ctx)
	if err != nil {
		return nil, nil, err
	}
	out := []views.Option{{Value: me.User.ID.String(), Label: me.User.Name + " (me)"}}
	names[me.User.ID] = me.User.Name
	if !u.allowed(ctx, graph.OpUsers) {
		return out, names, nil
	}
	conn, err := u.api.sms.Users(ctx, nil, ptr(500), nil, nil,
		&ent.UserOrder{Direction: entgql.OrderDirectionAsc, Field: ent.UserOrderFieldName}, nil)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range conn.Edges {
		names[e.Node.ID] = e.Node.Name
		if e.Node.ID != me.User.ID && e.Node.Status != user.StatusDisabled {
			out = append(out, views.Option{Value: e.Node.ID.String(), Label: e.Node.Name})
		}
	}
	return out, names, nil
}

// inboxFilter reads the inbox's filter from the query.
func inboxFilter(r *http.Request) views.InboxFilter {
	q := r.URL.Query()
	return views.InboxFilter{Location: q.Get("location"), Assignee: q.Get("assignee"), Done: q.Get("done") == "1"}
}

// inboxData lists the conversations the filter asks for.
func (u *UI) inboxData(ctx context.Context, p views.Page, f views.InboxFilter) (views.InboxPage, error) {
	// The stamp is a little before now: a change whose transaction was
	// still open while this list was read has an earlier updated_at, and
	// must still count as new at the next poll.
	d := views.InboxPage{Filter: f, CanUpdate: u.allowed(ctx, graph.OpMarkConversationDone),
		Since: u.opts.Now.Now().Add(-pollOverlap).UTC().Format(time.RFC3339Nano)}
	for _, l := range p.Me.Locations {
		d.Locations = append(d.Locations, views.Option{Value: l.ID, Label: l.Name})
	}
	if len(d.Locations) == 0 {
		d.Locations = []views.Option{{Value: p.Me.LocationID, Label: p.Me.LocationName}}
	}
	opts, names, err := u.assignees(ctx)
	if err != nil {
		return d, err
	}
	d.Assignees = opts
	where := &graph.ConversationsWhere{IncludeDone: ptr(f.Done)}
	if f.Location != "" {
		id := pulid.ID(f.Location)
		where.LocationID = &id
		d.OtherLocation = f.Location != p.Me.LocationID
	}
	switch f.Assignee {
	case "":
	case "none":
		where.Unassigned = ptr(true)
	case "me":
		id := pulid.ID(opts[0].Value)
		where.AssigneeID = &id
	default:
		id := pulid.ID(f.Assignee)
		where.AssigneeID = &id
	}
	conn, err := u.api.sms.Conversations(ctx, ptr(inboxLength), nil, where)
	if err != nil {
		return d, err
	}
	for _, e := range conn.Edges {
		c := e.Node
		row := views.InboxRow{ConversationID: c.ID.String(), ContactID: c.ContactID.String(), Preview: c.LastMessagePreview,
			Unread: c.UnreadCount, NeedsReply: c.NeedsReply, Done: c.DoneAt != nil, LastAt: c.LastMessageAt}
		if c.AssigneeID != nil {
			row.AssigneeID = c.AssigneeID.String()
			row.AssigneeName = names[*c.AssigneeID]
		}
		if ct, err := c.Contact(ctx); err == nil {
			row.ContactName = contactName(ct)
			row.Phone = views.Phone(p, ct.Phone)
		} else {
			row.ContactName = row.ContactID
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

// inbox is the SMS inbox page.
func (u *UI) inbox(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpConversations) {
		return
	}
	p, err := u.page(r.Context(), r, "Inbox", "inbox")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d, err := u.inboxData(r.Context(), p, inboxFilter(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.InboxView(p, d))
}

// inboxList answers the inbox's poll: 204 (htmx keeps the list) when no
// conversation changed since the stamp the list carries, else the list.
func (u *UI) inboxList(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpConversations) {
		return
	}
	ctx := r.Context()
	f := inboxFilter(r)
	if s := r.URL.Query().Get("since"); s != "" {
		since, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			u.fail(w, r, apperr.Invalidf("since", "The time %q is not valid.", s))
			return
		}
		// Done ones too: one marked done elsewhere leaves the list.
		changed, err := u.api.sms.Conversations(ctx, ptr(1), nil, &graph.ConversationsWhere{IncludeDone: ptr(true), UpdatedSince: &since})
		if err != nil {
			u.fail(w, r, err)
			return
		}
		if len(changed.Edges) == 0 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	p, err := u.page(ctx, r, "Inbox", "inbox")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d, err := u.inboxData(ctx, p, f)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.InboxList(p, d))
}

// nextPath is the form's "next" when it is a path of this site, else def.
func nextPath(r *http.Request, def string) string {
	n := r.PostFormValue("next")
	if strings.HasPrefix(n, "/") && !strings.HasPrefix(n, "//") && !strings.Contains(n, "\\") {
		return n
	}
	return def
}

// redirectNext answers a form that worked: 303 to next with the flash key
// (before next's fragment).
func redirectNext(w http.ResponseWriter, r *http.Request, next, key string) {
	path, frag, _ := strings.Cut(next, "#")
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	target := path + sep + "done=" + key
	if frag != "" {
		target += "#" + frag
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// conversationDone marks a conversation done.
func (u *UI) conversationDone(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpMarkConversationDone) || !u.parseForm(w, r) {
		return
	}
	if _, err := u.api.sms.MarkConversationDone(r.Context(), idParam(r)); err != nil {
		u.fail(w, r, err)
		return
	}
	redirectNext(w, r, nextPath(r, "/inbox"), "conversation-done")
}

// assignConversation assigns a conversation to someone, or to nobody.
func (u *UI) assignConversation(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpAssignConversation) || !u.parseForm(w, r) {
		return
	}
	var to *pulid.ID
	if a := r.PostFormValue("assignee"); a != "" {
		id := pulid.ID(a)
		to = &id
	}
	if _, err := u.api.sms.AssignConversation(r.Context(), idParam(r), to); err != nil {
		u.fail(w, r, err)
		return
	}
	redirectNext(w, r, nextPath(r, "/inbox"), "conversation-assigned")
}

// undoSMSAction undoes what an inbound SMS did automatically.
func (u *UI) undoSMSAction(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpUndoSMSAction) || !u.parseForm(w, r) {
		return
	}
	m, err := u.api.sms.UndoSMSAction(r.Context(), idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirectNext(w, r, nextPath(r, "/contacts/"+m.ContactID.String()+"#sms"), "sms-undone")
}

// checkView is checkSMS's answer for the send box; a failed check says
// why in its message.
func (u *UI) checkView(ctx context.Context, contactID pulid.ID, body string) views.SMSCheckView {
	ch, err := u.api.sms.CheckSms(ctx, contactID, body)
	if err != nil {
		return views.SMSCheckView{Problem: "error", Message: sentence(apperr.From(err).Message)}
	}
	v := views.SMSCheckView{Allowed: ch.Allowed, Message: ch.Message, SendAfter: ch.SendAfter}
	if ch.Problem != nil {
		v.Problem = *ch.Problem
	}
	if ch.Count != nil {
		v.Encoding, v.Units, v.Segments, v.CostCents = ch.Count.Encoding, ch.Count.Units, ch.Count.Segments, ch.Count.CostCents
	}
	return v
}

// smsCheck answers the send box's live check as the text changes.
func (u *UI) smsCheck(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCheckSms) {
		return
	}
	render(w, r, views.SMSCheckBox(u.checkView(r.Context(), idParam(r), r.URL.Query().Get("body"))))
}

// sendBox builds the send box for a contact, starting from a template
// when one is chosen (its text filled in for the contact).
func (u *UI) sendBox(ctx context.Context, contactID pulid.ID, body, tpl string) (views.SMSSendBox, error) {
	s := views.SMSSendBox{ContactID: contactID.String(), Body: body, Template: tpl}
	if u.allowed(ctx, graph.OpSmsTemplates) {
		ts, err := u.api.sms.SmsTemplates(ctx)
		if err != nil {
			return s, err
		}
		for _, t := range ts {
			s.Templates = append(s.Templates, views.Option{Value: t.Key, Label: t.Name})
		}
	}
	if tpl != "" {
		pv, err := u.api.sms.PreviewSMSTemplate(ctx, tpl, contactID, nil, nil)
		if err != nil {
			s.Error = sentence(apperr.From(err).Message)
		} else {
			s.Body = pv.Body
		}
	}
	s.Check = u.checkView(ctx, contactID, s.Body)
	return s, nil
}

// smsCompose answers the template picker: the send box with the
// template's text for the contact (htmx), or the contact page with it.
func (u *UI) smsCompose(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCheckSms) {
		return
	}
	tpl := r.URL.Query().Get("template")
	if r.Header.Get("HX-Request") == "" {
		http.Redirect(w, r, "/contacts/"+idParam(r).String()+"?template="+tpl+"#sms-send", http.StatusSeeOther)
		return
	}
	s, err := u.sendBox(r.Context(), idParam(r), "", tpl)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.SMSSendForm(s))
}

// sendSMS sends the send box's text; a refusal shows beside the text box.
func (u *UI) sendSMS(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSendSms) || !u.parseForm(w, r) {
		return
	}
	id, body := idParam(r), r.PostFormValue("body")
	_, err := u.api.sms.SendSms(r.Context(), id, body)
	if err == nil {
		redirectDone(w, r, "/contacts/"+id.String(), "sms-sent", nil, "sms")
		return
	}
	ae := apperr.From(err)
	if ae.Code != apperr.Invalid {
		u.fail(w, r, err)
		return
	}
	u.showContact(w, r, http.StatusUnprocessableEntity, func(d *views.ContactDetail) {
		if d.SMS == nil {
			d.Error = sentence(ae.Message)
			return
		}
		d.SMS.Send.Body, d.SMS.Send.Error = body, sentence(ae.Message)
		d.SMS.Send.Check = u.checkView(r.Context(), id, body)
	})
}

// smsThread gathers a contact's SMS thread and send box, and marks the
// conversation read: the viewer has seen it.
func (u *UI) smsThread(ctx context.Context, r *http.Request, c *ent.Contact) (*views.SMSThread, error) {
	if !u.allowed(ctx, graph.OpConversations) || !u.allowed(ctx, graph.OpMessages) {
		return nil, nil
	}
	t := &views.SMSThread{ContactID: c.ID.String(), CanUpdate: c.ArchivedAt == nil && u.allowed(ctx, graph.OpSendSms),
		CanUndo: u.allowed(ctx, graph.OpUndoSMSAction)}
	if c.SmsFailedAt != nil {
		t.PhoneFailed = "failed"
		if c.SmsFailedReason != nil && *c.SmsFailedReason != "" {
			t.PhoneFailed = *c.SmsFailedReason
		}
	}
	cv, err := u.api.sms.Conversation(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	names := map[pulid.ID]string{}
	if t.CanUpdate {
		if t.Assignees, names, err = u.assignees(ctx); err != nil {
			return nil, err
		}
	}
	if cv != nil {
		t.ConversationID, t.NeedsReply, t.Unread, t.Done = cv.ID.String(), cv.NeedsReply, cv.UnreadCount, cv.DoneAt != nil
		if cv.AssigneeID != nil {
			t.AssigneeID = cv.AssigneeID.String()
		}
		if cv.UnreadCount > 0 && u.allowed(ctx, graph.OpMarkConversationRead) {
			if _, err := u.api.sms.MarkConversationRead(ctx, cv.ID); err != nil {
				return nil, err
			}
		}
	}
	sms := message.ChannelSms
	conn, err := u.api.sms.Messages(ctx, nil, nil, nil, ptr(threadLength),
		&ent.MessageOrder{Direction: entgql.OrderDirectionAsc, Field: ent.MessageOrderFieldCreatedAt},
		&ent.MessageWhereInput{ContactID: &c.ID, Channel: &sms})
	if err != nil {
		return nil, err
	}
	for _, e := range conn.Edges {
		t.Messages = append(t.Messages, bubble(e.Node, names))
	}
	q := r.URL.Query()
	if t.CanUpdate {
		if t.Send, err = u.sendBox(ctx, c.ID, "", q.Get("template")); err != nil {
			return nil, err
		}
		t.Send.Focus = q.Get("reply") == "1"
	}
	return t, nil
}

// bubble is one message of a thread.
func bubble(m *ent.Message, names map[pulid.ID]string) views.SMSBubble {
	b := views.SMSBubble{ID: m.ID.String(), Direction: string(m.Direction), Body: m.Body, Status: string(m.Status),
		Note: m.ActionNote, Confidence: m.IntentConfidence, Template: m.Template, At: m.CreatedAt, SendAfter: m.SendAfter,
		Segments: m.Segments, CostCents: m.CostCents, UndoneAt: m.ActionUndoneAt}
	if m.SuppressedReason != nil {
		b.Reason = *m.SuppressedReason
	} else if m.Error != "" {
		b.Reason = m.Error
	}
	if m.Intent != nil {
		b.Intent = string(*m.Intent)
	}
	if m.Action != nil {
		b.Action = string(*m.Action)
	}
	b.Undoable = sms.CanUndo(m)
	if m.TaskID != nil {
		b.TaskID = m.TaskID.String()
	}
	if m.SentByID != nil {
		b.SentBy = names[*m.SentByID]
		if b.SentBy == "" {
			b.SentBy = "staff"
		}
	}
	return b
}

// smsSettings shows admins the webhook URLs, the token rotation and the
// threshold.
func (u *UI) smsSettings(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "Two-way SMS", graph.OpSmsSettings)
	if !ok {
		return
	}
	st, err := u.api.sms.SmsSettings(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.SMSSettingsView(p, settingsView(st)))
}

func settingsView(st *graph.SMSSettings) views.SMSSettingsPage {
	return views.SMSSettingsPage{InboundURL: st.InboundURL, ReceiptURL: st.ReceiptURL,
		Threshold: strconv.FormatFloat(st.IntentThreshold, 'f', -1, 64), Errors: views.FieldErrors{}}
}

// updateSMSSettings saves the intent threshold.
func (u *UI) updateSMSSettings(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpUpdateSMSSettings) || !u.parseForm(w, r) {
		return
	}
	raw := strings.TrimSpace(r.PostFormValue("intentThreshold"))
	v, perr := strconv.ParseFloat(raw, 64)
	var err error
	if perr != nil {
		err = apperr.Invalidf("intentThreshold", "Enter a number from 0.5 to 1.")
	} else {
		_, err = u.api.sms.UpdateSMSSettings(r.Context(), &v)
	}
	u.finish(w, r, err, done{Path: "/admin/sms", Key: "sms-settings"}, named("intentThreshold"), "", func(errs views.FieldErrors, status int) {
		st, serr := u.api.sms.SmsSettings(r.Context())
		if serr != nil {
			u.fail(w, r, serr)
			return
		}
		p, perr := u.page(r.Context(), r, "Two-way SMS", "admin")
		if perr != nil {
			u.fail(w, r, perr)
			return
		}
		d := settingsView(st)
		d.Threshold, d.Errors = raw, errs
		renderStatus(w, r, status, views.SMSSettingsView(p, d))
	})
}

// rotateSMSToken replaces the webhook token.
func (u *UI) rotateSMSToken(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpRotateSMSWebhookToken) || !u.parseForm(w, r) {
		return
	}
	_, err := u.api.sms.RotateSMSWebhookToken(r.Context())
	u.finish(w, r, err, done{Path: "/admin/sms", Key: "sms-token-rotated"}, nil, "", nil)
}
