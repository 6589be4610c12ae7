package ai

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/microcosm-cc/bluemonday"

	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// Merge placeholders in campaign bodies: the sender fills them per
// recipient.
const (
	UnsubscribePlaceholder = "{{unsubscribe_url}}"
	FirstNamePlaceholder   = "{{first_name}}"
)

// Campaign goals: one clinic-written template each.
const (
	GoalRecall       = "recall"
	GoalReactivation = "reactivation"
	GoalNewService   = "new_service"
	GoalNurture      = "nurture"
	GoalNewsletter   = "newsletter"
)

// Goals lists the templates.
var Goals = []string{GoalRecall, GoalReactivation, GoalNewService, GoalNurture, GoalNewsletter}

// Tones.
const (
	ToneFriendly     = "friendly"
	ToneProfessional = "professional"
	ToneBrief        = "brief"
)

// Tones lists the tones every template is written in.
var Tones = []string{ToneFriendly, ToneProfessional, ToneBrief}

// Audience says who a campaign is for.
type Audience struct {
	// Description is staff's words ("patients due for their annual
	// mammogram"); it goes to a model, redacted.
	Description string
	// Service is the service it is about, if any ("Screening Mammogram").
	Service string
	// Clinic and Phone sign the email.
	Clinic, Phone string
	// BookingURL is the call to action's link (https only), if any.
	BookingURL string
}

// CampaignInput is what to draft.
type CampaignInput struct {
	LocationID string
	// Goal is one of Goals, or staff's words ("win back patients who
	// haven't been in for a year"), read to pick a template.
	Goal     string
	Audience Audience
	// Tone is one of Tones; "" means friendly.
	Tone string
}

// Campaign is a drafted email.
type Campaign struct {
	Answer
	// Template is the goal whose template the built-in engine filled.
	Template  string `json:"template"`
	Subject   string `json:"subject"`
	Preheader string `json:"preheader"`
	// HTML is sanitised, and links the unsubscribe placeholder.
	HTML string `json:"html"`
	// Text is the plain-text body, with the unsubscribe placeholder.
	Text string `json:"text"`
}

//go:embed templates/*.tmpl
var templateFiles embed.FS

var campaignTemplates = template.Must(template.New("").Delims("[[", "]]").Option("missingkey=error").ParseFS(templateFiles, "templates/*.tmpl"))

// goalWords pick a template from staff's words.
var goalWords = []struct {
	goal  string
	words []string
}{
	{GoalRecall, []string{"recall", "annual", "yearly", "due", "overdue", "check up", "checkup", "repeat", "follow up scan", "screening"}},
	{GoalReactivation, []string{"haven t", "havent", "lapsed", "inactive", "come back", "win back", "missed", "reactivat", "dormant", "a while", "not been in"}},
	{GoalNewService, []string{"new service", "launch", "now offer", "introduc", "announc", "new machine", "new clinic", "opening"}},
	{GoalNurture, []string{"enquir", "inquir", "lead", "didn t book", "didnt book", "not booked", "interested", "quote", "follow up", "nurture"}},
	{GoalNewsletter, []string{"newsletter", "news", "update", "tips"}},
}

// pickGoal returns the template for a goal.
func pickGoal(goal string) string {
	g := strings.ToLower(strings.TrimSpace(goal))
	if slices.Contains(Goals, g) {
		return g
	}
	w := words(g)
	for _, gw := range goalWords {
		for _, k := range gw.words {
			if strings.Contains(w, " "+k) {
				return gw.goal
			}
		}
	}
	return GoalNewsletter
}

// GenerateEmailCampaign implements Service. It answers INVALID for an
// unknown tone or a booking link that is not https.
func (a *AI) GenerateEmailCampaign(ctx context.Context, in CampaignInput) (Campaign, error) {
	if in.Tone == "" {
		in.Tone = ToneFriendly
	}
	if !slices.Contains(Tones, in.Tone) {
		return Campaign{}, apperr.Invalidf("tone", "unknown tone %q (want %s)", in.Tone, strings.Join(Tones, ", "))
	}
	if u := in.Audience.BookingURL; u != "" && !strings.HasPrefix(u, "https://") {
		return Campaign{}, apperr.Invalidf("bookingURL", "the booking link must start with https://")
	}
	if in.Audience.Clinic == "" {
		in.Audience.Clinic = "our clinic"
	}
	b, err := builtinCampaign(in)
	if err != nil {
		return Campaign{}, err
	}
	now := a.now()
	var red textRedactor
	return run(ctx, a, request[Campaign]{
		uc: UseCampaign, location: in.LocationID, builtin: b, maxTokens: 900,
		answer: func(r *Campaign) *Answer { return &r.Answer },
		schema: a.schemas.byUseCase[UseCampaign],
		prompt: func() (string, string) {
			red = a.redactor(now)
			return campaignPrompt(in, b, red)
		},
		accept: func(raw []byte) (Campaign, error) { return acceptCampaign(raw, in, b, red) },
	}), nil
}

