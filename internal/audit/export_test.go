package audit_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// exportFixture writes 30 entries: three users over January to March 2026,
// at two locations.
func exportFixture(t *testing.T) *audit.Log {
	t.Helper()
	d := openSQLite(t)
	l := newLog(t, d, audit.Options{})
	var es []audit.Entry
	users := []string{"alice@example.com", "bob@example.com", "carol@example.com"}
	for i := range 30 {
		e := entry(i)
		e.Email = users[i%3]
		e.LocationID = []string{"loc_syd", "loc_par"}[i%2]
		e.At = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, i*3) // 1 Jan … 28 Mar
		e.Detail = "n=" + string(rune('A'+i%26))
		es = append(es, e)
	}
	es[0].UserAgent = "=HYPERLINK(\"http://evil\")"
	if err := l.AppendNow(context.Background(), es...); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestExport(t *testing.T) {
	l := exportFixture(t)
	ctx := context.Background()
	// Alice's entries in February, worked out from the fixture.
	from := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var wantIDs []string
	for i := range 30 {
		at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, i*3)
		if i%3 == 0 && !at.Before(from) && at.Before(to) {
			wantIDs = append(wantIDs, strconv.Itoa(i+1))
		}
	}
	if len(wantIDs) == 0 {
		t.Fatal("fixture selects nothing")
	}
	q := audit.Query{From: from, To: to, UserEmail: "Alice@Example.com"}

	t.Run("csv", func(t *testing.T) {
		var buf bytes.Buffer
		n, err := l.Export(ctx, &buf, q, "csv")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("not RFC 4180 CSV: %v", err)
		}
		if strings.Join(rows[0], ",") != strings.Join(audit.ExportColumns, ",") {
			t.Fatalf("header %v", rows[0])
		}
		var ids []string
		for _, r := range rows[1:] {
			ids = append(ids, r[0])
			if r[3] != "alice@example.com" || r[1] < "2026-02-01" || r[1] >= "2026-03-01" {
				t.Errorf("row %v outside the filter", r)
			}
			if len(r[19]) != 64 {
				t.Errorf("row %v has no mac", r)
			}
		}
		if n != len(wantIDs) || strings.Join(ids, " ") != strings.Join(wantIDs, " ") {
			t.Fatalf("exported %d rows %v, want %v", n, ids, wantIDs)
		}
	})
	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		n, err := l.Export(ctx, &buf, q, "json")
		if err != nil {
			t.Fatal(err)
		}
		var rows []map[string]any
		if err := json.Unmarshal(buf.Bytes(), &rows); err != nil {
			t.Fatalf("not a JSON array: %v\n%s", err, buf.String())
		}
		if n != len(wantIDs) || len(rows) != n {
			t.Fatalf("exported %d (%d decoded), want %d", n, len(rows), len(wantIDs))
		}
		for i, r := range rows {
			if strconv.Itoa(int(r["id"].(float64))) != wantIDs[i] || r["email"] != "alice@example.com" {
				t.Errorf("row %v", r)
			}
			if _, err := time.Parse(time.RFC3339Nano, r["at"].(string)); err != nil {
				t.Errorf("at %v: %v", r["at"], err)
			}
		}
	})
	t.Run("ndjson", func(t *testing.T) {
		var buf bytes.Buffer
		n, err := l.Export(ctx, &buf, audit.Query{LocationID: "loc_par", Limit: 4}, "ndjson")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if n != 4 || len(lines) != 4 {
			t.Fatalf("exported %d, %d lines; want 4", n, len(lines))
		}
		for _, line := range lines {
			var r map[string]any
			if err := json.Unmarshal([]byte(line), &r); err != nil || r["location_id"] != "loc_par" {
				t.Errorf("line %s: %v", line, err)
			}
		}
	})
	t.Run("empty json is an empty array", func(t *testing.T) {
		var buf bytes.Buffer
		if _, err := l.Export(ctx, &buf, audit.Query{UserEmail: "nobody@example.com"}, "json"); err != nil {
			t.Fatal(err)
		}
		var rows []any
		if err := json.Unmarshal(buf.Bytes(), &rows); err != nil || rows == nil || len(rows) != 0 {
			t.Fatalf("%q: %v", buf.String(), err)
		}
	})
	t.Run("csv formula injection", func(t *testing.T) {
		var buf bytes.Buffer
		if _, err := l.Export(ctx, &buf, audit.Query{Limit: 1}, "csv"); err != nil {
			t.Fatal(err)
		}
		rows, _ := csv.NewReader(&buf).ReadAll()
		if ua := rows[1][12]; !strings.HasPrefix(ua, "'=") {
			t.Fatalf("user agent cell %q would run as a formula", ua)
		}
	})
	t.Run("unknown format", func(t *testing.T) {
		if _, err := l.Export(ctx, &bytes.Buffer{}, q, "xml"); err == nil {
			t.Fatal("xml accepted")
		}
	})
}

