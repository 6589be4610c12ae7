package contacts_test

import (
	"context"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// env is the demo database wired as the application wires it: the audit
// and warmness hooks, the contact service with the pipeline for stage
// moves, the clock at testutil.Now.
type env struct {
	client *ent.Client
	svc    *contacts.Service
	audit  *audit.Log
	sys    context.Context
}

func newEnv(t *testing.T) *env {
	t.Helper()
	d := testutil.DemoDB(t)
	now := func() time.Time { return testutil.Now }
	log := audit.New(d.Client, d.Dialect, []byte("0123456789abcdef0123456789abcdef"), audit.Options{})
	log.Start()
	t.Cleanup(func() { _ = log.Close(context.Background()) })
	d.Client.Use(log.Hook())
	warm := &warmness.Service{Client: d.Client, Now: now}
	d.Client.Use(warm.Hook())
	svc := &contacts.Service{Client: d.Client, Warmness: warm, Stages: &pipeline.Service{Client: d.Client, Now: now}, Audit: log, Now: now}
	// Imports are durable jobs: a real queue on the same file.
	ws := jobs.NewWorkers()
	contacts.AddWorkers(ws, svc)
	q, err := jobs.New(context.Background(), d, ws, jobs.Config{Workers: 2, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	svc.Jobs = q
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Error(err)
		}
		q.Close()
	})
	return &env{client: d.Client, svc: svc, audit: log, sys: viewer.Seed.Grant(context.Background(), "test")}
}

func (e *env) as(t *testing.T, email string) context.Context {
	t.Helper()
	return testutil.As(t, e.client, email)
}

func (e *env) create(t *testing.T, ctx context.Context, in ent.CreateContactInput) *ent.Contact {
	t.Helper()
	ct, err := e.svc.Create(ctx, in, true)
	if err != nil {
		t.Fatalf("create %s: %v", in.FirstName, err)
	}
	return ct
}

func (e *env) get(t *testing.T, id pulid.ID) *ent.Contact {
	t.Helper()
	ct, err := e.client.Contact.Get(e.sys, id)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// parContact returns a contact of Parramatta.
func (e *env) parContact(t *testing.T) pulid.ID {
	t.Helper()
	id, err := e.client.Contact.Query().Where(contact.HasLocationWith(location.Code("PAR"))).FirstID(e.sys)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) userID(t *testing.T, email string) pulid.ID {
	t.Helper()
	id, err := e.client.User.Query().Where(user.Email(email)).OnlyID(e.sys)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func ptr[T any](v T) *T { return &v }

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("error %v (%s), want %s", err, apperr.CodeOf(err), code)
	}
}

func wantField(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	if ae := apperr.From(err); err == nil || ae.Code != code || ae.Field != field {
		t.Fatalf("error %v, want %s on %q", err, code, field)
	}
}
