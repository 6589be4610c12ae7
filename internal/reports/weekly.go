package reports

import (
	"context"
	"fmt"
	"html"
	"math"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/reportemail"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
)

// Email is a report email.
type Email struct {
	To, Subject, HTML, Text string
}

// Mailer sends report emails. The default (nil) is the outbox: the email
// is stored as a ReportEmail and shown, never silently dropped; the email
// providers (internal/email) plug in here.
type Mailer interface {
	// Name names the provider in the stored row ("smtp", "gmail").
	Name() string
	Send(ctx context.Context, e Email) error
}

// WeeklyResult says what a weekly summary run did.
type WeeklyResult struct {
	Week       types.Date `json:"week"`
	Recipients int        `json:"recipients"`
	Sent       int        `json:"sent"`
	// Skipped were sent by an earlier run of the same week.
	Skipped int `json:"skipped"`
}

// recipient is a member who opted in to the summary.
type recipient struct {
	id          pulid.ID
	email, name string
}

// recipients are the location's active managers and admins who opted in.
func (s *Service) recipients(ctx context.Context, loc pulid.ID) ([]recipient, error) {
	b := newBuilder(s.Dialect)
	q := "SELECT u.id, u.email, u.name FROM report_subscriptions rs " +
		"JOIN memberships m ON m.user_id = rs.user_id AND m.location_id = rs.location_id " +
		"JOIN users u ON u.id = rs.user_id " +
		"WHERE rs.location_id = " + b.arg(string(loc)) + " AND rs.weekly = " + b.arg(true) +
		" AND m.role IN ('admin', 'manager') AND m.disabled_at IS NULL AND u.status = 'active' ORDER BY u.email"
	rows, err := s.SQL.QueryContext(ctx, q, b.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: recipients: %w", err)
	}
	defer rows.Close()
	var out []recipient
	for rows.Next() {
		var r recipient
		if err := rows.Scan(&r.id, &r.email, &r.name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// summary is last week's figures for the email.
type summary struct {
	loc                 location
	from, to            types.Date
	attended, noShows   int
	outcomes            int
	noShowRate          float64
	prevNoShowRate      *float64
	newLeads            int
	hotGained, hotLost  int
	warmed, cooled      int
	revenue             int64
	bySource            []Row
	insights            []Insight
	currency, zoneLabel string
}

// Weekly sends the Monday summary of one location for the week (Monday to
// Sunday, in the location's zone) before at: attended, no-show rate, new
// leads, warmness movement, revenue by source and three insights, to each
// opted-in manager and admin. Each email's key (location, week, person)
// is unique, so a second run of the same week sends nothing twice. ctx
// acts for the location (the scheduler's job).
func (s *Service) Weekly(ctx context.Context, loc pulid.ID, at time.Time) (WeeklyResult, error) {
	locs, err := s.locations(ctx, []pulid.ID{loc})
	if err != nil {
		return WeeklyResult{}, err
	}
	l := locs[0]
	local := at.In(l.Zone)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, l.Zone)
	monday := today.AddDate(0, 0, -((int(today.Weekday())+6)%7)-7)
	from, to := dateOf(monday), dateOf(monday.AddDate(0, 0, 6))
	out := WeeklyResult{Week: from}
	rs, err := s.recipients(ctx, loc)
	if err != nil {
		return out, err
	}
	out.Recipients = len(rs)
	if len(rs) == 0 {
		return out, nil
	}
	sum, err := s.summarise(ctx, l, from, to)
	if err != nil {
		return out, err
	}
	subject := fmt.Sprintf("%s: the week of %s", l.Name, monday.Format("Monday 2 January 2006"))
	htmlBody, text := sum.render()
	for _, r := range rs {
		key := "weekly-summary:" + string(from) + ":" + string(r.id)
		sent, err := s.deliver(ctx, loc, key, r, Email{To: r.email, Subject: subject, HTML: htmlBody, Text: text})
		if err != nil {
			return out, err
		}
		if sent {
			out.Sent++
		} else {
			out.Skipped++
		}
	}
	return out, nil
}

// deliver stores the email under its key and sends it through the
// Mailer; false when the key was taken (an earlier run sent it).
func (s *Service) deliver(ctx context.Context, loc pulid.ID, key string, r recipient, e Email) (bool, error) {
	c := s.client(ctx)
	exists, err := c.ReportEmail.Query().Where(reportemail.LocationID(loc), reportemail.Key(key)).Exist(ctx)
	if err != nil || exists {
		return false, err
	}
	provider := "outbox"
	if s.Mailer != nil {
		provider = s.Mailer.Name()
	}
	row, err := c.ReportEmail.Create().SetLocationID(loc).SetKey(key).SetUserID(r.id).SetTo(e.To).SetSubject(e.Subject).
		SetHTML(e.HTML).SetText(e.Text).SetProvider(provider).Save(ctx)
	if ent.IsConstraintError(err) {
		return false, nil // another process stored it first
	}
	if err != nil {
		return false, err
	}
	if s.Mailer == nil {
		return true, nil
	}
	up := c.ReportEmail.UpdateOne(row)
	if err := s.Mailer.Send(ctx, e); err != nil {
		msg := err.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
		if uerr := up.SetStatus(reportemail.StatusFailed).SetError(msg).Exec(ctx); uerr != nil {
			return false, uerr
		}
		return true, nil
	}
	return true, up.SetStatus(reportemail.StatusSent).SetSentAt(s.now()).Exec(ctx)
}

// summarise runs the four reports for the week.
func (s *Service) summarise(ctx context.Context, l location, from, to types.Date) (*summary, error) {
	sum := &summary{loc: l, from: from, to: to, currency: l.Currency, zoneLabel: l.Zone.String()}
	run := func(k Kind) (*Result, error) {
		return s.Generate(ctx, Request{Kind: k, From: &from, To: &to, LocationIDs: []pulid.ID{l.ID}})
	}
	var all []*Result
	ns, err := run(NoShows)
	if err != nil {
		return nil, err
	}
	all = append(all, ns)
	for _, t := range ns.Totals {
		switch t.Key {
		case "no_show_rate":
			sum.noShowRate, sum.prevNoShowRate = t.Value, t.Previous
			sum.noShows, sum.outcomes = *t.Count, *t.Denominator
			sum.attended = sum.outcomes - sum.noShows
		}
	}
	fn, err := run(Funnel)
	if err != nil {
		return nil, err
	}
	all = append(all, fn)
	if t := total(fn, "leads"); t != nil {
		sum.newLeads = int(t.Value)
	}
	wt, err := run(WarmnessTrends)
	if err != nil {
		return nil, err
	}
	all = append(all, wt)
	for key, dst := range map[string]*int{"hot_gained": &sum.hotGained, "hot_lost": &sum.hotLost, "warmed": &sum.warmed, "cooled": &sum.cooled} {
		if t := total(wt, key); t != nil {
			*dst = int(t.Value)
		}
	}
	rv, err := run(Revenue)
	if err != nil {
		return nil, err
	}
	all = append(all, rv)
	if t := total(rv, "revenue"); t != nil {
		sum.revenue = int64(t.Value)
	}
	for _, bd := range rv.Breakdowns {
		if bd.Key == "source" {
			sum.bySource = bd.Rows
		}
	}
	// Three insights: anomalies first, then findings, across the reports.
	for _, kind := range []InsightKind{Anomaly, Finding, Recommendation} {
		for _, r := range all {
			for _, in := range r.Insights {
				if in.Kind == kind && len(sum.insights) < 3 {
					sum.insights = append(sum.insights, in)
				}
			}
		}
	}
	return sum, nil
}

func total(r *Result, key string) *Total {
	for i := range r.Totals {
		if r.Totals[i].Key == key {
			return &r.Totals[i]
		}
	}
	return nil
}

// money writes cents as dollars: "$1,240.50".
func money(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	d := fmt.Sprint(c / 100)
	for i := len(d) - 3; i > 0; i -= 3 {
		d = d[:i] + "," + d[i:]
	}
	return fmt.Sprintf("%s$%s.%02d", sign, d, c%100)
}

func percent(r float64) string {
	return strings.TrimSuffix(fmt.Sprintf("%.1f", math.Round(1000*r)/10), ".0") + "%"
}

// render writes the email as HTML with plain tables and inline styles
// (what Gmail shows; no images, no SVG) and as text.
func (m *summary) render() (string, string) {
	var h, t strings.Builder
	e := html.EscapeString
	cell := `style="padding:4px 8px;border:1px solid #ccc;text-align:left"`
	h.WriteString(`<!doctype html><html><body style="font-family:Arial,sans-serif;color:#222">`)
	fmt.Fprintf(&h, "<h1 style=\"font-size:20px\">%s</h1><p>The week of %s to %s (%s).</p>", e(m.loc.Name), e(string(m.from)), e(string(m.to)), e(m.zoneLabel))
	fmt.Fprintf(&t, "%s\nThe week of %s to %s (%s).\n\n", m.loc.Name, m.from, m.to, m.zoneLabel)
	rows := [][2]string{
		{"Attended", fmt.Sprint(m.attended)},
		{"No-show rate", fmt.Sprintf("%s (%d of %d)", percent(m.noShowRate), m.noShows, m.outcomes)},
		{"New leads", fmt.Sprint(m.newLeads)},
		{"High-warmness leads gained", fmt.Sprint(m.hotGained)},
		{"High-warmness leads lost", fmt.Sprint(m.hotLost)},
		{"Moved up a warmness band", fmt.Sprint(m.warmed)},
		{"Moved down a warmness band", fmt.Sprint(m.cooled)},
		{"Revenue (" + m.currency + ")", money(m.revenue)},
	}
	if m.prevNoShowRate != nil {
		rows[1][1] += ", the week before " + percent(*m.prevNoShowRate)
	}
	h.WriteString(`<h2 style="font-size:16px">The week</h2><table style="border-collapse:collapse">`)
	for _, r := range rows {
		fmt.Fprintf(&h, "<tr><th %s>%s</th><td %s>%s</td></tr>", cell, e(r[0]), cell, e(r[1]))
		fmt.Fprintf(&t, "%s: %s\n", r[0], r[1])
	}
	h.WriteString("</table>")
	h.WriteString(`<h2 style="font-size:16px">Revenue by lead source</h2>`)
	t.WriteString("\nRevenue by lead source\n")
	if len(m.bySource) == 0 {
		h.WriteString("<p>No completed bookings.</p>")
		t.WriteString("No completed bookings.\n")
	} else {
		fmt.Fprintf(&h, `<table style="border-collapse:collapse"><tr><th %s>Source</th><th %s>Revenue</th><th %s>Booked patients</th></tr>`, cell, cell, cell)
		for _, r := range m.bySource {
			v := int64(0)
			if r.Value != nil {
				v = int64(*r.Value)
			}
			fmt.Fprintf(&h, "<tr><td %s>%s</td><td %s>%s</td><td %s>%d</td></tr>", cell, e(r.Label), cell, money(v), cell, r.Count)
			fmt.Fprintf(&t, "%s: %s, %d booked\n", r.Label, money(v), r.Count)
		}
		h.WriteString("</table>")
	}
	if len(m.insights) > 0 {
		h.WriteString(`<h2 style="font-size:16px">What stands out</h2><ul>`)
		t.WriteString("\nWhat stands out\n")
		for _, in := range m.insights {
			fmt.Fprintf(&h, "<li>%s</li>", e(in.Text))
			fmt.Fprintf(&t, "- %s\n", in.Text)
		}
		h.WriteString("</ul>")
	}
	h.WriteString(`<p style="color:#666;font-size:12px">You get this email because you opted in on the reports page.</p></body></html>`)
	return h.String(), t.String()
}
