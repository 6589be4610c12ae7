package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestAPIKeyCLI: create prints the token as its last line; the token works
// against a running server; list shows it; revoke ends it; both changes are
// in a verifiable audit trail.
func TestAPIKeyCLI(t *testing.T) {
	path := testutil.DemoDBPath(t)
	keyFile := testutil.AuditKeyFile(t) // the demo data's trail was keyed with it
	env := envOf(map[string]string{"AVATARCRM_DATABASE_URL": "sqlite:" + path, "AVATARCRM_AUDIT_KEY_FILE": keyFile})
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"apikey", "create", "--user", "staff@example.com", "--location", "SYD", "--name", "Wix sync", "--expires", "30d"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	token := lines[len(lines)-1]
	if !strings.HasPrefix(token, "acrm_") {
		t.Fatalf("last line is not the token: %q", out.String())
	}
	srv := testutil.StartServer(t, testutil.ServerOptions{DatabaseURL: "sqlite:" + path, Env: map[string]string{"AVATARCRM_AUDIT_KEY_FILE": keyFile}})
	call := func() int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"{ me { user { email } } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := call(); s != 200 {
		t.Fatalf("token from the CLI: status %d", s)
	}
	out.Reset()
	if err := run(ctx, []string{"apikey", "list", "--location", "SYD"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(strings.Split(out.String(), "\n")[1])
	if len(fields) < 2 || !strings.HasPrefix(fields[0], "tok_") || !strings.Contains(out.String(), "Wix sync") {
		t.Fatalf("list: %q", out.String())
	}
	if err := run(ctx, []string{"apikey", "revoke", fields[0]}, env, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if s := call(); s != http.StatusUnauthorized {
		t.Fatalf("revoked token: status %d", s)
	}
	srv.Stop(t)
	out.Reset()
	if err := run(ctx, []string{"audit", "verify"}, env, &out, io.Discard); err != nil {
		t.Fatalf("audit verify: %v %s", err, out.String())
	}
	if err := run(ctx, []string{"apikey", "create", "--user", "nobody@example.com", "--location", "SYD", "--name", "x"}, env, io.Discard, io.Discard); err == nil {
		t.Fatal("a token for an unknown user was created")
	}
}
