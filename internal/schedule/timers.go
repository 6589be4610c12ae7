package schedule

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"

	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Start starts the timers: one gocron cron job per schedule (and location),
// each of which only enqueues its slot's unique job. Slots missed within
// an entry's CatchUp are enqueued now.
func (s *Scheduler) Start(ctx context.Context) error {
	for _, e := range s.Entries {
		if _, err := parse(e, time.UTC, s.now()); err != nil {
			return err
		}
	}
	opts := []gocron.SchedulerOption{gocron.WithLocation(time.UTC), gocron.WithLogger(gocronLogger{})}
	if s.Clock != nil {
		opts = append(opts, gocron.WithClock(s.Clock))
	}
	gc, err := gocron.NewScheduler(opts...)
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	s.mu.Lock()
	s.gc, s.timers = gc, map[string]uuid.UUID{}
	// The timers enqueue what the clock makes due, for every location.
	s.ctx = viewer.Scheduler.Grant(context.WithoutCancel(ctx), "schedule")
	s.mu.Unlock()
	if err := s.sync(); err != nil {
		return err
	}
	if _, err := gc.NewJob(gocron.DurationJob(cmp.Or(s.Resync, 10*time.Minute)), gocron.NewTask(func() {
		if err := s.sync(); err != nil {
			slog.Error("schedules: resync", "err", err)
		}
	}), gocron.WithName("schedules:resync"), gocron.WithSingletonMode(gocron.LimitModeReschedule)); err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	s.catchUp()
	gc.Start()
	return nil
}

// sync makes the timers match the entries and the locations.
func (s *Scheduler) sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	want := map[string]bool{}
	for _, e := range s.Entries {
		places, err := s.places(s.ctx, e)
		if err != nil {
			return err
		}
		for _, p := range places {
			key := e.Name + "|" + string(p.id) + "|" + p.zone.String()
			want[key] = true
			if _, ok := s.timers[key]; ok {
				continue
			}
			j, err := s.gc.NewJob(gocron.CronJob(spec(e, p.zone), false),
				gocron.NewTask(func() {
					f, err := s.fire(s.ctx, e, p, s.now())
					if err != nil {
						slog.Error("schedule fired, enqueue failed", "schedule", e.Name, "location", p.code, "err", err)
						return
					}
					slog.Debug("schedule fired", "schedule", e.Name, "location", p.code, "period", f.At, "job", f.Job.ID, "duplicate", f.Job.Duplicate)
				}),
				gocron.WithName(e.Name+" "+p.code),
				gocron.WithSingletonMode(gocron.LimitModeReschedule))
			if err != nil {
				return fmt.Errorf("schedule %s: %w", e.Name, err)
			}
			s.timers[key] = j.ID()
		}
	}
	for key, id := range s.timers {
		if !want[key] {
			_ = s.gc.RemoveJob(id)
			delete(s.timers, key)
		}
	}
	return nil
}

// catchUp enqueues slots missed within their entry's CatchUp.
func (s *Scheduler) catchUp() {
	now := s.now()
	for _, e := range s.Entries {
		if e.CatchUp <= 0 {
			continue
		}
		places, err := s.places(s.ctx, e)
		if err != nil {
			slog.Error("schedules: catch up", "schedule", e.Name, "err", err)
			continue
		}
		for _, p := range places {
			at, err := Latest(e, p.zone, now)
			if err != nil || now.Sub(at) > e.CatchUp {
				continue
			}
			if _, err := s.fire(s.ctx, e, p, now); err != nil {
				slog.Error("schedules: catch up", "schedule", e.Name, "location", p.code, "err", err)
			}
		}
	}
}

// Stop stops the timers (jobs already enqueued are the queue's).
func (s *Scheduler) Stop() error {
	s.mu.Lock()
	gc := s.gc
	s.mu.Unlock()
	if gc == nil {
		return nil
	}
	return gc.Shutdown()
}

// gocronLogger sends gocron's logs to slog.
type gocronLogger struct{}

func (gocronLogger) Debug(msg string, args ...any) { slog.Debug("gocron: "+msg, args...) }
func (gocronLogger) Info(msg string, args ...any)  { slog.Debug("gocron: "+msg, args...) }
func (gocronLogger) Warn(msg string, args ...any)  { slog.Warn("gocron: "+msg, args...) }
func (gocronLogger) Error(msg string, args ...any) { slog.Error("gocron: "+msg, args...) }
