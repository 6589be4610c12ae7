package rbac_test

import (
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

func TestDefaultTable(t *testing.T) {
	tbl := rbac.Default
	cases := []struct {
		role rbac.Role
		res  rbac.Resource
		act  rbac.Action
		want bool
		cond rbac.Condition
	}{
		{rbac.Viewer, rbac.Contacts, rbac.Read, true, rbac.OwnLocationOnly},
		{rbac.Viewer, rbac.Contacts, rbac.Create, false, ""},
		{rbac.Staff, rbac.Contacts, rbac.Read, true, rbac.OwnLocationOnly}, // inherited from viewer
		{rbac.Staff, rbac.Tasks, rbac.Update, true, rbac.OwnRecordsOnly},
		{rbac.Manager, rbac.Tasks, rbac.Update, true, rbac.OwnLocationOnly}, // manager's own grant beats staff's condition
		{rbac.Staff, rbac.Contacts, rbac.Delete, false, ""},
		{rbac.Manager, rbac.Audit, rbac.Read, false, ""},
		{rbac.Admin, rbac.Audit, rbac.Export, true, rbac.Always},
		{rbac.Admin, rbac.Settings, rbac.Update, true, rbac.Always},
		{rbac.Role("janitor"), rbac.Contacts, rbac.Read, false, ""},
	}
	for _, c := range cases {
		d := tbl.Decide(c.role, c.res, c.act)
		if d.Allowed != c.want || (c.want && d.Condition != c.cond) {
			t.Errorf("%s %s %s = %+v, want allowed=%v cond=%q", c.role, c.act, c.res, d, c.want, c.cond)
		}
	}
}

func TestOverrides(t *testing.T) {
	deny := []rbac.Override{{Resource: rbac.Contacts, Action: rbac.Read, Grant: false}}
	if rbac.Decide(rbac.Default, deny, rbac.Admin, rbac.Contacts, rbac.Read).Allowed {
		t.Error("a denial must win even for an admin")
	}
	grant := []rbac.Override{{Resource: rbac.Contacts, Action: rbac.Export, Grant: true, Condition: rbac.OwnLocationOnly}}
	if !rbac.Decide(rbac.Default, grant, rbac.Staff, rbac.Contacts, rbac.Export).Allowed {
		t.Error("a grant must allow what the role does not")
	}
	if rbac.Decide(rbac.Default, grant, rbac.Staff, rbac.Contacts, rbac.Delete).Allowed {
		t.Error("a grant must not spill over to other actions")
	}
	own := []rbac.Override{{Resource: rbac.Tasks, Action: rbac.Update, Grant: true, Condition: rbac.OwnLocationOnly}}
	if d := rbac.Decide(rbac.Default, own, rbac.Staff, rbac.Tasks, rbac.Update); d.Condition != rbac.OwnLocationOnly {
		t.Errorf("a broader grant must lift own_records_only: %+v", d)
	}
}

func TestInheritance(t *testing.T) {
	// Every permission of a lower role is held by every higher role.
	for _, res := range rbac.Resources {
		for _, act := range rbac.Actions {
			for i := len(rbac.Roles) - 1; i > 0; i-- {
				lower, higher := rbac.Roles[i], rbac.Roles[i-1]
				if rbac.Default.Decide(lower, res, act).Allowed && !rbac.Default.Decide(higher, res, act).Allowed {
					t.Errorf("%s may %s %s but %s may not", lower, act, res, higher)
				}
			}
		}
	}
}
