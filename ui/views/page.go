// Package views holds the templ components of the staff UI and the small
// view models they render. Views only format; handlers in package ui fetch.
package views

import (
	"sync/atomic"

	"fmt"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/labels"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// Page is what the layout needs on every page.
type Page struct {
	Title string
	// Active is the nav item to highlight: dashboard, contacts, bookings, tasks.
	Active string
	Me     Me
	// Path is the current path with query, for return-to links.
	Path  string
	Flash string
	Error string
}

// Me is the signed-in user at the active location.
type Me struct {
	Name, Email, Role string
	LocationID        string
	LocationName      string
	LocationCode      string
	Locations         []LocationOption
	// TZ is the active location's time zone.
	TZ *time.Location
	// Region is the active location's phone region ("AU"): its numbers
	// show in national form.
	Region string
	// Perms are the permissions the viewer holds at the active location.
	Perms map[rbac.Permission]bool
}

// Can reports whether the viewer holds p: a page shows a link or a button
// only to those who may use it (the operation checks again).
func (m Me) Can(p rbac.Permission) bool { return m.Perms[p] }

// CanAll reports whether the viewer holds every one of ps.
func (m Me) CanAll(ps ...rbac.Permission) bool {
	for _, p := range ps {
		if !m.Perms[p] {
			return false
		}
	}
	return true
}

// LocationOption is a location the user may switch to.
type LocationOption struct {
	ID, Name, Code, Role string
}

// NavItem is a link of the main navigation.
type NavItem struct {
	Key, Label, Href string
	// Show says whether the viewer gets the item; nil shows it to every
	// signed-in user. An item the viewer could only answer with 403 is a
	// dead link, so it is hidden.
	Show func(Me) bool
}

// Nav lists the navigation. Features appear here only once they exist, so
// the UI has no dead links.
var Nav = []NavItem{
	{"dashboard", "Dashboard", "/", nil},
	{"contacts", "Contacts", "/contacts", needs(rbac.ContactsRead)},
	{"bookings", "Bookings", "/bookings", needs(rbac.BookingsRead)},
	{"tasks", "Tasks", "/tasks", needs(rbac.TasksRead)},
	{"inbox", "Inbox", "/inbox", needs(rbac.ContactsRead)},
	{"messages", "Messages", "/messages", needs(rbac.ContactsRead)},
	{"campaigns", "Campaigns", "/campaigns", needs(rbac.CampaignsRead)},
	{"reports", "Reports", "/reports", needs(rbac.ReportsRead)},
	{"admin", "Admin", "/admin", CanAdmin},
	{"audit", "Audit", "/admin/audit", needs(rbac.AuditRead)},
}

// NavFor returns the navigation items the viewer may use.
func NavFor(m Me) []NavItem {
	out := make([]NavItem, 0, len(Nav))
	for _, item := range Nav {
		if item.Show == nil || item.Show(m) {
			out = append(out, item)
		}
	}
	return out
}

func needs(perms ...rbac.Permission) func(Me) bool {
	return func(m Me) bool { return m.CanAll(perms...) }
}

// CanManageUsers reports whether the viewer may use the people page:
// reading people and changing them.
func CanManageUsers(m Me) bool { return m.CanAll(rbac.UsersRead, rbac.UsersUpdate) }

// CanSeeSettings reports whether the viewer may see the permission matrix
// and network pages.
func CanSeeSettings(m Me) bool { return m.Can(rbac.SettingsRead) }

// CanSeeTokens reports whether the viewer may see the API tokens page.
func CanSeeTokens(m Me) bool { return m.Can(rbac.APITokensRead) }

// CanAdmin reports whether the viewer may use any admin page.
func CanAdmin(m Me) bool {
	return CanManageUsers(m) || CanSeeSettings(m) || CanSeeTokens(m) || m.Can(rbac.AuditRead)
}

// Initials returns up to two initials of a name.
func Initials(name string) string {
	var b strings.Builder
	for _, f := range strings.Fields(name) {
		b.WriteString(strings.ToUpper(f[:1]))
		if b.Len() == 2 {
			break
		}
	}
	return b.String()
}

// Clock formats a time as 09:30 in tz.
func Clock(t time.Time, tz *time.Location) string { return t.In(tz).Format("15:04") }

// Day formats a date as Tue 3 Dec in tz, with the year when it is not
// the current year (Tue 3 Dec 2027): a recall due next year must not read
// as this year's, overdue.
func Day(t time.Time, tz *time.Location) string {
	t = t.In(tz)
	if t.Year() != today().In(tz).Year() {
		return t.Format("Mon 2 Jan 2006")
	}
	return t.Format("Mon 2 Jan")
}

// DayTime formats a time as Tue 3 Dec 09:30 in tz, with the year when it
// is not the current year (Tue 3 Dec 2027 09:30).
func DayTime(t time.Time, tz *time.Location) string {
	return Day(t, tz) + " " + t.In(tz).Format("15:04")
}

// now is the clock the date helpers ask for the current year; the UI sets
// it to the program's clock (SetClock). Templates have no other way to
// the clock, and one program has one clock.
var now atomic.Pointer[clock.Clock]

// SetClock makes c the clock the date helpers read.
func SetClock(c clock.Clock) {
	if c != nil {
		now.Store(&c)
	}
}

func today() time.Time {
	if c := now.Load(); c != nil {
		return (*c).Now()
	}
	return clock.System.Now()
}

// Ago says how long ago t was, relative to now.
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return "in " + Until(t, now)
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%d days ago", int(d.Hours()/24))
	}
	return t.Format("2 Jan 2006")
}

// Until says how long until t.
func Until(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// Humanize turns a stored code such as results_sent into the words of
// the one label table (internal/labels): "Results sent".
func Humanize(s string) string { return labels.Of(s) }

// WarmClass is the CSS class of a warmness score.
func WarmClass(score int) string {
	switch {
	case score > 80:
		return "warm hot"
	case score >= 50:
		return "warm warmish"
	}
	return "warm"
}

// Money formats cents as $1,234.50.
func Money(cents int) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole := fmt.Sprintf("%d", cents/100)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := fmt.Sprintf("$%s.%02d", b.String(), cents%100)
	if neg {
		out = "-" + out
	}
	return out
}

func itoa(n int) string { return fmt.Sprint(n) }

// Phone shows a stored E.164 number as people write it: national form for
// the location's own numbers, international for others; "" for none.
func Phone(p Page, e164 *string) string {
	if e164 == nil {
		return ""
	}
	return normalize.DisplayPhone(*e164, p.Me.Region)
}
