package graph_test

import (
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

const createLocation = `mutation($in: CreateLocationInput!) {
  createLocation(input: $in) { id code name timezone hostname phone region currency }
}`

// TestCreateLocation: an administrator creates a location and becomes its
// administrator; it has the default permission table; bad input is
// INVALID naming the field, a taken code or host name is CONFLICT naming
// the field; a manager (no settings:create) is FORBIDDEN; nobody else at
// the old location gains anything.
func TestCreateLocation(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")

	r := srv.MustGraphQL(t, admin, createLocation, map[string]any{"in": map[string]any{
		"code": "bdi", "name": "  Avatar Imaging Bondi ", "timeZone": "Australia/Sydney",
		"hostname": "Bondi.CRM.example.com.", "phone": "(02) 9300 0100",
	}})
	var got struct {
		CreateLocation struct {
			ID, Code, Name, Timezone, Phone, Region, Currency string
			Hostname                                          *string
		}
	}
	r.Decode(t, &got)
	l := got.CreateLocation
	if l.Code != "BDI" || l.Name != "Avatar Imaging Bondi" || l.Timezone != "Australia/Sydney" || l.Phone != "+61293000100" ||
		l.Hostname == nil || *l.Hostname != "bondi.crm.example.com" || l.Region != "AU" || l.Currency != "AUD" {
		t.Fatalf("created %+v", l)
	}
	// The creator is its administrator, and can act there with the
	// location's default table.
	if code := switchTo(t, srv, admin, l.ID); code != 303 {
		t.Fatalf("switch to the new location: %d", code)
	}
	var me struct {
		Me struct {
			Role     string
			Location struct{ Code string }
		}
		PermissionMatrix []struct {
			Role, Resource, Action string
			Allowed, Own           bool
		}
	}
	srv.MustGraphQL(t, admin, `{ me { role location { code } } permissionMatrix { role resource action allowed own } }`, nil).Decode(t, &me)
	if me.Me.Role != "admin" || me.Me.Location.Code != "BDI" {
		t.Fatalf("at the new location: %+v", me.Me)
	}
	own := 0
	for _, c := range me.PermissionMatrix {
		if c.Own && c.Allowed {
			own++
		}
	}
	if own == 0 {
		t.Error("the new location has no permission table of its own")
	}
	// It is empty: no contacts came with it.
	var cs struct{ Contacts struct{ TotalCount int } }
	srv.MustGraphQL(t, admin, `{ contacts(first: 1) { totalCount } }`, nil).Decode(t, &cs)
	if cs.Contacts.TotalCount != 0 {
		t.Errorf("the new location has %d contacts", cs.Contacts.TotalCount)
	}
	// Sydney's manager did not join it.
	mgr := srv.SignIn(t, "manager@example.com")
	if ids := locationIDs(t, srv, mgr); ids["BDI"] != "" {
		t.Error("the manager sees the new location")
	}

	for _, tc := range []struct {
		name  string
		in    map[string]any
		code  string
		field string
	}{
		{"bad code", map[string]any{"code": "B-1", "name": "X", "timeZone": "Australia/Sydney"}, "INVALID", "code"},
		{"one letter", map[string]any{"code": "B", "name": "X", "timeZone": "Australia/Sydney"}, "INVALID", "code"},
		{"no name", map[string]any{"code": "NEW", "name": "  ", "timeZone": "Australia/Sydney"}, "INVALID", "name"},
		{"not a zone", map[string]any{"code": "NEW", "name": "X", "timeZone": "Sydney"}, "INVALID", "timeZone"},
		{"Local", map[string]any{"code": "NEW", "name": "X", "timeZone": "Local"}, "INVALID", "timeZone"},
		{"URL for a host", map[string]any{"code": "NEW", "name": "X", "timeZone": "UTC", "hostname": "https://x.example.com"}, "INVALID", "hostname"},
		{"IP for a host", map[string]any{"code": "NEW", "name": "X", "timeZone": "UTC", "hostname": "10.0.0.1"}, "INVALID", "hostname"},
		{"bad phone", map[string]any{"code": "NEW", "name": "X", "timeZone": "UTC", "phone": "12"}, "INVALID", "phone"},
		{"taken code", map[string]any{"code": "syd", "name": "X", "timeZone": "UTC"}, "CONFLICT", "code"},
		{"taken host", map[string]any{"code": "NEW", "name": "X", "timeZone": "UTC", "hostname": "bondi.crm.example.com"}, "CONFLICT", "hostname"},
	} {
		r := srv.GraphQL(t, admin, createLocation, map[string]any{"in": tc.in})
		if r.FirstCode() != tc.code || r.Errors[0].Extensions["field"] != tc.field {
			t.Errorf("%s: %+v, want %s on %s", tc.name, r.Errors, tc.code, tc.field)
		}
	}
	r = srv.GraphQL(t, mgr, createLocation, map[string]any{"in": map[string]any{"code": "MGR", "name": "X", "timeZone": "UTC"}})
	if r.FirstCode() != "FORBIDDEN" {
		t.Errorf("a manager created a location: %+v", r)
	}
	var all struct{ Locations struct{ TotalCount int } }
	srv.MustGraphQL(t, srv.SignIn(t, "admin@example.com"), `{ locations(first: 10) { totalCount } }`, nil).Decode(t, &all)
	if all.Locations.TotalCount != 3 {
		t.Errorf("the admin sees %d locations, want SYD, PAR and BDI", all.Locations.TotalCount)
	}
}
