package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// overflowing lists the elements that stick out to the right of the
// viewport without a scrolling box of their own around them: what makes a
// page scroll sideways on a tablet. Wide tables and the calendar may scroll
// inside their own box; the page may not.
const overflowing = `(() => {
  const w = document.documentElement.clientWidth, out = [];
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") return true; } return false; };
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > w + 1 && !scrolls(el)) out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "") + " right=" + Math.round(r.right));
  }
  return out.slice(0, 5);
})()`

// At a tablet's width (768 px, an iPad held upright) no staff page scrolls
// sideways, and the contacts page works from the keyboard alone: Tab to
// the search box, type, Tab to a result, Enter opens it, with the focus
// visible on the way.
func TestBrowser_TabletWidthAndKeyboard(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	ctx := testutil.Browser(t)
	do(t, ctx, "a tablet's viewport", chromedp.EmulateViewport(768, 1024))
	srv.SignInBrowser(t, ctx, "manager@example.com")

	load(t, ctx, "open /contacts", chromedp.Navigate(srv.URL+"/contacts"))
	contact := eval[string](t, ctx, `document.querySelector('[data-testid="contact-name"]').getAttribute("href")`)
	for _, path := range []string{"/", "/contacts", contact, "/contacts/new", "/contacts/import", "/bookings?view=day", "/bookings?view=week",
		"/bookings?view=month", "/bookings/list", "/bookings/new", "/tasks", "/tasks/board", "/tasks/new", "/admin"} {
		load(t, ctx, "open "+path, chromedp.Navigate(srv.URL+path))
		if out := eval[[]string](t, ctx, overflowing); len(out) > 0 {
			t.Errorf("%s scrolls sideways at 768 px: %s", path, strings.Join(out, "; "))
		}
	}

	// The keyboard alone.
	load(t, ctx, "open /contacts", chromedp.Navigate(srv.URL+"/contacts"))
	testutil.WaitJS(t, ctx, stepTimeout, "htmx to load", `window.htmx && document.readyState === "complete"`)
	tabTo := func(what, test string) {
		t.Helper()
		for range 60 {
			if eval[bool](t, ctx, test) {
				if style := eval[string](t, ctx, `getComputedStyle(document.activeElement).outlineStyle`); style == "none" {
					t.Errorf("%s has the focus but no visible outline", what)
				}
				return
			}
			do(t, ctx, "press Tab", chromedp.KeyEvent(kb.Tab))
		}
		t.Fatalf("60 presses of Tab never reached %s (focus on %s)", what, eval[string](t, ctx, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	tabTo("the search box", `document.activeElement?.dataset.testid === "contact-search"`)
	do(t, ctx, "type a name with a typo", chromedp.KeyEvent("Smtih"))
	testutil.WaitJS(t, ctx, stepTimeout, "the search results", `location.search.includes("q=Smtih") && !!document.querySelector('[data-testid="contact-row"]')`)
	first := eval[string](t, ctx, `document.querySelector('[data-testid="contact-name"]').textContent.trim()`)
	if !strings.Contains(first, "Smith") {
		t.Errorf("the first result for “Smtih” is %q", first)
	}
	tabTo("the first result", `document.activeElement?.dataset.testid === "contact-name"`)
	do(t, ctx, "press Enter", chromedp.KeyEvent(kb.Enter))
	testutil.WaitJS(t, ctx, stepTimeout, "the contact page", `location.pathname.startsWith("/contacts/con_") && !!document.querySelector("h1")`)
	if got := eval[string](t, ctx, `document.querySelector("h1").textContent`); !strings.Contains(got, first) {
		t.Errorf("Enter on %q opened %q", first, got)
	}
}
