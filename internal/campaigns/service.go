// Package campaigns is email campaigns (issue 17, docs/EMAIL.md): a
// location's campaigns with their audience (a saved filter over contacts),
// content (html/template bodies, sanitised, with the clinic's identity and
// an unsubscribe link), sending in rate-limited batches of durable jobs
// (one per campaign × contact), tracking (opens, clicks, unsubscribes
// through signed tokens) and analytics.
package campaigns

import (
	"context"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/clock"
)

// Service runs the campaigns of the viewer's location. Its methods take
// the request's context (the viewer) and the client of the caller's
// transaction.
type Service struct {
	Client *ent.Client
	Now    clock.Clock
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

// Stats are a campaign's headline counts and rates.
type Stats struct {
	Recipients, Queued, Sent, Delivered, Bounced, Failed, Suppressed int
	Opened, Opens, Clicked, Clicks, Unsubscribed                     int
	DeliveryRate, OpenRate, ClickRate, BounceRate, UnsubscribeRate   float64
}

// LinkStats are the clicks on one link.
type LinkStats struct {
	Index        int
	URL          string
	Clicks       int
	UniqueClicks int
}

// Point is one bucket of activity.
type Point struct {
	At                                         time.Time
	Sent, Opens, Clicks, Unsubscribes, Bounces int
}

// Analytics are a campaign's counts, links and series.
type Analytics struct {
	CampaignID pulid.ID
	Stats      Stats
	Links      []LinkStats
	Bucket     string
	Series     []Point
}

// EmailSettings say how email is sent here.
type EmailSettings struct {
	Provider, From                         string
	RatePerMinute, DailyQuota, SentLast24h int
}

// Template is a built-in draft template.
type Template struct{ Key, Title string }

var errNotYet = apperr.Errorf(apperr.Internal, "campaigns: not yet")

// Create makes a draft campaign.
func (s *Service) Create(ctx context.Context, c *ent.Client, in Input) (*ent.Campaign, error) {
	return nil, errNotYet
}

// Update changes a draft, scheduled or paused campaign.
func (s *Service) Update(ctx context.Context, c *ent.Client, id pulid.ID, in Input) (*ent.Campaign, error) {
	return nil, errNotYet
}

// Get returns a campaign of the viewer's location.
func (s *Service) Get(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Campaign, error) {
	return nil, errNotYet
}

// GenerateDraft drafts a subject and bodies.
func (s *Service) GenerateDraft(ctx context.Context, c *ent.Client, in DraftInput) (Draft, error) {
	return Draft{}, errNotYet
}

// Templates lists the built-in draft templates.
func (s *Service) Templates() []Template { return nil }

// Schedule schedules a campaign at an instant or a local time.
func (s *Service) Schedule(ctx context.Context, c *ent.Client, id pulid.ID, at *time.Time, local *string) (*ent.Campaign, error) {
	return nil, errNotYet
}

// Send starts sending now.
func (s *Service) Send(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Campaign, error) {
	return nil, errNotYet
}

// Pause stops sending after the emails in flight.
func (s *Service) Pause(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Campaign, error) {
	return nil, errNotYet
}

// Resume goes on sending a paused campaign.
func (s *Service) Resume(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Campaign, error) {
	return nil, errNotYet
}

// Cancel stops a campaign for good.
func (s *Service) Cancel(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Campaign, error) {
	return nil, errNotYet
}

// SendTest sends a test email.
func (s *Service) SendTest(ctx context.Context, c *ent.Client, id pulid.ID, to *string, contactID *pulid.ID) (TestResult, error) {
	return TestResult{}, errNotYet
}

// Preview renders a campaign for a contact.
func (s *Service) Preview(ctx context.Context, c *ent.Client, id, contactID pulid.ID) (Rendered, error) {
	return Rendered{}, errNotYet
}

// Stats are a campaign's headline counts.
func (s *Service) Stats(ctx context.Context, c *ent.Client, id pulid.ID) (Stats, error) {
	return Stats{}, errNotYet
}

// Analytics are a campaign's analytics.
func (s *Service) Analytics(ctx context.Context, c *ent.Client, id pulid.ID) (Analytics, error) {
	return Analytics{}, errNotYet
}

// ScheduledLocal is the campaign's scheduled time in its location's zone.
func (s *Service) ScheduledLocal(ctx context.Context, c *ent.Client, cp *ent.Campaign) (*string, error) {
	return nil, nil
}

// EmailSettings say how email is sent here.
func (s *Service) EmailSettings(ctx context.Context, c *ent.Client) (EmailSettings, error) {
	return EmailSettings{}, errNotYet
}
