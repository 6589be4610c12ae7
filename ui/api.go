package ui

// The operations each area of the UI calls. graph.Ops (the schema's
// operations, in-process) satisfies every one; an area depends on nothing
// else, so what a page can do is what its interface lists, and each of
// those operations checks the permission the schema declares and runs a
// change in one transaction. To give a page a new operation, add the
// operation to the schema (go generate) and its method to the area here.

import (
	"context"
	"io"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/reports"
	"github.com/avatarimaging/avatarcrm/internal/search"
)

// API is everything the UI calls: graph.Ops.
type API interface {
	guardAPI
	layoutAPI
	dashboardAPI
	contactsAPI
	bookingsAPI
	tasksAPI
	adminAPI
	automationAPI
	messagingAPI
	smsAPI
	aiAPI
	inboundAPI
	webhooksAPI
	reportsAPI
	campaignsAPI
}

var _ API = (*graph.Ops)(nil)

// apis holds the operations by area.
type apis struct {
	guard    guardAPI
	layout   layoutAPI
	dash     dashboardAPI
	contacts contactsAPI
	bookings bookingsAPI
	tasks    tasksAPI
	admin    adminAPI
	auto     automationAPI
	// messaging is the outbox, SMS templates and schedules (messages.go).
	messaging messagingAPI
	// sms is two-way SMS: the inbox, a contact's thread, the send box,
	// the SMS settings (issue 15).
	sms smsAPI
	// inbound is the integrations pages: webhook events, replay, Wix
	// service mappings and sync, staff alerts (issue 16).
	inbound inboundAPI
	ai      aiAPI
	// webhooks is outbound webhooks and the website lead form (issue 16,
	// admin_webhooks.go).
	webhooks webhooksAPI
	// reports is the reports pages (issue 18): running a report or a
	// question, saved reports and their runs, ad spend, the Monday email.
	reports reportsAPI
	// campaigns is email campaigns: the list, the editor with its audience
	// builder and preview, sending, the analytics (issue 17, campaigns.go).
	campaigns campaignsAPI
}

// reportsAPI is the reports pages: a report run now or read from a
// question, the saved reports and their stored runs, the ad spend table
// and the Monday email subscription.
type reportsAPI interface {
	GenerateReport(ctx context.Context, request reports.Request) (*reports.Result, error)
	ReportQuery(ctx context.Context, text string) (*reports.QueryAnswer, error)
	Reports(ctx context.Context) ([]*reports.Saved, error)
	Report(ctx context.Context, id pulid.ID) (*reports.Saved, error)
	ReportRuns(ctx context.Context, reportID pulid.ID, first *int) ([]*reports.Run, error)
	ReportRun(ctx context.Context, id pulid.ID) (*reports.Run, error)
	SaveReport(ctx context.Context, input reports.SaveInput) (*reports.Saved, error)
	DeleteReport(ctx context.Context, id pulid.ID) (bool, error)
	RunReport(ctx context.Context, id pulid.ID) (*reports.Run, error)
	AdSpend(ctx context.Context, from string, to string) ([]*reports.AdSpend, error)
	SetAdSpend(ctx context.Context, source contact.LeadSource, month string, cents int) (*reports.AdSpend, error)
	ReportSubscription(ctx context.Context) (*ent.ReportSubscription, error)
	SetReportSubscription(ctx context.Context, weekly bool) (*ent.ReportSubscription, error)
}

