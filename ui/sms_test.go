package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/conversation"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// smsWorld is a running app with an SMS conversation seeded through the
// real ClickSend inbound webhook.
type smsWorld struct {
	srv     *testutil.Server
	token   string
	sys     context.Context
	contact *ent.Contact
	conv    *ent.Conversation
}

// smsToken is the location's ClickSend webhook token, as an admin reads
// it from smsSettings.
func smsToken(t *testing.T, srv *testutil.Server) string {
	t.Helper()
	var st struct {
		SmsSettings struct{ InboundURL string }
	}
	srv.MustGraphQL(t, srv.SignIn(t, "admin@example.com"), `{ smsSettings { inboundURL } }`, nil).Decode(t, &st)
	i := strings.LastIndex(st.SmsSettings.InboundURL, "/")
	if i < 0 || !strings.Contains(st.SmsSettings.InboundURL, "/hooks/clicksend/inbound/") {
		t.Fatalf("inboundURL %q", st.SmsSettings.InboundURL)
	}
	return st.SmsSettings.InboundURL[i+1:]
}

// postInbound posts an inbound SMS as ClickSend's default inbound rule
// does (a form POST with its documented fields) and returns the status.
func postInbound(t *testing.T, srv *testutil.Server, token, from, body, messageID string) int {
	t.Helper()
	form := url.Values{
		"timestamp": {"1773180000"}, "from": {from}, "to": {"+61480000000"}, "body": {body},
		"original_body": {"Hi, reply Y to confirm"}, "original_message_id": {"BF7AD270-0DE2-418B-B606-71D527D9C1AE"},
		"message_id": {messageID}, "custom_string": {""}, "user_id": {"12345"}, "subaccount_id": {"67890"},
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/hooks/clicksend/inbound/"+token, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// waitConversation waits for the inbound job to record the contact's
// conversation with its inbound message (a bound against a hang, not a
// speed).
func waitConversation(t *testing.T, srv *testutil.Server, sys context.Context, contactID pulid.ID, inbound int) *ent.Conversation {
	t.Helper()
	c := srv.App.Ent.Ent
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := c.Message.Query().Where(message.ContactID(contactID), message.DirectionEQ(message.DirectionInbound), message.ActionNotNil()).Count(sys)
		if err != nil {
			t.Fatal(err)
		}
		if n >= inbound {
			cv, err := c.Conversation.Query().Where(conversation.ContactID(contactID)).Only(sys)
			if err != nil {
				t.Fatal(err)
			}
			return cv
		}
		if time.Now().After(deadline) {
			t.Fatalf("the inbound SMS was not processed (%d of %d)", n, inbound)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// newSMSWorld starts the app and has a patient with a mobile number
// answer "wrong number": a reply the system cannot act on, so it waits
// in the inbox as needing a reply.
func newSMSWorld(t *testing.T) *smsWorld {
	t.Helper()
	w := &smsWorld{srv: testutil.StartServer(t, testutil.ServerOptions{}), sys: viewer.Operator.Grant(context.Background(), "ui-sms-test")}
	w.token = smsToken(t, w.srv)
	admin := testutil.As(t, w.srv.App.Ent.Ent, "admin@example.com")
	var err error
	w.contact, err = w.srv.App.Ent.Ent.Contact.Query().Where(contact.PhoneNotNil(), contact.ArchivedAtIsNil()).Order(ent.Asc(contact.FieldID)).First(admin)
	if err != nil {
		t.Fatal(err)
	}
	if s := postInbound(t, w.srv, w.token, *w.contact.Phone, "wrong number", "IN-UI-1"); s != http.StatusOK {
		t.Fatalf("inbound webhook: %d", s)
	}
	w.conv = waitConversation(t, w.srv, w.sys, w.contact.ID, 1)
	if !w.conv.NeedsReply || w.conv.UnreadCount != 1 {
		t.Fatalf("conversation after an unclear reply: needsReply %v, unread %d", w.conv.NeedsReply, w.conv.UnreadCount)
	}
	return w
}

// TestSMSInboxAndThread: the inbox lists the unclear reply first; its
// poll answers 204 when nothing changed; the contact page shows the thread
// with what the system read and did, marks it read, checks a text live
// (parts, encoding, cost), refuses an empty one beside the box, and sends
// a reply; assigning and marking done work from the inbox.
func TestSMSInboxAndThread(t *testing.T) {
	w := newSMSWorld(t)
	srv, cid, cnv := w.srv, w.contact.ID.String(), w.conv.ID.String()
	staff := srv.SignIn(t, "staff@example.com")

	p := getPage(t, srv, staff, "/inbox")
	if p.Status != http.StatusOK {
		t.Fatalf("inbox: %d\n%s", p.Status, p.Body)
	}
	first := p.Doc.Find(`[data-testid="inbox-row"]`).First()
	if got, _ := first.Attr("data-conversation"); got != cnv {
		t.Fatalf("first conversation %q, want the unclear reply's %s", got, cnv)
	}
	if first.Find(`[data-testid="inbox-needs-reply"]`).Length() != 1 || !strings.Contains(first.Find(`[data-testid="inbox-preview"]`).Text(), "wrong number") {
		t.Errorf("first row: %q", first.Text())
	}
	if p.Doc.Find(`[data-testid="nav-inbox"]`).Length() != 1 || p.Doc.Find(`[data-testid="inbox-keys"]`).Length() != 1 {
		t.Error("the inbox is not in the navigation, or its keys are not documented")
	}
	// The poll: nothing changed since a moment after now; everything since before.
	future := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339Nano)
	if p := getPage(t, srv, staff, "/inbox/list?since="+url.QueryEscape(future)); p.Status != http.StatusNoContent {
		t.Errorf("poll with nothing new: %d", p.Status)
	}
	past := testutil.Now.Add(-24 * time.Hour).UTC().Format(time.RFC3339Nano)
	if p := getPage(t, srv, staff, "/inbox/list?since="+url.QueryEscape(past)); p.Status != http.StatusOK || p.Doc.Find(`[data-testid="inbox-row"]`).Length() == 0 {
		t.Errorf("poll with changes: %d", p.Status)
	}
	if p := getPage(t, srv, staff, "/inbox/list?since=yesterday"); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("poll with a bad time: %d", p.Status)
	}

	// The thread.
	p = getPage(t, srv, staff, "/contacts/"+cid)
	if p.Status != http.StatusOK {
		t.Fatalf("contact: %d", p.Status)
	}
	in := p.Doc.Find(`[data-testid="sms-message"][data-direction="inbound"]`).Last()
	if !strings.Contains(in.Find(`[data-testid="sms-body"]`).Text(), "wrong number") {
		t.Fatalf("thread: %q", p.Doc.Find(`[data-testid="sms-thread"]`).Text())
	}
	if got := in.Find(`[data-testid="sms-action-name"]`).Text(); got == "" {
		t.Errorf("the reply does not say what the system did: %q", in.Text())
	}
	if in.Find(`[data-testid="sms-undo"]`).Length() != 0 {
		t.Error("a reply that changed nothing offers an undo")
	}
	if cv, err := srv.App.Ent.Ent.Conversation.Get(w.sys, w.conv.ID); err != nil || cv.UnreadCount != 0 {
		t.Errorf("opening the thread did not mark it read: %v %+v", err, cv)
	}
	// The live check.
	check := func(body string) page {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/contacts/"+cid+"/sms/check?body="+url.QueryEscape(body), nil)
		req.Header.Set("HX-Request", "true")
		return fetch(t, staff, req)
	}
	if c := check(strings.Repeat("a", 161)); c.Doc.Find(`[data-testid="sms-segments"]`).Text() != "2" || !strings.Contains(c.Body, "GSM-7") {
		t.Errorf("161 characters: %s", c.Body)
	}
	if c := check("See you soon 😀"); c.Doc.Find(`[data-testid="sms-segments"]`).Text() != "1" || !strings.Contains(c.Body, "UCS-2") {
		t.Errorf("an emoji: %s", c.Body)
	}
	// Sending: empty is refused beside the box; a text goes.
	if p := postPage(t, srv, staff, "/contacts/"+cid+"/sms", url.Values{"body": {"  "}}); p.Status != http.StatusUnprocessableEntity || p.Doc.Find(`[data-testid="sms-send-error"]`).Length() != 1 {
		t.Errorf("empty text: %d %q", p.Status, p.Doc.Find(`[data-testid="sms-send-error"]`).Text())
	}
	p = postPage(t, srv, staff, "/contacts/"+cid+"/sms", url.Values{"body": {"Sorry, who were you after? The clinic"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/contacts/"+cid+"?done=sms-sent") {
		t.Fatalf("send: %d %s\n%s", p.Status, p.Location, p.Body)
	}
	p = getPage(t, srv, staff, p.Location)
	out := p.Doc.Find(`[data-testid="sms-message"][data-direction="outbound"]`).Last()
	if !strings.Contains(out.Text(), "Sorry, who were you after?") || out.Find(`[data-testid="sms-status"]`).Length() != 1 {
		t.Errorf("sent message in the thread: %q", out.Text())
	}
	if p.Doc.Find(`[data-testid="sms-needs-reply"]`).Length() != 0 {
		t.Error("the conversation still needs a reply after one was sent")
	}

	// A template for the send box, filled in for the contact: reception
	// (contacts:read) is offered the templates; editing them stays with
	// automation:update.
	if getPage(t, srv, staff, "/contacts/"+cid).Doc.Find(`[data-testid="sms-template"] option[value="welcome"]`).Length() != 1 {
		t.Error("the send box does not offer staff the templates")
	}
	adminC := srv.SignIn(t, "admin@example.com")
	if getPage(t, srv, adminC, "/contacts/"+cid).Doc.Find(`[data-testid="sms-template"] option[value="welcome"]`).Length() != 1 {
		t.Error("the send box does not offer the templates")
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/contacts/"+cid+"/sms/compose?template=welcome", nil)
	req.Header.Set("HX-Request", "true")
	if c := fetch(t, staff, req); c.Status != http.StatusOK || !strings.Contains(c.Doc.Find(`[data-testid="sms-text"]`).Text(), w.contact.FirstName) {
		t.Errorf("compose from the welcome template: %d %q", c.Status, c.Doc.Find(`[data-testid="sms-text"]`).Text())
	}

	// What a reply did can be undone from the thread: a STOP from another
	// patient opted them out; Undo gives the consent back.
	other, err := srv.App.Ent.Ent.Contact.Query().Where(contact.PhoneNotNil(), contact.ArchivedAtIsNil(), contact.IDNEQ(w.contact.ID)).Order(ent.Asc(contact.FieldID)).First(w.sys)
	if err != nil {
		t.Fatal(err)
	}
	if s := postInbound(t, srv, w.token, *other.Phone, "STOP", "IN-UI-STOP"); s != http.StatusOK {
		t.Fatalf("inbound STOP: %d", s)
	}
	waitConversation(t, srv, w.sys, other.ID, 1)
	p = getPage(t, srv, staff, "/contacts/"+other.ID.String())
	stop := p.Doc.Find(`[data-testid="sms-message"][data-direction="inbound"]`).Last()
	if stop.Find(`[data-testid="sms-intent"]`).Length() != 1 || stop.Find(`[data-testid="sms-undo"]`).Length() != 1 {
		t.Fatalf("the STOP in the thread: %q", stop.Text())
	}
	mid, _ := stop.Attr("data-message-id")
	p = postPage(t, srv, staff, "/messages/"+mid+"/undo", url.Values{"next": {"/contacts/" + other.ID.String() + "#sms"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("undo: %d %s", p.Status, p.Body)
	}
	p = getPage(t, srv, staff, p.Location)
	if p.Doc.Find(`[data-testid="sms-undone"]`).Length() != 1 || p.Doc.Find(`[data-testid="sms-undo"]`).Length() != 0 {
		t.Errorf("after undo: %q", p.Doc.Find(`[data-testid="sms-thread"]`).Text())
	}
	if p := postPage(t, srv, staff, "/messages/"+mid+"/undo", nil); p.Status != http.StatusConflict {
		t.Errorf("undo twice: %d", p.Status)
	}

	// Assign to me, then mark done, from the inbox's forms.
	var me struct {
		Me struct{ User struct{ ID string } }
	}
	srv.MustGraphQL(t, staff, `{ me { user { id } } }`, nil).Decode(t, &me)
	p = postPage(t, srv, staff, "/inbox/"+cnv+"/assign", url.Values{"assignee": {me.Me.User.ID}, "next": {"/inbox"}})
	if p.Status != http.StatusSeeOther || p.Location != "/inbox?done=conversation-assigned" {
		t.Fatalf("assign: %d %s", p.Status, p.Location)
	}
	if n := getPage(t, srv, staff, "/inbox?assignee=me").Doc.Find(`[data-conversation="` + cnv + `"]`).Length(); n != 1 {
		t.Error("not listed as mine after assigning")
	}
	if n := getPage(t, srv, staff, "/inbox?assignee=none").Doc.Find(`[data-conversation="` + cnv + `"]`).Length(); n != 0 {
		t.Error("listed as unassigned after assigning")
	}
	p = postPage(t, srv, staff, "/inbox/"+cnv+"/done", url.Values{"next": {"https://evil.example/"}})
	if p.Status != http.StatusSeeOther || p.Location != "/inbox?done=conversation-done" {
		t.Fatalf("done: %d %s", p.Status, p.Location)
	}
	if n := getPage(t, srv, staff, "/inbox").Doc.Find(`[data-conversation="` + cnv + `"]`).Length(); n != 0 {
		t.Error("a conversation marked done is still in the open inbox")
	}
	if n := getPage(t, srv, staff, "/inbox?done=1").Doc.Find(`[data-conversation="` + cnv + `"]`).Length(); n != 1 {
		t.Error("a conversation marked done is not in the inbox with done ones")
	}
	if p := postPage(t, srv, staff, "/inbox/cnv_01NOSUCHCONVERSATION000000/done", nil); p.Status != http.StatusNotFound {
		t.Errorf("done on an unknown conversation: %d", p.Status)
	}
}

// TestSMSSettingsPage: an admin sees the inbound and receipt URLs with the
// token, replaces the token (the old URL then answers 404) and sets the
// threshold, with a bad one refused beside the field.
func TestSMSSettingsPage(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	old := smsToken(t, srv)
	p := getPage(t, srv, admin, "/admin/sms")
	if p.Status != http.StatusOK {
		t.Fatalf("settings: %d", p.Status)
	}
	in, rc := p.Doc.Find(`[data-testid="sms-inbound-url"]`).Text(), p.Doc.Find(`[data-testid="sms-receipt-url"]`).Text()
	if !strings.HasSuffix(in, "/hooks/clicksend/inbound/"+old) || !strings.HasSuffix(rc, "/hooks/clicksend/receipt/"+old) {
		t.Fatalf("URLs: %q %q", in, rc)
	}
	if getPage(t, srv, admin, "/admin").Doc.Find(`a[href="/admin/sms"]`).Length() == 0 {
		t.Error("the admin index does not link the SMS settings")
	}
	p = postPage(t, srv, admin, "/admin/sms/rotate", url.Values{"confirm": {"yes"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("rotate: %d", p.Status)
	}
	p = getPage(t, srv, admin, p.Location)
	if strings.HasSuffix(p.Doc.Find(`[data-testid="sms-inbound-url"]`).Text(), old) || p.Doc.Find(`[role="status"]`).Length() == 0 {
		t.Errorf("after rotating: %q", p.Doc.Find(`[data-testid="sms-inbound-url"]`).Text())
	}
	if s := postInbound(t, srv, old, "+61491570156", "Y", "IN-OLD-TOKEN"); s != http.StatusNotFound {
		t.Errorf("the old token answers %d", s)
	}
	p = postPage(t, srv, admin, "/admin/sms", url.Values{"intentThreshold": {"2"}})
	if p.Status != http.StatusUnprocessableEntity || p.Doc.Find(`[data-testid="error-intentThreshold"]`).Length() != 1 {
		t.Errorf("threshold 2: %d", p.Status)
	}
	p = postPage(t, srv, admin, "/admin/sms", url.Values{"intentThreshold": {"eighty"}})
	if p.Status != http.StatusUnprocessableEntity || p.Doc.Find(`[data-testid="error-intentThreshold"]`).Length() != 1 {
		t.Errorf("threshold eighty: %d", p.Status)
	}
	if p := postPage(t, srv, admin, "/admin/sms", url.Values{"intentThreshold": {"0.8"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("threshold 0.8: %d", p.Status)
	}
	if v, _ := getPage(t, srv, admin, "/admin/sms").Doc.Find(`[data-testid="sms-threshold"]`).Attr("value"); v != "0.8" {
		t.Errorf("threshold shows %q", v)
	}
}

// TestSMSPermissions: a role without the permission an SMS operation
// declares gets the clear refusal (403 with the reason), on the page and
// on the post, and is not offered the control: a viewer reads the inbox
// and the thread but has no send box and may not send, assign or mark
// done; staff may not see or rotate the webhook settings.
func TestSMSPermissions(t *testing.T) {
	w := newSMSWorld(t)
	srv, cid, cnv := w.srv, w.contact.ID.String(), w.conv.ID.String()
	viewerC := srv.SignIn(t, "viewer@example.com")
	if p := getPage(t, srv, viewerC, "/inbox"); p.Status != http.StatusOK || p.Doc.Find(`[data-testid="inbox-done-button"]`).Length() != 0 {
		t.Errorf("viewer inbox: %d, done buttons %d", p.Status, p.Doc.Find(`[data-testid="inbox-done-button"]`).Length())
	}
	p := getPage(t, srv, viewerC, "/contacts/"+cid)
	if p.Status != http.StatusOK || p.Doc.Find(`[data-testid="sms-thread"]`).Length() != 1 || p.Doc.Find(`[data-testid="sms-send-form"]`).Length() != 0 {
		t.Errorf("viewer contact page: %d; thread %d, send box %d", p.Status, p.Doc.Find(`[data-testid="sms-thread"]`).Length(), p.Doc.Find(`[data-testid="sms-send-form"]`).Length())
	}
	refused := func(c *http.Client, who, path string, form url.Values) {
		t.Helper()
		var p page
		if form == nil {
			p = getPage(t, srv, c, path)
		} else {
			p = postPage(t, srv, c, path, form)
		}
		msg := strings.TrimSpace(p.Doc.Find(`[data-testid="error"] p`).First().Text())
		if p.Status != http.StatusForbidden || msg == "" {
			t.Errorf("%s %s: %d %q, want 403 with the reason", who, path, p.Status, msg)
		}
	}
	refused(viewerC, "viewer", "/contacts/"+cid+"/sms", url.Values{"body": {"Hello"}})
	refused(viewerC, "viewer", "/inbox/"+cnv+"/done", url.Values{})
	refused(viewerC, "viewer", "/inbox/"+cnv+"/assign", url.Values{"assignee": {""}})
	refused(viewerC, "viewer", "/admin/sms", nil)
	staff := srv.SignIn(t, "staff@example.com")
	refused(staff, "staff", "/admin/sms", nil)
	refused(staff, "staff", "/admin/sms/rotate", url.Values{"confirm": {"yes"}})
	refused(staff, "staff", "/admin/sms", url.Values{"intentThreshold": {"0.8"}})
	if getPage(t, srv, staff, "/admin").Doc.Find(`a[href="/admin/sms"]`).Length() != 0 {
		t.Error("staff are offered the SMS settings")
	}
	// Nothing the refusals touched changed.
	cv, err := srv.App.Ent.Ent.Conversation.Get(w.sys, w.conv.ID)
	if err != nil || cv.DoneAt != nil || !cv.NeedsReply {
		t.Errorf("a refused post changed the conversation: %v %+v", err, cv)
	}
	if n, err := srv.App.Ent.Ent.Message.Query().Where(message.ContactID(w.contact.ID), message.DirectionEQ(message.DirectionOutbound), message.BodyEQ("Hello")).Count(w.sys); err != nil || n != 0 {
		t.Errorf("a refused send queued %d messages (%v)", n, err)
	}
}
