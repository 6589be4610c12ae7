package views

import (
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
)

// Calendar views.
const (
	ViewDay   = "day"
	ViewWeek  = "week"
	ViewMonth = "month"
)

// CalendarPage is /bookings: a day, a week or a month of bookings in the
// location's time zone.
type CalendarPage struct {
	// View is day, week or month.
	View string
	// Title names the period: "Wednesday 11 March 2026", "9 – 15 March
	// 2026", "March 2026".
	Title string
	// Date is the anchor date (YYYY-MM-DD), the value of the date picker.
	Date string
	// Zone names the time zone the times are in, e.g. Australia/Sydney.
	Zone string
	// Prev, Next and Today are navigation links; PrevLabel and NextLabel
	// say where they go ("Previous week").
	Prev, Next, Today    string
	PrevLabel, NextLabel string
	// Views are the view switcher's links (day, week, month, list).
	Views []CalViewLink
	// WholeDay shows the rows from midnight to midnight rather than the
	// opening hours; HoursLink switches.
	WholeDay  bool
	HoursLink string
	// ShowCancelled shows cancelled bookings; CancelledLink switches and
	// Cancelled counts the cancelled bookings of the period.
	ShowCancelled bool
	CancelledLink string
	Cancelled     int
	// Count is the number of bookings shown.
	Count int
	// CanCreate offers the New booking button and bookable empty slots.
	CanCreate bool
	NewLink   string
	// Grid is the time grid of the day and week views; Month the month
	// view. Exactly one is set.
	Grid  *CalGrid
	Month *CalMonth
}

// CalViewLink is a link of the view switcher.
type CalViewLink struct {
	Key, Label, Href string
	Current          bool
}

// CalGrid is a time grid laid out as a table: a row per slot, a column
// group per day (week view) or room (day view), and within a group as many
// lanes (columns) as its bookings overlap. A booking is one cell spanning
// the rows of its slots (rowspan), so no inline style places anything.
type CalGrid struct {
	Groups []CalGroup
	Rows   []CalRow
	// Caption describes the table for screen readers.
	Caption string
}

// CalGroup is a column group: one day of the week view, or one room of the
// day view.
type CalGroup struct {
	Label string
	// Sub is a second line of the heading, e.g. the month.
	Sub string
	// Href links the heading (to the day view); empty for rooms.
	Href string
	// Date is the day (YYYY-MM-DD) of the group's cells.
	Date  string
	Today bool
	// Lanes is the number of columns the group needs: its most overlapping
	// bookings, at least 1.
	Lanes int
}

// CalRow is one slot of the grid.
type CalRow struct {
	// Label is the local time the slot starts, e.g. 10:15 (with the zone's
	// abbreviation on a day whose offset changes).
	Label string
	// Hour marks a slot that starts on the hour.
	Hour  bool
	Cells []CalCell
}

// CalCell is one cell of a row: a booking that starts in this slot (it
// spans Span rows), or an empty lane of a group.
type CalCell struct {
	Event *CalEvent
	Span  int
	Date  string
	Today bool
	// CreateHref opens the new booking form at this slot's time;
	// CreateLabel names it ("New booking Wed 11 Mar 10:15"). Only the
	// first empty lane of a group in a row (Primary) is in the tab order.
	CreateHref  string
	CreateLabel string
	Primary     bool
	// Gap marks a time that does not exist on that day (clocks went
	// forward).
	Gap bool
}

// Lines is how many lines of text the event's cell has room for.
func (c CalCell) Lines() string {
	switch {
	case c.Span <= 1:
		return "lines-1"
	case c.Span == 2:
		return "lines-2"
	}
	return "lines-3"
}

// CalEvent is a booking as the calendar shows it.
type CalEvent struct {
	ID, Href string
	Status   string
	// Time is the local start and end, "10:15–10:45"; Start the start.
	Time    string
	Start   string
	Patient string
	Service string
	Staff   string
	Room    string
	// StartsAt is the start in UTC (RFC 3339), for tests and scripts.
	StartsAt string
}

// CalMonth is the month view: weeks of days.
type CalMonth struct {
	// Weekdays are the column headings, Monday first.
	Weekdays []string
	Weeks    [][]CalDay
}

