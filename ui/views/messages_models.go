package views

import (
	"net/url"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// MessagingTab is a tab of the messages area.
type MessagingTab struct{ Key, Label, Href string }

// MessagingTabs are the tabs the viewer may use.
func MessagingTabs(m Me) []MessagingTab {
	out := []MessagingTab{{"inbox", "Inbox", "/inbox"}, {"messages", "Messages", "/messages"}}
	if m.Can(rbac.AutomationRead) {
		out = append(out, MessagingTab{"templates", "SMS templates", "/messages/templates"}, MessagingTab{"schedules", "Schedules", "/messages/schedules"})
	}
	return out
}

// MessageFilter is the messages page's filter.
type MessageFilter struct {
	Status, ContactID, RuleID string
	After                     string
}

// URL is the page's address with the filter and a cursor.
func (f MessageFilter) URL(after string) string {
	q := url.Values{}
	for k, v := range map[string]string{"status": f.Status, "contact": f.ContactID, "rule": f.RuleID, "after": after} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return "/messages"
	}
	return "/messages?" + q.Encode()
}

// MessageRow is one message of the outbox.
type MessageRow struct {
	ID, To, Body, Template, Status, Reason, Provider string
	ContactID, ContactName, RuleID                   string
	Segments, CostCents                              int
	Created                                          time.Time
	Sent, SendAfter                                  *time.Time
}

// MessagesPage is the outbox.
type MessagesPage struct {
	Filter   MessageFilter
	Statuses []string
	Rows     []MessageRow
	// Next is the cursor of the next page, if any.
	Next string
}

// TemplateRow is one SMS template.
type TemplateRow struct {
	Key, Name, Body string
	Marketing       bool
	Segments        int
	Encoding        string
}

// TemplatesPage lists the SMS templates.
type TemplatesPage struct {
	Rows    []TemplateRow
	CanEdit bool
}

// SMSPreview is the editor's preview: the text as sent and its count.
type SMSPreview struct {
	Body, Encoding string
	Units          int
	Segments       int
	CostCents      int
	Unknown        []string
	Error          string
}

// TemplateEditor edits one template.
type TemplateEditor struct {
	Key, Name, Body string
	Marketing       bool
	CanEdit         bool
	Contacts        []Option
	ContactID       string
	Variables       []string
	Preview         SMSPreview
	Errors          FieldErrors
	Saved           bool
}

// ScheduleRow is a schedule's next run.
type ScheduleRow struct {
	Name, Doc, Cron, Location string
	Next                      time.Time
}
