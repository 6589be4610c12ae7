package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/auditentry"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// TestAudit_EveryRequestAfterGracefulStop: N concurrent requests, then a
// graceful stop; the trail then holds exactly one request entry for each,
// with who, where, what and the hash of the body, and the chain verifies.
func TestAudit_EveryRequestAfterGracefulStop(t *testing.T) {
	const n = 60
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "staff@example.com")
	var wg sync.WaitGroup
	bodies := make([]string, n)
	for i := range n {
		bodies[i] = fmt.Sprintf(`{"query":"query Probe%d { contacts(first: 1) { totalCount } }"}`, i)
	}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader([]byte(bodies[i])))
			req.Header.Set("Content-Type", "application/json")
			resp, err := c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}()
	}
	wg.Wait()
	srv.Stop(t)

	ctx := viewer.Seed.Grant(context.Background(), "test")
	client := srv.App.DB.Client
	entries, err := client.AuditEntry.Query().Where(auditentry.Path("/graphql")).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n {
		t.Fatalf("%d /graphql entries after a graceful stop, want %d", len(entries), n)
	}
	want := map[string]bool{}
	for _, b := range bodies {
		sum := sha256.Sum256([]byte(b))
		want[hex.EncodeToString(sum[:])] = true
	}
	for _, e := range entries {
		if e.Email != "staff@example.com" || e.LocationID == "" || e.IP != "127.0.0.1" || e.Status != 200 || !e.Phi {
			t.Errorf("entry %d: %+v", e.ID, e)
		}
		if !want[e.BodySha256] {
			t.Errorf("entry %d: body hash %s matches no request", e.ID, e.BodySha256)
		}
		delete(want, e.BodySha256)
		if e.Operation == "" {
			t.Errorf("entry %d: no operation name", e.ID)
		}
	}
	rep, err := srv.App.Audit.Verify(ctx, nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}

// TestAudit_MutationsAndDenials: a mutation leaves an entry naming the
// record, written with the change; a denied one leaves a denied entry and
// no change; a sign-in is recorded.
func TestAudit_MutationsAndDenials(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	viewerC := srv.SignIn(t, "viewer@example.com")
	var out struct{ CreateContact struct{ ID string } }
	srv.MustGraphQL(t, staff, `mutation AddLead { createContact(input: {firstName: "Audit", phone: "0412 555 777"}) { id } }`, nil).Decode(t, &out)
	r := srv.GraphQL(t, viewerC, `mutation Sneaky { createContact(input: {firstName: "Nope"}) { id } }`, nil)
	if r.FirstCode() != "FORBIDDEN" {
		t.Fatalf("viewer create: %+v", r.Errors)
	}
	srv.Stop(t)

	ctx := viewer.Seed.Grant(context.Background(), "test")
	client := srv.App.DB.Client
	created, err := client.AuditEntry.Query().Where(auditentry.Action(audit.ActionCreate), auditentry.ResourceID(out.CreateContact.ID)).Only(ctx)
	if err != nil {
		t.Fatalf("no create entry for %s: %v", out.CreateContact.ID, err)
	}
	if created.Email != "staff@example.com" || !created.Phi || created.Operation != "AddLead" {
		t.Errorf("create entry: %+v", created)
	}
	denied, err := client.AuditEntry.Query().Where(auditentry.Action(audit.ActionDenied), auditentry.Email("viewer@example.com")).All(ctx)
	if err != nil || len(denied) != 1 || denied[0].Operation != "Sneaky" {
		raw, _ := json.Marshal(denied)
		t.Fatalf("denied entries: %s %v", raw, err)
	}
	signIns, err := client.AuditEntry.Query().Where(auditentry.Action(audit.ActionSignIn)).Count(ctx)
	if err != nil || signIns != 2 {
		t.Fatalf("%d sign-in entries, want 2 (%v)", signIns, err)
	}
	rep, err := srv.App.Audit.Verify(ctx, nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}

func TestAudit_AdminQuery(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	srv.MustGraphQL(t, admin, `query Warm { contacts(first: 1, where: {warmnessGT: 80}) { totalCount } }`, nil)
	// Request entries go through the batched writer; wait for the flush.
	var out struct {
		AuditEntries []struct {
			Seq                      int
			Action, Email, Operation string
			Phi                      bool
		}
	}
	found := false
	for range 50 {
		out.AuditEntries = nil
		srv.MustGraphQL(t, admin, `{ auditEntries(filter: {userEmail: "admin@example.com", action: "request"}, first: 20) { seq action email operation phi } }`, nil).Decode(t, &out)
		for _, e := range out.AuditEntries {
			found = found || (e.Operation == "Warm" && e.Phi)
		}
		if found {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !found {
		t.Fatalf("the admin's query is not in the trail: %+v", out.AuditEntries)
	}
	mgr := srv.SignIn(t, "manager@example.com")
	if r := srv.GraphQL(t, mgr, `{ auditEntries { seq } }`, nil); r.FirstCode() != "FORBIDDEN" {
		t.Fatalf("manager reading the trail: %+v", r.Errors)
	}
}
