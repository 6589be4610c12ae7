package views

import (
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// FieldErrors holds a form's error messages by input name; the key ""
// holds a message about the form as a whole.
type FieldErrors map[string]string

// Get returns the message for a field, or "".
func (e FieldErrors) Get(field string) string { return e[field] }

// Has reports whether the field has an error.
func (e FieldErrors) Has(field string) bool { return e[field] != "" }

// AdminSection is one area of the admin pages.
type AdminSection struct {
	Key, Label, Href, About string
}

// AdminSections returns the admin areas the permissions allow, in menu
// order.
func AdminSections(m Me) []AdminSection {
	var out []AdminSection
	if CanManageUsers(m) {
		out = append(out, AdminSection{"users", "People", "/admin/users", "Invite people, change roles and skills, disable accounts."})
	}
	if CanSeeSettings(m) {
		out = append(out, AdminSection{"permissions", "Permissions", "/admin/permissions", "What each role may do here, and exceptions for single people."})
	}
	if CanSeeTokens(m) {
		out = append(out, AdminSection{"tokens", "API tokens", "/admin/tokens", "Tokens that let scripts and integrations act as a user."})
	}
	if m.Can(rbac.SettingsCreate) {
		out = append(out, AdminSection{"locations", "Locations", "/admin/locations", "Your locations, and adding a new one (you become its administrator)."})
	}
	if CanSeeSettings(m) {
		out = append(out, AdminSection{"network", "Network", "/admin/network", "The networks (IP ranges) allowed to reach this location."})
	}
	if CanSeeSettings(m) {
		out = append(out, AdminSection{"ai", "AI", "/admin/ai", "What the AI layer did and cost this month, the budget, and a box to try a patient's reply."})
	}
	if m.Can(rbac.SettingsUpdate) {
		out = append(out, AdminSection{"sms", "Two-way SMS", "/admin/sms", "The ClickSend webhook URLs for replies and delivery receipts, and how sure a reply must be to act on it."})
	}
	if CanSeeSettings(m) {
		out = append(out, AdminSection{"integrations", "Integrations", "/admin/integrations", "Wix Bookings and ManyChat: webhook events, replay, Wix service mappings and sync, staff alerts."})
		out = append(out, AdminSection{"webhooks", "Webhooks and website form", "/admin/webhooks", "Send events to integrators (signed, retried, logged), and the website lead form's address and snippet."})
	}
	if m.Can(rbac.AutomationRead) {
		out = append(out, AdminSection{"automation", "Automation", "/admin/automation", "Rules that act on new leads, bookings and tasks: what they did, and a dry run."})
		out = append(out, AdminSection{"jobs", "Jobs", "/admin/jobs", "The job queue and its dead letter: retry or discard failed jobs."})
	}
	if m.Can(rbac.AuditRead) {
		out = append(out, AdminSection{"audit", "Audit trail", "/admin/audit", "Every access and change at this location, tamper-evident; search and export."})
	}
	return out
}

// MemberRow is a member of the active location.
type MemberRow struct {
	ID, Name, Email string
	Role            string
	Skills          []string
	// Status is active, invited or disabled.
	Status    string
	LastSeen  *time.Time
	InvitedAt *time.Time
	// Self marks the viewer's own row.
	Self bool
	// Invitation marks an invitation nobody has accepted yet (ID is the
	// invitation's).
	Invitation bool
	// What the viewer may do to this member.
	CanEdit, CanRemove, CanDisable bool
}

// InviteForm is the invitation form's input.
type InviteForm struct {
	Email, Name, Role string
	Errors            FieldErrors
}

// UsersPage lists the members of the active location.
type UsersPage struct {
	Rows      []MemberRow
	CanInvite bool
	// Roles are the roles the viewer may give.
	Roles  []Option
	Invite InviteForm
	Now    time.Time
}

// MemberPage edits one member.
type MemberPage struct {
	Member MemberRow
	Roles  []Option
	// Role and Skills are the form's values (skills comma-separated).
	Role, Skills string
	Errors       FieldErrors
	Now          time.Time
}

// Hidden is a hidden form input.
type Hidden struct{ Name, Value string }

// Confirm is a confirmation step before a destructive action: a page with
// a form that posts the action again with confirm=yes.
type Confirm struct {
	Title   string
	Message string
	// Action is the URL the form posts to; Fields go with it.
	Action string
	Fields []Hidden
	Button string
	Cancel string
	// Lockout asks to tick a box (confirmLockout) because the action would
	// lock out the viewer's own address; Error says why.
	Lockout      bool
	LockoutLabel string
	Error        string
}

// PermCell is one cell of the permission matrix.
type PermCell struct {
	Role, Resource, Action string
	Allowed                bool
	Condition              string
	// Own is true when the role's own row grants it; an allowed cell that
	// is not Own is inherited from a lower role (or is the admin rule).
	Own bool
	// Editable is true when the viewer may change the cell.
	Editable bool
	// Saved marks the cell just changed.
	Saved bool
}

// ID is the cell's element id, also the fragment a save returns to.
func (c PermCell) ID() string { return "perm-" + c.Role + "-" + c.Resource + "-" + c.Action }

// Inherited reports whether the cell is allowed only through a lower role.
func (c PermCell) Inherited() bool { return c.Allowed && !c.Own && c.Role != "admin" }

// Choice is the value the cell's select shows: the role's own grant, or
// "none".
func (c PermCell) Choice() string {
	if !c.Own {
		return "none"
	}
	if c.Condition == "" {
		return "own_location_only"
	}
	return c.Condition
}

// PermRow is a resource × action row of the matrix.
type PermRow struct {
	Resource, Action string
	Cells            []PermCell
}

// OverrideRow is a per-user exception.
type OverrideRow struct {
	ID, User, Resource, Action, Effect, Condition, Reason string
	CanRemove                                             bool
}

// OverrideForm is the add-override form's input.
type OverrideForm struct {
	UserID, Resource, Action, Effect, Condition, Reason string
	Errors                                              FieldErrors
}

// PermissionsPage is the permission matrix and the overrides.
type PermissionsPage struct {
	Roles   []string
	Rows    []PermRow
	CanEdit bool
	// Overrides are shown when the viewer may manage people.
	ShowOverrides  bool
	Overrides      []OverrideRow
	Users          []Option
	Resources      []Option
	Actions        []Option
	Conditions     []Option
	OverrideForm   OverrideForm
	CanAddOverride bool
}

// TokenRow is an API token.
type TokenRow struct {
	ID, Name, User, Hint string
	Created              time.Time
	Expires, LastUsed    *time.Time
	// State is active, expired or revoked.
	State     string
	CanRevoke bool
}

// TokenForm is the create-token form's input.
type TokenForm struct {
	Name, UserID, ExpiresInDays string
	Errors                      FieldErrors
}

// TokensPage lists the location's API tokens.
type TokensPage struct {
	Rows      []TokenRow
	CanCreate bool
	Users     []Option
	Form      TokenForm
	Now       time.Time
}

// TokenCreated shows a new token, once.
type TokenCreated struct {
	Token, Name, User string
	Expires           *time.Time
}

// IPRuleRow is a network rule.
type IPRuleRow struct {
	ID, CIDR, Note, Creator string
	Created                 time.Time
	CanRemove               bool
}

// IPRuleForm is the add-rule form's input.
type IPRuleForm struct {
	CIDR, Note string
	// Lockout is set when the rule would lock out the viewer's address:
	// the form then asks to confirm.
	Lockout bool
	Errors  FieldErrors
}

// NetworkPage lists the networks allowed at the location.
type NetworkPage struct {
	Rows    []IPRuleRow
	CanEdit bool
	// MyIP is the viewer's address as the server sees it.
	MyIP string
	Form IPRuleForm
}

// AuditView is the audit trail page.
type AuditView struct {
	// Filter values as typed, kept in the form.
	User, Action, ResourceType, ResourceID, From, To string
	Entries                                          []*ent.AuditEntry
	// Next is the link to older entries; empty on the last page.
	Next string
	// ExportCSV and ExportJSON download what the filter selects.
	ExportCSV, ExportJSON string
	CanExport             bool
	Actions               []string
	Errors                map[string]string
	// Integrity lists what is wrong with the trail itself (audit.Status);
	// empty while it is intact.
	Integrity []string
}
