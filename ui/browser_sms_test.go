package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// TestBrowser_InboxReplyAndDone: two patients answer by SMS through the
// real ClickSend webhook, first one the system cannot read ("wrong
// number"), then a STOP it acts on at once. A receptionist opens the
// inbox and sees the unclear reply first although it is older, opens it
// from the keyboard, types a reply (the send box counts the parts as she
// types), sends it, goes back and marks the conversation done with "d".
// The API agrees at the end: a reply went out and the conversation is done.
func TestBrowser_InboxReplyAndDone(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	sys := viewer.Operator.Grant(context.Background(), "browser-sms")
	token := smsToken(t, srv)
	admin := testutil.As(t, srv.App.Ent.Ent, "admin@example.com")
	pts, err := srv.App.Ent.Ent.Contact.Query().Where(contact.PhoneNotNil(), contact.ArchivedAtIsNil()).Order(ent.Asc(contact.FieldID)).Limit(3).All(admin)
	if err != nil || len(pts) < 3 {
		t.Fatalf("three patients with a mobile: %v", err)
	}
	unclear, stops := pts[0], pts[1]
	if s := postInbound(t, srv, token, *unclear.Phone, "wrong number", "IN-BR-1"); s != http.StatusOK {
		t.Fatalf("inbound: %d", s)
	}
	cv := waitConversation(t, srv, sys, unclear.ID, 1)
	if s := postInbound(t, srv, token, *stops.Phone, "STOP", "IN-BR-2"); s != http.StatusOK {
		t.Fatalf("inbound: %d", s)
	}
	if other := waitConversation(t, srv, sys, stops.ID, 1); other.NeedsReply || !cv.NeedsReply {
		t.Fatalf("setup: the STOP needs a reply %v, the unclear one %v", other.NeedsReply, cv.NeedsReply)
	}

	ctx := testutil.Browser(t)
	problems := testutil.WatchPage(t, ctx)
	srv.SignInBrowser(t, ctx, "staff@example.com")
	load(t, ctx, "open the inbox", chromedp.Navigate(srv.URL+"/inbox"))
	testutil.WaitJS(t, ctx, stepTimeout, "htmx", `window.htmx && document.readyState === "complete"`)
	rows := testutil.Texts(t, ctx, testutil.TestID("inbox-name"))
	if len(rows) < 2 || rows[0] != views.BookingPatient(unclear) {
		t.Fatalf("inbox order %v: want %q first", rows, views.BookingPatient(unclear))
	}
	if !eval[bool](t, ctx, `document.querySelector('[data-testid="inbox-row"]').hasAttribute("data-needs-reply")`) {
		t.Error("the first conversation is not marked as needing a reply")
	}
	// A new reply shows up without a reload (the list polls).
	eval[chromedp.Void](t, ctx, `window.__sameDocument = true`)
	if s := postInbound(t, srv, token, *pts[2].Phone, "Y", "IN-BR-3"); s != http.StatusOK {
		t.Fatalf("inbound: %d", s)
	}
	testutil.WaitJS(t, ctx, stepTimeout, "the new conversation", `document.querySelectorAll('[data-testid="inbox-row"]').length === `+fmt.Sprint(len(rows)+1))
	if !eval[bool](t, ctx, `window.__sameDocument === true`) {
		t.Error("the inbox reloaded the page to show the new reply")
	}
	if got := testutil.Texts(t, ctx, testutil.TestID("inbox-name")); got[0] != views.BookingPatient(unclear) {
		t.Errorf("after the new reply the order is %v", got)
	}
	// j chooses the first conversation, Enter opens it.
	do(t, ctx, "choose the first", chromedp.KeyEvent("j"))
	testutil.WaitJS(t, ctx, stepTimeout, "chosen", `document.querySelector('[data-testid="inbox-row"]').classList.contains("chosen")`)
	load(t, ctx, "open it", chromedp.KeyEvent("\r"))
	if got := location(t, ctx); !strings.Contains(got, "/contacts/"+unclear.ID.String()) {
		t.Fatalf("Enter opened %s", got)
	}
	if got := testutil.Text(t, ctx, `[data-testid="sms-message"][data-direction="inbound"] [data-testid="sms-body"]`); !strings.Contains(got, "wrong number") {
		t.Fatalf("thread shows %q", got)
	}
	// Type the reply: the live check answers with the parts and the cost.
	do(t, ctx, "type the reply", chromedp.SendKeys(chromedp.ID("sms-text"), "Sorry, which booking is this about? Avatar Imaging"))
	testutil.WaitJS(t, ctx, stepTimeout, "live check", `(document.querySelector('[data-testid="sms-check-message"]') || {textContent: ""}).textContent.includes("part")`)
	load(t, ctx, "send", chromedp.Click(sel("sms-send-button")))
	if got := testutil.Text(t, ctx, `[data-testid="sms-message"][data-direction="outbound"]:last-child [data-testid="sms-body"]`); !strings.Contains(got, "which booking is this about?") {
		t.Fatalf("sent message: %q", got)
	}
	// Back to the inbox: mark it done from the keyboard.
	load(t, ctx, "back to the inbox", chromedp.Navigate(srv.URL+"/inbox"))
	testutil.WaitJS(t, ctx, stepTimeout, "htmx", `window.htmx && document.readyState === "complete"`)
	idx := eval[int](t, ctx, `Array.from(document.querySelectorAll('[data-testid="inbox-row"]')).findIndex(r => r.getAttribute("data-conversation") === `+testutil.JSString(cv.ID.String())+`)`)
	if idx < 0 {
		t.Fatal("the conversation left the inbox before it was marked done")
	}
	for i := 0; i <= idx; i++ {
		do(t, ctx, "move down", chromedp.KeyEvent("j"))
	}
	load(t, ctx, "mark done", chromedp.KeyEvent("d"))
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-conversation=`+testutil.JSString(cv.ID.String())+`]').length`); n != 0 {
		t.Error("the conversation is still in the inbox after d")
	}
	for _, p := range problems.Check(t, ctx) {
		t.Error(p)
	}

	// The API agrees.
	var out struct {
		Conversation struct {
			DoneAt     *string
			NeedsReply bool
		}
		Messages struct{ TotalCount int }
	}
	srv.MustGraphQL(t, srv.SignIn(t, "staff@example.com"), `query($c: ID!) {
		conversation(contactID: $c) { doneAt needsReply }
		messages(where: {contactID: $c, direction: outbound}) { totalCount } }`,
		map[string]any{"c": unclear.ID}).Decode(t, &out)
	if out.Conversation.DoneAt == nil || out.Conversation.NeedsReply || out.Messages.TotalCount < 1 {
		t.Errorf("API: %+v", out)
	}
}
