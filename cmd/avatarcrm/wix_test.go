package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestWixSyncCLI: "wix sync --since DATE" pulls bookings from the Wix API
// (a fake answering its query path) and reconciles them: a mapped service
// becomes a booking with its contact, an unmapped one a task, a cancelled
// one nothing; the second run changes nothing.
func TestWixSyncCLI(t *testing.T) {
	path := testutil.DemoDBPath(t)
	conn, err := sql.Open("sqlite3_utc", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var svc, loc string
	if err := conn.QueryRow(`SELECT s.id, s.location_id FROM services s JOIN locations l ON l.id = s.location_id
		WHERE s.active ORDER BY l.created_at, l.id, s.id LIMIT 1`).Scan(&svc, &loc); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`INSERT INTO wix_services (id, created_at, updated_at, wix_service_id, wix_name, service_id, location_id)
		VALUES ('wxs_01CLITEST000000000000000', ?, ?, 'wix-mapped', 'Mapped', ?, ?)`, time.Now(), time.Now(), svc, loc); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Hour)
	booking := func(id, service, status string, email string, at time.Time) string {
		return fmt.Sprintf(`{"id":%q,"bookedEntity":{"slot":{"serviceId":%q,"startDate":%q,"endDate":%q},"title":"Wix %s"},"contactDetails":{"firstName":"Cli","lastName":%q,"email":%q},"status":%q}`,
			id, service, at.Format(time.RFC3339), at.Add(30*time.Minute).Format(time.RFC3339), service, id, email, status)
	}
	page := fmt.Sprintf(`{"extendedBookings":[{"booking":%s},{"booking":%s},{"booking":%s}],"pagingMetadata":{"count":3,"cursors":{},"hasNext":false}}`,
		booking("cli-1", "wix-mapped", "CONFIRMED", "cli-1@example.com", start),
		booking("cli-2", "wix-unmapped", "CREATED", "cli-2@example.com", start.Add(2*time.Hour)),
		booking("cli-3", "wix-mapped", "CANCELED", "cli-3@example.com", start.Add(4*time.Hour)))
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_api/bookings-reader/v2/extended-bookings/query" || r.Header.Get("Authorization") != "cli-key" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, page)
	}))
	defer fake.Close()
	env := envOf(map[string]string{
		"AVATARCRM_DATABASE_URL": "sqlite:" + path, "AVATARCRM_AUDIT_KEY_FILE": testutil.AuditKeyFile(t),
		"AVATARCRM_WIX_API_BASE_URL": fake.URL, "AVATARCRM_WIX_API_KEY": "cli-key", "AVATARCRM_JOBS_WORKERS": "0",
	})
	count := func(q string) (n int) {
		if err := conn.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"wix", "sync", "--since", "2026-03-01"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "3 bookings: 1 created,") || !strings.Contains(out.String(), "1 tasks for unmapped services") || !strings.Contains(out.String(), "1 skipped") {
		t.Errorf("first run: %q", out.String())
	}
	if n := count(`SELECT count(*) FROM bookings WHERE source = 'wix' AND external_id = 'cli-1' AND status = 'confirmed'`); n != 1 {
		t.Errorf("%d bookings for cli-1", n)
	}
	if n := count(`SELECT count(*) FROM tasks WHERE title LIKE 'Wix booking cli-2:%'`); n != 1 {
		t.Errorf("%d tasks for cli-2", n)
	}
	before := count(`SELECT count(*) FROM bookings`) + count(`SELECT count(*) FROM tasks`) + count(`SELECT count(*) FROM contacts`)
	out.Reset()
	if err := run(context.Background(), []string{"wix", "sync", "--since=2026-03-01"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 created") || !strings.Contains(out.String(), "2 unchanged") {
		t.Errorf("second run: %q", out.String())
	}
	if after := count(`SELECT count(*) FROM bookings`) + count(`SELECT count(*) FROM tasks`) + count(`SELECT count(*) FROM contacts`); after != before {
		t.Errorf("the second run changed rows: %d → %d", before, after)
	}
	if err := run(context.Background(), []string{"wix", "sync"}, env, io.Discard, io.Discard); err == nil {
		t.Error("no --since: no error")
	}
}
