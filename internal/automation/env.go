package automation

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// Env is what a rule's condition sees: the event, the contact and the
// booking it concerns, with the field names of the condition language
// (`contact.warmness > 80 && booking.modality == "mri"`). A condition is
// compiled against this type when it is saved, so a misspelt field or a
// comparison of a number with a string is refused then, with its
// position, not when the rule first runs.
type Env struct {
	Event   EventEnv   `expr:"event"`
	Contact ContactEnv `expr:"contact"`
	Booking BookingEnv `expr:"booking"`
}

// EventEnv is the event that triggered the rule.
type EventEnv struct {
	Type string    `expr:"type"`
	At   time.Time `expr:"at"`
	// FromStage and ToStage: contact.stage_moved.
	FromStage string `expr:"fromStage"`
	ToStage   string `expr:"toStage"`
	// FromWarmness and ToWarmness: contact.warm.
	FromWarmness int `expr:"fromWarmness"`
	ToWarmness   int `expr:"toWarmness"`
	// Reason: booking.cancelled.
	Reason string `expr:"reason"`
	// ByRule is true for an event caused by another rule's action.
	ByRule bool `expr:"byRule"`
}

// ContactEnv is the event's contact as it is when the rule runs; Exists is
// false for an event without one (a task with no contact).
type ContactEnv struct {
	Exists       bool   `expr:"exists"`
	ID           string `expr:"id"`
	FirstName    string `expr:"firstName"`
	LastName     string `expr:"lastName"`
	Pipeline     string `expr:"pipeline"`
	Stage        string `expr:"stage"`
	LeadSource   string `expr:"leadSource"`
	Warmness     int    `expr:"warmness"`
	HasPhone     bool   `expr:"hasPhone"`
	HasEmail     bool   `expr:"hasEmail"`
	SMSConsent   bool   `expr:"smsConsent"`
	EmailConsent bool   `expr:"emailConsent"`
	Archived     bool   `expr:"archived"`
}

// BookingEnv is the event's booking (for a contact without one in the
// event, none: Exists false) as it is when the rule runs.
type BookingEnv struct {
	Exists     bool      `expr:"exists"`
	ID         string    `expr:"id"`
	Status     string    `expr:"status"`
	Service    string    `expr:"service"`
	Modality   string    `expr:"modality"`
	StartsAt   time.Time `expr:"startsAt"`
	HoursUntil float64   `expr:"hoursUntil"`
}

// MaxCondition is the longest condition kept (bytes).
const MaxCondition = 2000

// Compile compiles and type-checks a condition against Env; empty is
// "always" (nil program). A bad condition is INVALID on the field
// "condition", with the position (1-based line and column, and the byte
// offset) in Details and the message.
func Compile(condition string) (*vm.Program, error) {
	if strings.TrimSpace(condition) == "" {
		return nil, nil
	}
	if len(condition) > MaxCondition {
		return nil, apperr.Invalidf("condition", "the condition is longer than %d characters", MaxCondition)
	}
	p, err := expr.Compile(condition, expr.Env(Env{}), expr.AsBool())
	if err != nil {
		return nil, conditionError(err)
	}
	return p, nil
}

// conditionError turns expr's error into an INVALID with the position.
func conditionError(err error) error {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return &apperr.Error{Code: apperr.Invalid, Field: "condition", Message: readable(err.Error())}
	}
	msg := readable(fe.Message)
	return &apperr.Error{
		Code: apperr.Invalid, Field: "condition",
		Message: fmt.Sprintf("line %d, column %d: %s", fe.Line, fe.Column+1, msg),
		Details: map[string]any{"line": fe.Line, "column": fe.Column + 1, "offset": fe.From},
	}
}

// envNames spell Env's Go types as the condition language does.
var envNames = strings.NewReplacer(
	"type automation.EventEnv", "event", "type automation.ContactEnv", "contact", "type automation.BookingEnv", "booking",
	"automation.EventEnv", "event", "automation.ContactEnv", "contact", "automation.BookingEnv", "booking",
	"type automation.Env", "the condition", "automation.Env", "the condition",
)

// readable rewords expr's messages that name Go types.
func readable(msg string) string {
	if rest, ok := strings.CutPrefix(msg, "expected bool, "); ok {
		return "the condition must be true or false, " + rest
	}
	return envNames.Replace(msg)
}

// compiled keeps the programs of the conditions rules ran with, by their
// text: a rule's condition is compiled on every run (the welcome rule's
// for every contact created), which cost more CPU than the rest of its
// evaluation. A program is never changed once compiled, and expr.Run
// gives every run a VM of its own, so one program serves every job.
// Bounded by maxCompiled: past it conditions are compiled each time.
var (
	compiled  sync.Map // condition → *vm.Program
	compiledN atomic.Int32
)

const maxCompiled = 1024

// compileCached is Compile through the compiled cache.
func compileCached(condition string) (*vm.Program, error) {
	if p, ok := compiled.Load(condition); ok {
		return p.(*vm.Program), nil
	}
	p, err := Compile(condition)
	if err == nil && p != nil && compiledN.Load() < maxCompiled {
		if _, loaded := compiled.LoadOrStore(condition, p); !loaded {
			compiledN.Add(1)
		}
	}
	return p, err
}

// holds runs a compiled condition; a nil program holds.
func holds(p *vm.Program, env Env) (bool, error) {
	if p == nil {
		return true, nil
	}
	out, err := expr.Run(p, env)
	if err != nil {
		return false, err
	}
	b, _ := out.(bool)
	return b, nil
}
