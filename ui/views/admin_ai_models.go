package views

import (
	"fmt"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema/types"
)

// AIPage is the admin AI page: the month's spending against the budget,
// usage per day as a chart, the budget form, the alerts and the try-it
// box.
type AIPage struct {
	Month string
	// Limit, Spent are dollars formatted ("$12.50", "$0.000282").
	Limit, Spent string
	LimitCents   int64
	HasLimit     bool
	Percent      int
	Level        int
	Exhausted    bool
	Calls        int
	Remote       int
	Fallbacks    int
	CacheHits    int
	Alerts       []AIAlertRow
	Rows         []AIUsageRow
	Chart        AIChart
	CanSetBudget bool
	CanTry       bool
	Budget       AIBudgetForm
	Try          AITryForm
}

// AIAlertRow is one alert of the month.
type AIAlertRow struct {
	Level        int
	At           time.Time
	Spent, Limit string
}

// AIUsageRow is the usage of one use case and engine this month.
type AIUsageRow struct {
	UseCase, Engine, Model string
	Calls, Fallbacks       int
	InputTokens            int
	OutputTokens           int
	Cost                   string
	MeanMs                 string
}

// AIBudgetForm is the budget form: dollars as typed.
type AIBudgetForm struct {
	Dollars string
	Errors  FieldErrors
}

// AITryForm is the try-it box and its answer.
type AITryForm struct {
	Text   string
	Errors FieldErrors
	Result *AITryResult
}

// AITryResult is what the system would make of a reply.
type AITryResult struct {
	Intent      string
	Confidence  string
	NeedsReview bool
	Proposed    string
	Engine      string
	Reason      string
	Fallback    string
	// Action says what the inbound SMS path would do.
	Action string
}

// AIChart is a bar chart of the cost (or calls) per day, drawn as SVG on
// the server.
type AIChart struct {
	Width, Height int
	Bars          []AIBar
	// Max is the label of the top of the scale.
	Max   string
	Title string
	// Unit says what the bars measure: "cost" or "calls".
	Unit string
}

// AIBar is one day.
type AIBar struct {
	X, Y, W, H int
	Day        string
	Label      string
}

// Px formats an SVG coordinate.
func Px(n int) string { return fmt.Sprint(n) }

// EngineOf names the engine behind a stored score (as
// ai.EngineOfReasons): a model's reason means a remote model refined it.
func EngineOf(reasons []types.WarmnessReason) string {
	for _, r := range reasons {
		if r.Factor == "model" {
			return "openai"
		}
	}
	return "builtin"
}

// EngineName says which engine scored a contact's warmness.
func EngineName(e string) string {
	switch e {
	case "rules", "":
		return "the warmness rules"
	case "builtin":
		return "the built-in engine (the warmness rules and the latest message)"
	case "openai":
		return "a remote model, on top of the rules"
	}
	return e
}
