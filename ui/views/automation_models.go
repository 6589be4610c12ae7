package views

import "time"

// RulesPage lists a location's automation rules.
type RulesPage struct {
	Rules     []RuleRow
	Scheduled []ScheduledRow
	CanEdit   bool
	// CanCreate shows the new-rule form: New is its input (kept after an
	// error), Triggers the events a rule may start on.
	CanCreate bool
	New       RuleForm
	Triggers  []Option
}

// RuleRow is one rule.
type RuleRow struct {
	ID, Name, Trigger, Condition, Delay string
	Actions                             []string
	Enabled                             bool
}

// ScheduledRow is a default a schedule runs (the reminders).
type ScheduledRow struct{ Name, When, Template, Schedule string }

// RuleEditPage edits one rule, shows its history and dry-runs it.
type RuleEditPage struct {
	Rule     RuleRow
	Form     RuleForm
	Triggers []Option
	Runs     []RunRow
	// Contacts to dry-run against; DryRun is the last dry run's answer.
	Contacts   []Option
	DryContact string
	DryRun     *RunRow
	DryError   string
	CanEdit    bool
}

// RuleForm is the edit form, with the input kept after an error.
type RuleForm struct {
	Name, Trigger, Condition, Delay, Actions string
	Errors                                   FieldErrors
}

// RunRow is one run of a rule.
type RunRow struct {
	ID, Rule, Outcome, Detail, Error, EventType, ContactID string
	At                                                     time.Time
	Steps                                                  []StepRow
}

// StepRow is what one action did.
type StepRow struct{ Type, Detail string }

// ConditionCheck is the answer to the condition typed so far.
type ConditionCheck struct {
	Valid   bool
	Message string
}

// JobsPage is the job queue, filtered by state and kind.
type JobsPage struct {
	Jobs        []JobRow
	State, Kind string
	States      []Option
	CanEdit     bool
	More        string
}

// JobRow is one job, its arguments redacted.
type JobRow struct {
	ID, Kind, State, Args string
	Errors                []string
	Attempt, Max          int
	Created               time.Time
	CanRetry, CanDiscard  bool
}
