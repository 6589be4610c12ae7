// Package rbac decides what a role may do. It is pure policy: roles that
// inherit, resources, actions, conditions and per-user overrides. The ent
// privacy rules (package rbac/entrule) and the GraphQL @hasPermission
// directive both ask this package, so a rule is written once.
package rbac

import (
	"fmt"
	"slices"
)

// Role is a user's role at a location.
type Role string

// Roles, from most to least powerful. Each role inherits every permission of
// the roles after it.
const (
	Admin   Role = "admin"
	Manager Role = "manager"
	Staff   Role = "staff"
	Viewer  Role = "viewer"
)

// Roles lists every role, most powerful first.
var Roles = []Role{Admin, Manager, Staff, Viewer}

// rank orders roles; higher includes lower.
func (r Role) rank() int {
	switch r {
	case Admin:
		return 4
	case Manager:
		return 3
	case Staff:
		return 2
	case Viewer:
		return 1
	}
	return 0
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

// Includes reports whether r has at least the powers of o.
func (r Role) Includes(o Role) bool { return r.Valid() && r.rank() >= o.rank() }

// ParseRole parses s as a role.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", fmt.Errorf("unknown role %q (want admin, manager, staff or viewer)", s)
	}
	return r, nil
}

// Resource is a kind of thing a permission is about.
type Resource string

// Resources.
const (
	Contacts   Resource = "contacts"
	Bookings   Resource = "bookings"
	Tasks      Resource = "tasks"
	Campaigns  Resource = "campaigns"
	Reports    Resource = "reports"
	Automation Resource = "automation"
	Settings   Resource = "settings"
	Users      Resource = "users"
	// APITokens are the tokens integrators' scripts sign in with: their
	// names, owners, hints and last use. Only administrators hold it by
	// default.
	APITokens Resource = "api_tokens"
	Audit     Resource = "audit"
)

// Resources lists every resource.
var Resources = []Resource{Contacts, Bookings, Tasks, Campaigns, Reports, Automation, Settings, Users, APITokens, Audit}

// Action is what is done to a resource.
type Action string

// Actions.
const (
	Read   Action = "read"
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
	Export Action = "export"
	// Manage is changing what belongs to everyone reading a resource
	// rather than the records themselves: saved reports, their schedules,
	// ad spend and the weekly summary's subscriptions (reports:manage).
	Manage Action = "manage"
	// Send puts something in front of people outside the clinic: sending
	// an email campaign (internal/campaigns). Drafting one is create and
	// update; sending is its own decision, so staff may draft and
	// managers send.
	Send Action = "send"
)

// Actions lists every action.
var Actions = []Action{Read, Create, Update, Delete, Export, Manage, Send}

// Condition narrows a grant.
type Condition string

// Conditions.
const (
	// Always: no narrowing beyond tenancy.
	Always Condition = ""
	// OwnLocationOnly limits the grant to rows of the viewer's active
	// location. Tenancy already does this for every row, so today it is the
	// same as Always; it is kept distinct so a future cross-location grant
	// (a regional manager) reads as the absence of this condition.
	OwnLocationOnly Condition = "own_location_only"
	// OwnRecordsOnly limits the grant to rows assigned to or created by the
	// viewer, e.g. staff may update only their own tasks.
	OwnRecordsOnly Condition = "own_records_only"
)

// restrictiveness orders conditions: a lower value grants more.
func (c Condition) restrictiveness() int {
	switch c {
	case Always, OwnLocationOnly:
		return 0
	case OwnRecordsOnly:
		return 1
	}
	return 2
}

// Decision is the outcome of a permission check.
type Decision struct {
	Allowed   bool
	Condition Condition
}

// Grant is one row of the permission table.
type Grant struct {
	Role      Role
	Resource  Resource
	Action    Action
	Condition Condition
}

type key struct {
	res Resource
	act Action
}

// Table is a permission table: which role may do what, under which
// condition. A role inherits the grants of every role below it; where two
// grants apply, the less restrictive one wins.
type Table struct {
	byRole map[Role]map[key]Condition
}

// NewTable builds a table from grants.
func NewTable(grants []Grant) *Table {
	t := &Table{byRole: map[Role]map[key]Condition{}}
	for _, g := range grants {
		m := t.byRole[g.Role]
		if m == nil {
			m = map[key]Condition{}
			t.byRole[g.Role] = m
		}
		k := key{g.Resource, g.Action}
		if old, ok := m[k]; !ok || g.Condition.restrictiveness() < old.restrictiveness() {
			m[k] = g.Condition
		}
	}
	return t
}

