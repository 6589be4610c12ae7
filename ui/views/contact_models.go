package views

import (
	"net/url"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/importjob"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
)

// ContactBulk is what the contacts list's bulk bar offers. Each control
// shows only when the viewer may use it; the server checks again.
type ContactBulk struct {
	// CanUpdate: contacts:update, needed for every bulk change.
	CanUpdate bool
	// Assignees are the members of the location a contact can be
	// assigned to.
	Assignees []Option
	Stages    []Option
	// Next is the list (with its filters) the bulk form returns to.
	Next string
	// SelectAll ticks every row (the no-script "select all on page").
	SelectAll bool
	// Selected are the IDs to keep ticked after a bulk change.
	Selected map[string]bool
}

// Checked reports whether a row's box is ticked.
func (b ContactBulk) Checked(id string) bool { return b.SelectAll || b.Selected[id] }

// ExportURL is the CSV export of the list's filters.
func (d ContactList) ExportURL() string {
	q := url.Values{}
	for k, v := range map[string]string{"q": d.Q, "pipeline": d.Pipeline, "stage": d.Stage} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return "/contacts/export.csv"
	}
	return "/contacts/export.csv?" + q.Encode()
}

// SelectAllURL is the list with every row ticked, for browsers without
// script.
func (d ContactList) SelectAllURL() string {
	q := url.Values{}
	for k, v := range map[string]string{"q": d.Q, "pipeline": d.Pipeline, "stage": d.Stage, "sort": d.Sort} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if d.Cursor != "" {
		q.Set(d.CursorKey, d.Cursor)
	}
	q.Set("select", "all")
	return "/contacts?" + q.Encode()
}

// TimelineRow is one item of a contact's timeline.
type TimelineRow struct {
	At      time.Time
	Kind    string
	Summary string
	// Href links to the booking or task behind the item, if any.
	Href string
}

// DuplicateRow is a contact that may be the same person.
type DuplicateRow struct {
	Contact   *ent.Contact
	MatchedOn []string
}

// ContactDetail is one contact's page.
type ContactDetail struct {
	Contact  *ent.Contact
	Assignee *ent.User
	// InterestedService is the catalogue service the contact's notes ask
	// about (Contact.InterestedServiceID), when it still exists.
	InterestedService *ent.Service
	Bookings          []Appointment
	Tasks             []TaskRow
	Timeline          []TimelineRow
	// Duplicates are the contacts findDuplicates returns.
	Duplicates []DuplicateRow
	// MergedInto is the contact an archived duplicate was merged into.
	MergedInto *ent.Contact
	// StageTargets are the stages the pipeline allows from the current one.
	StageTargets []Option
	// StageForm is the move stage form as posted, with its errors.
	StageForm StageForm
	// CanPurge: the viewer may delete contacts for good
	// (contacts.MayPurge).
	CanPurge bool
	// Error is a refused action's message (archive, restore).
	Error string
	Now   time.Time
	// Log is the "log a call, SMS or note" form; CanLog shows it.
	Log    LogForm
	CanLog bool
	// SMS is the SMS conversation and send box; nil when the viewer may
	// not read conversations.
	SMS *SMSThread
}

// LogForm is the form that logs a call, SMS, email or note by hand.
type LogForm struct {
	// Channel is call, sms, email or note; Direction inbound, outbound
	// or empty (a note).
	Channel, Direction, Text string
	// Date (YYYY-MM-DD) and Time (HH:MM) are local; they start at now.
	Date, Time string
	Errors     FieldErrors
}

// LogChannels and LogDirections are the form's choices.
var (
	LogChannels   = []Option{{Value: "call", Label: "Phone call"}, {Value: "sms", Label: "SMS"}, {Value: "email", Label: "Email"}, {Value: "note", Label: "Note"}}
	LogDirections = []Option{
		{Value: "inbound", Label: "From the patient"},
		{Value: "outbound", Label: "From the clinic"},
		{Value: "", Label: "Neither (a note)"},
	}
)

// StageForm is the move stage form.
type StageForm struct {
	Stage, Reason string
	Errors        FieldErrors
}

// ContactForm is the input of the new and edit contact forms, as typed.
type ContactForm struct {
	FirstName, LastName, Phone, Email string
	// DateOfBirth is YYYY-MM-DD.
	DateOfBirth, LeadSource, Referrer string
	// Tags are comma separated.
	Tags                     string
	SMSConsent, EmailConsent bool
	Notes                    string
	// AssignedTo is a user ID or "".
	AssignedTo string
	Errors     FieldErrors
	// Duplicate is the existing contact the new one looks like (CONFLICT
	// from createContact), and MatchedOn what matched.
	Duplicate *ent.Contact
	MatchedOn string
}

// ContactFormPage is the new or edit contact page.
type ContactFormPage struct {
	// ID is the contact edited; empty when creating.
	ID          string
	Form        ContactForm
	LeadSources []Option
	Assignees   []Option
}

// MergeCandidate is a contact offered on the merge page.
type MergeCandidate struct {
	Contact   *ent.Contact
	MatchedOn []string
	// Included: merge it; Survivor: keep it.
	Included, Survivor bool
	// Fixed is the contact whose page the merge started from: always in.
	Fixed bool
}

// MergeCounts are the records of a contact that a merge moves.
type MergeCounts struct {
	Contact                      *ent.Contact
	Touchpoints, Bookings, Tasks int
}

// MergePage chooses the contacts to merge and the one to keep, then
// confirms.
type MergePage struct {
	// ID is the contact the merge started from.
	ID         string
	Q          string
	Candidates []MergeCandidate
	// SearchNote says what a search found.
	SearchNote string
	Errors     FieldErrors
	// Review is set on the confirm step.
	Review *MergeReview
}

// MergeReview summarises a merge before it is done.
type MergeReview struct {
	Survivor   *ent.Contact
	Duplicates []MergeCounts
	// Fills are the survivor's empty fields a duplicate fills: "Phone:
	// +61…", and Tags the tags it gains.
	Fills []string
	Tags  []string
}

// ImportUpload is the CSV upload form.
type ImportUpload struct {
	Errors FieldErrors
	// MaxMiB is the size limit of a file.
	MaxMiB int
}

// ImportColumn is a column of an uploaded CSV and the field it goes to.
type ImportColumn struct {
	Index  int
	Header string
	// Field is the chosen field, or "" to ignore the column.
	Field string
}

// ImportPreview is an uploaded CSV before it is imported.
type ImportPreview struct {
	// Token names the upload kept on the server for the start step.
	Token     string
	FileName  string
	Columns   []ImportColumn
	Fields    []Option
	Rows      [][]string
	TotalRows int
	Errors    FieldErrors
}

// ImportJobPage is an import's progress and, when done, its report.
type ImportJobPage struct {
	Job *ent.ImportJob
	// Problems shows only the rows that were not imported.
	Problems bool
	Rows     []types.ImportRow
}

// Done reports whether the job has finished (done or failed).
func (d ImportJobPage) Done() bool {
	return d.Job.Status == importjob.StatusDone || d.Job.Status == importjob.StatusFailed
}

// URL is the job page, with the problems filter when on.
func (d ImportJobPage) URL(problems bool) string {
	u := "/contacts/import/" + d.Job.ID.String()
	if problems {
		u += "?show=problems"
	}
	return u
}

// ReaderName names the engine that read a contact's notes.
func ReaderName(engine, model string) string {
	if engine == "builtin" || engine == "" {
		return "the built-in engine"
	}
	return "a remote model (" + model + ")"
}
