package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestBrowser_SMSTemplateLiveCount types into the SMS template editor:
// htmx swaps the preview as the text grows past one part (160 GSM-7
// characters) and when an emoji makes it UCS-2, without a page load and
// without console errors or CSP breaks.
func TestBrowser_SMSTemplateLiveCount(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	ctx := testutil.Browser(t)
	problems := testutil.WatchPage(t, ctx)
	srv.SignInBrowser(t, ctx, "admin@example.com")
	load(t, ctx, "open the editor", chromedp.Navigate(srv.URL+"/messages/templates/reminder_2h"))
	testutil.WaitJS(t, ctx, stepTimeout, "htmx", `window.htmx && document.readyState === "complete"`)
	if got := testutil.Text(t, ctx, testutil.TestID("preview-segments")); got != "1" {
		t.Fatalf("the standard text is %s parts", got)
	}
	eval[chromedp.Void](t, ctx, `window.__sameDocument = true`)
	// Typing ends in an input event; htmx listens for it.
	typeText := func(text string) {
		t.Helper()
		eval[chromedp.Void](t, ctx, `(() => { const el = document.querySelector('[data-testid="tpl-body"]');
			el.value = `+testutil.JSString(text)+`; el.dispatchEvent(new Event("input", {bubbles: true})); })()`)
	}
	do(t, ctx, "type a letter", chromedp.SendKeys(chromedp.ID("tpl-body"), "x"))
	typeText(strings.Repeat("a", 150) + " {{first_name}}")
	testutil.WaitJS(t, ctx, stepTimeout, "two parts", `document.querySelector('[data-testid="preview-segments"]').textContent === "2"`)
	typeText("See you soon 😀")
	testutil.WaitJS(t, ctx, stepTimeout, "UCS-2", `document.querySelector('[data-testid="sms-preview"]').textContent.includes("UCS-2")`)
	if !eval[bool](t, ctx, `window.__sameDocument === true`) {
		t.Error("typing loaded a new page")
	}
	for _, p := range problems.Check(t, ctx) {
		t.Error(p)
	}
}
