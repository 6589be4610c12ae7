package tasks

import (
	"fmt"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/task"
)

// The thresholds of the priority rules.
const (
	// UrgentWithin: a task due this soon (or overdue) is urgent.
	UrgentWithin = 4 * time.Hour
	// HighWithin: a task due this soon is at least high.
	HighWithin = 24 * time.Hour
	// WarmAbove: a task on a contact warmer than this is at least high; a
	// hot lead goes cold within a day or two.
	WarmAbove = 80
)

// PriorityFacts are what the priority rules look at.
type PriorityFacts struct {
	DueAt *time.Time
	Kind  task.Kind
	// Warmness of the task's contact; 0 without a contact.
	Warmness int
}

// ComputePriority applies the priority rules at now and says why:
//
//   - overdue, or due within 4 hours (UrgentWithin, inclusive) → urgent;
//   - due within 24 hours (HighWithin, inclusive) → high;
//   - on a contact with warmness above 80 (WarmAbove) → at least high;
//   - a no-show follow-up → at least high (the slot is lost and the patient
//     still needs the scan);
//   - otherwise normal.
//
// The rules never lower a task to low: low is a person's choice. The reason
// names every rule that lifted the task to the priority it got.
func ComputePriority(now time.Time, f PriorityFacts) (task.Priority, string) {
	level := task.PriorityNormal
	var why []string
	raise := func(p task.Priority, reason string) {
		switch {
		case rank(p) > rank(level):
			level, why = p, []string{reason}
		case rank(p) == rank(level):
			why = append(why, reason)
		}
	}
	if f.DueAt != nil {
		left := f.DueAt.Sub(now)
		switch {
		case left < 0:
			raise(task.PriorityUrgent, "overdue")
		case left <= UrgentWithin:
			raise(task.PriorityUrgent, "due within 4 hours")
		case left <= HighWithin:
			raise(task.PriorityHigh, "due within 24 hours")
		}
	}
	if f.Warmness > WarmAbove {
		raise(task.PriorityHigh, fmt.Sprintf("contact warmness %d", f.Warmness))
	}
	if f.Kind == task.KindNoShowFollowUp {
		raise(task.PriorityHigh, "no-show follow-up")
	}
	if len(why) == 0 {
		return level, "no rule raises it"
	}
	return level, strings.Join(why, ", ")
}

// rank orders priorities as the priority_rank column does.
var rank = schema.PriorityRank