func builtinCampaign(in CampaignInput) (Campaign, error) {
	goal := pickGoal(in.Goal)
	exec := func(name string) (string, error) {
		var buf bytes.Buffer
		data := map[string]string{"Service": in.Audience.Service, "Clinic": in.Audience.Clinic, "Phone": or(in.Audience.Phone, "our reception")}
		t := campaignTemplates.Lookup(goal + ".tmpl")
		if t == nil {
			return "", fmt.Errorf("ai: no template for %s", goal)
		}
		if err := t.ExecuteTemplate(&buf, name, data); err != nil {
			return "", fmt.Errorf("ai: template %s: %w", goal, err)
		}
		return strings.TrimSpace(buf.String()), nil
	}
	c := Campaign{Answer: Answer{Engine: EngineBuiltin, Model: BuiltinModel, Confidence: 1}, Template: goal}
	var err error
	if c.Subject, err = exec("subject." + in.Tone); err != nil {
		return c, err
	}
	if c.Preheader, err = exec("preheader"); err != nil {
		return c, err
	}
	body, err := exec("body." + in.Tone)
	if err != nil {
		return c, err
	}
	cta, err := exec("cta")
	if err != nil {
		return c, err
	}
	c.HTML, c.Text = renderEmail(paragraphs(body), cta, in.Audience)
	c.Reason = fmt.Sprintf("The clinic's %s template, %s tone", strings.ReplaceAll(goal, "_", " "), in.Tone)
	if goal == GoalNewsletter && !strings.Contains(strings.ToLower(in.Goal), "news") {
		c.Confidence = 0.5
		c.Reason += " (no closer template matched the goal)"
	}
	return c, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// paragraphs splits a body at blank lines.
func paragraphs(body string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// emailPolicy allows the little HTML our layout writes and nothing else.
var emailPolicy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "strong", "em", "h1", "h2", "ul", "ol", "li", "div", "span", "hr")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("https", "mailto")
	p.AllowRelativeURLs(true) // the unsubscribe placeholder
	p.RequireParseableURLs(true)
	p.AllowAttrs("style").OnElements("p", "div", "a", "span", "hr")
	p.AllowStyles("color", "background-color", "padding", "margin", "text-decoration", "border-radius", "font-size", "font-weight", "display", "font-family", "line-height", "border", "border-top").Globally()
	return p
}()

// renderEmail lays paragraphs out as sanitised HTML and as text, with the
// call to action and the unsubscribe footer.
func renderEmail(paras []string, cta string, aud Audience) (string, string) {
	var h, t strings.Builder
	h.WriteString(`<div style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #1f2933">`)
	for _, p := range paras {
		h.WriteString("<p>")
		for i, line := range strings.Split(p, "\n") {
			if i > 0 {
				h.WriteString("<br>")
			}
			h.WriteString(html.EscapeString(line))
		}
		h.WriteString("</p>")
		t.WriteString(p + "\n\n")
	}
	if aud.BookingURL != "" && cta != "" {
		fmt.Fprintf(&h, `<p><a href="%s" style="display: inline-block; padding: 12px 20px; background-color: #0b6e4f; color: #ffffff; text-decoration: none; border-radius: 6px">%s</a></p>`,
			html.EscapeString(aud.BookingURL), html.EscapeString(cta))
		fmt.Fprintf(&t, "%s: %s\n\n", cta, aud.BookingURL)
	}
	fmt.Fprintf(&h, `<hr style="border: 0; border-top: 1px solid #d9e2ec"><p style="font-size: 12px; color: #52606d">%s · <a href="%s">Unsubscribe</a></p></div>`,
		html.EscapeString(aud.Clinic), UnsubscribePlaceholder)
	fmt.Fprintf(&t, "--\n%s\nUnsubscribe: %s\n", aud.Clinic, UnsubscribePlaceholder)
	return sanitizeEmail(h.String()), t.String()
}

