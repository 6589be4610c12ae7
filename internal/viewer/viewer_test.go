package viewer_test

import (
	"testing"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// CanOn honours own_records_only as the privacy rules do: staff may update
// only the tasks assigned to them; a manager any; a viewer none.
func TestCanOn(t *testing.T) {
	me, other := pulid.ID("usr_me"), pulid.ID("usr_other")
	as := func(role rbac.Role) *viewer.Viewer {
		return &viewer.Viewer{UserID: me, LocationID: "loc_1", Role: role}
	}
	for _, tc := range []struct {
		role  rbac.Role
		owner *pulid.ID
		want  bool
	}{
		{rbac.Staff, &me, true},
		{rbac.Staff, &other, false},
		{rbac.Staff, nil, false},
		{rbac.Manager, &other, true},
		{rbac.Manager, nil, true},
		{rbac.Viewer, &me, false},
	} {
		if got := as(tc.role).CanOn(rbac.Tasks, rbac.Update, tc.owner); got != tc.want {
			t.Errorf("%s updating a task owned by %v: %v, want %v", tc.role, tc.owner, got, tc.want)
		}
	}
	var nobody *viewer.Viewer
	if nobody.CanOn(rbac.Tasks, rbac.Update, &me) {
		t.Error("no viewer may update")
	}
}
