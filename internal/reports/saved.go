package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/adspend"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/reportrun"
	"github.com/avatarimaging/avatarcrm/ent/reportsubscription"
	"github.com/avatarimaging/avatarcrm/ent/savedreport"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Save saves a report (a new one, or in.ID's) after checking that its
// request runs: a request that would fail is refused now, not at 3 am.
func (s *Service) Save(ctx context.Context, in SaveInput) (*Saved, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || len(name) > 120 {
		return nil, apperr.Invalidf("name", "a saved report needs a name of 1 to 120 characters")
	}
	locs, err := s.locations(ctx, in.Request.LocationIDs)
	if err != nil {
		return nil, err
	}
	if _, err := resolve(in.Request, s.now(), zoneOf(ctx, locs)); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(in.Request)
	if err != nil {
		return nil, err
	}
	sched := Never
	if in.Schedule != nil {
		sched = *in.Schedule
	}
	var row *ent.SavedReport
	err = txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		if in.ID != nil {
			row, err = c.SavedReport.UpdateOneID(*in.ID).SetName(name).SetKind(string(in.Request.Kind)).
				SetRequest(string(raw)).SetSchedule(savedreport.Schedule(strings.ToLower(string(sched)))).Save(ctx)
			return err
		}
		cr := c.SavedReport.Create().SetName(name).SetKind(string(in.Request.Kind)).SetRequest(string(raw)).
			SetSchedule(savedreport.Schedule(strings.ToLower(string(sched))))
		if v := viewer.FromContext(ctx); v != nil && v.UserID != "" {
			cr.SetCreatedByID(v.UserID)
		}
		row, err = cr.Save(ctx)
		return err
	})
	if err != nil {
		if ent.IsNotFound(err) {
			return nil, apperr.NotFoundf("id", "report %s not found", *in.ID)
		}
		return nil, err
	}
	return s.saved(ctx, row)
}

// saved turns a row into a Saved, resolving its request as of now.
func (s *Service) saved(ctx context.Context, row *ent.SavedReport) (*Saved, error) {
	out := &Saved{ID: row.ID, Name: row.Name, Kind: Kind(row.Kind), Schedule: Schedule(strings.ToUpper(string(row.Schedule))),
		CreatedByID: row.CreatedByID, CreatedAt: row.CreatedAt, LastRunAt: row.LastRunAt}
	if err := json.Unmarshal([]byte(row.Request), &out.Stored); err != nil {
		return nil, fmt.Errorf("reports: saved report %s: %w", row.ID, err)
	}
	zone := time.UTC
	if locs, err := s.locations(ctx, nil); err == nil {
		zone = zoneOf(ctx, locs)
	}
	sp, err := resolve(out.Stored, s.now(), zone)
	if err != nil {
		return nil, err
	}
	out.Request = sp
	return out, nil
}

// List returns the active location's saved reports, by name.
func (s *Service) List(ctx context.Context) ([]*Saved, error) {
	rows, err := s.client(ctx).SavedReport.Query().Order(ent.Asc(savedreport.FieldName)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Saved, 0, len(rows))
	for _, r := range rows {
		sv, err := s.saved(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, sv)
	}
	return out, nil
}

// Get returns a saved report.
func (s *Service) Get(ctx context.Context, id pulid.ID) (*Saved, error) {
	row, err := s.client(ctx).SavedReport.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("id", "report %s not found", id)
	}
	if err != nil {
		return nil, err
	}
	return s.saved(ctx, row)
}

// Delete deletes a saved report; its runs stay.
func (s *Service) Delete(ctx context.Context, id pulid.ID) error {
	return txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		err := c.SavedReport.DeleteOneID(id).Exec(ctx)
		if ent.IsNotFound(err) {
			return apperr.NotFoundf("id", "report %s not found", id)
		}
		return err
	})
}

// RunSaved runs a saved report now and stores the run: its request with
// the dates fixed, the result and the insights. periodKey, for a run the
// schedule makes, is unique per report, so a second run of the same
// period stores nothing and returns the first.
func (s *Service) RunSaved(ctx context.Context, id pulid.ID, trigger, periodKey string) (*Run, error) {
	sv, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if periodKey != "" {
		prev, err := s.client(ctx).ReportRun.Query().Where(reportrun.ReportID(id), reportrun.PeriodKey(periodKey)).Only(ctx)
		if err == nil {
			return runOf(prev)
		}
		if !ent.IsNotFound(err) {
			return nil, err
		}
	}
	res, err := s.generateSaved(ctx, sv, trigger)
	if err != nil {
		return nil, err
	}
	spec, _ := json.Marshal(res.Request)
	body, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	var row *ent.ReportRun
	err = txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		cr := c.ReportRun.Create().SetReportID(id).SetKind(string(res.Kind)).SetTrigger(reportrun.Trigger(trigger)).
			SetRanAt(res.GeneratedAt).SetPeriodKey(periodKey).SetRequest(string(spec)).SetResult(string(body))
		if v := viewer.FromContext(ctx); v != nil && v.UserID != "" {
			cr.SetRanByID(v.UserID)
		}
		if row, err = cr.Save(ctx); err != nil {
			return err
		}
		return c.SavedReport.UpdateOneID(id).SetLastRunAt(res.GeneratedAt).Exec(ctx)
	})
	if err != nil {
		return nil, err
	}
	return runOf(row)
}

