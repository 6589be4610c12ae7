// Package campaigns is email campaigns (issue 17, docs/EMAIL.md): a
// location's campaigns with their audience (a saved filter over contacts),
// content (html/template bodies, sanitised, with the clinic's identity and
// an unsubscribe link), sending in rate-limited batches of durable jobs
// (one per campaign × contact), tracking (opens, clicks, unsubscribes
// through signed tokens) and analytics.
package campaigns

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/campaign"
	"github.com/avatarimaging/avatarcrm/ent/campaignrecipient"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/email"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Enqueuer is what the service needs of the job queue (*jobs.Queue).
type Enqueuer interface {
	Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (jobs.Enqueued, error)
	EnqueueMany(ctx context.Context, params []river.InsertManyParams) (int, error)
}

// Drafter drafts campaign emails (the AI layer: built-in templates, or an
// LLM when configured).
type Drafter interface {
	GenerateEmailCampaign(ctx context.Context, in ai.CampaignInput) (ai.Campaign, error)
}

// Service runs the campaigns of the viewer's location. Its methods take
// the request's context (the viewer) and the client of the caller's
// transaction.
type Service struct {
	Client *ent.Client
	Now    clock.Clock
	Jobs   Enqueuer
	// Email is the provider every campaign email, test email and
	// automation email goes through.
	Email email.Provider
	// From is the default sender (AVATARCRM_EMAIL_FROM).
	From string
	// Rate is the most campaign emails a minute (AVATARCRM_EMAIL_RATE);
	// DailyQuota the most a day (Gmail Workspace: 2,000), 0 for none.
	Rate, DailyQuota int
	// Signer signs the tracking links; PublicURL is where they point.
	Signer    *Signer
	PublicURL string
	// AI drafts; nil offers no drafts.
	AI Drafter
	// Lease is how long a send job holds a recipient (at least the job
	// timeout); Backoff the first wait after a rate limit (doubling).
	Lease, Backoff time.Duration

	cache sync.Map // parsed templates (send.go)
}

// Input is a campaign's content and settings; a nil field is left as it
// was (on create: empty).
type Input struct {
	Name, Goal                  *string
	Audience                    *types.CampaignAudience
	Subject, HTMLBody, TextBody *string
	FromName, FromAddress       *string
}

// DraftInput asks for a drafted subject and bodies.
type DraftInput struct {
	Goal, Template, Tone string
	// Audience is who it is for in staff's words; BookingURL the call to
	// action's link (https).
	Audience, BookingURL string
	ServiceID            *pulid.ID
}

// Draft is a drafted subject and bodies.
type Draft struct {
	Subject, HTMLBody, TextBody, Template, Engine, Fallback string
}

// Rendered is a campaign rendered for one contact.
type Rendered struct {
	To, From, Subject, HTML, Text string
}

// TestResult is a test email as sent.
type TestResult struct {
	To, Provider string
	MessageID    pulid.ID
}

// Exclusion counts the matched contacts left out for one reason.
type Exclusion struct {
	Reason, Label string
	Count         int
}

// AudiencePreview is an audience's live count, sample and exclusions.
type AudiencePreview struct {
	Matched, Eligible int
	Sample            []*ent.Contact
	Excluded          []Exclusion
}

// EmailSettings say how email is sent here.
type EmailSettings struct {
	Provider, From                         string
	RatePerMinute, DailyQuota, SentLast24h int
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now()
}

func (s *Service) rate() int {
	if s.Rate <= 0 {
		return 100
	}
	return s.Rate
}

// Get returns a campaign of the viewer's location.
func (s *Service) Get(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Campaign, error) {
	cp, err := c.Campaign.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("id", "campaign %s not found", id)
	}
	return cp, err
}

// Create makes a draft campaign.
func (s *Service) Create(ctx context.Context, c *ent.Client, in Input) (*ent.Campaign, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		return nil, apperr.Invalidf("name", "give the campaign a name")
	}
	f, err := s.check(ctx, nil, in)
	if err != nil {
		return nil, err
	}
	cr := c.Campaign.Create().SetName(strings.TrimSpace(*in.Name)).SetGoal(f.goal).SetAudience(&f.audience).
		SetSubject(f.subject).SetHTMLBody(f.html).SetTextBody(f.text).SetFromName(f.fromName).
		SetFromAddress(f.fromAddress).SetLinks(f.links)
	if v.UserID != "" {
		cr.SetCreatedByID(v.UserID)
	}
	return cr.Save(ctx)
}

