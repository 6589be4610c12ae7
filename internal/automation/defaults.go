package automation

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/automationrule"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/events"
)

// Default is one of the rules every location starts with.
type Default struct {
	Key       string
	Name      string
	Trigger   string
	Condition string
	Actions   []types.AutomationAction
}

// Defaults are the event rules of the plan every location gets. The 24 h
// and 2 h reminders are the plan's other two defaults; they are the
// reminders schedule's work, not event rules (see Scheduled and
// docs/DECISIONS.md).
var Defaults = []Default{
	{
		Key: "welcome", Name: "New lead: welcome SMS", Trigger: events.ContactCreated,
		Condition: `contact.pipeline == "lead"`,
		Actions:   []types.AutomationAction{{Type: ActionSendSMS, Template: "welcome"}},
	},
	{
		Key: "warm_call", Name: "Warm lead: urgent call task", Trigger: events.ContactWarm,
		Condition: `contact.warmness > 80 && !contact.archived`,
		Actions: []types.AutomationAction{{
			Type: ActionCreateTask, Title: "Call {name}: warm lead", TaskKind: "call", Priority: "urgent",
			AutoAssign: true, Skill: "calls", DueInMinutes: 60,
		}},
	},
	{
		Key: "confirmation", Name: "Booking created: confirmation SMS", Trigger: events.BookingCreated,
		Actions: []types.AutomationAction{{Type: ActionSendSMS, Template: "confirmation"}},
	},
	{
		Key: "post_appointment", Name: "Booking completed: post-appointment follow-up", Trigger: events.BookingCompleted,
		Actions: []types.AutomationAction{
			{Type: ActionMoveStage, Stage: "completed"},
			{Type: ActionCreateTask, Title: "Send {name}'s results to the referrer", TaskKind: "results", DueInMinutes: 24 * 60},
		},
	},
}

// ScheduledRule is a default that a schedule runs rather than an event.
type ScheduledRule struct {
	Name, Schedule, Template, When string
}

// Scheduled are the reminder defaults, listed on the rules page: the
// reminders schedule (internal/messaging) sends them, combining a
// patient's bookings of one day, keeping quiet hours and skipping
// cancelled, rescheduled and opted-out bookings.
var Scheduled = []ScheduledRule{
	{Name: "24 h before: reminder", Schedule: "reminders", Template: "reminder_24h", When: "24 hours before a pending or confirmed booking"},
	{Name: "2 h before: final reminder", Schedule: "reminders", Template: "reminder_2h", When: "2 hours before a pending or confirmed booking"},
}

// SeedDefaultRules creates the default rules missing at a location (by
// their key, so it can run again, and a default an admin changed or
// disabled stays as they left it). ctx must be allowed to write rules
// for the location (an admin, or the seed capability).
func SeedDefaultRules(ctx context.Context, c *ent.Client, locationID pulid.ID) error {
	have, err := c.AutomationRule.Query().
		Where(automationrule.LocationID(locationID), automationrule.DefaultKeyNEQ("")).
		Select(automationrule.FieldDefaultKey).Strings(ctx)
	if err != nil {
		return err
	}
	exists := map[string]bool{}
	for _, k := range have {
		exists[k] = true
	}
	for _, d := range Defaults {
		if exists[d.Key] {
			continue
		}
		if _, err := Compile(d.Condition); err != nil {
			return err // a programming error, caught by the tests
		}
		err := c.AutomationRule.Create().SetLocationID(locationID).SetDefaultKey(d.Key).
			SetName(d.Name).SetTrigger(d.Trigger).SetCondition(d.Condition).
			SetActions(d.Actions).SetEnabled(true).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}
