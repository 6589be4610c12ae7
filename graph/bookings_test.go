package graph_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/seed"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// The server's clock is testutil.Now: Wednesday 11 March 2026, 09:00 in
// Sydney (AEDT, UTC+11). The bookings below are on the morning of Tuesday
// 10 March, before the demo data's opening hours, so they have started
// (they can be completed or missed) and clash with nothing.
const bookingFields = `id status startsAt endsAt cancelReason completedAt contact { id stage } service { name }`

// gqlBooking is a booking as the tests read it.
type gqlBooking struct {
	ID, Status, StartsAt, EndsAt string
	CancelReason, CompletedAt    *string
	Contact                      struct{ ID, Stage string }
	Service                      struct{ Name string }
}

// bookingClient is a signed-in client with helpers for the booking API.
type bookingClient struct {
	t   *testing.T
	srv *testutil.Server
	c   *http.Client
}

func (b bookingClient) serviceID(name string) string {
	b.t.Helper()
	var out struct {
		Services struct {
			Edges []struct{ Node struct{ ID, Name string } }
		}
	}
	b.srv.MustGraphQL(b.t, b.c, `query($n: String!) { services(first: 1, where: {name: $n}) { edges { node { id name } } } }`,
		map[string]any{"n": name}).Decode(b.t, &out)
	if len(out.Services.Edges) != 1 {
		b.t.Fatalf("no service %q", name)
	}
	return out.Services.Edges[0].Node.ID
}

func (b bookingClient) newContact() string {
	b.t.Helper()
	var out struct{ CreateContact struct{ ID string } }
	b.srv.MustGraphQL(b.t, b.c, `mutation { createContact(input: {firstName: "Graph", lastName: "Patient"}) { id } }`, nil).Decode(b.t, &out)
	return out.CreateContact.ID
}

func (b bookingClient) create(contactID, serviceID, starts, ends string) testutil.GQLResponse {
	b.t.Helper()
	// A booking of a time that has passed was made before it: the server's
	// clock goes back to the day before for the request (createBooking
	// refuses an ended booking unless it is recorded as a past visit).
	if clk, ok := bookingClocks.Load(b.srv); ok {
		if at, err := time.Parse(time.RFC3339, starts); err == nil && at.Before(testutil.Now) {
			clk.(*settableClock).set(at.Add(-24 * time.Hour))
			defer clk.(*settableClock).set(testutil.Now)
		}
	}
	return b.srv.GraphQL(b.t, b.c, `mutation($c: ID!, $s: ID!, $st: Time!, $en: Time!) {
		createBooking(input: {contactID: $c, serviceID: $s, startsAt: $st, endsAt: $en}) { `+bookingFields+` } }`,
		map[string]any{"c": contactID, "s": serviceID, "st": starts, "en": ends})
}

func (b bookingClient) mustCreate(contactID, serviceID, starts, ends string) gqlBooking {
	b.t.Helper()
	r := b.create(contactID, serviceID, starts, ends)
	if len(r.Errors) > 0 {
		b.t.Fatalf("createBooking: %s %s", r.FirstCode(), r.Errors[0].Message)
	}
	var out struct{ CreateBooking gqlBooking }
	r.Decode(b.t, &out)
	return out.CreateBooking
}

// act runs a one-argument booking mutation (confirmBooking, completeBooking).
func (b bookingClient) act(mutation, id string) testutil.GQLResponse {
	b.t.Helper()
	return b.srv.GraphQL(b.t, b.c, `mutation($id: ID!) { `+mutation+`(id: $id) { `+bookingFields+` } }`, map[string]any{"id": id})
}

func (b bookingClient) mustAct(mutation, id string) gqlBooking {
	b.t.Helper()
	r := b.act(mutation, id)
	if len(r.Errors) > 0 {
		b.t.Fatalf("%s: %s %s", mutation, r.FirstCode(), r.Errors[0].Message)
	}
	var out map[string]gqlBooking
	r.Decode(b.t, &out)
	return out[mutation]
}