// Update changes a draft, scheduled or paused campaign.
func (s *Service) Update(ctx context.Context, c *ent.Client, id pulid.ID, in Input) (*ent.Campaign, error) {
	cp, err := s.Get(ctx, c, id)
	if err != nil {
		return nil, err
	}
	switch cp.Status {
	case campaign.StatusDraft, campaign.StatusScheduled, campaign.StatusPaused:
	default:
		return nil, apperr.Conflictf("the campaign is %s: it can no longer be changed", cp.Status)
	}
	f, err := s.check(ctx, cp, in)
	if err != nil {
		return nil, err
	}
	up := c.Campaign.UpdateOneID(id).SetGoal(f.goal).SetAudience(&f.audience).SetSubject(f.subject).
		SetHTMLBody(f.html).SetTextBody(f.text).SetFromName(f.fromName).SetFromAddress(f.fromAddress).SetLinks(f.links)
	if in.Name != nil {
		if strings.TrimSpace(*in.Name) == "" {
			return nil, apperr.Invalidf("name", "give the campaign a name")
		}
		up.SetName(strings.TrimSpace(*in.Name))
	}
	return up.Save(ctx)
}

// fields are a campaign's checked content.
type fields struct {
	goal, subject, html, text, fromName, fromAddress string
	audience                                         types.CampaignAudience
	links                                            []string
}

// check merges in over cp (nil: a new campaign), sanitises the HTML and
// test-renders every template: a typo in a variable is INVALID here, at
// save, not a blank in a patient's inbox.
func (s *Service) check(ctx context.Context, cp *ent.Campaign, in Input) (fields, error) {
	var f fields
	if cp != nil {
		f = fields{goal: cp.Goal, subject: cp.Subject, html: cp.HTMLBody, text: cp.TextBody, fromName: cp.FromName, fromAddress: cp.FromAddress}
		if cp.Audience != nil {
			f.audience = *cp.Audience
		}
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&f.goal, in.Goal)
	set(&f.subject, in.Subject)
	set(&f.html, in.HTMLBody)
	set(&f.text, in.TextBody)
	set(&f.fromName, in.FromName)
	set(&f.fromAddress, in.FromAddress)
	f.subject = strings.TrimSpace(f.subject)
	f.fromAddress = strings.ToLower(strings.TrimSpace(f.fromAddress))
	if in.Audience != nil {
		f.audience = *in.Audience
	}
	if err := CheckAudience(ctx, &f.audience); err != nil {
		return f, err
	}
	if strings.ContainsAny(f.subject, "\r\n") {
		return f, apperr.Invalidf("subject", "the subject is one line")
	}
	if f.fromAddress != "" {
		if a, err := mail.ParseAddress(f.fromAddress); err != nil || a.Address != f.fromAddress {
			return f, apperr.Invalidf("fromAddress", "%q is not an email address", f.fromAddress)
		}
	}
	if strings.ContainsAny(f.fromName, "\r\n<>\"") {
		return f, apperr.Invalidf("fromName", "the sender's name cannot hold line breaks, quotes or angle brackets")
	}
	f.html = Sanitize(f.html)
	ct, err := parse(f.subject, f.html, f.text)
	if err != nil {
		return f, err
	}
	f.links = ct.links
	return f, nil
}

