package rbac

import "strings"

// Permission is one action on one resource, written resource:action
// ("contacts:update"). Code names a permission by its constant
// (ContactsUpdate), never by a string, so a typo does not compile.
type Permission string

// Perm returns the permission to do act on res.
func Perm(res Resource, act Action) Permission { return Permission(string(res) + ":" + string(act)) }

// Resource is the resource p is about.
func (p Permission) Resource() Resource {
	r, _, _ := strings.Cut(string(p), ":")
	return Resource(r)
}

// Action is what p allows doing to its resource.
func (p Permission) Action() Action {
	_, a, _ := strings.Cut(string(p), ":")
	return Action(a)
}

// AllPermissions lists every resource × action, resources in the order of
// Resources, actions in the order of Actions.
func AllPermissions() []Permission {
	out := make([]Permission, 0, len(Resources)*len(Actions))
	for _, res := range Resources {
		for _, act := range Actions {
			out = append(out, Perm(res, act))
		}
	}
	return out
}

// The permissions, one constant per resource × action.
const (
	// contacts
	ContactsRead   Permission = "contacts:read"
	ContactsCreate Permission = "contacts:create"
	ContactsUpdate Permission = "contacts:update"
	ContactsDelete Permission = "contacts:delete"
	ContactsExport Permission = "contacts:export"
	ContactsManage Permission = "contacts:manage"
	// bookings
	BookingsRead   Permission = "bookings:read"
	BookingsCreate Permission = "bookings:create"
	BookingsUpdate Permission = "bookings:update"
	BookingsDelete Permission = "bookings:delete"
	BookingsExport Permission = "bookings:export"
	BookingsManage Permission = "bookings:manage"
	// tasks
	TasksRead   Permission = "tasks:read"
	TasksCreate Permission = "tasks:create"
	TasksUpdate Permission = "tasks:update"
	TasksDelete Permission = "tasks:delete"
	TasksExport Permission = "tasks:export"
	TasksManage Permission = "tasks:manage"
	// campaigns
	CampaignsRead   Permission = "campaigns:read"
	CampaignsCreate Permission = "campaigns:create"
	CampaignsUpdate Permission = "campaigns:update"
	CampaignsDelete Permission = "campaigns:delete"
	CampaignsExport Permission = "campaigns:export"
	CampaignsManage Permission = "campaigns:manage"
	CampaignsSend   Permission = "campaigns:send"
	// reports
	ReportsRead   Permission = "reports:read"
	ReportsCreate Permission = "reports:create"
	ReportsUpdate Permission = "reports:update"
	ReportsDelete Permission = "reports:delete"
	ReportsExport Permission = "reports:export"
	ReportsManage Permission = "reports:manage"
	// automation
	AutomationRead   Permission = "automation:read"
	AutomationCreate Permission = "automation:create"
	AutomationUpdate Permission = "automation:update"
	AutomationDelete Permission = "automation:delete"
	AutomationExport Permission = "automation:export"
	AutomationManage Permission = "automation:manage"
	// settings
	SettingsRead   Permission = "settings:read"
	SettingsCreate Permission = "settings:create"
	SettingsUpdate Permission = "settings:update"
	SettingsDelete Permission = "settings:delete"
	SettingsExport Permission = "settings:export"
	SettingsManage Permission = "settings:manage"
	// users
	UsersRead   Permission = "users:read"
	UsersCreate Permission = "users:create"
	UsersUpdate Permission = "users:update"
	UsersDelete Permission = "users:delete"
	UsersExport Permission = "users:export"
	UsersManage Permission = "users:manage"
	// api_tokens
	APITokensRead   Permission = "api_tokens:read"
	APITokensCreate Permission = "api_tokens:create"
	APITokensUpdate Permission = "api_tokens:update"
	APITokensDelete Permission = "api_tokens:delete"
	APITokensExport Permission = "api_tokens:export"
	APITokensManage Permission = "api_tokens:manage"
	// audit
	AuditRead   Permission = "audit:read"
	AuditCreate Permission = "audit:create"
	AuditUpdate Permission = "audit:update"
	AuditDelete Permission = "audit:delete"
	AuditExport Permission = "audit:export"
	AuditManage Permission = "audit:manage"
)
