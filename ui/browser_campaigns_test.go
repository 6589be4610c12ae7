package ui_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/campaignrecipient"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/campaigns"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// TestBrowser_CampaignBuildPreviewScheduleAnalytics: a manager starts a
// campaign, builds its audience (the live count answers as the filter
// changes, and agrees with the API), drafts it with the built-in engine,
// saves, previews it at a phone's width, sends a test to herself,
// schedules it, and once it has gone out watches the analytics change as
// recipients open it (the real /t/o/ pixel URLs of the emails in the
// outbox) and click its link.
func TestBrowser_CampaignBuildPreviewScheduleAnalytics(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{Env: map[string]string{"AVATARCRM_EMAIL_RATE": "100000"}})
	api := srv.SignIn(t, "manager@example.com")
	const warmMin = 85
	var ap struct {
		AudiencePreview struct{ Matched, Eligible int }
	}
	srv.MustGraphQL(t, api, `query($w: Int!) { audiencePreview(filter: {warmnessMin: $w}) { matched eligible } }`, map[string]any{"w": warmMin}).Decode(t, &ap)
	if ap.AudiencePreview.Eligible < 2 || ap.AudiencePreview.Eligible > 40 {
		t.Fatalf("warmness ≥ %d gives %d eligible contacts: want a few", warmMin, ap.AudiencePreview.Eligible)
	}

	ctx := testutil.Browser(t)
	problems := testutil.WatchPage(t, ctx)
	check := func(page string) {
		t.Helper()
		for _, p := range problems.Check(t, ctx) {
			t.Errorf("%s: %s", page, p)
		}
	}
	srv.SignInBrowser(t, ctx, "manager@example.com")
	load(t, ctx, "open Campaigns", chromedp.Click(sel("nav-campaigns")))
	do(t, ctx, "name the campaign",
		chromedp.SendKeys(sel("campaign-new-name"), "Come back to Avatar"),
		chromedp.SendKeys(sel("campaign-new-goal"), "win back patients who haven't been in for a while"))
	load(t, ctx, "create the draft", chromedp.Click(sel("campaign-create")))
	id := strings.TrimPrefix(eval[string](t, ctx, `location.pathname`), "/campaigns/")
	if !strings.HasPrefix(id, "cmp_") {
		t.Fatalf("after creating, the page is %s", location(t, ctx))
	}
	check("new campaign")

	// The audience: the count answers in place as the warmness changes.
	testutil.WaitJS(t, ctx, stepTimeout, "htmx", `window.htmx && document.readyState === "complete"`)
	eval[chromedp.Void](t, ctx, `window.__samePage = true`)
	do(t, ctx, "warmness from "+strconv.Itoa(warmMin), chromedp.SetValue(sel("aud-warm-min"), strconv.Itoa(warmMin)))
	want := strconv.Itoa(ap.AudiencePreview.Eligible)
	testutil.WaitJS(t, ctx, stepTimeout, "the live count "+want,
		`document.querySelector('[data-testid="audience-eligible"]').textContent === `+testutil.JSString(want))
	if got := testutil.Text(t, ctx, testutil.TestID("audience-matched")); got != strconv.Itoa(ap.AudiencePreview.Matched) {
		t.Errorf("matched = %s, the API says %d", got, ap.AudiencePreview.Matched)
	}
	if ap.AudiencePreview.Matched > ap.AudiencePreview.Eligible && len(testutil.Texts(t, ctx, testutil.TestID("audience-exclusion"))) == 0 {
		t.Error("contacts are left out but no reason is shown")
	}
	if !eval[bool](t, ctx, `window.__samePage === true`) {
		t.Error("the page reloaded to count the audience")
	}

	// The draft: the engine fills in the subject and bodies, kept with the
	// audience as chosen; then save.
	do(t, ctx, "the booking link", chromedp.SendKeys(sel("draft-booking-url"), "https://avatarimaging.example/book"))
	load(t, ctx, "draft with the built-in engine", chromedp.Click(sel("campaign-draft-button")))
	if got := testutil.Text(t, ctx, testutil.TestID("draft-done")); !strings.Contains(got, "builtin") && !strings.Contains(got, "built-in") {
		t.Errorf("the draft says %q", got)
	}
	subject := eval[string](t, ctx, `document.getElementById("campaign-subject").value`)
	if subject == "" || eval[string](t, ctx, `document.getElementById("campaign-html").value`) == "" {
		t.Fatal("the draft left the subject or the HTML body empty")
	}
	if got := eval[string](t, ctx, `document.getElementById("aud-warm-min").value`); got != strconv.Itoa(warmMin) {
		t.Errorf("drafting lost the audience: warmness from %q", got)
	}
	do(t, ctx, "the sender", chromedp.SendKeys(sel("campaign-from-address"), "hello@avatar.example"))
	do(t, ctx, "save", chromedp.Click(sel("campaign-save")))
	testutil.WaitJS(t, ctx, stepTimeout, "the save's answer", `document.querySelector(".flash, .field-error, .form-error") !== null`)
	if got := testutil.Texts(t, ctx, ".flash"); len(got) == 0 || !strings.Contains(got[0], "Campaign saved") {
		t.Fatalf("the save was refused: %q %q subject %q", testutil.Texts(t, ctx, ".field-error, .form-error"), eval[[]string](t, ctx, `Array.from(document.querySelectorAll(".field-error")).map(e => e.id)`), eval[string](t, ctx, `document.getElementById("campaign-subject").value`))
	}
	check("saved")

	// The preview at a phone's width, for a real contact of the audience.
	do(t, ctx, "choose Phone", chromedp.Click(sel("preview-phone")))
	testutil.WaitJS(t, ctx, stepTimeout, "the phone preview",
		`document.querySelector('[data-testid="preview-panel"]').dataset.width === "phone" && document.querySelector('[data-testid="preview-frame"]')?.clientWidth <= 375`)
	to := testutil.Text(t, ctx, testutil.TestID("preview-to"))
	if !strings.Contains(to, "@") {
		t.Errorf("the preview is addressed to %q", to)
	}
	frame := eval[string](t, ctx, `document.querySelector('[data-testid="preview-frame"]').getAttribute("src")`)
	res, html := get(t, api, srv.URL+frame)
	if res.StatusCode != http.StatusOK || !strings.Contains(strings.ToLower(html), "unsubscribe") {
		t.Errorf("the frame's document: %d, no unsubscribe link", res.StatusCode)
	}
	check("phone preview")

	// A test to herself.
	load(t, ctx, "send a test", chromedp.Click(sel("campaign-send-test")))
	if got := testutil.Text(t, ctx, ".flash"); !strings.Contains(got, "Test email sent") {
		t.Errorf("after the test the flash reads %q", got)
	}
	sys := viewer.Operator.Grant(context.Background(), "browser-campaign")
	n, err := srv.App.Ent.Ent.Message.Query().Where(message.ChannelEQ(message.ChannelEmail), message.To("manager@example.com")).Count(sys)
	if err != nil || n != 1 {
		t.Errorf("emails to the manager in the outbox: %d (%v), want the test", n, err)
	}

	// Schedule it an hour from now, Sydney time.
	at := testutil.Now.In(sydney).Add(time.Hour).Format("2006-01-02T15:04")
	do(t, ctx, "choose the time", chromedp.SetValue(sel("campaign-schedule-at"), at))
	load(t, ctx, "schedule", chromedp.Click(sel("campaign-schedule")))
	if got := testutil.Text(t, ctx, testutil.TestID("campaign-status")); got != "Scheduled" {
		t.Errorf("after scheduling the status reads %q", got)
	}
	check("scheduled")
	// Then sends it now rather than wait (the confirmation page first).
	load(t, ctx, "send now", chromedp.Click(sel("campaign-send-now")))
	load(t, ctx, "confirm", chromedp.Click(sel("confirm-button")))

	// It goes out (the job runs); then the analytics, before and after
	// two recipients open it and one clicks.
	pixels, clicks := waitCampaignSent(t, srv, api, id, ap.AudiencePreview.Eligible)
	load(t, ctx, "open the analytics", chromedp.Click(sel("tab-campaign-analytics")))
	if got := testutil.Text(t, ctx, testutil.TestID("stat-sent")); got != want {
		t.Errorf("sent = %s, want %s", got, want)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("stat-opened")); got != "0" {
		t.Errorf("before any open, opened = %s", got)
	}
	check("analytics")
	for _, u := range append(pixels[:2], pixels[0]) {
		if res, _ := get(t, http.DefaultClient, u); res.StatusCode != http.StatusOK {
			t.Fatalf("open pixel %s: %d", u, res.StatusCode)
		}
	}
	if res, err := srv.Client().Get(clicks[0]); err != nil || res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther {
		t.Fatalf("click %s: %v %v", clicks[0], res, err)
	}
	load(t, ctx, "reload the analytics", chromedp.Reload())
	if got := testutil.Text(t, ctx, testutil.TestID("stat-opened")); got != "2" {
		t.Errorf("after two people opened it, opened = %s", got)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("stat-opened-detail")); !strings.Contains(got, "3 opens") {
		t.Errorf("the opens in all read %q, want 3", got)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("stat-clicked")); got != "1" {
		t.Errorf("clicked = %s", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="campaign-chart-desc"]').textContent`); !strings.Contains(got, "opens 3") || !strings.Contains(got, "clicks 1") {
		t.Errorf("the chart describes %q", got)
	}
	total := 0
	for _, s := range testutil.Texts(t, ctx, testutil.TestID("series-opens")) {
		n, _ := strconv.Atoi(s)
		total += n
	}
	if total != 3 {
		t.Errorf("the table under the chart has %d opens, want 3", total)
	}
	if got := testutil.Texts(t, ctx, testutil.TestID("link-unique")); len(got) == 0 || got[0] != "1" {
		t.Errorf("the link's clicks: %v", got)
	}
	check("analytics after opens")

	// The list shows the rates.
	load(t, ctx, "back to the list", chromedp.Click(sel("nav-campaigns")))
	row := testutil.TestID("campaign-row") + `[data-campaign="` + id + `"] `
	wantRate := strconv.FormatFloat(200/float64(ap.AudiencePreview.Eligible), 'f', 1, 64) + "%"
	if got := testutil.Text(t, ctx, row+testutil.TestID("campaign-open-rate")); got != wantRate {
		t.Errorf("the list's open rate = %s, want %s", got, wantRate)
	}
}