func TestSearch_Paging(t *testing.T) {
	l := exportFixture(t)
	ctx := viewer.Seed.Grant(context.Background(), "test")
	var seen []int64
	var before int64
	for {
		page, err := l.Search(ctx, audit.Query{LocationID: "loc_syd", Limit: 4, BeforeID: before})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if e.LocationID != "loc_syd" {
				t.Fatalf("entry %d from %s", e.ID, e.LocationID)
			}
			if len(seen) > 0 && e.ID >= seen[len(seen)-1] {
				t.Fatalf("not newest first: %d after %d", e.ID, seen[len(seen)-1])
			}
			seen = append(seen, e.ID)
		}
		before = page[len(page)-1].ID
	}
	if len(seen) != 15 || seen[0] != 29 || seen[14] != 1 {
		t.Fatalf("paged through %v, want the 15 odd ids from 29 down", seen)
	}
}

// TestSearch_PrivacyApplies: Search runs with the caller's context, so an
// admin sees only their location's entries and staff none.
func TestSearch_PrivacyApplies(t *testing.T) {
	d := testutil.DemoDB(t)
	l := newLog(t, d, audit.Options{})
	sys := viewer.Seed.Grant(context.Background(), "test")
	syd := d.Client.Location.Query().Where(location.Code("SYD")).OnlyX(sys)
	par := d.Client.Location.Query().Where(location.Code("PAR")).OnlyX(sys)
	a, b := entry(1), entry(2)
	a.LocationID, b.LocationID = string(syd.ID), string(par.ID)
	if err := l.AppendNow(context.Background(), a, b); err != nil {
		t.Fatal(err)
	}
	es, err := l.Search(testutil.As(t, d.Client, "admin@example.com"), audit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].LocationID != string(syd.ID) {
		t.Fatalf("Sydney admin sees %d entries (%v), want only Sydney's", len(es), es)
	}
	es, err = l.Search(testutil.As(t, d.Client, "staff@example.com"), audit.Query{})
	if err == nil && len(es) > 0 {
		t.Fatalf("staff see %d audit entries", len(es))
	}
}

// TestExport_PrevMAC checks that the export still carries each entry's
// prev_mac (the previous entry's MAC, no longer stored), also when a filter
// leaves gaps.
func TestExport_PrevMAC(t *testing.T) {
	l := exportFixture(t)
	ctx := context.Background()
	read := func(q audit.Query) []map[string]any {
		t.Helper()
		var buf bytes.Buffer
		if _, err := l.Export(ctx, &buf, q, "ndjson"); err != nil {
			t.Fatal(err)
		}
		var rows []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			var r map[string]any
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, r)
		}
		return rows
	}
	all := read(audit.Query{})
	if len(all) != 30 {
		t.Fatalf("exported %d entries, want 30", len(all))
	}
	mac := map[float64]string{0: audit.GenesisMAC}
	for i, r := range all {
		want := audit.GenesisMAC
		if i > 0 {
			want = all[i-1]["mac"].(string)
		}
		if r["prev_mac"] != want {
			t.Errorf("entry %v: prev_mac %v, want %s", r["id"], r["prev_mac"], want)
		}
		mac[r["id"].(float64)] = r["mac"].(string)
	}
	for _, r := range read(audit.Query{UserEmail: "bob@example.com"}) {
		if want := mac[r["id"].(float64)-1]; r["prev_mac"] != want || want == "" {
			t.Errorf("filtered: entry %v: prev_mac %v, want %s", r["id"], r["prev_mac"], want)
		}
	}
}