// smsAPI is two-way SMS: the inbox (conversations, done, assign, read),
// a contact's thread (messages with inbound ones, undoing what a reply
// did), the send box (the live check, sending, the templates) and the
// admins' SMS settings (webhook URLs, token, threshold).
type smsAPI interface {
	Conversations(ctx context.Context, first *int, after *entgql.Cursor[pulid.ID], where *graph.ConversationsWhere, list ...graph.List) (*ent.ConversationConnection, error)
	Conversation(ctx context.Context, contactID pulid.ID) (*ent.Conversation, error)
	Messages(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.MessageOrder, where *ent.MessageWhereInput, list ...graph.List) (*ent.MessageConnection, error)
	CheckSms(ctx context.Context, contactID pulid.ID, body string) (*graph.SMSCheck, error)
	SendSms(ctx context.Context, contactID pulid.ID, body string) (*ent.Message, error)
	SmsTemplates(ctx context.Context) ([]*ent.SMSTemplate, error)
	PreviewSMSTemplate(ctx context.Context, key string, contactID pulid.ID, bookingID *pulid.ID, body *string) (*graph.SMSPreview, error)
	MarkConversationDone(ctx context.Context, id pulid.ID) (*ent.Conversation, error)
	MarkConversationRead(ctx context.Context, id pulid.ID) (*ent.Conversation, error)
	AssignConversation(ctx context.Context, id pulid.ID, assigneeID *pulid.ID) (*ent.Conversation, error)
	UndoSMSAction(ctx context.Context, messageID pulid.ID) (*ent.Message, error)
	SmsSettings(ctx context.Context) (*graph.SMSSettings, error)
	UpdateSMSSettings(ctx context.Context, intentThreshold *float64) (*graph.SMSSettings, error)
	RotateSMSWebhookToken(ctx context.Context) (*graph.SMSSettings, error)
	Users(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.UserOrder, where *ent.UserWhereInput, list ...graph.List) (*ent.UserConnection, error)
}

// guardAPI answers whether the viewer may run an operation, by the
// permission the schema declares for it: pages offer only what they may.
// inboundAPI is the integrations pages (admin_integrations.go).
type inboundAPI interface {
	WebhookEvents(ctx context.Context, where *graph.WebhookEventsWhere, first *int) ([]*ent.WebhookEvent, error)
	WebhookEvent(ctx context.Context, id pulid.ID) (*ent.WebhookEvent, error)
	ReplayWebhookEvent(ctx context.Context, id pulid.ID) (*ent.WebhookEvent, error)
	StaffAlerts(ctx context.Context, first *int) ([]*ent.StaffAlert, error)
	WixServices(ctx context.Context) ([]*ent.WixService, error)
	InboundSettings(ctx context.Context) (*graph.InboundSettings, error)
	SetWixService(ctx context.Context, input graph.WixServiceInput) (*ent.WixService, error)
	DeleteWixService(ctx context.Context, id pulid.ID) (pulid.ID, error)
	SyncWix(ctx context.Context, since types.Date) (*graph.WixSyncStarted, error)
	Services(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.ServiceOrder, where *ent.ServiceWhereInput, list ...graph.List) (*ent.ServiceConnection, error)
}

type guardAPI interface {
	Check(ctx context.Context, op graph.Op) error
	Allowed(ctx context.Context, op graph.Op) bool
	AllowedOn(ctx context.Context, op graph.Op, owner *pulid.ID) bool
}

// layoutAPI is what every page's layout reads: who is signed in, where.
type layoutAPI interface {
	Me(ctx context.Context) (*graph.Viewer, error)
}

// dashboardAPI is the dashboard: today's bookings, urgent tasks, hot leads,
// the latest touchpoints.
type dashboardAPI interface {
	Bookings(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.BookingOrder, where *ent.BookingWhereInput, list ...graph.List) (*ent.BookingConnection, error)
	Contacts(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.ContactOrder, where *ent.ContactWhereInput, list ...graph.List) (*ent.ContactConnection, error)
	Tasks(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.TaskOrder, where *ent.TaskWhereInput, list ...graph.List) (*ent.TaskConnection, error)
	Touchpoints(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.TouchpointOrder, where *ent.TouchpointWhereInput, list ...graph.List) (*ent.TouchpointConnection, error)
}

