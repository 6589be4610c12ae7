package views

import (
	"fmt"
	"net/url"
	"time"
)

// SMSThread is a contact's SMS conversation on the contact page: the
// messages in and out, oldest first, and the send box.
type SMSThread struct {
	ContactID string
	// ConversationID is "" until the contact and the clinic exchanged an SMS.
	ConversationID string
	NeedsReply     bool
	Unread         int
	Done           bool
	AssigneeID     string
	// Assignees are the members a conversation can be assigned to.
	Assignees []Option
	Messages  []SMSBubble
	// CanUpdate: the viewer may send, mark done and assign; CanUndo: undo
	// what a reply did.
	CanUpdate, CanUndo bool
	// PhoneFailed is why the last SMS to the number failed for good, if it did.
	PhoneFailed string
	Send        SMSSendBox
	// Error is a refused action's message (done, assign, undo).
	Error string
}

// SMSBubble is one message of a thread.
type SMSBubble struct {
	ID string
	// Direction is inbound or outbound.
	Direction string
	Body      string
	// Status is the delivery status (queued, sent, delivered, failed,
	// received, …); Reason why it failed or was suppressed.
	Status, Reason string
	// Intent and Action are what the system read in an inbound reply and
	// what it did; Note says why, in words.
	Intent, Action, Note string
	Confidence           *float64
	Template             string
	SentBy               string
	At                   time.Time
	SendAfter            *time.Time
	Segments, CostCents  int
	// Undoable: the action can still be undone; UndoneAt says when it was.
	Undoable bool
	UndoneAt *time.Time
	TaskID   string
}

// Inbound reports whether the patient sent it.
func (b SMSBubble) Inbound() bool { return b.Direction == "inbound" }

// ConfidencePct is the intent's confidence as a percentage ("87%").
func (b SMSBubble) ConfidencePct() string {
	if b.Confidence == nil {
		return ""
	}
	return fmt.Sprintf("%.0f%%", *b.Confidence*100)
}

// SMSSendBox is the send box: the text as typed, its live check and the
// templates it offers.
type SMSSendBox struct {
	ContactID string
	Body      string
	Check     SMSCheckView
	Templates []Option
	// Template is the template chosen to start from.
	Template string
	// Error is sendSMS's refusal, shown beside the text box.
	Error string
	// Focus puts the cursor in the text box (the inbox's "r").
	Focus bool
}

// SMSCheckView is checkSMS's answer for the text typed so far.
type SMSCheckView struct {
	Allowed                    bool
	Problem, Message, Encoding string
	Units, Segments, CostCents int
	SendAfter                  *time.Time
}

// InboxFilter narrows the inbox.
type InboxFilter struct {
	// Location is a location ID ("" the active one).
	Location string
	// Assignee is a user ID, "none" for unassigned, "me", or "" for anyone.
	Assignee string
	// Done includes the conversations marked done.
	Done bool
}

// Query is the filter as URL query values.
func (f InboxFilter) Query() url.Values {
	q := url.Values{}
	if f.Location != "" {
		q.Set("location", f.Location)
	}
	if f.Assignee != "" {
		q.Set("assignee", f.Assignee)
	}
	if f.Done {
		q.Set("done", "1")
	}
	return q
}

// URL is the inbox's address with the filter.
func (f InboxFilter) URL() string {
	if q := f.Query(); len(q) > 0 {
		return "/inbox?" + q.Encode()
	}
	return "/inbox"
}

// PollURL is the list's polling address: changes since stamp.
func (f InboxFilter) PollURL(since string) string {
	q := f.Query()
	q.Set("since", since)
	return "/inbox/list?" + q.Encode()
}

// InboxRow is one conversation of the inbox.
type InboxRow struct {
	ConversationID, ContactID, ContactName, Phone, Preview string
	Unread                                                 int
	NeedsReply, Done                                       bool
	AssigneeID, AssigneeName                               string
	LastAt                                                 *time.Time
}

// InboxPage is the SMS inbox.
type InboxPage struct {
	Rows      []InboxRow
	Filter    InboxFilter
	Locations []Option
	Assignees []Option
	CanUpdate bool
	// Since is the stamp the list polls for changes after.
	Since string
	// OtherLocation: the filter names a location other than the active one.
	OtherLocation bool
}

// SMSSettingsPage is the admins' two-way SMS settings.
type SMSSettingsPage struct {
	InboundURL, ReceiptURL string
	Threshold              string
	Errors                 FieldErrors
}
