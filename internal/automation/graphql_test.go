package automation_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent/automationrule"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/automation"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

const rulesQuery = `{ automationRules { id name trigger condition enabled defaultKey actions { type template } } }`

type ruleJSON struct {
	ID, Name, Trigger, Condition, DefaultKey string
	Enabled                                  bool
}

func TestGraphQL_RulesPermissionsAndTenancy(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	var rules struct{ AutomationRules []ruleJSON }
	srv.MustGraphQL(t, admin, rulesQuery, nil).Decode(t, &rules)
	if len(rules.AutomationRules) != len(automation.Defaults) {
		t.Fatalf("rules %+v", rules)
	}
	welcome := rules.AutomationRules[0]
	for _, r := range rules.AutomationRules {
		if r.DefaultKey == "welcome" {
			welcome = r
		}
	}

	// An invalid condition: INVALID on condition, with the position.
	r := srv.GraphQL(t, admin, `mutation($id: ID!) { updateAutomationRule(id: $id, input: {condition: "contact.warmnes > 80"}) { id } }`, map[string]any{"id": welcome.ID})
	if len(r.Errors) != 1 || r.FirstCode() != "INVALID" {
		t.Fatalf("invalid condition: %+v", r.Errors)
	}
	ext := r.Errors[0].Extensions
	if ext["field"] != "condition" || ext["line"] != float64(1) || ext["column"] != float64(9) || !strings.Contains(r.Errors[0].Message, "warmnes") {
		t.Errorf("the refusal: %q %v", r.Errors[0].Message, ext)
	}
	var check struct {
		CheckAutomationCondition struct {
			Valid   bool
			Message *string
			Line    *int
			Column  *int
		}
	}
	srv.MustGraphQL(t, admin, `{ checkAutomationCondition(condition: "booking.exists &&\n contact.nope") { valid message line column } }`, nil).Decode(t, &check)
	if c := check.CheckAutomationCondition; c.Valid || c.Line == nil || *c.Line != 2 || *c.Column != 10 {
		t.Errorf("check %+v", c)
	}

	// Create, disable, dry-run; the runs list the dry run.
	var created struct{ CreateAutomationRule ruleJSON }
	srv.MustGraphQL(t, admin, `mutation { createAutomationRule(input: {name: "GP follow-up", trigger: "contact.created", condition: "contact.leadSource == \"gp_referral\"", delaySeconds: 3600, actions: [{type: "create_task", title: "Thank the GP of {name}", priority: "high"}]}) { id name trigger condition enabled } }`, nil).Decode(t, &created)
	if c := created.CreateAutomationRule; c.ID == "" || !c.Enabled || c.Trigger != "contact.created" {
		t.Fatalf("created %+v", c)
	}
	var off struct{ SetAutomationRuleEnabled ruleJSON }
	srv.MustGraphQL(t, admin, `mutation($id: ID!) { setAutomationRuleEnabled(id: $id, enabled: false) { id enabled } }`, map[string]any{"id": created.CreateAutomationRule.ID}).Decode(t, &off)
	if off.SetAutomationRuleEnabled.Enabled {
		t.Error("still enabled")
	}
	var ct struct{ CreateContact struct{ ID string } }
	srv.MustGraphQL(t, admin, `mutation { createContact(input: {firstName: "Gail", lastName: "Graph", leadSource: gp_referral}) { id } }`, nil).Decode(t, &ct)
	var dry struct {
		DryRunAutomationRule struct {
			Outcome string
			Detail  string
			Steps   []struct{ Type, Detail string }
			Rule    struct{ Name string }
		}
	}
	srv.MustGraphQL(t, admin, `mutation($r: ID!, $c: ID!) { dryRunAutomationRule(ruleID: $r, contactID: $c) { outcome detail steps { type detail } rule { name } } }`,
		map[string]any{"r": created.CreateAutomationRule.ID, "c": ct.CreateContact.ID}).Decode(t, &dry)
	d := dry.DryRunAutomationRule
	if d.Outcome != "dry_run" || len(d.Steps) != 1 || !strings.Contains(d.Steps[0].Detail, "Would create the task “Thank the GP of Gail Graph”") || d.Rule.Name != "GP follow-up" {
		t.Errorf("dry run %+v", d)
	}
	var runs struct {
		AutomationRuns []struct{ Outcome, ContactID string }
	}
	srv.MustGraphQL(t, admin, `query($r: ID!) { automationRuns(where: {ruleID: $r}) { outcome contactID } }`, map[string]any{"r": created.CreateAutomationRule.ID}).Decode(t, &runs)
	if len(runs.AutomationRuns) != 1 || runs.AutomationRuns[0].ContactID != ct.CreateContact.ID {
		t.Errorf("runs %+v", runs)
	}

	// Staff may not see rules or jobs; a manager may edit them.
	staff := srv.SignIn(t, "staff@example.com")
	for _, q := range []string{rulesQuery, `{ jobs { jobs { id } } }`} {
		if r := srv.GraphQL(t, staff, q, nil); r.FirstCode() != "FORBIDDEN" {
			t.Errorf("staff %s: %+v", q, r.Errors)
		}
	}
	if r := srv.GraphQL(t, staff, `mutation($id: ID!) { setAutomationRuleEnabled(id: $id, enabled: false) { id } }`, map[string]any{"id": welcome.ID}); r.FirstCode() != "FORBIDDEN" {
		t.Errorf("staff switch: %+v", r.Errors)
	}
	manager := srv.SignIn(t, "manager@example.com")
	srv.MustGraphQL(t, manager, `mutation($id: ID!) { setAutomationRuleEnabled(id: $id, enabled: true) { id } }`, map[string]any{"id": created.CreateAutomationRule.ID})

	// Another location's admin: its own defaults only; SYD's rule is not found.
	par := srv.SignIn(t, "par-admin@example.com")
	var parRules struct{ AutomationRules []ruleJSON }
	srv.MustGraphQL(t, par, rulesQuery, nil).Decode(t, &parRules)
	for _, r := range parRules.AutomationRules {
		if r.ID == welcome.ID || r.ID == created.CreateAutomationRule.ID {
			t.Errorf("PAR sees SYD's rule %s", r.Name)
		}
	}
	for _, q := range []string{
		`query($id: ID!) { automationRule(id: $id) { id } }`,
		`mutation($id: ID!) { setAutomationRuleEnabled(id: $id, enabled: false) { id } }`,
		`mutation($id: ID!) { updateAutomationRule(id: $id, input: {name: "Mine"}) { id } }`,
	} {
		if r := srv.GraphQL(t, par, q, map[string]any{"id": welcome.ID}); r.FirstCode() != "NOT_FOUND" {
			t.Errorf("PAR %s: %+v", q, r.Errors)
		}
	}
	if r := srv.GraphQL(t, par, `mutation($r: ID!, $c: ID!) { dryRunAutomationRule(ruleID: $r, contactID: $c) { id } }`, map[string]any{"r": parRules.AutomationRules[0].ID, "c": ct.CreateContact.ID}); r.FirstCode() != "NOT_FOUND" {
		t.Errorf("PAR dry run on SYD's contact: %+v", r.Errors)
	}
}