// GenerateDraft drafts a subject and bodies with the AI layer (built-in
// templates by default), in this package's template syntax.
func (s *Service) GenerateDraft(ctx context.Context, c *ent.Client, in DraftInput) (Draft, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return Draft{}, err
	}
	if s.AI == nil {
		return Draft{}, apperr.Errorf(apperr.Internal, "drafting is not available")
	}
	if strings.TrimSpace(in.Goal) == "" && in.Template == "" {
		return Draft{}, apperr.Invalidf("goal", "say what the campaign is for")
	}
	loc, err := c.Location.Get(viewer.Integrity.Grant(ctx, ""), v.LocationID)
	if err != nil {
		return Draft{}, err
	}
	aud := ai.Audience{Description: in.Audience, Clinic: loc.Name, Phone: loc.Phone, BookingURL: in.BookingURL}
	if in.ServiceID != nil {
		svc, err := c.Service.Get(ctx, *in.ServiceID)
		if err != nil {
			return Draft{}, apperr.NotFoundf("serviceID", "service %s not found", *in.ServiceID)
		}
		aud.Service = svc.Name
	}
	goal := in.Goal
	if in.Template != "" {
		goal = in.Template
	}
	d, err := s.AI.GenerateEmailCampaign(ctx, ai.CampaignInput{LocationID: string(v.LocationID), Goal: goal, Audience: aud, Tone: in.Tone})
	if err != nil {
		return Draft{}, err
	}
	conv := strings.NewReplacer(ai.FirstNamePlaceholder, "{{.FirstName}}", ai.UnsubscribePlaceholder, "{{.UnsubscribeURL}}")
	out := Draft{Subject: conv.Replace(d.Subject), HTMLBody: conv.Replace(d.HTML), TextBody: conv.Replace(d.Text),
		Template: d.Template, Engine: d.Engine, Fallback: d.Fallback}
	// The footer this package appends already carries the unsubscribe
	// link; the draft's own stays (a visible link in the body is fine).
	return out, nil
}

// Template is a built-in draft template.
type Template struct{ Key, Title string }

// Templates lists the built-in draft templates.
func (s *Service) Templates() []Template {
	out := make([]Template, 0, len(ai.Goals))
	for _, g := range ai.Goals {
		out = append(out, Template{Key: g, Title: strings.ToUpper(g[:1]) + strings.ReplaceAll(g[1:], "_", " ")})
	}
	return out
}

