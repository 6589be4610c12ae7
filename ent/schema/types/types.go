// Package types holds the value types stored in ent fields: calendar dates,
// warmness reasons and location settings. They live outside package schema so
// that generated code can import them without an import cycle.
package types

import (
	"database/sql/driver"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
)

// Date is a calendar date with no time zone, such as a date of birth,
// written as "2006-01-02". Storing a date as a timestamp would shift it by a
// day when shown in another zone; a Date never moves.
type Date string

// DateLayout is the layout of a Date.
const DateLayout = "2006-01-02"

// ParseDate validates s and returns it as a Date.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return "", fmt.Errorf("date must look like 1980-04-23")
	}
	return Date(t.Format(DateLayout)), nil
}

// Time returns the date at midnight UTC.
func (d Date) Time() time.Time {
	t, _ := time.Parse(DateLayout, string(d))
	return t
}

// Validate reports whether d is a well-formed, plausible date.
func (d Date) Validate() error {
	t, err := time.Parse(DateLayout, string(d))
	if err != nil {
		return fmt.Errorf("date must look like 1980-04-23")
	}
	if t.Year() < 1900 || t.After(time.Now().AddDate(0, 0, 1)) {
		return fmt.Errorf("date %s is out of range", d)
	}
	return nil
}

// UnmarshalGQL implements graphql.Unmarshaler.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("date must be a string like 1980-04-23")
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// MarshalGQL implements graphql.Marshaler.
func (d Date) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(d))) }

// Scan implements sql.Scanner.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = ""
	case string:
		*d = Date(v)
	case []byte:
		*d = Date(v)
	case time.Time:
		*d = Date(v.Format(DateLayout))
	default:
		return fmt.Errorf("types: cannot scan %T into Date", src)
	}
	return nil
}

// Value implements driver.Valuer.
func (d Date) Value() (driver.Value, error) { return string(d), nil }

// WarmnessReason is one factor of a contact's warmness score, kept so staff
// can see why a lead is hot.
type WarmnessReason struct {
	Factor string `json:"factor"`
	Points int    `json:"points"`
	Detail string `json:"detail"`
}

// ContactEnrichment says who read a contact's notes (the AI layer's
// EnrichContact) and what they made of them beyond the contact's own
// fields (interested service, lead intent, urgency).
type ContactEnrichment struct {
	// Engine is builtin or the remote provider (openai).
	Engine string `json:"engine"`
	// Model is the remote model that answered, or builtin.
	Model      string  `json:"model"`
	Confidence float64 `json:"confidence"`
	// Reason is a sentence a person can read.
	Reason string `json:"reason"`
	// Modality is the kind of scan asked about, even when the exact
	// service is unclear ("" when none is named).
	Modality string `json:"modality"`
	// Fallback says why the built-in engine answered although a remote
	// model was asked.
	Fallback string `json:"fallback,omitempty"`
	// NotesHash identifies the notes that were read (FNV-1a, hex): a
	// refinement that finds other notes is stale and is dropped.
	NotesHash string `json:"notesHash"`
	// At is when they were read.
	At time.Time `json:"at"`
}

// LocationSettings are a location's operational settings.
type LocationSettings struct {
	// OpensAt and ClosesAt bound bookable hours, "HH:MM" local time.
	OpensAt  string `json:"opensAt"`
	ClosesAt string `json:"closesAt"`
	// QuietHoursStart and QuietHoursEnd bound the local hours in which no
	// message is sent to a patient.
	QuietHoursStart string `json:"quietHoursStart"`
	QuietHoursEnd   string `json:"quietHoursEnd"`
	// SlotMinutes is the booking grid of the calendar.
	SlotMinutes int `json:"slotMinutes"`
	// AIBudgetCents is the monthly budget for remote AI models in US
	// cents (providers bill in US dollars); 0 means none. Set with
	// setAIBudget (internal/aiusage), not through GraphQL's settings.
	AIBudgetCents int64 `json:"aiBudgetCents,omitempty"`
	// SMSIntentThreshold is the confidence (0 to 1) below which an
	// inbound SMS changes nothing and waits for a person; 0 means the AI
	// layer's default. Set with updateSMSSettings (internal/sms).
	SMSIntentThreshold float64 `json:"smsIntentThreshold,omitempty"`
}

