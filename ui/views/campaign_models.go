package views

import (
	"fmt"
	"net/url"
	"time"
)

// CampaignRow is one campaign of the list, with its headline figures.
type CampaignRow struct {
	ID, Name, Status, StatusNote  string
	Scheduled, Started            *time.Time
	Recipients, Sent              int
	Opened, Clicked, Unsubscribed int
	OpenRate, ClickRate           float64
}

// CampaignsPage is the campaigns list and, for those who may, the form
// that starts a new one.
type CampaignsPage struct {
	Rows      []CampaignRow
	CanCreate bool
	// New is the new campaign form as posted (with its errors).
	New CampaignNew
	// Sending says how email leaves (the provider, the sender, the rate).
	Sending SendingView
}

// SendingView is how campaign email is sent here (emailSettings).
type SendingView struct {
	// Provider is outbox, smtp or gmail.
	Provider, From         string
	Rate, Quota, SentToday int
}

// CampaignNew is the short form that creates a draft: a name and a goal.
type CampaignNew struct {
	Name, Goal string
	Errors     FieldErrors
}

// AudienceFilter is the audience builder's form, as typed: the values of
// the inputs, so a refused one shows again as it was.
type AudienceFilter struct {
	Stages, Pipelines, Sources, ServiceIDs []string
	WarmnessMin, WarmnessMax               string
	// LastBookingBefore and After are dates (2026-03-11) in the
	// location's zone.
	LastBookingBefore, LastBookingAfter string
	NeverBooked                         bool
	// Tags are comma-separated.
	Tags string
	// Location is the location's ID ("" the active one).
	Location string
}

// AudienceOptions are the choices of the audience builder's selects.
type AudienceOptions struct {
	Stages, Pipelines, Sources, Services, Locations []Option
}

// AudienceView is the builder's live answer: how many the filter matches,
// who would get the email (a sample) and who would not, by reason.
type AudienceView struct {
	Matched, Eligible int
	Sample            []AudienceContact
	Excluded          []Exclusion
	// Error is a refused filter's message (a bad date, a range upside down).
	Error string
}

// AudienceContact is one contact of the sample.
type AudienceContact struct {
	ID, Name, Email, Stage string
	Warmness               int
}

// Exclusion is a count of matched contacts left out, and why.
type Exclusion struct {
	Reason, Label string
	Count         int
}

// CampaignForm is the editor's content form, as typed.
type CampaignForm struct {
	Name, Goal, Subject, FromName, FromAddress, HTML, Text string
	Audience                                               AudienceFilter
	Errors                                                 FieldErrors
}

// DraftForm asks the built-in engine (or the LLM) for a draft.
type DraftForm struct {
	Goal, Template, ServiceID, Tone, BookingURL string
	Templates                                   []Option
	// Engine and Fallback say who wrote the draft now in the editor.
	Engine, Fallback string
	Error            string
}

// PreviewView is the editor's preview: the campaign rendered for a real
// contact, at desktop or phone width.
type PreviewView struct {
	CampaignID string
	ContactID  string
	// Width is desktop or phone.
	Width    string
	Contacts []Option
	To, From string
	Subject  string
	Text     string
	// Error is why it does not render (a template error), shown instead.
	Error string
}

// FramePx is the preview frame's width in CSS pixels: a phone's 375 or a
// desktop mail client's 720.
func (p PreviewView) FramePx() string {
	if p.Width == "phone" {
		return "375"
	}
	return "720"
}

// FrameURL is the address of the rendered HTML the frame shows.
func (p PreviewView) FrameURL() string {
	return "/campaigns/" + p.CampaignID + "/preview.html?" + url.Values{"contact": {p.ContactID}}.Encode()
}

// PanelURL is the address of the preview panel at a width.
func (p PreviewView) PanelURL(width string) string {
	return "/campaigns/" + p.CampaignID + "/preview?" + url.Values{"contact": {p.ContactID}, "width": {width}}.Encode()
}

// CampaignPage is a campaign's page: its state and actions, the audience
// builder, the content editor with the draft button, and the preview.
type CampaignPage struct {
	ID, Name, Status, StatusNote string
	Scheduled, Started, Finished *time.Time
	// ScheduleLocal is the schedule form's datetime-local value.
	ScheduleLocal string
	Recipients    int
	Stats         StatsView
	Form          CampaignForm
	Options       AudienceOptions
	Audience      AudienceView
	Draft         DraftForm
	Preview       PreviewView
	// TestTo is the test email's address (the viewer's own by default);
	// TestResult says where the last one went.
	TestTo, TestError, ScheduleError string
	// Editable: the content can still change (draft, scheduled, paused).
	Editable bool
	// What the viewer may do now, by permission and status.
	CanUpdate, CanDraft, CanSend, CanSchedule, CanPause, CanResume, CanCancel, CanTest bool
}

// StatsView is a campaign's counts and rates.
type StatsView struct {
	Recipients, Queued, Sent, Delivered, Bounced, Failed, Suppressed int
	Opened, Opens, Clicked, Clicks, Unsubscribed                     int
	DeliveryRate, OpenRate, ClickRate, BounceRate, UnsubscribeRate   float64
}

// Pct formats a rate (0 to 1) as a percentage with one decimal: "42.5%".
func Pct(r float64) string { return fmt.Sprintf("%.1f%%", r*100) }

// LinkRow is the clicks on one link.
type LinkRow struct {
	Index          int
	URL            string
	Clicks, Unique int
}

// SeriesRow is one bucket of activity, for the table under the chart.
type SeriesRow struct {
	Label                                      string
	Sent, Opens, Clicks, Unsubscribes, Bounces int
}

// AnalyticsPage is a campaign's analytics.
type AnalyticsPage struct {
	ID, Name, Status string
	Stats            StatsView
	Links            []LinkRow
	// Bucket is hour or day.
	Bucket string
	Series []SeriesRow
	Chart  LineChart
}

// CampaignRecipientRow is one recipient of a campaign (the analytics page's
// list of recent recipients).
type CampaignRecipientRow struct {
	ContactID, Name, Address, Status, Reason string
	Sent, Opened, Clicked, Unsubscribed      *time.Time
}