// Decide reports whether role may do act on res and under which condition.
// Admins may do everything at their location: their rights are not in the
// table, so no edit of the table can lock the administrators out.
func (t *Table) Decide(role Role, res Resource, act Action) Decision {
	if role == Admin {
		return Decision{Allowed: true}
	}
	best := Decision{}
	for _, r := range Roles {
		if !role.Includes(r) {
			continue
		}
		c, ok := t.byRole[r][key{res, act}]
		if !ok {
			continue
		}
		if !best.Allowed || c.restrictiveness() < best.Condition.restrictiveness() {
			best = Decision{Allowed: true, Condition: c}
		}
	}
	return best
}

// Grants returns the table's own rows (not the inherited ones), sorted.
func (t *Table) Grants() []Grant {
	var out []Grant
	for r, m := range t.byRole {
		for k, c := range m {
			out = append(out, Grant{r, k.res, k.act, c})
		}
	}
	slices.SortFunc(out, func(a, b Grant) int {
		if a.Role != b.Role {
			return b.Role.rank() - a.Role.rank()
		}
		if a.Resource != b.Resource {
			return cmpStr(string(a.Resource), string(b.Resource))
		}
		return cmpStr(string(a.Action), string(b.Action))
	})
	return out
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// DefaultGrants is the permission table a new installation starts with.
// Each role lists only what it adds to the role below it.
func DefaultGrants() []Grant {
	g := func(role Role, res Resource, cond Condition, acts ...Action) []Grant {
		out := make([]Grant, 0, len(acts))
		for _, a := range acts {
			out = append(out, Grant{role, res, a, cond})
		}
		return out
	}
	var all []Grant
	add := func(gs []Grant) { all = append(all, gs...) }
	// viewer: read the clinic's day and who works there.
	add(g(Viewer, Users, OwnLocationOnly, Read))
	add(g(Viewer, Contacts, OwnLocationOnly, Read))
	add(g(Viewer, Bookings, OwnLocationOnly, Read))
	add(g(Viewer, Tasks, OwnLocationOnly, Read))
	add(g(Viewer, Reports, OwnLocationOnly, Read))
	// staff: run the front desk; tasks only their own.
	add(g(Staff, Contacts, OwnLocationOnly, Create, Update))
	add(g(Staff, Bookings, OwnLocationOnly, Create, Update))
	add(g(Staff, Tasks, OwnLocationOnly, Create))
	add(g(Staff, Tasks, OwnRecordsOnly, Update))
	add(g(Staff, Campaigns, OwnLocationOnly, Read, Create, Update))
	// manager: run the location.
	add(g(Manager, Contacts, OwnLocationOnly, Delete, Export))
	add(g(Manager, Bookings, OwnLocationOnly, Delete, Export))
	add(g(Manager, Tasks, OwnLocationOnly, Update, Delete, Export))
	add(g(Manager, Campaigns, OwnLocationOnly, Create, Update, Delete, Export, Send))
	add(g(Manager, Reports, OwnLocationOnly, Export, Manage))
	add(g(Manager, Automation, OwnLocationOnly, Read, Create, Update, Delete))
	add(g(Manager, Settings, OwnLocationOnly, Read))
	// admin: everything, always (see Table.Decide); no rows.
	return all
}

// Default is the default permission table.
var Default = NewTable(DefaultGrants())

// Override grants or denies one user an action, whatever their role says.
type Override struct {
	Resource  Resource
	Action    Action
	Grant     bool
	Condition Condition
}

// Decide applies the user's overrides over the role's table: a denial always
// wins, then a grant, then the table.
func Decide(t *Table, overrides []Override, role Role, res Resource, act Action) Decision {
	var grant *Override
	for i, o := range overrides {
		if o.Resource != res || o.Action != act {
			continue
		}
		if !o.Grant {
			return Decision{}
		}
		grant = &overrides[i]
	}
	d := t.Decide(role, res, act)
	if grant != nil && (!d.Allowed || grant.Condition.restrictiveness() < d.Condition.restrictiveness()) {
		return Decision{Allowed: true, Condition: grant.Condition}
	}
	return d
}
