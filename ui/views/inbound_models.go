package views

import "time"

// WebhookEventRow is one stored webhook event in the list.
type WebhookEventRow struct {
	ID, Source, Kind, EventType, EventID, Status, LastError string
	Received                                                time.Time
	Attempts, Duplicates                                    int
}

// WebhookEventsPage is /admin/integrations/events: the filters and a page.
type WebhookEventsPage struct {
	Source, Status string
	Sources        []string
	Statuses       []string
	Rows           []WebhookEventRow
	// Older links to the next page; empty on the last.
	Older string
}

// WebhookAttemptRow is a line of an event's processing history.
type WebhookAttemptRow struct {
	At      time.Time
	Attempt int
	Outcome string
	Error   string
	TookMs  int64
}

// WebhookEventPage is one event: its payload and history.
type WebhookEventPage struct {
	Row       WebhookEventRow
	Payload   string
	Processed *time.Time
	History   []WebhookAttemptRow
	CanReplay bool
	// Replayable is false for a rejected event or one waiting for its job.
	Replayable bool
	Error      string
}

// StaffAlertRow is an alert to staff.
type StaffAlertRow struct {
	Created             time.Time
	Topic, Text, Status string
	Channel, LastError  string
}

// WixServiceRow is a Wix service mapping.
type WixServiceRow struct {
	ID, WixID, WixName, ServiceID, ServiceName string
}

// ServiceOption is a service to map to.
type ServiceOption struct{ ID, Name string }

// WixServiceForm is the add-mapping form.
type WixServiceForm struct {
	WixID, WixName, ServiceID string
	Errors                    FieldErrors
}

// WixSyncForm is the sync form.
type WixSyncForm struct {
	Since  string
	Errors FieldErrors
}

// IntegrationsPage is /admin/integrations: the endpoints, Wix mappings, the
// sync, and staff alerts.
type IntegrationsPage struct {
	WixEnabled, WixSyncEnabled, ManyChatEnabled, SlackEnabled bool
	WixURL, ManyChatURL                                       string
	Mappings                                                  []WixServiceRow
	Services                                                  []ServiceOption
	Form                                                      WixServiceForm
	Sync                                                      WixSyncForm
	CanEdit                                                   bool
	Alerts                                                    []StaffAlertRow
}