// sanitizeEmail runs the policy, then puts back the unsubscribe
// placeholder the sanitiser percent-encoded in the link.
func sanitizeEmail(s string) string {
	out := emailPolicy.Sanitize(s)
	return strings.ReplaceAll(out, "%7B%7Bunsubscribe_url%7D%7D", UnsubscribePlaceholder)
}

func campaignPrompt(in CampaignInput, b Campaign, red textRedactor) (string, string) {
	data := map[string]any{
		"goal": red.Redact(truncate(in.Goal, 300)), "audience": red.Redact(truncate(in.Audience.Description, 300)),
		"service": in.Audience.Service, "clinic": in.Audience.Clinic, "tone": in.Tone,
		"template_subject": b.Subject, "template_text": b.Text,
	}
	sys := `You write marketing emails for a medical imaging clinic in Australia, in Australian English. Rewrite the clinic's template for the goal, audience and tone given: a subject, a preheader, one to six short plain-text paragraphs and a call to action of a few words. Greet the reader with the merge field {{first_name}} exactly as written. No HTML, no links, no prices, no medical claims or promises, no other merge fields; the clinic adds the booking link and the unsubscribe link itself.
` + guard
	return sys, promptJSON(data)
}

type campaignAnswer struct {
	Subject      string   `json:"subject"`
	Preheader    string   `json:"preheader"`
	Paragraphs   []string `json:"paragraphs"`
	CallToAction string   `json:"call_to_action"`
}

var (
	urlRE         = regexp.MustCompile(`(?i)\b(?:https?://|www\.)|<[a-z/!]|\b[a-z0-9-]+\.(?:com|net|org|au|io|ru|xyz)\b`)
	mergeFieldRE  = regexp.MustCompile(`\{\{\s*([a-z_]+)\s*\}\}`)
	placeholderRE = regexp.MustCompile(`\[(?:NAME|PHONE|EMAIL|ADDRESS|MEDICARE|DOB)_\d+\]`)
)

// acceptCampaign takes a model's wording after checks: no links or
// markup (the layout adds the only links), no merge fields but first
// name, and placeholders of redacted details put back. The text is
// escaped into our layout and sanitised, so nothing the model writes can
// become HTML.
func acceptCampaign(raw []byte, in CampaignInput, b Campaign, red textRedactor) (Campaign, error) {
	var m campaignAnswer
	if err := json.Unmarshal(raw, &m); err != nil {
		return Campaign{}, reject("%v", err)
	}
	all := append([]string{m.Subject, m.Preheader, m.CallToAction}, m.Paragraphs...)
	for _, s := range all {
		if urlRE.MatchString(s) {
			return Campaign{}, reject("a link or markup in %q", truncate(s, 60))
		}
		for _, f := range mergeFieldRE.FindAllStringSubmatch(s, -1) {
			if f[1] != "first_name" {
				return Campaign{}, reject("unknown merge field %q", f[0])
			}
		}
	}
	restore := func(s string) string {
		s = red.Restore(s)
		// A placeholder the model invented cannot be restored: drop it.
		return strings.TrimSpace(placeholderRE.ReplaceAllString(s, ""))
	}
	c := b
	c.Subject, c.Preheader = restore(m.Subject), restore(m.Preheader)
	paras := make([]string, 0, len(m.Paragraphs))
	for _, p := range m.Paragraphs {
		if p = restore(p); p != "" {
			paras = append(paras, p)
		}
	}
	if c.Subject == "" || len(paras) == 0 {
		return Campaign{}, reject("an empty subject or body")
	}
	cta := restore(m.CallToAction)
	if cta == "" {
		cta = "Book now"
	}
	c.HTML, c.Text = renderEmail(paras, cta, in.Audience)
	c.Confidence = 0.8
	c.Reason = fmt.Sprintf("The model rewrote the clinic's %s template, %s tone", strings.ReplaceAll(b.Template, "_", " "), in.Tone)
	return c, nil
}