// contactsAPI is the contact pages: list and search, detail and timeline,
// the forms, bulk changes, merge, import and export.
type contactsAPI interface {
	Bookings(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.BookingOrder, where *ent.BookingWhereInput, list ...graph.List) (*ent.BookingConnection, error)
	BulkUpdateContacts(ctx context.Context, ids []pulid.ID, input graph.BulkUpdateContactsInput) (*contacts.BulkResult, error)
	ContactTimeline(ctx context.Context, id pulid.ID, first *int) ([]*contacts.TimelineItem, error)
	ContactCount(ctx context.Context, where *ent.ContactWhereInput) (contacts.Counted, error)
	Contacts(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.ContactOrder, where *ent.ContactWhereInput, list ...graph.List) (*ent.ContactConnection, error)
	CreateContact(ctx context.Context, input ent.CreateContactInput, allowDuplicate *bool) (*ent.Contact, error)
	DeleteContact(ctx context.Context, id pulid.ID) (pulid.ID, error)
	ExportContactsTo(ctx context.Context, w io.Writer, where *ent.ContactWhereInput) (int, error)
	FindDuplicates(ctx context.Context, contactID pulid.ID) ([]*contacts.Duplicate, error)
	ImportJob(ctx context.Context, id pulid.ID) (*ent.ImportJob, error)
	ImportJobReport(ctx context.Context, obj *ent.ImportJob) ([]*types.ImportRow, error)
	LogTouchpoint(ctx context.Context, input graph.LogTouchpointInput) (*ent.Touchpoint, error)
	MergeContacts(ctx context.Context, survivorID pulid.ID, duplicateIDs []pulid.ID) (*ent.Contact, error)
	MoveStage(ctx context.Context, contactID pulid.ID, stage contact.Stage, reason *string) (*ent.Contact, error)
	Node(ctx context.Context, id pulid.ID) (ent.Noder, error)
	PurgeContact(ctx context.Context, id pulid.ID) (pulid.ID, error)
	RecalculateWarmness(ctx context.Context, contactID pulid.ID) (*ent.Contact, error)
	RestoreContact(ctx context.Context, id pulid.ID) (*ent.Contact, error)
	SearchContacts(ctx context.Context, query string, first *int, includeArchived *bool, where *ent.ContactWhereInput) ([]*search.Result, error)
	StageContactImport(ctx context.Context, file graphql.Upload) (*graph.StagedContactImport, error)
	StagedContactImport(ctx context.Context, id pulid.ID) (*graph.StagedContactImport, error)
	StartStagedContactImport(ctx context.Context, id pulid.ID, mapping []*contacts.ColumnMapping) (*ent.ImportJob, error)
	Tasks(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.TaskOrder, where *ent.TaskWhereInput, list ...graph.List) (*ent.TaskConnection, error)
	Touchpoints(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.TouchpointOrder, where *ent.TouchpointWhereInput, list ...graph.List) (*ent.TouchpointConnection, error)
	UpdateContact(ctx context.Context, id pulid.ID, input ent.UpdateContactInput) (*ent.Contact, error)
}

// bookingsAPI is the bookings pages: calendar and list, a booking and its
// history, the new booking form and the status changes.
type bookingsAPI interface {
	BookingHistory(ctx context.Context, obj *ent.Booking) ([]*ent.BookingEvent, error)
	BookingsInRange(ctx context.Context, from types.Date, to types.Date, status []booking.Status, staffID *pulid.ID, serviceID *pulid.ID) ([]*ent.Booking, error)
	CancelBooking(ctx context.Context, id pulid.ID, reason string) (*ent.Booking, error)
	CancelReasons(ctx context.Context) ([]*ent.CancelReason, error)
	CompleteBooking(ctx context.Context, id pulid.ID) (*ent.Booking, error)
	ConfirmBooking(ctx context.Context, id pulid.ID) (*ent.Booking, error)
	Contacts(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.ContactOrder, where *ent.ContactWhereInput, list ...graph.List) (*ent.ContactConnection, error)
	CreateBooking(ctx context.Context, input ent.CreateBookingInput, pastVisit *graph.PastVisitInput) (*ent.Booking, error)
	MarkNoShow(ctx context.Context, id pulid.ID) (*graph.NoShowPayload, error)
	Node(ctx context.Context, id pulid.ID) (ent.Noder, error)
	RescheduleBooking(ctx context.Context, id pulid.ID, startsAt time.Time, endsAt *time.Time) (*ent.Booking, error)
	SearchContacts(ctx context.Context, query string, first *int, includeArchived *bool, where *ent.ContactWhereInput) ([]*search.Result, error)
	Services(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.ServiceOrder, where *ent.ServiceWhereInput, list ...graph.List) (*ent.ServiceConnection, error)
	Tasks(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.TaskOrder, where *ent.TaskWhereInput, list ...graph.List) (*ent.TaskConnection, error)
	Users(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.UserOrder, where *ent.UserWhereInput, list ...graph.List) (*ent.UserConnection, error)
}