func (b bookingClient) history(id string) []struct {
	Kind                     string
	FromStartsAt, ToStartsAt *string
	Reason                   string
} {
	b.t.Helper()
	var out struct {
		Node struct {
			History []struct {
				Kind                     string
				FromStartsAt, ToStartsAt *string
				Reason                   string
			}
		}
	}
	b.srv.MustGraphQL(b.t, b.c, `query($id: ID!) { node(id: $id) { ... on Booking { history { kind fromStartsAt toStartsAt reason } } } }`,
		map[string]any{"id": id}).Decode(b.t, &out)
	return out.Node.History
}

func wantCode(t *testing.T, r testutil.GQLResponse, code string) testutil.GQLError {
	t.Helper()
	if r.FirstCode() != code {
		t.Fatalf("code = %q, want %s (%+v)", r.FirstCode(), code, r.Errors)
	}
	return r.Errors[0]
}

// TestBookingLifecycle walks the booking API: create with a conflict
// check, confirm, reschedule, history, no-show with its follow-up task,
// complete, cancel, and the refusals of the state machine.
func TestBookingLifecycle(t *testing.T) {
	bookingLifecycle(t, bookingServer(t, testutil.ServerOptions{}))
}

// TestBookingLifecyclePostgres is TestBookingLifecycle on PostgreSQL, where
// the conflict check relies on a row lock rather than SQLite's single
// writer (skipped without a server; see testutil.PostgresURL).
func TestBookingLifecyclePostgres(t *testing.T) {
	bookingLifecycle(t, postgresServer(t))
}

// settableClock is a server's clock a test can turn back.
type settableClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *settableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *settableClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = t
}

// bookingClocks holds the clock of each server bookingServer started.
var bookingClocks sync.Map

// bookingServer starts a server whose clock bookingClient.create can turn
// back to make a booking of a time that has passed.
func bookingServer(t *testing.T, opts testutil.ServerOptions) *testutil.Server {
	clk := &settableClock{at: testutil.Now}
	opts.Now = clk.Now
	srv := testutil.StartServer(t, opts)
	bookingClocks.Store(srv, clk)
	return srv
}

func postgresServer(t *testing.T) *testutil.Server {
	return bookingServer(t, testutil.ServerOptions{
		DatabaseURL: testutil.PostgresURL(t),
		Env:         map[string]string{"AVATARCRM_SEED_DEMO": "true"},
	})
}

