package reports

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Service computes reports and keeps saved reports, runs, ad spend and
// subscriptions.
//
// The figures are read with hand-written SQL over SQL (not through ent's
// privacy layer, which sees only the active location): which locations a
// viewer may report on is decided here, from the viewer's memberships and
// the permission table (reports:read at each), and every query is bound
// to those locations. Saved reports, runs, ad spend and subscriptions go
// through ent, so the privacy rules hold for them as for any row.
type Service struct {
	// Client is the ent client (saved reports, runs, ad spend).
	Client *ent.Client
	// SQL is the database the aggregates run on; Dialect is
	// dialect.SQLite or dialect.Postgres.
	SQL     *sql.DB
	Dialect string
	// AI words the insights and reads questions; nil means facts only,
	// worded by the built-in templates of internal/ai.
	AI ai.Service
	// Now is the clock; nil is the system clock.
	Now clock.Clock
	// Mailer sends the Monday summary; nil stores it in the outbox
	// (ReportEmail rows).
	Mailer Mailer
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now.Now()
}

func (s *Service) client(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return s.Client
}

// location is what a report needs of a location.
type location struct {
	ID       pulid.ID
	Name     string
	Code     string
	Zone     *time.Location
	Currency string
}

// readable returns the locations whose reports the viewer may read: the
// active one when the viewer may read reports there, and every other
// location they belong to where their role's grant (the permission table,
// without the active location's per-user overrides) allows it. A system
// viewer (the scheduler) reads its active location.
func readable(v *viewer.Viewer) []pulid.ID {
	if v == nil {
		return nil
	}
	var out []pulid.ID
	if v.LocationID != "" && v.Can(rbac.Reports, rbac.Read).Allowed {
		out = append(out, v.LocationID)
	}
	if v.System {
		return out
	}
	t := v.Permissions
	if t == nil {
		t = rbac.Default
	}
	for id, role := range v.Memberships {
		if id == v.LocationID {
			continue
		}
		if t.Decide(role, rbac.Reports, rbac.Read).Allowed {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// locations loads the locations a request covers: those asked for (each
// one the viewer may read, else FORBIDDEN), or every readable one.
func (s *Service) locations(ctx context.Context, asked []pulid.ID) ([]location, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, apperr.Unauthenticatedf("sign in to read reports")
	}
	may := readable(v)
	ids := may
	if len(asked) > 0 {
		ids = nil
		for _, id := range asked {
			if !slices.Contains(may, id) {
				return nil, &apperr.Error{Code: apperr.Forbidden, Field: "locationIDs",
					Message: fmt.Sprintf("not allowed to read the reports of location %s", id)}
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return nil, &apperr.Error{Code: apperr.Forbidden, Message: "not allowed to read reports"}
	}
	return s.load(ctx, ids)
}

// load loads locations by ID (sorted by name), whoever may read them: the
// caller has decided that.
func (s *Service) load(ctx context.Context, ids []pulid.ID) ([]location, error) {
	q, args := s.in("SELECT id, name, code, timezone, currency FROM locations WHERE id IN (%s) ORDER BY name", ids)
	rows, err := s.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reports: locations: %w", err)
	}
	defer rows.Close()
	var out []location
	for rows.Next() {
		var l location
		var zone string
		if err := rows.Scan(&l.ID, &l.Name, &l.Code, &zone, &l.Currency); err != nil {
			return nil, err
		}
		if l.Zone, err = time.LoadLocation(zone); err != nil {
			return nil, fmt.Errorf("reports: location %s: zone %q: %w", l.ID, zone, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) != len(ids) {
		return nil, apperr.NotFoundf("locationIDs", "location not found")
	}
	return out, nil
}

// zoneOf is the zone the request's dates are read in: the active
// location's when it is covered, else the first location's.
func zoneOf(ctx context.Context, locs []location) *time.Location {
	if v := viewer.FromContext(ctx); v != nil {
		for _, l := range locs {
			if l.ID == v.LocationID {
				return l.Zone
			}
		}
	}
	return locs[0].Zone
}

// in writes a query with an IN list of ids (the one %s), placeholders in
// the dialect's style.
func (s *Service) in(query string, ids []pulid.ID) (string, []any) {
	b := newBuilder(s.Dialect)
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = b.arg(string(id))
	}
	return fmt.Sprintf(query, strings.Join(ph, ", ")), b.args
}
