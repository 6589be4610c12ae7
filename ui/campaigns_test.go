package ui_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// newCampaign creates a draft campaign through GraphQL as the user of c,
// with an audience of warmness at least warmMin, and returns its ID.
func newCampaign(t *testing.T, srv *testutil.Server, c *http.Client, name string, warmMin int) string {
	t.Helper()
	var out struct{ CreateCampaign struct{ ID string } }
	srv.MustGraphQL(t, c, `mutation($n: String!, $w: Int!) { createCampaign(input: {name: $n, goal: "win back lapsed patients",
		audience: {warmnessMin: $w},
		subject: "Hello {{.FirstName}}", htmlBody: "<p>Hi {{.FirstName}}, it's been a while.</p><p><a href=\"https://example.com/book\">Book now</a></p>",
		textBody: "Hi {{.FirstName}}, it's been a while. Book: https://example.com/book", fromAddress: "hello@avatar.example"}) { id } }`,
		map[string]any{"n": name, "w": warmMin}).Decode(t, &out)
	return out.CreateCampaign.ID
}

// campaignPost posts a form with the client and returns its status and body.
func campaignPost(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func campaignStatus(t *testing.T, srv *testutil.Server, c *http.Client, id string) string {
	t.Helper()
	var out struct{ Campaign struct{ Status string } }
	srv.MustGraphQL(t, c, `query($id: ID!) { campaign(id: $id) { status } }`, idVar(id)).Decode(t, &out)
	return out.Campaign.Status
}

// TestCampaignPages_StaffDraftsManagerSends: staff see the campaigns and
// the editor but no button that sends, and a post that would send is
// refused (403) as the API refuses it; a manager's page offers the
// buttons, and the same post starts sending.
func TestCampaignPages_StaffDraftsManagerSends(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff, manager := srv.SignIn(t, "staff@example.com"), srv.SignIn(t, "manager@example.com")
	id := newCampaign(t, srv, manager, "Spring recall", 90)

	res, body := get(t, staff, srv.URL+"/campaigns")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="nav-campaigns"`) || !strings.Contains(body, "Spring recall") {
		t.Fatalf("staff /campaigns: %d, nav or campaign missing", res.StatusCode)
	}
	res, body = get(t, staff, srv.URL+"/campaigns/"+id)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("staff campaign page: %d", res.StatusCode)
	}
	for _, button := range []string{"campaign-send-now", "campaign-schedule", "campaign-cancel"} {
		if strings.Contains(body, `data-testid="`+button+`"`) {
			t.Errorf("staff see the %s button", button)
		}
	}
	res, _ = campaignPost(t, staff, srv.URL+"/campaigns/"+id+"/send", url.Values{"confirm": {"yes"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("staff POST send: %d, want 403", res.StatusCode)
	}
	if r := srv.GraphQL(t, staff, `mutation($id: ID!) { sendCampaign(id: $id) { id } }`, idVar(id)); r.FirstCode() != "FORBIDDEN" {
		t.Errorf("staff sendCampaign: %+v, want FORBIDDEN", r.Errors)
	}
	if st := campaignStatus(t, srv, manager, id); st != "draft" {
		t.Fatalf("after staff's attempts the campaign is %s", st)
	}

	_, body = get(t, manager, srv.URL+"/campaigns/"+id)
	for _, button := range []string{"campaign-send-now", "campaign-schedule", "campaign-send-test", "campaign-draft-button", "campaign-save"} {
		if !strings.Contains(body, `data-testid="`+button+`"`) {
			t.Errorf("the manager's page has no %s button", button)
		}
	}
	// Send now asks first; the confirmation posts again.
	if res, body := get(t, manager, srv.URL+"/campaigns/"+id+"/send"); res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="confirm"`) {
		t.Fatalf("GET send: %d, want the confirmation page", res.StatusCode)
	}
	res, _ = campaignPost(t, manager, srv.URL+"/campaigns/"+id+"/send", url.Values{"confirm": {"yes"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/campaigns/"+id+"?done=campaign-sending" {
		t.Fatalf("manager POST send: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if st := campaignStatus(t, srv, manager, id); st != "sending" && st != "sent" {
		t.Errorf("after send the campaign is %s", st)
	}
}

// TestCampaignEditor_RefusesUnknownVariable: a subject naming a variable
// that does not exist is refused at save, beside the subject, with
// everything as typed; nothing is saved.
func TestCampaignEditor_RefusesUnknownVariable(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	manager := srv.SignIn(t, "manager@example.com")
	id := newCampaign(t, srv, manager, "Typo", 90)
	form := url.Values{"name": {"Typo"}, "goal": {"recall"}, "subject": {"Hi {{.FirstNmae}}"}, "htmlBody": {"<p>Hi</p>"},
		"textBody": {"Hi"}, "fromAddress": {"hello@avatar.example"}, "warmnessMin": {"90"}}
	res, body := campaignPost(t, manager, srv.URL+"/campaigns/"+id, form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("save with an unknown variable: %d, want 422", res.StatusCode)
	}
	m := regexp.MustCompile(`data-testid="field-error-campaign-subject">([^<]+)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no error beside the subject:\n%s", body)
	}
	t.Logf("the subject's error: %s", m[1])
	if !strings.Contains(body, `value="Hi {{.FirstNmae}}"`) {
		t.Error("the subject as typed is not kept")
	}
	var out struct{ Campaign struct{ Subject string } }
	srv.MustGraphQL(t, manager, `query($id: ID!) { campaign(id: $id) { subject } }`, idVar(id)).Decode(t, &out)
	if out.Campaign.Subject != "Hello {{.FirstName}}" {
		t.Errorf("the refused save changed the subject to %q", out.Campaign.Subject)
	}

	// A bad number in the audience is refused beside its field too.
	form.Set("subject", "Hello {{.FirstName}}")
	form.Set("warmnessMin", "lots")
	res, body = campaignPost(t, manager, srv.URL+"/campaigns/"+id, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="field-error-aud-warm-min"`) {
		t.Errorf("warmness 'lots': %d, error beside the field: %v", res.StatusCode, strings.Contains(body, "field-error-aud-warm-min"))
	}
}

// TestCampaignAudienceAndPreview: the builder's live count is the API's
// audiencePreview for the same filter, with the exclusions by reason; the
// preview frame's document is the email rendered for a real contact,
// served with a policy that runs no script and may be framed only here.
func TestCampaignAudienceAndPreview(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	manager := srv.SignIn(t, "manager@example.com")
	id := newCampaign(t, srv, manager, "Preview", 60)

	var ap struct {
		AudiencePreview struct {
			Matched, Eligible int
			Sample            []struct{ ID, FirstName, Email string }
			Excluded          []struct {
				Reason string
				Count  int
			}
		}
	}
	srv.MustGraphQL(t, manager, `{ audiencePreview(filter: {warmnessMin: 60}, sampleSize: 10) { matched eligible sample { id firstName email } excluded { reason count } } }`, nil).Decode(t, &ap)
	a := ap.AudiencePreview
	if a.Eligible == 0 || len(a.Excluded) == 0 {
		t.Fatalf("the demo data gives warmness ≥ 60 %d eligible and no exclusions: the test would prove little", a.Eligible)
	}
	res, body := get(t, manager, srv.URL+"/campaigns/"+id+"/audience?warmnessMin=60")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("audience: %d", res.StatusCode)
	}
	if !strings.Contains(body, `data-testid="audience-eligible">`+strconv.Itoa(a.Eligible)+`<`) || !strings.Contains(body, `data-testid="audience-matched">`+strconv.Itoa(a.Matched)+`<`) {
		t.Errorf("the builder does not show %d eligible of %d matched:\n%s", a.Eligible, a.Matched, body)
	}
	for _, x := range a.Excluded {
		if !strings.Contains(body, `data-reason="`+x.Reason+`"><span data-testid="exclusion-count">`+strconv.Itoa(x.Count)+`<`) {
			t.Errorf("the builder does not show %d excluded for %s", x.Count, x.Reason)
		}
	}
	if _, body := get(t, manager, srv.URL+"/campaigns/"+id+"/audience?warmnessMin=abc"); !strings.Contains(body, `data-testid="audience-error"`) {
		t.Error("a warmness that is not a number is not refused")
	}

	who := a.Sample[0]
	res, err := manager.Get(srv.URL + "/campaigns/" + id + "/preview.html?contact=" + who.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview.html: %d", res.StatusCode)
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'self'", "sandbox"} {
		if !strings.Contains(csp, want) {
			t.Errorf("the preview's policy %q lacks %s", csp, want)
		}
	}
	if strings.Contains(csp, "script-src") || res.Header.Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Errorf("the preview may run script or not be framed: %q, %q", csp, res.Header.Get("X-Frame-Options"))
	}
	if html := string(b); !strings.Contains(html, "Hi "+who.FirstName) || !strings.Contains(strings.ToLower(html), "unsubscribe") {
		t.Errorf("the preview is not rendered for %s with an unsubscribe link:\n%s", who.FirstName, html)
	}
	// The panel for a phone: the frame is 375 px wide and shows the
	// contact's address and subject.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/campaigns/"+id+"/preview?width=phone&contact="+who.ID, nil)
	req.Header.Set("HX-Request", "true")
	res, err = manager.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	panel := string(b)
	if !strings.Contains(panel, `width="375"`) || !strings.Contains(panel, who.Email) || !strings.Contains(panel, "Hello "+who.FirstName) {
		t.Errorf("the phone preview panel:\n%s", panel)
	}
}
