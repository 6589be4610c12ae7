// Package schedule runs the named schedules (docs/AUTOMATION.md): gocron
// triggers that only enqueue River jobs, each with a unique key for its
// period (DESIGN.md decision 7), so a schedule that fires in two processes
// at once, fires again after a restart, or is run by hand twice enqueues
// one job per period. A schedule is a cron spec evaluated in UTC or in each
// location's IANA zone ("Monday 8 am wherever the clinic is"), across
// daylight-saving changes.
package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"
	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Entry is a named schedule.
type Entry struct {
	// Name is what operators type: avatarcrm schedule run NAME.
	Name string
	// Doc says what it does, for schedule list.
	Doc string
	// Cron is a five-field cron spec: "*/15 * * * *", "0 8 * * 1".
	Cron string
	// PerLocation evaluates Cron in each location's time zone, with one
	// job per location and slot; otherwise Cron is in UTC and one job
	// covers every location.
	PerLocation bool
	// CatchUp is how late a slot missed while no process ran may still be
	// enqueued when one starts (0: never; the next slot will do).
	CatchUp time.Duration
	// Job returns the job to enqueue for a slot. Its arguments must embed
	// Period (filled from the slot with PeriodOf) so that the slot is its
	// unique key.
	Job func(Slot) river.JobArgs
}

// Slot is one firing of a schedule: a period, and a location for
// per-location schedules.
type Slot struct {
	Schedule   string
	LocationID pulid.ID
	// At is the slot's time in its zone (UTC, or the location's).
	At time.Time
}

// Period is embedded in the arguments of every scheduled job: the slot it
// belongs to is its unique key, so a second enqueue for the same slot is a
// duplicate (and a worker needs no check of its own).
type Period struct {
	// Period is the slot's time, RFC 3339 in its zone.
	Period string `json:"period" river:"unique"`
	// LocationID is the location of a per-location slot.
	LocationID pulid.ID `json:"location_id,omitempty" river:"unique"`
}

// PeriodOf is the Period of a slot.
func PeriodOf(s Slot) Period {
	return Period{Period: s.At.Format(time.RFC3339), LocationID: s.LocationID}
}

// InsertOpts makes jobs embedding Period unique by their period and
// location (their other arguments are not part of the key unless tagged
// river:"unique").
func (Period) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Scheduler runs entries in this process.
type Scheduler struct {
	// Queue receives the jobs.
	Queue *jobs.Queue
	// Client reads the locations and their zones.
	Client *ent.Client
	// Entries are the schedules (Entries() gives the standard ones).
	Entries []Entry
	// Now is the program's clock (internal/clock), which slots are
	// computed from; nil is the system clock.
	Now clock.Clock
	// Clock drives gocron's timers; tests give a fake one (default real).
	Clock clockwork.Clock
	// Resync is how often the per-location timers follow added locations
	// and changed zones (default 10 min).
	Resync time.Duration

	mu     sync.Mutex
	gc     gocron.Scheduler
	timers map[string]uuid.UUID // "name|location|zone" → gocron job
	ctx    context.Context
}

// place is where a slot is computed: a location and its zone, or UTC.
type place struct {
	id   pulid.ID
	code string
	zone *time.Location
}

func (s *Scheduler) now() time.Time { return s.Now.Now() }

// Entry returns the entry named name.
func (s *Scheduler) Entry(name string) (Entry, bool) {
	i := slices.IndexFunc(s.Entries, func(e Entry) bool { return e.Name == name })
	if i < 0 {
		return Entry{}, false
	}
	return s.Entries[i], true
}

// Names lists the entries' names.
func (s *Scheduler) Names() []string {
	out := make([]string, len(s.Entries))
	for i, e := range s.Entries {
		out[i] = e.Name
	}
	return out
}

// places returns where e is computed: every location, or UTC.
func (s *Scheduler) places(ctx context.Context, e Entry) ([]place, error) {
	if !e.PerLocation {
		return []place{{zone: time.UTC}}, nil
	}
	// Schedules follow every location's zone, whoever runs them.
	locs, err := s.Client.Location.Query().All(viewer.Scheduler.Grant(ctx, "schedule"))
	if err != nil {
		return nil, fmt.Errorf("schedule %s: locations: %w", e.Name, err)
	}
	out := make([]place, 0, len(locs))
	for _, l := range locs {
		z, err := time.LoadLocation(l.Timezone)
		if err != nil {
			slog.Error("schedule: location has an unknown time zone; using UTC", "location", l.Code, "timezone", l.Timezone)
			z = time.UTC
		}
		out = append(out, place{id: l.ID, code: l.Code, zone: z})
	}
	return out, nil
}