// tasksAPI is the task pages: list and board, a task and its history, the
// forms and quick actions.
type tasksAPI interface {
	AutoAssignTask(ctx context.Context, id pulid.ID) (*ent.Task, error)
	Bookings(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.BookingOrder, where *ent.BookingWhereInput, list ...graph.List) (*ent.BookingConnection, error)
	Contacts(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.ContactOrder, where *ent.ContactWhereInput, list ...graph.List) (*ent.ContactConnection, error)
	CreateTask(ctx context.Context, input ent.CreateTaskInput) (*ent.Task, error)
	CreateTaskAutoAssigned(ctx context.Context, input ent.CreateTaskInput) (*ent.Task, error)
	ReassignTask(ctx context.Context, id pulid.ID, userID pulid.ID) (*ent.Task, error)
	SearchContacts(ctx context.Context, query string, first *int, includeArchived *bool, where *ent.ContactWhereInput) ([]*search.Result, error)
	SetTaskPriority(ctx context.Context, id pulid.ID, priority *task.Priority) (*ent.Task, error)
	SetTaskStatus(ctx context.Context, id pulid.ID, status task.Status) (*ent.Task, error)
	TaskHistory(ctx context.Context, obj *ent.Task) ([]*ent.TaskEvent, error)
	Tasks(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.TaskOrder, where *ent.TaskWhereInput, list ...graph.List) (*ent.TaskConnection, error)
	UpdateTask(ctx context.Context, id pulid.ID, input ent.UpdateTaskInput) (*ent.Task, error)
	Users(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.UserOrder, where *ent.UserWhereInput, list ...graph.List) (*ent.UserConnection, error)
}

// adminAPI is the admin area: people and invitations, permissions and
// exceptions, API tokens, network rules, the audit trail.
type adminAPI interface {
	APITokens(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.APITokenOrder, where *ent.APITokenWhereInput, list ...graph.List) (*ent.APITokenConnection, error)
	AddIPRule(ctx context.Context, input graph.AddIPRuleInput) (*ent.IPRule, error)
	AuditEntries(ctx context.Context, filter *graph.AuditFilter, first *int) ([]*ent.AuditEntry, error)
	AuditIntegrity(ctx context.Context) (*graph.AuditIntegrity, error)
	CreateAPIToken(ctx context.Context, input graph.CreateAPITokenInput) (*graph.CreatedAPIToken, error)
	CreateLocation(ctx context.Context, input graph.CreateLocationInput) (*ent.Location, error)
	ExportAuditEntriesTo(ctx context.Context, w io.Writer, filter *graph.AuditFilter, format graph.AuditExportFormat) (int, error)
	IPRules(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.IPRuleOrder, where *ent.IPRuleWhereInput, list ...graph.List) (*ent.IPRuleConnection, error)
	Locations(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.LocationOrder, where *ent.LocationWhereInput, list ...graph.List) (*ent.LocationConnection, error)
	Invitations(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.InvitationOrder, where *ent.InvitationWhereInput, list ...graph.List) (*ent.InvitationConnection, error)
	InviteUser(ctx context.Context, input graph.InviteUserInput) (*ent.Invitation, error)
	PermissionMatrix(ctx context.Context) ([]*graph.PermissionCell, error)
	PermissionOverrides(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.PermissionOverrideOrder, where *ent.PermissionOverrideWhereInput, list ...graph.List) (*ent.PermissionOverrideConnection, error)
	RemoveIPRule(ctx context.Context, id pulid.ID, confirmLockout *bool) (pulid.ID, error)
	RemoveMember(ctx context.Context, userID pulid.ID) (pulid.ID, error)
	RemovePermissionOverride(ctx context.Context, id pulid.ID) (pulid.ID, error)
	RevokeAPIToken(ctx context.Context, id pulid.ID) (*ent.APIToken, error)
	RevokeInvitation(ctx context.Context, id pulid.ID) (pulid.ID, error)
	SetMemberRole(ctx context.Context, input graph.SetMemberRoleInput) (*ent.Membership, error)
	SetPermission(ctx context.Context, input graph.SetPermissionInput) ([]*graph.PermissionCell, error)
	SetPermissionOverride(ctx context.Context, input graph.SetPermissionOverrideInput) (*ent.PermissionOverride, error)
	SetUserDisabled(ctx context.Context, userID pulid.ID, disabled bool, everywhere *bool) (*ent.User, error)
	Users(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.UserOrder, where *ent.UserWhereInput, list ...graph.List) (*ent.UserConnection, error)
}
