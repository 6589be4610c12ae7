package testutil

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// BrowserTimeout bounds everything one test does in its browser.
const BrowserTimeout = 60 * time.Second

// ChromiumPath returns the Chromium (or Chrome) binary browser tests use:
// $AVATARCRM_CHROMIUM if set, else the first of chromium, chromium-browser,
// google-chrome and google-chrome-stable found on $PATH. It returns "" if
// there is none.
func ChromiumPath() string {
	if p := os.Getenv("AVATARCRM_CHROMIUM"); p != "" {
		if abs, err := exec.LookPath(p); err == nil {
			return abs
		}
		return ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser starts a headless Chromium with a fresh profile under tb.TempDir()
// and returns a chromedp context for one tab of it. Everything run on the
// context must finish within BrowserTimeout; the browser is stopped when the
// test ends. The test is skipped when no Chromium is installed, and fails
// when $AVATARCRM_CHROMIUM names one that is not there.
//
// Call it after StartServer, so that the browser is gone (and its
// connections closed) before the server shuts down.
func Browser(tb testing.TB) context.Context {
	tb.Helper()
	path := ChromiumPath()
	if path == "" {
		if p := os.Getenv("AVATARCRM_CHROMIUM"); p != "" {
			// Asked for a browser that is not there: a mistake, not a skip.
			tb.Fatalf("AVATARCRM_CHROMIUM=%s is not an executable", p)
		}
		SkipOrFail(tb, "browser tests need Chromium: apt-get install chromium")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(tb.TempDir()),
	}
	// The whole browser lives at most BrowserTimeout: every action of the
	// test runs on a context under this one.
	timeoutCtx, cancelTimeout := context.WithTimeout(context.Background(), BrowserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeoutCtx, opts...)
	logf := func(string, ...any) {}
	if testing.Verbose() {
		logf = tb.Logf
	}
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(logf))
	stop := func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	}
	// The first action starts the browser.
	if err := chromedp.Do(ctx); err != nil {
		stop()
		tb.Fatalf("start %s: %v", path, err)
	}
	tb.Cleanup(stop)
	return ctx
}

// SignInBrowser signs the browser in as the demo user with that email the
// way a person does: it opens /login, clicks the user's button (a form
// posting the email to /auth/dev) and waits for the dashboard.
func (s *Server) SignInBrowser(tb testing.TB, ctx context.Context, email string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/login")); err != nil {
		tb.Fatalf("open /login: %v", err)
	}
	btn := chromedp.CSS(TestID("signin-" + email))
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(btn))
	if err != nil {
		tb.Fatalf("sign in as %s: %v", email, err)
	}
	if resp == nil || resp.Status != http.StatusOK {
		tb.Fatalf("sign in as %s: the page after sign-in is %+v, want status 200", email, resp)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(TestID("today-appointments")))); err != nil {
		tb.Fatalf("sign in as %s: no dashboard: %v", email, err)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || loc != s.URL+"/" {
		tb.Fatalf("sign in as %s: landed on %q (%v), want %s/", email, loc, err, s.URL)
	}
}

// WaitJS evaluates the JavaScript expression in the page every 50 ms until
// it is true, and fails the test with what if it is not within timeout.
//
// Unlike chromedp.Poll, which fails when the page navigates, it keeps
// trying across navigations, so it can wait for what a click leads to
// whether that is an htmx swap or a new page.
func WaitJS(tb testing.TB, ctx context.Context, timeout time.Duration, what, expr string) {
	tb.Helper()
	if err := waitJS(ctx, timeout, expr); err != nil {
		tb.Fatalf("waiting for %s: %v", what, err)
	}
}