// TestJobs_DeadLetterRetriedFromTheAdminPage: a rule job whose event is
// missing fails its only attempt and is dead-lettered; the admin page
// lists it with its error; once the event exists, Retry on the page runs
// it again and it completes.
func TestJobs_DeadLetterRetriedFromTheAdminPage(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	ctx := viewer.Seed.Grant(context.Background(), "test")
	c := srv.App.DB.Client
	loc, err := c.Location.Query().Where(location.Code("SYD")).OnlyID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rule, err := c.AutomationRule.Query().Where(automationrule.LocationID(loc), automationrule.DefaultKey("post_appointment")).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	evID := pulid.New("evt")
	res, err := srv.App.Jobs.EnqueueAlone(ctx, automation.RuleArgs{RuleID: rule.ID, EventID: evID, LocationID: loc}, &river.InsertOpts{MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, srv, res.ID, jobs.StateDiscarded)

	admin := srv.SignIn(t, "admin@example.com")
	page := get(t, srv, admin, "/admin/jobs?state=discarded")
	id := strconv.FormatInt(res.ID, 10)
	if !strings.Contains(page, "automation.rule</code> #"+id) || !strings.Contains(page, "attempt 1:") || !strings.Contains(page, `/admin/jobs/`+id+`/retry`) {
		t.Fatalf("the dead letter is not listed with its error and a retry button:\n%s", page)
	}
	// The cause is fixed: the event now exists (a completed booking of a contact).
	ct, err := c.Contact.Query().First(viewer.ForJob(ctx, loc, "test"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Event.Create().SetID(evID).SetLocationID(loc).SetType("booking.completed").SetSubjectID(string(ct.ID)).
		SetPayload(map[string]any{"contact_id": string(ct.ID)}).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	resp := post(t, srv, admin, "/admin/jobs/"+id+"/retry")
	if !strings.Contains(resp, "The job will run again now.") {
		t.Errorf("after retry the page reads:\n%s", resp)
	}
	waitState(t, srv, res.ID, jobs.StateCompleted)
	runs, err := c.AutomationRun.Query().Where().All(viewer.ForJob(ctx, loc, "test"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range runs {
		if r.EventID != nil && *r.EventID == evID {
			found = true
		}
	}
	if !found {
		t.Error("the retried job recorded no run")
	}
}

// waitState waits for a job to reach state (the worker runs it).
func waitState(t *testing.T, srv *testutil.Server, id int64, state jobs.State) {
	t.Helper()
	ctx := viewer.ForJob(context.Background(), "", "test")
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := srv.App.Jobs.River().JobGet(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == state {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s, want %s (errors %v)", id, j.State, state, j.Errors)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
