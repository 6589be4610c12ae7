package graph

import (
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
)

// newTaskFromInput turns the generated create input into the service's. A
// priority in the input is an explicit override, which the service marks
// manual; priorityManual may only agree with that, so a caller cannot ask
// for a computed priority and a fixed one at once.
func newTaskFromInput(in ent.CreateTaskInput, autoAssign bool) (tasks.NewTask, error) {
	if in.PriorityManual != nil && *in.PriorityManual != (in.Priority != nil) {
		if *in.PriorityManual {
			return tasks.NewTask{}, apperr.Invalidf("priorityManual", "give a priority to fix it by hand; without one the priority is computed")
		}
		return tasks.NewTask{}, apperr.Invalidf("priorityManual", "a priority given is always kept; leave priority out to have it computed")
	}
	nt := tasks.NewTask{
		Title:      in.Title,
		ContactID:  in.ContactID,
		BookingID:  in.BookingID,
		AssigneeID: in.AssigneeID,
		Skill:      in.Skill,
		DueAt:      in.DueAt,
		Priority:   in.Priority,
		AutoAssign: autoAssign,
	}
	if in.Description != nil {
		nt.Description = *in.Description
	}
	if in.Kind != nil {
		nt.Kind = *in.Kind
	}
	if in.Status != nil {
		nt.Status = *in.Status
	}
	return nt, nil
}

// stageStatOf is the GraphQL form of a stage's numbers.
func stageStatOf(s pipeline.StageStat) *StageStat {
	out := &StageStat{
		Pipeline:        s.Pipeline,
		Stage:           s.Stage,
		Current:         s.Current,
		Entered:         s.Entered,
		EnteredContacts: s.EnteredContacts,
		NextStage:       s.NextStage,
		Converted:       s.Converted,
		ConversionRate:  s.ConversionRate,
		Exits:           s.Exits,
	}
	if s.MedianTimeInStage != nil {
		secs := int(s.MedianTimeInStage.Round(time.Second) / time.Second)
		out.MedianSecondsInStage = &secs
	}
	return out
}
