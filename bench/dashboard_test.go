package bench

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// BenchmarkDashboard renders the staff dashboard (GET /) over HTTP as the
// staff user: today's appointments in Sydney time, urgent tasks, contacts
// warmer than 80 and the last ten touchpoints, with the layout around them.
// demo is the demo database on the test clock's day (a busy day of demo
// bookings); 100k is the same over the benchmark database's 100,000 extra
// contacts, where the hot-leads panel reads the warmness index.
func BenchmarkDashboard(b *testing.B) {
	b.Run("demo", func(b *testing.B) {
		srv := testutil.StartServer(b, testutil.ServerOptions{})
		benchPage(b, srv, "/", "Today's appointments")
	})
	b.Run("100k", func(b *testing.B) {
		f := getFixture(b)
		srv := testutil.StartServer(b, testutil.ServerOptions{DatabaseURL: "sqlite:" + f.Path, Now: time.Now})
		benchPage(b, srv, "/", "Today's appointments")
	})
}

// BenchmarkContactsPage renders the first page of the contacts list (25,
// warmest first, with the total) over the 100,000-contact database, and a
// search as typed into its box (an htmx request for the results only).
func BenchmarkContactsPage(b *testing.B) {
	f := getFixture(b)
	srv := testutil.StartServer(b, testutil.ServerOptions{DatabaseURL: "sqlite:" + f.Path, Now: time.Now})
	b.Run("list", func(b *testing.B) { benchPage(b, srv, "/contacts", "contact-row") })
	b.Run("list_filtered", func(b *testing.B) { benchPage(b, srv, "/contacts?pipeline=lead&sort=warmness", "contact-row") })
	b.Run("search", func(b *testing.B) { benchPage(b, srv, "/contacts?q=Smtih", "contact-row") })
}

// benchPage signs in as staff and measures GET path, checking the page
// holds want.
func benchPage(b *testing.B, srv *testutil.Server, path, want string) {
	c := srv.SignIn(b, "staff@example.com")
	get := func() error {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			return fmt.Errorf("GET %s: status %d, %d bytes without %q", path, resp.StatusCode, len(body), want)
		}
		return nil
	}
	if err := get(); err != nil {
		b.Fatal(err)
	}
	measure(b, func(int) error { return get() })
}