// generateSaved runs a saved report's request over the locations it
// names that may still be read: by the viewer for a run made by hand, by
// the report's owner (their memberships now) for a run the schedule makes.
// A location left out is named in the result's description; when none is
// left the run fails with FORBIDDEN on locationIDs, saying why.
func (s *Service) generateSaved(ctx context.Context, sv *Saved, trigger string) (*Result, error) {
	req := sv.Stored
	if len(req.LocationIDs) == 0 {
		return s.Generate(ctx, req)
	}
	may, who, err := s.mayRun(ctx, sv, trigger)
	if err != nil {
		return nil, err
	}
	var keep, left []pulid.ID
	for _, id := range req.LocationIDs {
		if slices.Contains(may, id) {
			keep = append(keep, id)
		} else if !slices.Contains(left, id) {
			left = append(left, id)
		}
	}
	leftNames := s.names(ctx, left)
	if len(keep) == 0 {
		return nil, &apperr.Error{Code: apperr.Forbidden, Field: "locationIDs",
			Message: fmt.Sprintf("report %q was not run: %s may no longer read the reports of %s; edit its locations", sv.Name, who, strings.Join(leftNames, " and "))}
	}
	locs, err := s.load(ctx, keep)
	if err != nil {
		return nil, err
	}
	req.LocationIDs = keep
	res, err := s.computeAt(ctx, req, locs)
	if err != nil {
		return nil, err
	}
	if len(left) > 0 {
		res.Request.Description += fmt.Sprintf(" (left out: %s, whose reports %s may no longer read)", strings.Join(leftNames, " and "), who)
	}
	s.addInsights(ctx, res)
	return res, nil
}

// mayRun returns the locations a saved report's run may cover, and who
// decides that in words: the viewer for a run made by hand; for the
// schedule, the report's owner, where they still belong with a role that
// reads reports (by the default permission table), or the report's own
// location when nobody owns it.
func (s *Service) mayRun(ctx context.Context, sv *Saved, trigger string) ([]pulid.ID, string, error) {
	v := viewer.FromContext(ctx)
	if trigger != "schedule" || v == nil || !v.System {
		return readable(v), "you", nil
	}
	if sv.CreatedByID == nil {
		return readable(v), "the schedule", nil
	}
	b := newBuilder(s.Dialect)
	rows, err := s.SQL.QueryContext(ctx, "SELECT m.location_id, m.role FROM memberships m JOIN users u ON u.id = m.user_id "+
		"WHERE m.user_id = "+b.arg(string(*sv.CreatedByID))+" AND m.disabled_at IS NULL AND u.status = 'active'", b.args...)
	if err != nil {
		return nil, "", fmt.Errorf("reports: owner's memberships: %w", err)
	}
	defer rows.Close()
	var out []pulid.ID
	for rows.Next() {
		var loc pulid.ID
		var role string
		if err := rows.Scan(&loc, &role); err != nil {
			return nil, "", err
		}
		if rbac.Default.Decide(rbac.Role(role), rbac.Reports, rbac.Read).Allowed {
			out = append(out, loc)
		}
	}
	return out, "its owner", rows.Err()
}

// names are the locations' names (their IDs when not found).
func (s *Service) names(ctx context.Context, ids []pulid.ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
		var name string
		b := newBuilder(s.Dialect)
		if err := s.SQL.QueryRowContext(ctx, "SELECT name FROM locations WHERE id = "+b.arg(string(id)), b.args...).Scan(&name); err == nil {
			out[i] = name
		}
	}
	return out
}

func runOf(row *ent.ReportRun) (*Run, error) {
	r := &Run{ID: row.ID, ReportID: row.ReportID, Kind: Kind(row.Kind), Trigger: string(row.Trigger), RanAt: row.RanAt, RanByID: row.RanByID}
	if err := json.Unmarshal([]byte(row.Result), &r.Result); err != nil {
		return nil, fmt.Errorf("reports: run %s: %w", row.ID, err)
	}
	r.Result.Request.lists()
	return r, nil
}

// Runs returns a saved report's runs, newest first (at most first, default 20).
func (s *Service) Runs(ctx context.Context, reportID pulid.ID, first int) ([]*Run, error) {
	if first <= 0 || first > 100 {
		first = 20
	}
	rows, err := s.client(ctx).ReportRun.Query().Where(reportrun.ReportID(reportID)).
		Order(ent.Desc(reportrun.FieldRanAt), ent.Desc(reportrun.FieldID)).Limit(first).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Run, 0, len(rows))
	for _, row := range rows {
		r, err := runOf(row)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// GetRun returns a stored run.
func (s *Service) GetRun(ctx context.Context, id pulid.ID) (*Run, error) {
	row, err := s.client(ctx).ReportRun.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("id", "report run %s not found", id)
	}
	if err != nil {
		return nil, err
	}
	return runOf(row)
}

