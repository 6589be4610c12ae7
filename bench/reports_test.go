package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/reports"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// The reports' benchmark data: 100,000 contacts and 300,000 bookings over
// two years (1 January 2025 to 31 December 2026) at one Sydney location,
// with stage moves and warmness snapshots, written with plain SQL (the
// rows the services would write; no hooks, which would take an hour).
const (
	reportContacts = 100_000
	reportBookings = 300_000
)

var (
	reportDBOnce sync.Once
	reportDB     *db.DB
	reportLoc    pulid.ID
	reportDBErr  error
)

// AVATARCRM_REPORTS_BENCH_DB names a file to keep the benchmark's
// database in: built there when missing, else reused (migrated to the
// current schema and analysed), so a second run skips the ten minutes of
// inserts. Without it the database is built in a temporary directory.
func openReportDB(b *testing.B) (*db.DB, pulid.ID) {
	reportDBOnce.Do(func() {
		path := os.Getenv("AVATARCRM_REPORTS_BENCH_DB")
		if path != "" {
			if _, err := os.Stat(path); err == nil {
				reportDB, reportLoc, reportDBErr = reopenReportDB(path)
				return
			}
		} else {
			dir, err := os.MkdirTemp("", "avatarcrm-reports-bench")
			if err != nil {
				reportDBErr = err
				return
			}
			path = filepath.Join(dir, "reports.db")
		}
		reportDB, reportLoc, reportDBErr = buildReportDB(path)
	})
	if reportDBErr != nil {
		b.Fatal(reportDBErr)
	}
	return reportDB, reportLoc
}

// reopenReportDB opens a database buildReportDB built before.
func reopenReportDB(path string) (*db.DB, pulid.ID, error) {
	ctx := context.Background()
	d, err := db.Open(ctx, db.Config{URL: "sqlite:" + path})
	if err != nil {
		return nil, "", err
	}
	n, err := d.Migrate(ctx)
	if err != nil {
		return nil, "", err
	}
	if n > 0 {
		w := d.Write
		if w == nil {
			w = d.SQL
		}
		if _, err := w.ExecContext(ctx, "ANALYZE"); err != nil {
			return nil, "", err
		}
	}
	var loc pulid.ID
	if err := d.SQL.QueryRowContext(ctx, "SELECT id FROM locations WHERE code = 'BSYD'").Scan(&loc); err != nil {
		return nil, "", fmt.Errorf("bench location: %w", err)
	}
	return d, loc, nil
}