// DefaultLocationSettings are the settings a new location starts with.
func DefaultLocationSettings() LocationSettings {
	return LocationSettings{OpensAt: "07:00", ClosesAt: "19:00", QuietHoursStart: "20:00", QuietHoursEnd: "08:00", SlotMinutes: 15}
}

// ImportRow is the outcome of one row of a CSV import.
type ImportRow struct {
	// Row is the 1-based line number in the file, the header being line 1.
	Row int `json:"row"`
	// Outcome is imported, duplicate or invalid.
	Outcome string `json:"outcome"`
	// Field and Reason say what was wrong with an invalid row.
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason,omitempty"`
	// ContactID is the contact created, or the existing one it duplicates.
	ContactID string `json:"contactId,omitempty"`
}

// AutomationAction is one step of an automation rule, in its JSON form.
// Type says which fields matter:
//
//   - send_sms: Template (welcome, confirmation, reminder_24h, reminder_2h,
//     recall, no_show_followup), Body (optional override), Urgent, Marketing;
//   - send_email: Template, Subject;
//   - create_task: Title ({name} is the contact's name), TaskKind, Priority (low|normal|high|urgent; empty lets the
//     tasks service compute it), AssigneeID or AutoAssign, Skill, DueInMinutes;
//   - move_stage: Stage;
//   - notify_staff: Message.
type AutomationAction struct {
	Type         string `json:"type"`
	Template     string `json:"template,omitempty"`
	Body         string `json:"body,omitempty"`
	Subject      string `json:"subject,omitempty"`
	Urgent       bool   `json:"urgent,omitempty"`
	Marketing    bool   `json:"marketing,omitempty"`
	Title        string `json:"title,omitempty"`
	TaskKind     string `json:"taskKind,omitempty"`
	Priority     string `json:"priority,omitempty"`
	AssigneeID   string `json:"assigneeId,omitempty"`
	AutoAssign   bool   `json:"autoAssign,omitempty"`
	Skill        string `json:"skill,omitempty"`
	DueInMinutes int    `json:"dueInMinutes,omitempty"`
	Stage        string `json:"stage,omitempty"`
	Message      string `json:"message,omitempty"`
}

// AutomationStep is what one action of a run did (or, for a dry run,
// would do): the action's type, a sentence, and the record it made (a
// message, a task, a stage change) when there is one.
type AutomationStep struct {
	Type   string `json:"type"`
	Detail string `json:"detail"`
	Ref    string `json:"ref,omitempty"`
}

// WebhookAttempt is one processing attempt of a stored webhook event
// (internal/hooks): when it started, how long it took, its outcome
// (processed, ignored, failed, dead, replayed) and the error, if any.
type WebhookAttempt struct {
	At      time.Time `json:"at"`
	Attempt int       `json:"attempt"`
	Outcome string    `json:"outcome"`
	Error   string    `json:"error,omitempty"`
	TookMs  int64     `json:"tookMs"`
}

// CampaignAudience is an email campaign's saved filter over the location's
// contacts (internal/campaigns). Every set field narrows; an empty audience
// is every contact. Consent, unsubscribes and missing addresses are not
// part of the filter: they always apply, and are reported as exclusions.
type CampaignAudience struct {
	Stages    []string `json:"stages,omitempty"`
	Pipelines []string `json:"pipelines,omitempty"`
	// Sources are lead sources (meta_ads, referral, gp_referral, …).
	Sources     []string `json:"sources,omitempty"`
	WarmnessMin *int     `json:"warmnessMin,omitempty"`
	WarmnessMax *int     `json:"warmnessMax,omitempty"`
	// LastBookingBefore/After bound the start of the contact's latest
	// booking (not cancelled); before also matches contacts never booked
	// only when NeverBooked is set.
	LastBookingBefore *time.Time `json:"lastBookingBefore,omitempty"`
	LastBookingAfter  *time.Time `json:"lastBookingAfter,omitempty"`
	NeverBooked       bool       `json:"neverBooked,omitempty"`
	// ServiceIDs: contacts with a booking of one of these services.
	ServiceIDs []pulid.ID `json:"serviceIDs,omitempty"`
	// Tags: contacts with at least one of these tags.
	Tags []string `json:"tags,omitempty"`
	// LocationID, when set, must be the campaign's location (a campaign
	// never reaches another location's contacts).
	LocationID *pulid.ID `json:"locationID,omitempty"`
}