func bookingLifecycle(t *testing.T, srv *testutil.Server) {
	b := bookingClient{t, srv, srv.SignIn(t, "staff@example.com")}
	knee, brain, ct := b.serviceID("MRI Knee"), b.serviceID("MRI Brain"), b.serviceID("CT Chest")

	// 06:00–06:30 Tuesday 10 March, Sydney.
	first := b.mustCreate(b.newContact(), knee, "2026-03-09T19:00:00Z", "2026-03-09T19:30:00Z")
	if first.Status != "pending" || first.Contact.Stage != "booked" || first.Service.Name != "MRI Knee" {
		t.Fatalf("created %+v", first)
	}

	t.Run("CreateConflict", func(t *testing.T) {
		e := wantCode(t, b.create(b.newContact(), brain, "2026-03-09T19:15:00Z", "2026-03-09T20:00:00Z"), "CONFLICT")
		if e.Extensions["conflictWith"] != first.ID || e.Extensions["field"] != "startsAt" {
			t.Fatalf("extensions %v", e.Extensions)
		}
		// Touching is not overlapping.
		b.mustCreate(b.newContact(), brain, "2026-03-09T19:30:00Z", "2026-03-09T20:15:00Z")
	})

	t.Run("CreateRefusesAnotherStatus", func(t *testing.T) {
		r := srv.GraphQL(t, b.c, `mutation($c: ID!, $s: ID!) { createBooking(input: {contactID: $c, serviceID: $s, startsAt: "2026-03-09T21:00:00Z", endsAt: "2026-03-09T21:20:00Z", status: completed}) { id } }`,
			map[string]any{"c": b.newContact(), "s": ct})
		if e := wantCode(t, r, "INVALID"); e.Extensions["field"] != "status" {
			t.Fatalf("extensions %v", e.Extensions)
		}
	})

	confirmed := b.mustAct("confirmBooking", first.ID)
	if confirmed.Status != "confirmed" || confirmed.Contact.Stage != "confirmed" {
		t.Fatalf("confirmed %+v", confirmed)
	}

	t.Run("Reschedule", func(t *testing.T) {
		var out struct{ RescheduleBooking gqlBooking }
		srv.MustGraphQL(t, b.c, `mutation($id: ID!) { rescheduleBooking(id: $id, startsAt: "2026-03-09T20:30:00Z") { `+bookingFields+` } }`,
			map[string]any{"id": first.ID}).Decode(t, &out)
		got := out.RescheduleBooking
		if got.StartsAt != "2026-03-09T20:30:00Z" || got.EndsAt != "2026-03-09T21:00:00Z" || got.Status != "confirmed" {
			t.Fatalf("rescheduled %+v", got)
		}
		h := b.history(first.ID)
		var kinds []string
		for _, e := range h {
			kinds = append(kinds, e.Kind)
		}
		if !slices.Equal(kinds, []string{"created", "confirmed", "rescheduled"}) {
			t.Fatalf("history %v", kinds)
		}
		if last := h[2]; last.FromStartsAt == nil || *last.FromStartsAt != "2026-03-09T19:00:00Z" || *last.ToStartsAt != "2026-03-09T20:30:00Z" {
			t.Fatalf("reschedule event %+v", last)
		}
	})

	t.Run("MarkNoShow", func(t *testing.T) {
		var out struct {
			MarkNoShow struct {
				Booking      gqlBooking
				FollowUpTask struct {
					Kind, DueAt, Status string
					Skill               *string
					BookingID           string
					ContactID           string
					Assignee            *struct{ Email string }
				}
			}
		}
		srv.MustGraphQL(t, b.c, `mutation($id: ID!) { markNoShow(id: $id) {
			booking { `+bookingFields+` }
			followUpTask { kind dueAt status skill bookingID contactID assignee { email } } } }`,
			map[string]any{"id": first.ID}).Decode(t, &out)
		p := out.MarkNoShow
		if p.Booking.Status != "no_show" || p.Booking.Contact.Stage != "qualified" {
			t.Fatalf("booking %+v", p.Booking)
		}
		task := p.FollowUpTask
		// Thursday 12 March 09:00 AEDT.
		if task.Kind != "no_show_follow_up" || task.DueAt != "2026-03-11T22:00:00Z" || task.BookingID != first.ID || task.ContactID != first.Contact.ID {
			t.Fatalf("follow-up %+v", task)
		}
		if task.Assignee == nil || !callers()[task.Assignee.Email] {
			t.Fatalf("follow-up assigned to %+v, want someone with the calls skill", task.Assignee)
		}
	})

	t.Run("FinalRefusesEverything", func(t *testing.T) {
		for _, m := range []string{"confirmBooking", "completeBooking", "markNoShow"} {
			q := `mutation($id: ID!) { ` + m + `(id: $id) { __typename } }`
			e := wantCode(t, srv.GraphQL(t, b.c, q, map[string]any{"id": first.ID}), "INVALID")
			if e.Extensions["status"] != "no_show" || e.Extensions["field"] != "status" {
				t.Errorf("%s: extensions %v (%s)", m, e.Extensions, e.Message)
			}
		}
		r := srv.GraphQL(t, b.c, `mutation($id: ID!) { cancelBooking(id: $id, reason: "Patient unwell") { id } }`, map[string]any{"id": first.ID})
		if e := wantCode(t, r, "INVALID"); e.Extensions["action"] != "cancel" {
			t.Errorf("cancel: %v", e.Extensions)
		}
	})

	t.Run("Complete", func(t *testing.T) {
		bk := b.mustCreate(b.newContact(), brain, "2026-03-09T18:00:00Z", "2026-03-09T18:45:00Z")
		e := wantCode(t, b.act("completeBooking", bk.ID), "INVALID")
		if e.Extensions["status"] != "pending" || e.Extensions["action"] != "complete" {
			t.Fatalf("complete a pending booking: %v", e.Extensions)
		}
		b.mustAct("confirmBooking", bk.ID)
		done := b.mustAct("completeBooking", bk.ID)
		if done.Status != "completed" || done.CompletedAt == nil || done.Contact.Stage != "completed" {
			t.Fatalf("completed %+v", done)
		}
		// MRI Brain has a 12-month recall. (The post-appointment rule's
		// results task may already be there too: its event job runs
		// meanwhile, so only recall tasks are asked for.)
		var tasks struct {
			Tasks struct {
				Edges []struct{ Node struct{ Kind, DueAt string } }
			}
		}
		srv.MustGraphQL(t, b.c, `query($b: ID!) { tasks(first: 5, where: {bookingID: $b, kind: recall}) { edges { node { kind dueAt } } } }`,
			map[string]any{"b": bk.ID}).Decode(t, &tasks)
		if len(tasks.Tasks.Edges) != 1 || tasks.Tasks.Edges[0].Node.Kind != "recall" || tasks.Tasks.Edges[0].Node.DueAt != "2027-03-09T22:00:00Z" {
			t.Fatalf("recall tasks %+v", tasks.Tasks.Edges)
		}
	})

	t.Run("Cancel", func(t *testing.T) {
		bk := b.mustCreate(b.newContact(), ct, "2026-03-19T19:00:00Z", "2026-03-19T19:20:00Z")
		r := srv.GraphQL(t, b.c, `mutation($id: ID!) { cancelBooking(id: $id, reason: "  ") { id } }`, map[string]any{"id": bk.ID})
		if e := wantCode(t, r, "INVALID"); e.Extensions["field"] != "reason" {
			t.Fatalf("extensions %v", e.Extensions)
		}
		var out struct{ CancelBooking gqlBooking }
		srv.MustGraphQL(t, b.c, `mutation($id: ID!) { cancelBooking(id: $id, reason: "transport problem") { `+bookingFields+` } }`,
			map[string]any{"id": bk.ID}).Decode(t, &out)
		if c := out.CancelBooking; c.Status != "cancelled" || c.CancelReason == nil || *c.CancelReason != "Transport problem" || c.Contact.Stage != "qualified" {
			t.Fatalf("cancelled %+v", c)
		}
		// The slot is free again.
		b.mustCreate(b.newContact(), ct, "2026-03-19T19:00:00Z", "2026-03-19T19:20:00Z")
	})

	t.Run("UpdateBooking", func(t *testing.T) {
		bk := b.mustCreate(b.newContact(), ct, "2026-03-20T19:00:00Z", "2026-03-20T19:20:00Z")
		r := srv.GraphQL(t, b.c, `mutation($id: ID!) { updateBooking(id: $id, input: {status: confirmed}) { id } }`, map[string]any{"id": bk.ID})
		if e := wantCode(t, r, "INVALID"); e.Extensions["field"] != "status" {
			t.Fatalf("extensions %v", e.Extensions)
		}
		var out struct {
			UpdateBooking struct{ StartsAt, EndsAt, Notes, Status string }
		}
		srv.MustGraphQL(t, b.c, `mutation($id: ID!) { updateBooking(id: $id, input: {startsAt: "2026-03-20T20:00:00Z", notes: "wheelchair"}) { startsAt endsAt notes status } }`,
			map[string]any{"id": bk.ID}).Decode(t, &out)
		if u := out.UpdateBooking; u.StartsAt != "2026-03-20T20:00:00Z" || u.EndsAt != "2026-03-20T20:20:00Z" || u.Notes != "wheelchair" || u.Status != "pending" {
			t.Fatalf("updated %+v", u)
		}
		var kinds []string
		for _, e := range b.history(bk.ID) {
			kinds = append(kinds, e.Kind)
		}
		if !slices.Equal(kinds, []string{"created", "rescheduled", "updated"}) {
			t.Fatalf("history %v", kinds)
		}
		mgr := srv.SignIn(t, "manager@example.com")
		var del struct{ DeleteBooking string }
		srv.MustGraphQL(t, mgr, `mutation($id: ID!) { deleteBooking(id: $id) }`, map[string]any{"id": bk.ID}).Decode(t, &del)
		if del.DeleteBooking != bk.ID {
			t.Fatalf("deleted %q", del.DeleteBooking)
		}
	})

	t.Run("BookingsInRange", func(t *testing.T) {
		var out struct {
			BookingsInRange []struct {
				ID, Status string
				Service    struct{ Name string }
			}
		}
		srv.MustGraphQL(t, b.c, `query($s: ID!) { bookingsInRange(from: "2026-03-10", to: "2026-03-10", serviceID: $s) { id status service { name } } }`,
			map[string]any{"s": knee}).Decode(t, &out)
		var ids []string
		for _, x := range out.BookingsInRange {
			ids = append(ids, x.ID)
			if x.Service.Name != "MRI Knee" {
				t.Errorf("service filter let %s through", x.Service.Name)
			}
		}
		if !slices.Contains(ids, first.ID) {
			t.Fatalf("10 March does not list %s: %v", first.ID, ids)
		}
		// One status is a list of one.
		srv.MustGraphQL(t, b.c, `{ bookingsInRange(from: "2026-03-10", to: "2026-03-10", status: no_show) { id status } }`, nil).Decode(t, &out)
		if len(out.BookingsInRange) == 0 {
			t.Fatal("no no-shows on 10 March")
		}
		for _, x := range out.BookingsInRange {
			if x.Status != "no_show" {
				t.Fatalf("status filter let %s through", x.Status)
			}
		}
		r := srv.GraphQL(t, b.c, `{ bookingsInRange(from: "2026-03-10", to: "2026-03-09") { id } }`, nil)
		if e := wantCode(t, r, "INVALID"); e.Extensions["field"] != "to" {
			t.Fatalf("extensions %v", e.Extensions)
		}
		if r := srv.GraphQL(t, b.c, `{ bookingsInRange(from: "10/03/2026", to: "2026-03-10") { id } }`, nil); len(r.Errors) == 0 {
			t.Fatal("a malformed date was accepted")
		}
	})

	t.Run("CancelReasons", func(t *testing.T) {
		var out struct{ CancelReasons []struct{ Label string } }
		srv.MustGraphQL(t, b.c, `{ cancelReasons { label } }`, nil).Decode(t, &out)
		if len(out.CancelReasons) != 7 || out.CancelReasons[0].Label != "Patient unwell" {
			t.Fatalf("cancel reasons %+v", out.CancelReasons)
		}
	})

	t.Run("ViewerMayReadNotChange", func(t *testing.T) {
		v := bookingClient{t, srv, srv.SignIn(t, "viewer@example.com")}
		wantCode(t, v.act("confirmBooking", first.ID), "FORBIDDEN")
		r := srv.GraphQL(t, v.c, `mutation($id: ID!) { rescheduleBooking(id: $id, startsAt: "2026-03-25T00:00:00Z") { id } }`, map[string]any{"id": first.ID})
		wantCode(t, r, "FORBIDDEN")
		srv.MustGraphQL(t, v.c, `{ bookingsInRange(from: "2026-03-10", to: "2026-03-11") { id history { kind } } }`, nil)
	})
}

