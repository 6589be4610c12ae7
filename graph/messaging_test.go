package graph_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

// TestMessagingAPI: messages (a Relay connection filtered by contact,
// status, channel and rule, tenant-isolated), smsTemplates,
// previewSMSTemplate with a real contact, countSMS, updateSMSTemplate
// (refusing an unknown variable with INVALID on body) and schedules, each
// behind the permission the schema declares.
func TestMessagingAPI(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.App.Ent.Ent
	admin := testutil.As(t, c, "admin@example.com")
	ct, err := c.Contact.Query().Where(contact.PhoneNotNil()).Order(ent.Asc(contact.FieldID)).First(admin)
	if err != nil {
		t.Fatal(err)
	}
	rule := "rul_01TESTRULE0000000000000000"
	var m *ent.Message
	err = txn.Run(admin, c, func(ctx context.Context, tc *ent.Client) error {
		m, err = srv.App.Messaging.QueueSMS(ctx, tc, messaging.SMSInput{ContactID: ct.ID, Template: messaging.TemplateWelcome, Urgent: true, Key: "welcome:" + string(ct.ID)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// As if a rule had sent it, for the ruleID filter.
	if err := c.Message.UpdateOneID(m.ID).SetRuleID(pulid.ID(rule)).Exec(admin); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := c.Message.Get(admin, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == message.StatusSent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %s", got.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}

	adm := srv.SignIn(t, "admin@example.com")
	const q = `query($w: MessageWhereInput) { messages(first: 10, where: $w) { totalCount edges { node {
		id channel status to body segments costCents provider providerMessageID suppressedReason ruleID createdAt sentAt contact { id }
	} } } }`
	var out struct {
		Messages struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, Channel, Status, To, Body, Provider string
					ProviderMessageID, SuppressedReason     *string
					RuleID                                  *string
					Segments, CostCents                     int
					SentAt                                  *time.Time
					Contact                                 struct{ ID string }
				}
			}
		}
	}
	srv.MustGraphQL(t, adm, q, map[string]any{"w": map[string]any{"contactID": ct.ID, "status": "sent", "channel": "sms", "ruleID": rule}}).Decode(t, &out)
	if out.Messages.TotalCount != 1 {
		t.Fatalf("%d messages", out.Messages.TotalCount)
	}
	n := out.Messages.Edges[0].Node
	if n.ID != string(m.ID) || n.Provider != "outbox" || n.ProviderMessageID == nil || n.Contact.ID != string(ct.ID) ||
		n.RuleID == nil || *n.RuleID != rule || n.SentAt == nil || n.Segments != 1 || n.CostCents != 8 || !strings.Contains(n.Body, ct.FirstName) {
		t.Fatalf("message %+v", n)
	}
	// Another location's people do not see it.
	par := srv.SignIn(t, "par-admin@example.com")
	srv.MustGraphQL(t, par, q, map[string]any{"w": map[string]any{"contactID": ct.ID}}).Decode(t, &out)
	if out.Messages.TotalCount != 0 {
		t.Fatalf("Parramatta sees %d Sydney messages", out.Messages.TotalCount)
	}

	var tpls struct{ SmsTemplates []struct{ Key, Body string } }
	srv.MustGraphQL(t, adm, `{ smsTemplates { key body } }`, nil).Decode(t, &tpls)
	if len(tpls.SmsTemplates) != 6 || tpls.SmsTemplates[0].Key != "welcome" {
		t.Fatalf("templates %+v", tpls)
	}
	var pv struct {
		PreviewSMSTemplate struct {
			Body  string
			Count struct{ Segments, Units int }
		}
	}
	srv.MustGraphQL(t, adm, `query($c: ID!) { previewSMSTemplate(key: "reminder_24h", contactID: $c, body: "{{first_name}} at {{clinic}}") { body count { segments units } } }`,
		map[string]any{"c": ct.ID}).Decode(t, &pv)
	if pv.PreviewSMSTemplate.Body != ct.FirstName+" at Avatar Imaging Sydney" || pv.PreviewSMSTemplate.Count.Segments != 1 {
		t.Fatalf("preview %+v", pv)
	}
	if r := srv.GraphQL(t, adm, `{ previewSMSTemplate(key: "nope", contactID: "con_x") { body } }`, nil); r.FirstCode() != "NOT_FOUND" {
		t.Fatalf("unknown key: %+v", r.Errors)
	}
	var cnt struct {
		CountSMS struct {
			Encoding string
			Segments int
		}
	}
	srv.MustGraphQL(t, adm, `query($b: String!) { countSMS(body: $b) { encoding segments } }`, map[string]any{"b": strings.Repeat("é", 161)}).Decode(t, &cnt)
	if cnt.CountSMS.Encoding != "GSM-7" || cnt.CountSMS.Segments != 2 {
		t.Fatalf("count %+v", cnt)
	}
	r := srv.GraphQL(t, adm, `mutation { updateSMSTemplate(key: "welcome", input: {body: "Hi {{frist}}"}) { key } }`, nil)
	if r.FirstCode() != "INVALID" || r.Errors[0].Extensions["field"] != "body" {
		t.Fatalf("unknown variable: %+v", r.Errors)
	}
	srv.MustGraphQL(t, adm, `mutation { updateSMSTemplate(key: "welcome", input: {body: "Welcome {{first_name}}"}) { key body } }`, nil)
	var sch struct {
		Schedules []struct {
			Name     string
			Location *string
			NextRun  time.Time
		}
	}
	srv.MustGraphQL(t, adm, `{ schedules { name location nextRun } }`, nil).Decode(t, &sch)
	if len(sch.Schedules) < 5 || sch.Schedules[0].Name != "reminders" || sch.Schedules[0].NextRun.IsZero() {
		t.Fatalf("schedules %+v", sch)
	}

	// Staff may read messages, not templates; only automation:update edits.
	staff := srv.SignIn(t, "staff@example.com")
	srv.MustGraphQL(t, staff, `{ messages(first: 1) { totalCount } }`, nil)
	srv.MustGraphQL(t, staff, `{ smsTemplates { key } }`, nil) // the send box offers them
	for _, op := range []string{`{ schedules { name } }`, `mutation { updateSMSTemplate(key: "welcome", input: {body: "x"}) { key } }`} {
		if r := srv.GraphQL(t, staff, op, nil); r.FirstCode() != "FORBIDDEN" {
			t.Errorf("staff %s: %+v", op, r.Errors)
		}
	}
	mgr := srv.SignIn(t, "manager@example.com")
	srv.MustGraphQL(t, mgr, `mutation { updateSMSTemplate(key: "recall", input: {marketing: true}) { key } }`, nil)
}