// Schedule schedules a draft or paused campaign at an instant or a
// datetime-local value read in the location's zone.
func (s *Service) Schedule(ctx context.Context, c *ent.Client, id pulid.ID, at *time.Time, local *string) (*ent.Campaign, error) {
	cp, err := s.Get(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if cp.Status != campaign.StatusDraft && cp.Status != campaign.StatusScheduled {
		return nil, apperr.Conflictf("the campaign is %s: only a draft can be scheduled", cp.Status)
	}
	var when time.Time
	switch {
	case at != nil:
		when = at.UTC()
	case local != nil:
		loc, err := s.zone(ctx, c, cp.LocationID)
		if err != nil {
			return nil, err
		}
		t, err := parseLocal(*local, loc)
		if err != nil {
			return nil, apperr.Invalidf("local", "%q is not a date and time like 2026-12-07T09:00", *local)
		}
		when = t.UTC()
	default:
		return nil, apperr.Invalidf("at", "give the time to send at")
	}
	if !when.After(s.now()) {
		return nil, apperr.Invalidf("at", "the time to send is in the past")
	}
	if err := s.ready(cp); err != nil {
		return nil, err
	}
	if _, err := s.Jobs.Enqueue(ctx, StartArgs{CampaignID: cp.ID, LocationID: cp.LocationID, At: when.Unix()}, &river.InsertOpts{ScheduledAt: when}); err != nil {
		return nil, err
	}
	return c.Campaign.UpdateOneID(id).SetStatus(campaign.StatusScheduled).SetScheduledAt(when).
		SetStatusNote("Scheduled").Save(ctx)
}

func parseLocal(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time")
}

func (s *Service) zone(ctx context.Context, c *ent.Client, loc pulid.ID) (*time.Location, error) {
	l, err := c.Location.Get(viewer.Integrity.Grant(ctx, ""), loc)
	if err != nil {
		return nil, err
	}
	z, err := time.LoadLocation(l.Timezone)
	if err != nil {
		return time.UTC, nil
	}
	return z, nil
}

// ScheduledLocal is the campaign's scheduled time in its location's zone.
func (s *Service) ScheduledLocal(ctx context.Context, c *ent.Client, cp *ent.Campaign) (*string, error) {
	if cp.ScheduledAt == nil {
		return nil, nil
	}
	z, err := s.zone(ctx, c, cp.LocationID)
	if err != nil {
		return nil, err
	}
	v := cp.ScheduledAt.In(z).Format("2006-01-02T15:04")
	return &v, nil
}

// ready refuses a campaign that cannot be sent as it is.
func (s *Service) ready(cp *ent.Campaign) error {
	if cp.Subject == "" {
		return apperr.Invalidf("subject", "the campaign has no subject")
	}
	if strings.TrimSpace(cp.HTMLBody) == "" && strings.TrimSpace(cp.TextBody) == "" {
		return apperr.Invalidf("htmlBody", "the campaign has no content")
	}
	if cp.FromAddress == "" && s.From == "" {
		return apperr.Invalidf("fromAddress", "no sender: set the campaign's from address or AVATARCRM_EMAIL_FROM")
	}
	_, err := parse(cp.Subject, cp.HTMLBody, cp.TextBody)
	return err
}

// Send starts sending now.
func (s *Service) Send(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Campaign, error) {
	var out *ent.Campaign
	err := txn.Run(ctx, c, func(ctx context.Context, c *ent.Client) error {
		cp, err := s.Get(ctx, c, id)
		if err != nil {
			return err
		}
		if cp.Status != campaign.StatusDraft && cp.Status != campaign.StatusScheduled {
			return apperr.Conflictf("the campaign is %s: it was sent already", cp.Status)
		}
		if err := s.ready(cp); err != nil {
			return err
		}
		out, err = s.fanOut(ctx, c, cp)
		return err
	})
	return out, err
}

// Pause stops sending after the emails in flight.
func (s *Service) Pause(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Campaign, error) {
	cp, err := s.Get(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if cp.Status != campaign.StatusSending && cp.Status != campaign.StatusScheduled {
		return nil, apperr.Conflictf("the campaign is %s: only a sending or scheduled campaign can be paused", cp.Status)
	}
	return c.Campaign.UpdateOneID(id).SetStatus(campaign.StatusPaused).
		SetStatusNote(fmt.Sprintf("Paused (was %s)", cp.Status)).Save(ctx)
}

// Resume goes on sending a paused campaign: a new round of send jobs for
// the recipients still queued (the old round's jobs stop when they see
// the round moved on), or the fan-out itself if it never started.
func (s *Service) Resume(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Campaign, error) {
	var out *ent.Campaign
	err := txn.Run(ctx, c, func(ctx context.Context, c *ent.Client) error {
		cp, err := s.Get(ctx, c, id)
		if err != nil {
			return err
		}
		if cp.Status != campaign.StatusPaused {
			return apperr.Conflictf("the campaign is %s: only a paused campaign can be resumed", cp.Status)
		}
		if cp.StartedAt == nil {
			if cp.ScheduledAt != nil && cp.ScheduledAt.After(s.now()) {
				out, err = c.Campaign.UpdateOneID(id).SetStatus(campaign.StatusScheduled).SetStatusNote("Scheduled").Save(ctx)
				return err
			}
			out, err = s.fanOut(ctx, c, cp)
			return err
		}
		out, err = s.requeue(ctx, c, cp)
		return err
	})
	return out, err
}

// Cancel stops a campaign for good: recipients not yet sent are
// suppressed (reason cancelled).
func (s *Service) Cancel(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Campaign, error) {
	var out *ent.Campaign
	err := txn.Run(ctx, c, func(ctx context.Context, c *ent.Client) error {
		cp, err := s.Get(ctx, c, id)
		if err != nil {
			return err
		}
		if cp.Status == campaign.StatusSent || cp.Status == campaign.StatusCancelled {
			return apperr.Conflictf("the campaign is %s already", cp.Status)
		}
		if _, err := c.CampaignRecipient.Update().
			Where(campaignrecipient.CampaignID(id), campaignrecipient.StatusEQ(campaignrecipient.StatusQueued)).
			SetStatus(campaignrecipient.StatusSuppressed).SetReason("cancelled").Save(ctx); err != nil {
			return err
		}
		out, err = c.Campaign.UpdateOneID(id).SetStatus(campaign.StatusCancelled).SetFinishedAt(s.now()).
			SetStatusNote("Cancelled").Save(ctx)
		return err
	})
	return out, err
}