func waitJS(ctx context.Context, timeout time.Duration, expr string) error {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		ok, err := chromedp.Run(wctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		if err == nil && ok {
			return nil
		}
		if err != nil && wctx.Err() == nil {
			last = err
		}
		select {
		case <-wctx.Done():
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if last != nil {
				return fmt.Errorf("not true after %s (last error: %w): %s", timeout, last, expr)
			}
			return fmt.Errorf("not true after %s: %s", timeout, expr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// JSString quotes s as a JavaScript string literal.
func JSString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestID is the CSS selector of the elements with that data-testid.
func TestID(id string) string { return `[data-testid="` + id + `"]` }

// Texts returns the inner texts of the elements that match the CSS
// selector, in document order, with runs of white space folded to one
// space.
func Texts(tb testing.TB, ctx context.Context, css string) []string {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(`+JSString(css)+`), e => e.innerText)`))
	if err != nil {
		tb.Fatalf("read %s: %v", css, err)
	}
	for i := range v {
		v[i] = strings.Join(strings.Fields(v[i]), " ")
	}
	return v
}

// Text returns the inner text of the first element that matches the CSS
// selector, white space folded, failing the test if there is none.
func Text(tb testing.TB, ctx context.Context, css string) string {
	tb.Helper()
	v := Texts(tb, ctx, css)
	if len(v) == 0 {
		tb.Fatalf("no element matches %s", css)
	}
	return v[0]
}

// PageProblems records what would show as a problem in the browser's
// console: uncaught exceptions, console.error and console.assert calls,
// browser log entries of level error, and every Content-Security-Policy
// violation (from the browser log and from the page's
// securitypolicyviolation events).
type PageProblems struct {
	mu   sync.Mutex
	list []string
	// Ignore drops a problem whose text it returns true for.
	Ignore func(string) bool
}

// cspRecorder runs in every document before the page's own scripts (the
// DevTools protocol injects it, so the CSP does not apply to it) and
// remembers each CSP violation the document reports.
const cspRecorder = `(() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
      " at " + (e.sourceFile || "?") + ":" + e.lineNumber + (e.sample ? " (" + e.sample + ")" : ""));
  });
})();`

// WatchPage starts recording the problems of the tab. Call it before
// the navigations to watch.
func WatchPage(tb testing.TB, ctx context.Context) *PageProblems {
	tb.Helper()
	p := &PageProblems{}
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg += " " + d.Exception.Description
			}
			p.add(fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
				return
			}
			var parts []string
			for _, a := range ev.Args {
				switch {
				case a.Description != "":
					parts = append(parts, a.Description)
				case len(a.Value) > 0:
					parts = append(parts, string(a.Value))
				default:
					parts = append(parts, string(a.Type))
				}
			}
			p.add("console." + string(ev.Type) + ": " + strings.Join(parts, " "))
		case *log.EventEntryAdded:
			e := ev.Entry
			csp := strings.Contains(e.Text, "Content Security Policy")
			if e.Level == log.EntryLevelError || csp {
				p.add(fmt.Sprintf("browser log (%s, %s): %s %s", e.Level, e.Source, e.Text, e.URL))
			}
		}
	})
	if err != nil {
		tb.Fatalf("listen to the page: %v", err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: cspRecorder}); err != nil {
		tb.Fatalf("install the CSP recorder: %v", err)
	}
	return p
}

func (p *PageProblems) add(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Ignore != nil && p.Ignore(s) {
		return
	}
	p.list = append(p.list, s)
}

// Check collects the CSP violations the current document recorded and
// returns every problem seen so far, then forgets them. Call it before
// leaving each page (a navigation drops the document's record).
func (p *PageProblems) Check(tb testing.TB, ctx context.Context) []string {
	tb.Helper()
	// A round trip to the tab: Listen sees events in order, so every event
	// the browser sent before this reply has been recorded.
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__cspViolations || []`))
	if err != nil {
		tb.Fatalf("read the CSP violations: %v", err)
	}
	for _, s := range v {
		p.add("CSP violation: " + s)
	}
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.__cspViolations && (window.__cspViolations.length = 0)`))
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.list
	p.list = nil
	return out
}
