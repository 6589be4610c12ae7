package ui

import (
	"context"
	"fmt"
	"github.com/avatarimaging/avatarcrm/internal/aiwire"
	"net/http"
	"strings"

	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// aiAPI is the admin AI page: usage and budget, the budget form, the
// try-it box.
type aiAPI interface {
	AiUsage(ctx context.Context, from *types.Date, to *types.Date) (*graph.AIUsageReport, error)
	AiBudget(ctx context.Context) (*graph.AIBudget, error)
	SetAIBudget(ctx context.Context, cents int) (*graph.AIBudget, error)
	ClassifySms(ctx context.Context, text string) (*graph.SMSIntentResult, error)
}

// adminAI shows the AI page.
func (u *UI) adminAI(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "AI", graph.OpAiBudget, graph.OpAiUsage)
	if !ok {
		return
	}
	d, err := u.aiPage(r.Context(), views.AIBudgetForm{}, views.AITryForm{})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.AdminAIPage(p, d))
}

func (u *UI) aiPage(ctx context.Context, budget views.AIBudgetForm, try views.AITryForm) (views.AIPage, error) {
	b, err := u.api.ai.AiBudget(ctx)
	if err != nil {
		return views.AIPage{}, err
	}
	rep, err := u.api.ai.AiUsage(ctx, nil, nil)
	if err != nil {
		return views.AIPage{}, err
	}
	d := views.AIPage{
		Month: b.Month, Limit: b.Limit.String(), Spent: b.Spent.String(), LimitCents: int64(b.LimitCents),
		HasLimit: b.LimitCents > 0, Percent: b.Percent, Level: b.Level, Exhausted: b.Exhausted,
		CanSetBudget: u.allowed(ctx, graph.OpSetAIBudget), CanTry: u.allowed(ctx, graph.OpClassifySms),
		Budget: budget, Try: try,
	}
	if d.Budget.Dollars == "" && d.Budget.Errors == nil {
		d.Budget.Dollars = centsToDollars(int64(b.LimitCents))
	}
	for _, a := range b.Alerts {
		d.Alerts = append(d.Alerts, views.AIAlertRow{Level: a.Level, At: a.At, Spent: a.Spent.String(), Limit: a.Limit.String()})
	}
	type key struct{ useCase, engine, model string }
	rows := map[key]*views.AIUsageRow{}
	var order []key
	costs := map[key]ai.Nanodollars{}
	latency := map[key]float64{}
	perDay := map[types.Date]ai.Nanodollars{}
	callsPerDay := map[types.Date]int{}
	for _, g := range rep.Groups {
		d.Calls += g.Calls
		d.Fallbacks += g.Fallbacks
		d.CacheHits += g.CacheHits
		if g.Model != ai.BuiltinModel {
			d.Remote += g.Calls - g.Fallbacks
		}
		k := key{g.UseCase, g.Engine, g.Model}
		row := rows[k]
		if row == nil {
			row = &views.AIUsageRow{UseCase: g.UseCase, Engine: g.Engine, Model: g.Model}
			rows[k] = row
			order = append(order, k)
		}
		row.Calls += g.Calls
		row.Fallbacks += g.Fallbacks
		row.InputTokens += g.InputTokens
		row.OutputTokens += g.OutputTokens
		costs[k] += g.Cost
		latency[k] += g.MeanLatencyMs * float64(g.Calls)
		perDay[g.Day] += g.Cost
		callsPerDay[g.Day] += g.Calls
	}
	for _, k := range order {
		row := rows[k]
		row.Cost = costs[k].String()
		row.MeanMs = fmt.Sprintf("%.2f ms", latency[k]/float64(max(row.Calls, 1)))
		d.Rows = append(d.Rows, *row)
	}
	d.Chart = aiChart(rep.From, rep.To, perDay, callsPerDay)
	return d, nil
}

// aiChart draws one bar a day from..to: the cost, or the calls when
// nothing cost anything (the built-in engine alone).
func aiChart(from, to types.Date, cost map[types.Date]ai.Nanodollars, calls map[types.Date]int) views.AIChart {
	c := views.AIChart{Width: 620, Height: 160, Unit: "cost"}
	var days []types.Date
	for t := from.Time(); !t.After(to.Time()) && len(days) < 93; t = t.AddDate(0, 0, 1) {
		days = append(days, types.Date(t.Format(types.DateLayout)))
	}
	if len(days) == 0 {
		return c
	}
	var top int64
	for _, d := range days {
		top = max(top, int64(cost[d]))
	}
	value := func(d types.Date) int64 { return int64(cost[d]) }
	label := func(v int64) string { return ai.Nanodollars(v).String() }
	c.Title = "Cost of AI calls per day"
	if top == 0 {
		c.Unit, c.Title = "calls", "AI calls per day (nothing cost anything)"
		value = func(d types.Date) int64 { return int64(calls[d]) }
		label = func(v int64) string { return fmt.Sprintf("%d calls", v) }
		for _, d := range days {
			top = max(top, int64(calls[d]))
		}
	}
	c.Max = label(top)
	plot := c.Height - 20 - 16 // axis labels below, scale label above
	slot := c.Width / len(days)
	for i, d := range days {
		v := value(d)
		h := 0
		if top > 0 {
			h = int(v * int64(plot) / top)
		}
		if v > 0 && h == 0 {
			h = 1
		}
		c.Bars = append(c.Bars, views.AIBar{
			X: i*slot + 1, Y: c.Height - 20 - h, W: max(slot-2, 1), H: h,
			Day: string(d), Label: label(v),
		})
	}
	return c
}

