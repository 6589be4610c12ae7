package ui_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// countsOn returns the COUNT statements run on the tables named while
// f runs (the in-process server's own, through db.SetStatementHook).
func countsOn(t *testing.T, tables []string, f func()) []string {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	db.SetStatementHook(func(q string) {
		if !strings.Contains(strings.ToUpper(q), "COUNT(") {
			return
		}
		for _, tb := range tables {
			if strings.Contains(q, "`"+tb+"`") || strings.Contains(q, `"`+tb+`"`) {
				mu.Lock()
				seen = append(seen, q)
				mu.Unlock()
				return
			}
		}
	})
	defer db.SetStatementHook(nil)
	f()
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), seen...)
}

// The dashboard shows no totals: its four lists (appointments, urgent
// tasks, hot leads, recent touchpoints) count nothing. They counted all of
// a location's touchpoints and hot contacts on every view, which was most
// of the page's work at 100,000 contacts.
func TestDashboard_ListsCountNothing(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "staff@example.com")
	var p page
	counts := countsOn(t, []string{"bookings", "tasks", "contacts", "touchpoints"}, func() {
		p = getPage(t, srv, c, "/")
	})
	bkStatus(t, p, http.StatusOK, "dashboard")
	for _, id := range []string{"today-appointments", "urgent-tasks", "hot-contacts", "recent-touchpoints"} {
		if p.Doc.Find(byTestID(id)).Length() != 1 {
			t.Errorf("the dashboard lacks its %s", id)
		}
	}
	if p.Doc.Find(byTestID("hot-contact")).Length() == 0 {
		t.Errorf("the dashboard lists no hot lead of the demo data")
	}
	if len(counts) > 0 {
		t.Errorf("the dashboard counted %d times:\n%s", len(counts), strings.Join(counts, "\n"))
	}
}

var contactCount = regexp.MustCompile(`^(\d+) contacts?$`)

// The contacts page's total is kept between views while nothing changes
// (counting 100,000 contacts was most of its work), says so, and is
// counted afresh, and right, as soon as a contact is added.
func TestContacts_TotalKeptUntilAChange(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "staff@example.com")
	view := func(what string) (n int, note string, counts []string) {
		t.Helper()
		var p page
		counts = countsOn(t, []string{"contacts"}, func() { p = getPage(t, srv, c, "/contacts") })
		bkStatus(t, p, http.StatusOK, what)
		m := contactCount.FindStringSubmatch(text(p.Doc.Find(byTestID("contact-count"))))
		if m == nil {
			t.Fatalf("%s: no total in %q", what, text(p.Doc.Find(byTestID("contact-count"))))
		}
		n, _ = strconv.Atoi(m[1])
		return n, text(p.Doc.Find(byTestID("contact-count-age"))), counts
	}
	first, note, counts := view("first view")
	if len(counts) != 1 || note != "" {
		t.Fatalf("first view: %d counts, note %q; want one count and no note", len(counts), note)
	}
	again, note, counts := view("second view")
	if again != first || len(counts) != 0 || !strings.HasPrefix(note, "counted ") {
		t.Fatalf("second view: %d contacts, %d counts, note %q; want %d kept and said so", again, len(counts), note, first)
	}
	srv.MustGraphQL(t, c, `mutation { createContact(input: {firstName: "Kept", lastName: "Count"}, allowDuplicate: true) { id } }`, nil)
	after, note, counts := view("after a create")
	if after != first+1 || len(counts) != 1 || note != "" {
		t.Fatalf("after a create: %d contacts (%d counts, note %q); want %d counted afresh", after, len(counts), note, first+1)
	}
}
