package ui

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// spendMonths is how many months the ad spend table shows at once.
const spendMonths = 6

// adSpendPage is the ad spend table: lead sources × six months, ending
// this month in the location's zone unless ?from= says where it starts.
func (u *UI) adSpendPage(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpAdSpend) {
		return
	}
	ctx := r.Context()
	p, err := u.page(ctx, r, "Ad spend", "reports")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d, err := u.adSpendData(ctx, p, r.URL.Query().Get("from"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.AdSpendPageView(p, d))
}

// adSpendData reads the six months from from (YYYY-MM; "" ends with this
// month).
func (u *UI) adSpendData(ctx context.Context, p views.Page, from string) (views.AdSpendPage, error) {
	start, err := time.Parse("2006-01", from)
	if err != nil {
		now := u.opts.Now.Now().In(p.Me.TZ)
		start = time.Date(now.Year(), now.Month()-spendMonths+1, 1, 0, 0, 0, 0, time.UTC)
	}
	d := views.AdSpendPage{
		Cells:   map[string]map[string]string{},
		Prev:    start.AddDate(0, -spendMonths, 0).Format("2006-01"),
		Next:    start.AddDate(0, spendMonths, 0).Format("2006-01"),
		CanEdit: u.allowed(ctx, graph.OpSetAdSpend),
	}
	for i := range spendMonths {
		d.Months = append(d.Months, start.AddDate(0, i, 0).Format("2006-01"))
	}
	for _, s := range schema.LeadSources {
		d.Sources = append(d.Sources, views.Option{Value: s, Label: views.SourceLabel(s)})
		d.Cells[s] = map[string]string{}
	}
	rows, err := u.api.reports.AdSpend(ctx, d.Months[0], d.Months[len(d.Months)-1])
	if err != nil {
		return d, err
	}
	for _, a := range rows {
		if d.Cells[string(a.Source)] != nil {
			d.Cells[string(a.Source)][a.Month] = dollars(int64(a.Cents))
		}
	}
	return d, nil
}

// dollars writes cents as the table's input: 1200 or 1200.50.
func dollars(cents int64) string {
	s := strconv.FormatInt(cents/100, 10)
	if c := cents % 100; c != 0 {
		s += "." + strconv.FormatInt(100+c, 10)[1:]
	}
	return s
}

// parseDollars reads a typed amount: "1200", "$1,200.50"; blank is 0.
func parseDollars(s string) (int64, bool) {
	s = strings.NewReplacer("$", "", ",", "", " ", "").Replace(s)
	if s == "" {
		return 0, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f > 1e9 {
		return 0, false
	}
	return int64(math.Round(f * 100)), true
}

// spendCell is one changed cell of the posted table.
type spendCell struct {
	input, source, month string
	cents                int64
}

// saveAdSpend saves the cells of the table that changed (setAdSpend for
// each), after checking every one: a bad amount saves nothing and is shown
// next to its cell.
func (u *UI) saveAdSpend(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSetAdSpend) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	var cells []spendCell
	errs := views.FieldErrors{}
	keys := make([]string, 0, len(r.PostForm))
	for k := range r.PostForm {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		rest, ok := strings.CutPrefix(k, "spend.")
		if !ok {
			continue
		}
		source, month, _ := strings.Cut(rest, ".")
		v := r.PostFormValue(k)
		if trim(v) == trim(r.PostFormValue("was."+k)) && r.PostForm.Has("was."+k) {
			continue
		}
		if contact.LeadSourceValidator(contact.LeadSource(source)) != nil {
			errs[""] = "There is no lead source " + strconv.Quote(source) + "."
			continue
		}
		if _, err := time.Parse("2006-01", month); err != nil {
			errs[""] = "Months are YYYY-MM."
			continue
		}
		cents, ok := parseDollars(v)
		if !ok {
			errs[k] = "Give an amount in dollars, such as 1200 or 1200.50."
			continue
		}
		cells = append(cells, spendCell{input: k, source: source, month: month, cents: cents})
	}
	again := func(errs views.FieldErrors, status int) {
		p, err := u.page(ctx, r, "Ad spend", "reports")
		if err != nil {
			u.fail(w, r, err)
			return
		}
		d, err := u.adSpendData(ctx, p, r.PostFormValue("from"))
		if err != nil {
			u.fail(w, r, err)
			return
		}
		// Keep what was typed.
		for k, v := range r.PostForm {
			if rest, ok := strings.CutPrefix(k, "spend."); ok {
				source, month, _ := strings.Cut(rest, ".")
				if d.Cells[source] != nil {
					d.Cells[source][month] = v[0]
				}
			}
		}
		d.Errors = errs
		renderStatus(w, r, status, views.AdSpendPageView(p, d))
	}
	if len(errs) > 0 {
		again(errs, http.StatusUnprocessableEntity)
		return
	}
	next := done{Path: "/reports/ad-spend", Key: "ad-spend-saved", Extra: url.Values{"from": {r.PostFormValue("from")}}}
	for _, c := range cells {
		if _, err := u.api.reports.SetAdSpend(ctx, contact.LeadSource(c.source), c.month, int(c.cents)); err != nil {
			if ae := apperr.From(err); ae.Code == apperr.Invalid && ae.Field != "" {
				err = apperr.Invalidf(c.input, "%s", ae.Message)
			}
			in := inputs{c.input: c.input}
			u.finish(w, r, err, next, in, "", again)
			return
		}
	}
	u.finish(w, r, nil, next, nil, "", nil)
}