// setAIBudget posts the budget form: setAIBudget, dollars typed as
// "25" or "12.50".
func (u *UI) setAIBudget(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSetAIBudget) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	form := views.AIBudgetForm{Dollars: trim(r.PostFormValue("dollars"))}
	cents, err := dollarsToCents(form.Dollars)
	if err == nil {
		_, err = u.api.ai.SetAIBudget(ctx, int(cents))
	}
	u.finish(w, r, err, done{Path: "/admin/ai", Key: "ai-budget"}, inputs{"dollars": "dollars", "cents": "dollars"}, "", func(errs views.FieldErrors, status int) {
		form.Errors = errs
		p, ok := u.adminPage(w, r, "AI", graph.OpAiBudget, graph.OpAiUsage)
		if !ok {
			return
		}
		p.Error = "The budget was not saved: please check the form."
		d, err := u.aiPage(ctx, form, views.AITryForm{})
		if err != nil {
			u.fail(w, r, err)
			return
		}
		renderStatus(w, r, status, views.AdminAIPage(p, d))
	})
}

// tryAI posts the try-it box: classifySMS. It changes nothing, so the
// page comes back with the answer (htmx swaps the answer alone).
func (u *UI) tryAI(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpClassifySms) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	form := views.AITryForm{Text: r.PostFormValue("text")}
	res, err := u.api.ai.ClassifySms(ctx, form.Text)
	status := http.StatusOK
	if err != nil {
		errs, st, ok := formErrors(err, inputs{"text": "text", "message": "text"}, "")
		if !ok {
			u.fail(w, r, err)
			return
		}
		form.Errors, status = errs, st
	} else {
		form.Result = tryResult(res)
	}
	// htmx swaps the answer alone; someone who may classify but not see
	// the admin page (staff, through a link of their own) gets the
	// answer alone too.
	if r.Header.Get("HX-Request") == "true" || !u.allowed(ctx, graph.OpAiBudget) || !u.allowed(ctx, graph.OpAiUsage) {
		renderStatus(w, r, status, views.AITryResultBox(form))
		return
	}
	p, ok := u.adminPage(w, r, "AI", graph.OpAiBudget, graph.OpAiUsage)
	if !ok {
		return
	}
	d, err := u.aiPage(ctx, views.AIBudgetForm{}, form)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	renderStatus(w, r, status, views.AdminAIPage(p, d))
}

// tryResult is the answer in words, with what the inbound SMS path would
// do with it.
func tryResult(res *graph.SMSIntentResult) *views.AITryResult {
	out := &views.AITryResult{
		Intent: res.Intent, Confidence: fmt.Sprintf("%.0f%%", res.Confidence*100), NeedsReview: res.NeedsReview,
		Engine: res.Engine, Reason: res.Reason,
	}
	if res.Fallback != nil {
		out.Fallback = *res.Fallback
	}
	if res.ProposedTime != nil {
		out.Proposed = res.ProposedTime.Format("Mon 2 Jan 15:04")
		if res.ProposedEnd != nil && res.ProposedEnd.After(*res.ProposedTime) {
			out.Proposed += "–" + res.ProposedEnd.Format("15:04")
		}
		if res.ProposedText != nil && *res.ProposedText != "" {
			out.Proposed += " (“" + *res.ProposedText + "”)"
		}
	}
	out.Action = aiwire.WouldDo(res.Intent, res.NeedsReview, out.Proposed)
	return out
}

// dollarsToCents reads "25", "25.5", "$12.50" as cents.
func dollarsToCents(s string) (int64, error) {
	micro, err := ai.ParseDollars(strings.ReplaceAll(s, ",", ""))
	if err != nil || s == "" {
		return 0, apperr.Invalidf("dollars", "type an amount of US dollars such as 25 or 12.50")
	}
	if micro%10_000 != 0 {
		return 0, apperr.Invalidf("dollars", "a budget is whole cents: at most two decimals")
	}
	return micro / 10_000, nil
}

func centsToDollars(c int64) string {
	return fmt.Sprintf("%d.%02d", c/100, c%100)
}
