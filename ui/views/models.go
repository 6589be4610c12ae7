package views

import (
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
)

// Appointment is a booking row with its names resolved.
type Appointment struct {
	Booking *ent.Booking
	Contact *ent.Contact
	Service *ent.Service
	Staff   *ent.User
}

// TaskRow is a task with its contact and assignee resolved.
type TaskRow struct {
	Task     *ent.Task
	Contact  *ent.Contact
	Assignee *ent.User
}

// TouchRow is a touchpoint with its contact resolved.
type TouchRow struct {
	Touchpoint *ent.Touchpoint
	Contact    *ent.Contact
}

// Dashboard is the home page.
type Dashboard struct {
	Now          time.Time
	Today        time.Time
	Appointments []Appointment
	UrgentTasks  []TaskRow
	HotContacts  []*ent.Contact
	Recent       []TouchRow
}

// ContactRow is a row of the contacts list.
type ContactRow struct {
	Contact  *ent.Contact
	Assignee *ent.User
}

// Option is a value of a select.
type Option struct{ Value, Label string }

// ContactList is the contacts page.
type ContactList struct {
	Q, Pipeline, Stage, Sort string
	Rows                     []ContactRow
	Total                    int
	// CountedAgo says when Total was counted, when it was kept from an
	// earlier view ("counted 12 s ago"): a change another process made
	// since is not in it.
	CountedAgo string
	// Next and Prev are page links; empty when there is no such page.
	Next, Prev string
	Pipelines  []Option
	Stages     []Option
	Sorts      []Option
	Now        time.Time
	// Cursor and CursorKey ("after" or "before") name the page shown.
	Cursor, CursorKey string
	// Bulk is the bulk bar and the rows' check boxes.
	Bulk ContactBulk
}

// SignIn is the sign-in page.
type SignIn struct {
	Dev   bool
	Users []SignInUser
	Next  string
	Error string
	// OIDCProvider names the provider of the "Sign in with" button, shown
	// when set; LoginURL starts that sign-in, keeping Next.
	OIDCProvider string
	LoginURL     string
}

// SignInUser is a demo user offered on the development sign-in page.
type SignInUser struct {
	Email, Name, Role, Location string
}
