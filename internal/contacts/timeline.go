package contacts

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/automationrun"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/bookingevent"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/stagechange"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/labels"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Timeline limits.
const (
	DefaultTimeline = 50
	MaxTimeline     = 200
)

// TimelineItem is one thing that happened with a contact.
type TimelineItem struct {
	At time.Time
	// Kind is a touchpoint kind (sms_in, call_out, note, web_form, …),
	// "booking" (a booking without recorded history), booking_<event>
	// (booking_created, booking_cancelled, …), task_created,
	// task_completed, stage_change or automation_<outcome> (a rule's run:
	// done, skipped, failed).
	Kind    string
	Summary string
	// Ref is the record behind the item: the touchpoint, booking, task or
	// stage change.
	Ref pulid.ID
}

// Timeline returns up to limit things that happened with contact id, newest
// first: touchpoints, bookings (one item per recorded booking event, or
// one for the booking when it has none), tasks created and completed, and
// stage changes. Touchpoints that only echo a listed booking (kind
// booking_event) or a recorded stage change (kind stage_change) are left
// out. Bookings and tasks are included when the viewer may read them.
// limit defaults to 50 and is at most 200. Returns NOT_FOUND for an
// unknown contact.
func (s *Service) Timeline(ctx context.Context, id pulid.ID, limit int) ([]TimelineItem, error) {
	if limit <= 0 {
		limit = DefaultTimeline
	}
	limit = min(limit, MaxTimeline)
	c := s.client(ctx)
	ct, err := c.Contact.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	tz := time.UTC
	if l, err := c.Location.Query().Where(location.ID(ct.LocationID)).Only(ctx); err == nil {
		if z, err := time.LoadLocation(l.Timezone); err == nil {
			tz = z
		}
	}
	when := func(t time.Time) string { return t.In(tz).Format("Mon 2 Jan 2006 15:04") }
	v := viewer.FromContext(ctx)
	var items []TimelineItem

	changes, err := c.StageChange.Query().Where(stagechange.ContactID(id)).
		Order(stagechange.ByAt(sql.OrderDesc())).Limit(limit).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, sc := range changes {
		sum := "Stage → " + labels.Of(string(sc.ToStage))
		if sc.FromStage != nil {
			sum = fmt.Sprintf("Stage %s → %s", labels.Of(string(*sc.FromStage)), labels.Of(string(sc.ToStage)))
		}
		if sc.Reason != "" {
			sum += " (" + sc.Reason + ")"
		}
		items = append(items, TimelineItem{At: sc.At, Kind: "stage_change", Summary: sum, Ref: sc.ID})
	}

	listed := map[pulid.ID]bool{}
	if v.Can(rbac.Bookings, rbac.Read).Allowed {
		bks, err := c.Booking.Query().Where(booking.ContactID(id)).WithService().
			Order(booking.ByCreatedAt(sql.OrderDesc())).Limit(limit).All(ctx)
		if err != nil {
			return nil, err
		}
		ids := make([]pulid.ID, len(bks))
		for i, b := range bks {
			ids[i] = b.ID
			listed[b.ID] = true
		}
		events := map[pulid.ID][]*ent.BookingEvent{}
		if len(ids) > 0 {
			evs, err := c.BookingEvent.Query().Where(bookingevent.BookingIDIn(ids...)).
				Order(bookingevent.ByAt(sql.OrderDesc())).All(ctx)
			if err != nil {
				return nil, err
			}
			for _, e := range evs {
				events[e.BookingID] = append(events[e.BookingID], e)
			}
		}
		for _, b := range bks {
			what := "Booking"
			if b.Edges.Service != nil {
				what = b.Edges.Service.Name
			}
			what += " on " + when(b.StartsAt)
			if len(events[b.ID]) == 0 {
				items = append(items, TimelineItem{At: b.CreatedAt, Kind: "booking", Summary: fmt.Sprintf("%s (%s)", what, strings.ToLower(labels.Of(string(b.Status)))), Ref: b.ID})
				continue
			}
			for _, e := range events[b.ID] {
				sum := what + ": " + strings.ToLower(labels.Of(string(e.Kind)))
				if e.Kind == bookingevent.KindRescheduled && e.FromStartsAt != nil {
					sum += " from " + when(*e.FromStartsAt)
				}
				if e.Reason != "" {
					sum += " (" + e.Reason + ")"
				}
				items = append(items, TimelineItem{At: e.At, Kind: "booking_" + string(e.Kind), Summary: sum, Ref: b.ID})
			}
		}
	}

	if v.Can(rbac.Tasks, rbac.Read).Allowed {
		created, err := c.Task.Query().Where(task.ContactID(id)).Order(task.ByCreatedAt(sql.OrderDesc())).Limit(limit).All(ctx)
		if err != nil {
			return nil, err
		}
		completed, err := c.Task.Query().Where(task.ContactID(id), task.CompletedAtNotNil()).
			Order(task.ByCompletedAt(sql.OrderDesc())).Limit(limit).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range created {
			items = append(items, TimelineItem{At: t.CreatedAt, Kind: "task_created", Summary: "Task: " + t.Title, Ref: t.ID})
		}
		for _, t := range completed {
			items = append(items, TimelineItem{At: *t.CompletedAt, Kind: "task_completed", Summary: "Task done: " + t.Title, Ref: t.ID})
		}
	}

	if v.Can(rbac.Automation, rbac.Read).Allowed {
		// What the automation rules did (or skipped) for the contact; dry
		// runs are an admin's trial, not something that happened to them.
		runs, err := c.AutomationRun.Query().
			Where(automationrun.ContactID(id), automationrun.OutcomeNEQ(automationrun.OutcomeDryRun)).
			Order(automationrun.ByStartedAt(sql.OrderDesc())).Limit(limit).WithRule().All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range runs {
			name := "a rule"
			if r.Edges.Rule != nil {
				name = "“" + r.Edges.Rule.Name + "”"
			}
			sum := fmt.Sprintf("Automation %s %s: %s", name, r.Outcome, r.Detail)
			for _, st := range r.Steps {
				sum += " " + st.Detail
			}
			items = append(items, TimelineItem{At: r.StartedAt, Kind: "automation_" + string(r.Outcome), Summary: sum, Ref: r.ID})
		}
	}

	tps, err := c.Touchpoint.Query().Where(touchpoint.ContactID(id)).
		Order(touchpoint.ByOccurredAt(sql.OrderDesc()), touchpoint.ByID(sql.OrderDesc())).Limit(limit + len(listed) + len(changes)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, tp := range tps {
		if tp.Kind == touchpoint.KindBookingEvent && tp.BookingID != nil && listed[*tp.BookingID] {
			continue
		}
		if tp.Kind == touchpoint.KindStageChange && len(changes) > 0 {
			continue
		}
		items = append(items, TimelineItem{At: tp.OccurredAt, Kind: string(tp.Kind), Summary: tp.Summary, Ref: tp.ID})
	}

	slices.SortStableFunc(items, func(a, b TimelineItem) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(string(b.Ref), string(a.Ref))
	})
	if len(items) > limit {
		items = items[:limit]
	}
	if items == nil {
		items = []TimelineItem{}
	}
	return items, nil
}
