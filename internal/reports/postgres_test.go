package reports_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/reports"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// Every report on the same fixture gives the same result on SQLite and
// PostgreSQL (location IDs, which differ, read as their codes). Skipped
// without a PostgreSQL server (testutil.PostgresURL).
func TestPostgresParity(t *testing.T) {
	pgURL := testutil.PostgresURL(t)
	pg, err := db.Open(context.Background(), db.Config{URL: pgURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.Close() })
	if _, err := pg.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if pg.Dialect != dialect.Postgres {
		t.Fatalf("dialect %s", pg.Dialect)
	}
	fixtures := map[string]*fixture{"sqlite": sharedFixture(t), "postgres": newFixture(t, pg)}
	reqs := map[string]reports.Request{
		"no-shows":        request(reports.NoShows, "2026-03-30", "2026-04-12"),
		"no-shows-year":   request(reports.NoShows, "2025-07-01", "2026-06-30"),
		"funnel":          request(reports.Funnel, "2026-03-01", "2026-03-31"),
		"revenue":         request(reports.Revenue, "2026-04-01", "2026-04-30"),
		"revenue-quarter": request(reports.Revenue, "2026-01-01", "2026-06-30"),
		"warmness":        request(reports.WarmnessTrends, "2026-03-30", "2026-04-12"),
		"stages":          request(reports.Stages, "2026-03-01", "2026-03-31"),
	}
	filtered := request(reports.NoShows, "2026-03-30", "2026-04-12")
	filtered.Filters = &reports.Filters{Weekdays: []int{0, 5}, Hours: []int{16, 23}, Services: []string{"MRI Knee"}}
	reqs["no-shows-filtered"] = filtered
	for name, req := range reqs {
		got := map[string]string{}
		for backend, f := range fixtures {
			res, err := f.svcReports.Generate(f.managerCtx(), req)
			if err != nil {
				t.Fatalf("%s on %s: %v", name, backend, err)
			}
			raw, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			s := string(raw)
			for id, code := range map[string]string{string(f.syd): "SYD", string(f.par): "PAR", string(f.mel): "MEL"} {
				s = strings.ReplaceAll(s, id, code)
			}
			got[backend] = s
		}
		if got["sqlite"] != got["postgres"] {
			t.Errorf("%s differs:\n sqlite   %s\n postgres %s", name, got["sqlite"], got["postgres"])
		}
		if !strings.Contains(got["sqlite"], `"count"`) {
			t.Errorf("%s: nothing counted: %s", name, got["sqlite"])
		}
	}
}