// waitCampaignSent waits (a bound against a hang, not a speed) until the
// campaign has sent to every eligible contact, and returns each sent
// recipient's open pixel URL and the URL of its first link's click, as
// the email carries them: tokens signed with the server's tracking key.
func waitCampaignSent(t *testing.T, srv *testutil.Server, api *http.Client, id string, eligible int) (pixels, clicks []string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var out struct {
			CampaignAnalytics struct{ Stats struct{ Sent int } }
		}
		srv.MustGraphQL(t, api, `query($id: ID!) { campaignAnalytics(id: $id) { stats { sent } } }`, idVar(id)).Decode(t, &out)
		if out.CampaignAnalytics.Stats.Sent >= eligible {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the campaign sent %d of %d in 30 s", out.CampaignAnalytics.Stats.Sent, eligible)
		}
		time.Sleep(50 * time.Millisecond)
	}
	sys := viewer.Operator.Grant(context.Background(), "browser-campaign")
	rs, err := srv.App.Ent.Ent.CampaignRecipient.Query().
		Where(campaignrecipient.CampaignID(pulid.ID(id)), campaignrecipient.StatusEQ(campaignrecipient.StatusSent)).
		Order(ent.Asc(campaignrecipient.FieldID)).All(sys)
	if err != nil || len(rs) != eligible {
		t.Fatalf("sent recipients: %d (%v), want %d", len(rs), err, eligible)
	}
	signer := srv.App.Campaigns.Signer
	for _, r := range rs {
		pixels = append(pixels, srv.URL+"/t/o/"+signer.Sign(campaigns.Token{Kind: campaigns.KindOpen, Campaign: pulid.ID(id), Recipient: r.ID}))
		clicks = append(clicks, srv.URL+"/t/c/"+signer.Sign(campaigns.Token{Kind: campaigns.KindClick, Campaign: pulid.ID(id), Recipient: r.ID, Link: 0}))
	}
	return pixels, clicks
}