// CalDay is one day of the month view.
type CalDay struct {
	Date    string
	Number  int
	Label   string // "Wednesday 11 March" for screen readers
	Href    string // the day view
	InMonth bool
	Today   bool
	Count   int
	// Events are the first few bookings; More is how many are left out.
	Events []CalEvent
	More   int
}

// BookingListPage is /bookings/list: bookings between two dates, filtered.
type BookingListPage struct {
	// From and To are the local dates (YYYY-MM-DD); Status, Staff and
	// Service the filters ("" for any).
	From, To               string
	Status, Staff, Service string
	Statuses               []Option
	StaffOptions           []Option
	ServiceOptions         []Option
	Rows                   []Appointment
	Errors                 FieldErrors
	CanCreate              bool
	Views                  []CalViewLink
	Zone                   string
}

// BookingDetail is /bookings/{id}.
type BookingDetail struct {
	A    Appointment
	Room string
	// History is the booking's events, oldest first.
	History []BookingEventRow
	// Tasks are the tasks made for the booking (no-show follow-up,
	// recall).
	Tasks []TaskRow
	// Actions are what the viewer may do now; NotStarted explains why
	// complete and no-show are missing from a confirmed booking.
	Actions    BookingActions
	NotStarted bool
	// Error is a refused action's message (an invalid transition).
	Error        string
	CalendarHref string
	Now          time.Time
}

// BookingActions are the actions the booking's status allows and the
// viewer may take.
type BookingActions struct {
	Confirm, Reschedule, Cancel, Complete, NoShow bool
}

// Any reports whether any action is offered.
func (a BookingActions) Any() bool {
	return a.Confirm || a.Reschedule || a.Cancel || a.Complete || a.NoShow
}

// BookingEventRow is one entry of a booking's history.
type BookingEventRow struct {
	Kind   string
	Text   string
	Reason string
	At     time.Time
	Actor  string
}

// BookingServiceOption is a service of the create form's select.
type BookingServiceOption struct {
	Value, Label string
	Minutes      int
}

// BookingForm is the new booking form.
type BookingForm struct {
	// Contact is the chosen contact's ID; Q the search that listed
	// Contacts; ContactsNote says what the list holds.
	Contact      string
	Q            string
	Contacts     []Option
	ContactsNote string
	Service      string
	Services     []BookingServiceOption
	Staff        string
	StaffOptions []Option
	// Date (YYYY-MM-DD) and Time (HH:MM) are local to the location.
	Date, Time string
	Notes      string
	// Ends is the computed end ("10:45"), when service and time are known.
	Ends string
	// View is the calendar view to return to after creating.
	View string
	// Step is the slot length in seconds, the time input's step.
	Step   int
	Zone   string
	Errors FieldErrors
	// Conflict is the booking a refused time clashes with, shown next to
	// the field ConflictField.
	Conflict, ConflictField string
	// PastVisit is the outcome of a visit recorded after its time
	// (completed, no_show, cancelled); AskPast shows that choice, once the
	// time turned out to have passed.
	PastVisit string
	AskPast   bool
}

// PastVisitOptions are the outcomes a past visit can be recorded with.
var PastVisitOptions = []Option{
	{Value: "completed", Label: "The patient came: record it as completed"},
	{Value: "no_show", Label: "The patient did not come: record a no-show"},
	{Value: "cancelled", Label: "It was cancelled: record the cancellation"},
}

// BookingRescheduleForm moves a booking.
type BookingRescheduleForm struct {
	A          Appointment
	Date, Time string
	Minutes    int
	Ends       string
	Step       int
	Zone       string
	Errors     FieldErrors
	Conflict   string
	Dialog     bool
}

// BookingCancelForm cancels a booking with a reason.
type BookingCancelForm struct {
	A       Appointment
	Reason  string
	Other   string
	Reasons []string
	Errors  FieldErrors
	Dialog  bool
}

// BookingOutcomeForm asks before recording an outcome that cannot be undone:
// attended (complete) or did not attend (no-show).
type BookingOutcomeForm struct {
	A Appointment
	// Action is complete or no-show: the path's last segment.
	Action  string
	Title   string
	Message string
	Button  string
	Dialog  bool
}

// BookingDialogTarget is the id of the element htmx loads action forms
// into, as dialogs.
const BookingDialogTarget = "modal"

// BookingPatient is a contact's full name.
func BookingPatient(c *ent.Contact) string {
	if c == nil {
		return ""
	}
	return normalize.FullName(c.FirstName, c.LastName)
}