func buildReportDB(path string) (*db.DB, pulid.ID, error) {
	ctx := context.Background()
	d, err := db.Open(ctx, db.Config{URL: "sqlite:" + path})
	if err != nil {
		return nil, "", err
	}
	if _, err := d.Migrate(ctx); err != nil {
		return nil, "", err
	}
	w := d.Write
	if w == nil {
		w = d.SQL
	}
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return nil, "", err
	}
	defer func() { _ = tx.Rollback() }()
	now := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	loc := pulid.New(pulid.Location)
	if _, err := tx.ExecContext(ctx, `INSERT INTO locations (id, created_at, updated_at, name, code, timezone, currency, region, address, phone, settings)
		VALUES (?, ?, ?, 'Bench Sydney', 'BSYD', 'Australia/Sydney', 'AUD', 'AU', '', '', '{}')`, loc, now, now); err != nil {
		return nil, "", fmt.Errorf("location: %w", err)
	}
	services := make([]pulid.ID, 8)
	for i := range services {
		services[i] = pulid.New(pulid.Service)
		if _, err := tx.ExecContext(ctx, `INSERT INTO services (id, created_at, updated_at, name, modality, resource, duration_minutes, price_cents, recall_months, active, description, reminder_hours, location_id)
			VALUES (?, ?, ?, ?, 'mri', '', 30, ?, 0, 1, '', 24, ?)`, services[i], now, now, fmt.Sprintf("Service %d", i), 20000+5000*i, loc); err != nil {
			return nil, "", fmt.Errorf("service: %w", err)
		}
	}
	r := rand.New(rand.NewPCG(18, 2026))
	sources := []string{"meta_ads", "google_ads", "referral", "gp_referral", "wix", "manychat", "walk_in", "other"}
	stages := []string{"new_lead", "contacted", "qualified", "booked", "completed"}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	span := int64(2 * 365 * 24 * time.Hour / time.Second)
	contactStmt, err := tx.PrepareContext(ctx, `INSERT INTO contacts (id, created_at, updated_at, first_name, last_name, lead_source, pipeline, stage, stage_changed_at, warmness, sms_consent, email_consent, notes, campaign, location_id)
		VALUES (?, ?, ?, ?, '', ?, 'lead', ?, ?, ?, 0, 0, '', ?, ?)`)
	if err != nil {
		return nil, "", err
	}
	stageStmt, err := tx.PrepareContext(ctx, `INSERT INTO stage_changes (id, from_pipeline, from_stage, to_pipeline, to_stage, at, reason, location_id, contact_id) VALUES (?, 'lead', ?, 'lead', ?, ?, '', ?, ?)`)
	if err != nil {
		return nil, "", err
	}
	snapStmt, err := tx.PrepareContext(ctx, `INSERT INTO warmness_snapshots (id, contact_id, day, score, band, location_id) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, "", err
	}
	zone, _ := time.LoadLocation("Australia/Sydney")
	contacts := make([]pulid.ID, reportContacts)
	created := make([]time.Time, reportContacts)
	for i := range contacts {
		id := pulid.New(pulid.Contact)
		contacts[i] = id
		c := start.Add(time.Duration(r.Int64N(span)) * time.Second)
		created[i] = c
		score := r.IntN(101)
		st := stages[r.IntN(len(stages))]
		if _, err := contactStmt.ExecContext(ctx, id, c, c, fmt.Sprintf("Bench%d", i), sources[r.IntN(len(sources))], st, c, score,
			fmt.Sprintf("campaign-%d", r.IntN(6)), loc); err != nil {
			return nil, "", fmt.Errorf("contact: %w", err)
		}
		// Stage moves along the journey, a day or so apart.
		at := c
		for s := 1; s < len(stages) && stages[s-1] != st; s++ {
			at = at.Add(time.Duration(6+r.IntN(72)) * time.Hour)
			if _, err := stageStmt.ExecContext(ctx, pulid.New(pulid.StageChange), stages[s-1], stages[s], at, loc, id); err != nil {
				return nil, "", fmt.Errorf("stage: %w", err)
			}
		}
		// A snapshot when the lead arrived, and for a third a later band.
		day := types.Date(c.In(zone).Format(types.DateLayout))
		first := r.IntN(101)
		if _, err := snapStmt.ExecContext(ctx, pulid.New(pulid.WarmnessSnapshot), id, string(day), first, reports.Band(first), loc); err != nil {
			return nil, "", fmt.Errorf("snapshot: %w", err)
		}
		if i%3 == 0 {
			later := c.Add(time.Duration(1+r.IntN(120)) * 24 * time.Hour).In(zone).Format(types.DateLayout)
			if _, err := snapStmt.ExecContext(ctx, pulid.New(pulid.WarmnessSnapshot), id, later, score, reports.Band(score), loc); err != nil {
				return nil, "", fmt.Errorf("snapshot: %w", err)
			}
		}
	}
	bookingStmt, err := tx.PrepareContext(ctx, `INSERT INTO bookings (id, created_at, updated_at, starts_at, ends_at, status, source, confirmed_at, price_cents, notes, location_id, contact_id, service_id)
		VALUES (?, ?, ?, ?, ?, ?, 'manual', ?, ?, '', ?, ?, ?)`)
	if err != nil {
		return nil, "", err
	}
	statuses := []string{"completed", "completed", "completed", "completed", "completed", "completed", "no_show", "cancelled", "confirmed", "pending"}
	for range reportBookings {
		ci := r.IntN(reportContacts)
		made := created[ci].Add(time.Duration(r.IntN(30*24)) * time.Hour)
		// Clinic hours, 7 am to 6 pm Sydney time.
		day := made.Add(time.Duration(r.IntN(30)) * 24 * time.Hour).In(zone)
		startsAt := time.Date(day.Year(), day.Month(), day.Day(), 7+r.IntN(11), 15*r.IntN(4), 0, 0, zone).UTC()
		var confirmed any
		if r.IntN(2) == 0 {
			confirmed = startsAt.Add(-24 * time.Hour)
		}
		si := r.IntN(len(services))
		if _, err := bookingStmt.ExecContext(ctx, pulid.New(pulid.Booking), made, made, startsAt, startsAt.Add(30*time.Minute),
			statuses[r.IntN(len(statuses))], confirmed, 20000+5000*si, loc, contacts[ci], services[si]); err != nil {
			return nil, "", fmt.Errorf("booking: %w", err)
		}
	}
	for _, s := range sources[:2] {
		for m := range 24 {
			month := start.AddDate(0, m, 0).Format("2006-01")
			if _, err := tx.ExecContext(ctx, `INSERT INTO ad_spends (id, created_at, updated_at, source, month, cents, location_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				pulid.New(pulid.AdSpend), now, now, s, month, 500000+r.Int64N(500000), loc); err != nil {
				return nil, "", fmt.Errorf("ad spend: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, "", err
	}
	for _, q := range []string{"ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := w.ExecContext(ctx, q); err != nil {
			return nil, "", fmt.Errorf("%s: %w", q, err)
		}
	}
	return d, loc, nil
}