var monthRE = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// SetAdSpend sets what the active location spent on a source in a month.
func (s *Service) SetAdSpend(ctx context.Context, source contact.LeadSource, month string, cents int64) (*AdSpend, error) {
	if !monthRE.MatchString(month) {
		return nil, apperr.Invalidf("month", "want a month YYYY-MM, not %q", month)
	}
	if err := contact.LeadSourceValidator(source); err != nil {
		return nil, apperr.Invalidf("source", "unknown lead source %q", source)
	}
	if cents < 0 || cents > 1_000_000_000_00 {
		return nil, apperr.Invalidf("cents", "spend is 0 to 1,000,000,000 dollars in cents")
	}
	v := viewer.FromContext(ctx)
	if v == nil || v.LocationID == "" {
		return nil, apperr.Unauthenticatedf("no active location")
	}
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		n, err := c.AdSpend.Update().Where(adspend.SourceEQ(adspend.Source(source)), adspend.Month(month)).SetCents(cents).Save(ctx)
		if err != nil || n > 0 {
			return err
		}
		return c.AdSpend.Create().SetSource(adspend.Source(source)).SetMonth(month).SetCents(cents).Exec(ctx)
	})
	if err != nil {
		return nil, err
	}
	return &AdSpend{LocationID: v.LocationID, Source: source, Month: month, Cents: cents}, nil
}

// AdSpends lists the active location's ad spend for the months from–to.
func (s *Service) AdSpends(ctx context.Context, from, to string) ([]*AdSpend, error) {
	if !monthRE.MatchString(from) {
		return nil, apperr.Invalidf("from", "want a month YYYY-MM")
	}
	if !monthRE.MatchString(to) {
		return nil, apperr.Invalidf("to", "want a month YYYY-MM")
	}
	rows, err := s.client(ctx).AdSpend.Query().Where(adspend.MonthGTE(from), adspend.MonthLTE(to)).
		Order(ent.Asc(adspend.FieldMonth), ent.Asc(adspend.FieldSource)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*AdSpend, len(rows))
	for i, r := range rows {
		out[i] = &AdSpend{LocationID: r.LocationID, Source: contact.LeadSource(r.Source), Month: r.Month, Cents: r.Cents}
	}
	return out, nil
}

// Subscribed reports whether the viewer gets the Monday summary of the
// active location.
func (s *Service) Subscribed(ctx context.Context) (bool, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.UserID == "" {
		return false, nil
	}
	row, err := s.client(ctx).ReportSubscription.Query().Where(reportsubscription.UserID(v.UserID)).Only(ctx)
	if ent.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return row.Weekly, nil
}

// Subscribe opts the viewer in to (or out of) the Monday summary of the
// active location.
func (s *Service) Subscribe(ctx context.Context, weekly bool) error {
	v := viewer.FromContext(ctx)
	if v == nil || v.UserID == "" {
		return apperr.Unauthenticatedf("only a person can subscribe")
	}
	return txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		n, err := c.ReportSubscription.Update().Where(reportsubscription.UserID(v.UserID)).SetWeekly(weekly).Save(ctx)
		if err != nil || n > 0 {
			return err
		}
		return c.ReportSubscription.Create().SetUserID(v.UserID).SetWeekly(weekly).Exec(ctx)
	})
}

// DueResult says what a run of the saved-reports schedule did.
type DueResult struct {
	Ran     int      `json:"ran"`
	Skipped int      `json:"skipped"`
	Failed  []string `json:"failed,omitempty"`
}

// RunDue runs the location's saved reports whose schedule is due on the
// local day of at: daily ones every day, weekly ones on Mondays, monthly
// ones on the 1st. Each run's period key (the day, the week's Monday, the
// month) is unique per report, so a rerun of the slot stores nothing
// twice. ctx acts for the location (the scheduler's job), which reads
// that location only: a saved report covering other locations fails and
// is named in Failed.
func (s *Service) RunDue(ctx context.Context, loc pulid.ID, at time.Time, zone *time.Location) (DueResult, error) {
	var out DueResult
	rows, err := s.client(ctx).SavedReport.Query().
		Where(savedreport.LocationID(loc), savedreport.ScheduleNEQ(savedreport.ScheduleNone)).
		Order(ent.Asc(savedreport.FieldID)).All(ctx)
	if err != nil {
		return out, err
	}
	local := at.In(zone)
	for _, r := range rows {
		var key string
		switch r.Schedule {
		case savedreport.ScheduleDaily:
			key = "day-" + local.Format("2006-01-02")
		case savedreport.ScheduleWeekly:
			if local.Weekday() == time.Monday {
				key = "week-" + local.Format("2006-01-02")
			}
		case savedreport.ScheduleMonthly:
			if local.Day() == 1 {
				key = "month-" + local.Format("2006-01")
			}
		}
		if key == "" {
			out.Skipped++
			continue
		}
		if _, err := s.RunSaved(ctx, r.ID, "schedule", key); err != nil {
			out.Failed = append(out.Failed, fmt.Sprintf("%s (%s): %v", r.Name, r.ID, err))
			continue
		}
		out.Ran++
	}
	return out, nil
}
