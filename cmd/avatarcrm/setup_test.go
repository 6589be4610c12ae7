package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestSetup_FirstRunSQLite is a real clinic's first day on SQLite: the
// server starts with dev mode off on an empty file, `avatarcrm setup`
// creates the first location and invites its administrator, `avatarcrm
// apikey create` makes a token for them (accepting the invitation on their
// behalf, as they have not signed in yet), and the token reads `me` and the
// location over GraphQL.
func TestSetup_FirstRunSQLite(t *testing.T) {
	firstRun(t, "sqlite:"+filepath.Join(t.TempDir(), "clinic.db"))
}

// TestSetup_FirstRunPostgres is the same on PostgreSQL.
func TestSetup_FirstRunPostgres(t *testing.T) {
	firstRun(t, testutil.PostgresURL(t))
}

func firstRun(t *testing.T, dbURL string) {
	dir := t.TempDir()
	env := map[string]string{
		"AVATARCRM_DATABASE_URL":    dbURL,
		"AVATARCRM_AUDIT_KEY_FILE":  testutil.WriteAuditKey(t, filepath.Join(dir, "secrets", "audit.key")),
		"AVATARCRM_AUDIT_HEAD_FILE": filepath.Join(dir, "state", "audit.head"),
	}
	srv := testutil.StartServer(t, testutil.ServerOptions{DatabaseURL: dbURL, NoDev: true, Env: env})
	if srv.App.Config.Dev {
		t.Fatal("dev mode is on")
	}
	ctx := context.Background()

	// Before setup there is nobody to act as.
	if err := run(ctx, []string{"apikey", "create", "--user", "owner@clinic.example", "--location", "SYD", "--name", "x"}, envOf(env), io.Discard, io.Discard); err == nil {
		t.Fatal("apikey create worked before setup")
	}

	var out bytes.Buffer
	args := []string{"setup", "--location-code", "SYD", "--location-name", "Avatar Imaging Sydney",
		"--timezone", "Australia/Sydney", "--admin-email", "Owner@Clinic.example"}
	if err := run(ctx, args, envOf(env), &out, io.Discard); err != nil {
		t.Fatalf("setup: %v\n%s", err, out.String())
	}
	for _, want := range []string{`Created location SYD "Avatar Imaging Sydney"`, "time zone Australia/Sydney", "Invited owner@clinic.example as its administrator"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("setup says %q, want %q in it", out.String(), want)
		}
	}
	// Twice is refused, and says why.
	err := run(ctx, args, envOf(env), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "already set up") || !strings.Contains(err.Error(), "SYD") {
		t.Fatalf("second setup: %v", err)
	}
	// Bad input is refused before anything is written.
	bad := []string{"setup", "--location-code", "PAR", "--location-name", "P", "--timezone", "Sydney", "--admin-email", "x@y.example"}
	if err := run(ctx, bad, envOf(env), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "IANA") {
		t.Fatalf("setup with a bad zone: %v", err)
	}

	out.Reset()
	if err := run(ctx, []string{"apikey", "create", "--user", "owner@clinic.example", "--location", "SYD", "--name", "first token"}, envOf(env), &out, io.Discard); err != nil {
		t.Fatalf("apikey create: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Accepted the invitation of owner@clinic.example to SYD as admin") {
		t.Errorf("apikey create does not say it accepted the invitation: %q", out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	token := lines[len(lines)-1]
	if !strings.HasPrefix(token, "acrm_") {
		t.Fatalf("last line is not a token: %q", out.String())
	}
	// A second token for the same person works without another acceptance.
	out.Reset()
	if err := run(ctx, []string{"apikey", "create", "--user", "owner@clinic.example", "--location", "SYD", "--name", "second"}, envOf(env), &out, io.Discard); err != nil || strings.Contains(out.String(), "Accepted") {
		t.Fatalf("second token: %v %q", err, out.String())
	}
	// Nobody else gets one.
	if err := run(ctx, []string{"apikey", "create", "--user", "stranger@clinic.example", "--location", "SYD", "--name", "x"}, envOf(env), io.Discard, io.Discard); err == nil {
		t.Fatal("a token for an uninvited address was created")
	}

	body := `{"query":"{ me { role user { email status } location { code name timezone } } locations(first: 5) { totalCount } permissionMatrix { role resource action allowed own } }"}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var got struct {
		Data struct {
			Me struct {
				Role string
				User struct{ Email, Status string }
				// Location is the one setup made.
				Location struct{ Code, Name, Timezone string }
			}
			Locations        struct{ TotalCount int }
			PermissionMatrix []struct {
				Role, Resource, Action string
				Allowed, Own           bool
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(raw, &got); err != nil || resp.StatusCode != 200 || len(got.Errors) > 0 {
		t.Fatalf("me with the token: %d %s %v", resp.StatusCode, raw, err)
	}
	me := got.Data.Me
	if me.Role != "admin" || me.User.Email != "owner@clinic.example" || me.User.Status != "invited" ||
		me.Location.Code != "SYD" || me.Location.Name != "Avatar Imaging Sydney" || me.Location.Timezone != "Australia/Sydney" ||
		got.Data.Locations.TotalCount != 1 {
		t.Fatalf("me: %s", raw)
	}
	// The default permission table is there: staff create contacts by a
	// row of the location's own table.
	staffCreate := false
	for _, c := range got.Data.PermissionMatrix {
		staffCreate = staffCreate || (c.Role == "staff" && c.Resource == "contacts" && c.Action == "create" && c.Allowed && c.Own)
	}
	if !staffCreate {
		t.Errorf("no default permission table: %s", raw)
	}
	srv.Stop(t)
	// Everything setup and the tokens did is in a chain that verifies.
	out.Reset()
	if err := run(ctx, []string{"audit", "verify"}, envOf(env), &out, io.Discard); err != nil {
		t.Fatalf("audit verify: %v %s", err, out.String())
	}
}