// reportService is the reports service over the benchmark's database, as
// a manager of its one location (the clock at the end of 2026).
func reportService(b *testing.B) (*reports.Service, context.Context, pulid.ID) {
	d, loc := openReportDB(b)
	svc := &reports.Service{Client: d.Client, SQL: d.SQL, Dialect: d.Dialect,
		Now: clock.Fixed(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC))}
	ctx := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: "usr_bench", LocationID: loc, Role: rbac.Manager,
		Memberships: map[pulid.ID]rbac.Role{loc: rbac.Manager}})
	return svc, ctx, loc
}

// BenchmarkReports runs each report for one year (2026, compared with
// 2025) over 100,000 contacts and 300,000 bookings. Target: under 500 ms
// each. `go test ./bench -run '^$' -bench BenchmarkReports -benchtime 3x`.
func BenchmarkReports(b *testing.B) {
	svc, ctx, _ := reportService(b)
	from, to := types.Date("2026-01-01"), types.Date("2026-12-31")
	for _, k := range reports.Kinds {
		b.Run(string(k), func(b *testing.B) {
			// CPU time per report as well as wall time: on a machine
			// shared by other work the wall time mostly measures waiting.
			cpu0 := cpuTime()
			n := 0
			var res *reports.Result
			for b.Loop() {
				var err error
				if res, err = svc.Generate(ctx, reports.Request{Kind: k, From: &from, To: &to}); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(n), "cpu-ms/op")
			// AVATARCRM_REPORTS_DUMP=dir writes each result as JSON, to
			// compare the figures of two versions of the SQL (diff -r).
			if dir := os.Getenv("AVATARCRM_REPORTS_DUMP"); dir != "" && res != nil {
				res.GeneratedAt = time.Time{}
				body, err := json.MarshalIndent(res, "", " ")
				if err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, string(k)+".json"), body, 0o644); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReportRunPage renders the page of a stored run of each report
// for 2026 on the benchmark's data: the run's JSON read back and the page
// drawn (charts, tables, insights), no figure computed again. Target:
// under 200 ms. (ui's BenchmarkReportRunPage times the whole request on
// the small seed data.)
func BenchmarkReportRunPage(b *testing.B) {
	svc, ctx, loc := reportService(b)
	from, to := types.Date("2026-01-01"), types.Date("2026-12-31")
	zone, _ := time.LoadLocation("Australia/Sydney")
	p := views.Page{Title: "Bench", Active: "reports", Me: views.Me{Name: "Bench", Role: string(rbac.Manager), LocationID: string(loc),
		LocationName: "Bench Sydney", LocationCode: "BSYD", TZ: zone, Region: "AU", Perms: map[rbac.Permission]bool{rbac.ReportsRead: true, rbac.ReportsManage: true}}}
	for _, k := range reports.Kinds {
		res, err := svc.Generate(ctx, reports.Request{Kind: k, From: &from, To: &to})
		if err != nil {
			b.Fatal(err)
		}
		stored, err := json.Marshal(res)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(string(k), func(b *testing.B) {
			size := 0
			for b.Loop() {
				var r reports.Result
				if err := json.Unmarshal(stored, &r); err != nil {
					b.Fatal(err)
				}
				var page bytes.Buffer
				v := views.RunView{ID: "rrn_bench", Trigger: "manual", RanAt: res.GeneratedAt, Result: &r, ReportName: views.ReportKindLabel(string(k))}
				if err := views.ReportRunPage(p, v, true).Render(ctx, &page); err != nil {
					b.Fatal(err)
				}
				size = page.Len()
			}
			b.ReportMetric(float64(size), "page-bytes")
		})
	}
}

// cpuTime is the CPU time this process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