// callers are the demo members with the calls skill.
func callers() map[string]bool {
	out := map[string]bool{}
	for _, u := range seed.Users {
		if slices.Contains(u.Skills, "calls") {
			out[u.Email] = true
		}
	}
	return out
}

// TestBookingTenancy: a Parramatta booking does not exist for Sydney.
func TestBookingTenancy(t *testing.T) {
	srv := bookingServer(t, testutil.ServerOptions{})
	par := bookingClient{t, srv, srv.SignIn(t, "par-staff@example.com")}
	pb := par.mustCreate(par.newContact(), par.serviceID("MRI Knee"), "2026-03-09T19:00:00Z", "2026-03-09T19:30:00Z")

	syd := srv.SignIn(t, "staff@example.com")
	ops := map[string]string{
		"confirmBooking":    `mutation($id: ID!) { confirmBooking(id: $id) { id } }`,
		"completeBooking":   `mutation($id: ID!) { completeBooking(id: $id) { id } }`,
		"markNoShow":        `mutation($id: ID!) { markNoShow(id: $id) { booking { id } } }`,
		"cancelBooking":     `mutation($id: ID!) { cancelBooking(id: $id, reason: "Patient unwell") { id } }`,
		"rescheduleBooking": `mutation($id: ID!) { rescheduleBooking(id: $id, startsAt: "2026-03-25T00:00:00Z") { id } }`,
		"updateBooking":     `mutation($id: ID!) { updateBooking(id: $id, input: {notes: "x"}) { id } }`,
		"deleteBooking":     `mutation($id: ID!) { deleteBooking(id: $id) }`,
		"node":              `query($id: ID!) { node(id: $id) { ... on Booking { history { kind } } } }`,
	}
	mgr := srv.SignIn(t, "manager@example.com")
	for name, q := range ops {
		t.Run(name, func(t *testing.T) {
			c := syd
			if name == "deleteBooking" {
				c = mgr
			}
			r := srv.GraphQL(t, c, q, map[string]any{"id": pb.ID})
			if name == "node" {
				// node answers null for an ID it cannot see.
				var out struct{ Node *struct{} }
				if len(r.Errors) == 0 {
					r.Decode(t, &out)
					if out.Node != nil {
						t.Fatal("SYD read a PAR booking")
					}
					return
				}
			}
			wantCode(t, r, "NOT_FOUND")
		})
	}
	var out struct {
		Node struct {
			Status  string
			History []struct{ Kind string }
		}
	}
	srv.MustGraphQL(t, par.c, `query($id: ID!) { node(id: $id) { ... on Booking { status history { kind } } } }`, map[string]any{"id": pb.ID}).Decode(t, &out)
	if out.Node.Status != "pending" || len(out.Node.History) != 1 {
		t.Fatalf("PAR booking changed from SYD: %+v", out.Node)
	}
}