// spec is e's cron spec pinned to a zone, as gocron and robfig/cron read it.
func spec(e Entry, z *time.Location) string {
	return "CRON_TZ=" + z.String() + " " + e.Cron
}

func parse(e Entry, z *time.Location, now time.Time) (gocron.Cron, error) {
	c := gocron.NewDefaultCron(false)
	if err := c.IsValid(spec(e, z), z, now); err != nil {
		return nil, fmt.Errorf("schedule %s: cron %q: %w", e.Name, e.Cron, err)
	}
	return c, nil
}

// Latest is the most recent time at or before now that e fires in zone z:
// the slot a run at now belongs to.
func Latest(e Entry, z *time.Location, now time.Time) (time.Time, error) {
	c, err := parse(e, z, now)
	if err != nil {
		return time.Time{}, err
	}
	// Step back until a firing lies between the lookback and now, then walk
	// forward to the last one.
	for back := time.Hour; back <= 400*24*time.Hour; back *= 4 {
		t := c.Next(now.Add(-back))
		if t.IsZero() || t.After(now) {
			continue
		}
		for {
			n := c.Next(t)
			if n.IsZero() || n.After(now) {
				return t.In(z), nil
			}
			t = n
		}
	}
	return time.Time{}, fmt.Errorf("schedule %s: no firing in the last 400 days", e.Name)
}

// Next is the first time after now that e fires in zone z.
func Next(e Entry, z *time.Location, now time.Time) (time.Time, error) {
	c, err := parse(e, z, now)
	if err != nil {
		return time.Time{}, err
	}
	return c.Next(now).In(z), nil
}

// Fired is the outcome of enqueuing one slot.
type Fired struct {
	Slot
	// Location is the location's code, empty for UTC schedules.
	Location string
	Job      jobs.Enqueued
}

// fire enqueues the job of e's slot at now in p.
func (s *Scheduler) fire(ctx context.Context, e Entry, p place, now time.Time) (Fired, error) {
	at, err := Latest(e, p.zone, now)
	if err != nil {
		return Fired{}, err
	}
	slot := Slot{Schedule: e.Name, LocationID: p.id, At: at}
	res, err := s.Queue.EnqueueAlone(ctx, e.Job(slot), nil)
	if err != nil {
		return Fired{}, fmt.Errorf("schedule %s: enqueue: %w", e.Name, err)
	}
	return Fired{Slot: slot, Location: p.code, Job: res}, nil
}

// Run enqueues the current slot of the schedule named name now (at every
// location for a per-location schedule), as its timer would have. A slot
// already enqueued comes back as a duplicate: running it twice in a row
// does nothing twice.
func (s *Scheduler) Run(ctx context.Context, name string) ([]Fired, error) {
	e, ok := s.Entry(name)
	if !ok {
		return nil, fmt.Errorf("no schedule %q (have %s)", name, strings.Join(s.Names(), ", "))
	}
	places, err := s.places(ctx, e)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []Fired
	for _, p := range places {
		f, err := s.fire(ctx, e, p, now)
		if err != nil {
			return out, err
		}
		out = append(out, f)
	}
	return out, nil
}

// Upcoming is a schedule's next firing at one place.
type Upcoming struct {
	Entry Entry
	// Location is the location's code, empty for UTC schedules.
	Location string
	Next     time.Time
}

// Upcoming lists every schedule's next firing (per location for
// per-location ones), in Entries order.
func (s *Scheduler) Upcoming(ctx context.Context) ([]Upcoming, error) {
	now := s.now()
	var out []Upcoming
	for _, e := range s.Entries {
		places, err := s.places(ctx, e)
		if err != nil {
			return nil, err
		}
		for _, p := range places {
			n, err := Next(e, p.zone, now)
			if err != nil {
				return nil, err
			}
			out = append(out, Upcoming{Entry: e, Location: p.code, Next: n})
		}
	}
	return out, nil
}