// TestConcurrentBookingsOneWins: requests racing for one slot of one
// machine all check for conflicts, and exactly one of them gets it.
func TestConcurrentBookingsOneWins(t *testing.T) {
	for name, start := range map[string]func(*testing.T) *testutil.Server{
		"sqlite":   func(t *testing.T) *testutil.Server { return bookingServer(t, testutil.ServerOptions{}) },
		"postgres": postgresServer,
	} {
		t.Run(name, func(t *testing.T) {
			srv := start(t)
			b := bookingClient{t, srv, srv.SignIn(t, "staff@example.com")}
			knee := b.serviceID("MRI Knee")
			const n = 8
			contacts := make([]string, n)
			for i := range contacts {
				contacts[i] = b.newContact()
			}
			codes := make([]string, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					// Friday 13 March 06:00 Sydney: still to come.
					r := b.create(contacts[i], knee, "2026-03-12T19:00:00Z", "2026-03-12T19:30:00Z")
					codes[i] = r.FirstCode()
				})
			}
			wg.Wait()
			won := 0
			for _, c := range codes {
				switch c {
				case "":
					won++
				case "CONFLICT":
				default:
					t.Errorf("unexpected outcome %q", c)
				}
			}
			if won != 1 {
				t.Fatalf("%d of %d racing bookings got the slot: %v", won, n, codes)
			}
		})
	}
}
