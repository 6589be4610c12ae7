package ui_test

// Both roads into the operations: every form the UI posts, as every demo
// role, must end as the matching GraphQL operation ends for that role. Two
// servers start from the same demo data; each role gets the same records
// to act on in both (made by an administrator through GraphQL); then each
// route is posted on one server and its operation run on the other.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/riverqueue/river"

	entlocation "github.com/avatarimaging/avatarcrm/ent/location"
	entmessage "github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/ui"
)

// roadFixture holds, for one role on one server, the IDs of the records its
// posts act on. Both servers get the same records under their own IDs.
type roadFixture struct {
	role    rbac.Role
	n       int
	user    string // the role's own user
	service string
	// Contacts: one to edit and move, one to archive, one archived to
	// restore, one to purge, and two to merge.
	contact, archive, archived, purge, mergeA, mergeB string
	// Bookings: pending ones to confirm, reschedule and cancel; confirmed
	// ones that have started, to complete and to mark as a no-show.
	pending, pending2, pending3, started, started2 string
	// A task assigned to the role's user; a staged import of theirs.
	task, staged string
	// Admin records: colleagues to change, remove, disable and enable, an
	// invitation, an exception, a token, a network rule.
	colleague, removable, disableMe, enableMe, invitation, override, token, ipRule string
	// Automation: a rule to edit, switch and dry-run; two jobs waiting a
	// year, to retry and to discard.
	rule, retryJob, discardJob string
	// Two-way SMS: a contact with a mobile and its conversation (made by
	// an admin's sendSMS), and an inbound STOP whose opt-out can be undone.
	smsContact, conversation, smsStop string
	// Integrations: a Wix service mapping to remove, a dead-lettered
	// ManyChat event to replay.
	wixService, webhookEvent string
	// Outbound webhooks: a subscription to test, rotate and enable, and
	// one to delete.
	webhook, webhookDel string
	// Reports: a saved report to run and one to delete.
	report, reportDel string
	// Email campaigns: a draft to edit, draft and test; drafts to schedule
	// and to send; a scheduled one to pause, a paused one to resume and a
	// scheduled one to cancel.
	campaign, campaignSchedule, campaignSend, campaignPause, campaignResume, campaignCancel string
}

// formRoute is one form the UI posts, and the GraphQL operation behind it.
type formRoute struct {
	// pattern is the route as the router registers it.
	pattern string
	path    func(f roadFixture) string
	form    func(f roadFixture) url.Values
	// file, if set, posts the form as multipart with this CSV as "file".
	file string
	gql  func(f roadFixture) (string, map[string]any)
	// upload posts the GraphQL operation as a multipart request with file.
	upload bool
}

// bookingSlot is the n-th role's slot on day d of April 2026, at 10:00 in
// Sydney: as the UI's date and time and as the API's instant.
func bookingSlot(n, d int) (date, clock string, at time.Time) {
	at = time.Date(2026, 4, 1+4*n+d, 10, 0, 0, 0, sydney)
	return at.Format("2006-01-02"), "10:00", at.UTC()
}

const importCSV = "First Name,Last Name,Mobile\nRoad,Tester,0491 570 110\n"

func idVar(id string) map[string]any { return map[string]any{"id": id} }

var formRoutes = []formRoute{
	// Contacts.
	{pattern: "/contacts/new", path: fixed("/contacts/new"),
		form: func(f roadFixture) url.Values { return url.Values{"first_name": {"Road " + string(f.role)}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($n: String!) { createContact(input: {firstName: $n}) { id } }`, map[string]any{"n": "Road " + string(f.role)}
		}},
	{pattern: "/contacts/bulk", path: fixed("/contacts/bulk"),
		form: func(f roadFixture) url.Values { return url.Values{"ids": {f.contact}, "add_tag": {"road"}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { bulkUpdateContacts(ids: [$id], input: {addTags: ["road"]}) { updated } }`, idVar(f.contact)
		}},
	{pattern: "/contacts/{id}/edit", path: func(f roadFixture) string { return "/contacts/" + f.contact + "/edit" },
		form: func(f roadFixture) url.Values {
			return url.Values{"first_name": {"Edited"}, "last_name": {"Road"}, "lead_source": {"walk_in"}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { updateContact(id: $id, input: {firstName: "Edited", lastName: "Road", leadSource: walk_in}) { id } }`, idVar(f.contact)
		}},
	{pattern: "/contacts/{id}/stage", path: func(f roadFixture) string { return "/contacts/" + f.contact + "/stage" },
		form: func(roadFixture) url.Values { return url.Values{"stage": {"contacted"}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { moveStage(contactID: $id, stage: contacted) { id } }`, idVar(f.contact)
		}},
	{pattern: "/contacts/{id}/touchpoints", path: func(f roadFixture) string { return "/contacts/" + f.contact + "/touchpoints" },
		form: func(roadFixture) url.Values {
			return url.Values{"channel": {"call"}, "direction": {"inbound"}, "text": {"Road call"}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { logTouchpoint(input: {contactID: $id, channel: call, direction: inbound, text: "Road call"}) { id } }`, idVar(f.contact)
		}},
	{pattern: "/contacts/{id}/archive", path: func(f roadFixture) string { return "/contacts/" + f.archive + "/archive" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { deleteContact(id: $id) }`, idVar(f.archive)
		}},
	{pattern: "/contacts/{id}/restore", path: func(f roadFixture) string { return "/contacts/" + f.archived + "/restore" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { restoreContact(id: $id) { id } }`, idVar(f.archived)
		}},
	{pattern: "/contacts/{id}/warmness", path: func(f roadFixture) string { return "/contacts/" + f.contact + "/warmness" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { recalculateWarmness(contactId: $id) { id } }`, idVar(f.contact)
		}},
	{pattern: "/admin/ai/budget", path: func(roadFixture) string { return "/admin/ai/budget" },
		form: func(roadFixture) url.Values { return url.Values{"dollars": {"25"}} },
		gql: func(roadFixture) (string, map[string]any) {
			return `mutation { setAIBudget(cents: 2500) { limitCents } }`, nil
		}},
	{pattern: "/admin/ai/try", path: func(roadFixture) string { return "/admin/ai/try" },
		form: func(roadFixture) url.Values { return url.Values{"text": {"yes see you then"}} },
		gql: func(roadFixture) (string, map[string]any) {
			return `query { classifySMS(text: "yes see you then") { intent } }`, nil
		}},
	{pattern: "/contacts/{id}/purge", path: func(f roadFixture) string { return "/contacts/" + f.purge + "/purge" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { purgeContact(id: $id) }`, idVar(f.purge)
		}},
	{pattern: "/contacts/{id}/merge", path: func(f roadFixture) string { return "/contacts/" + f.mergeA + "/merge" },
		form: func(f roadFixture) url.Values {
			return url.Values{"confirm": {"yes"}, "with": {f.mergeB}, "survivor": {f.mergeA}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($a: ID!, $b: ID!) { mergeContacts(survivorID: $a, duplicateIDs: [$b]) { id } }`, map[string]any{"a": f.mergeA, "b": f.mergeB}
		}},
	{pattern: "/contacts/import", path: fixed("/contacts/import"), form: none, file: importCSV,
		gql: func(roadFixture) (string, map[string]any) {
			return `mutation($file: Upload!) { stageContactImport(file: $file) { job { id } } }`, nil
		}, upload: true},
	{pattern: "/contacts/import/start", path: fixed("/contacts/import/start"),
		form: func(f roadFixture) url.Values {
			return url.Values{"token": {f.staged}, "map_0": {"first_name"}, "map_1": {"last_name"}, "map_2": {"phone"}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { startStagedContactImport(id: $id, mapping: [{column: "First Name", field: first_name}, {column: "Last Name", field: last_name}, {column: "Mobile", field: phone}]) { id } }`, idVar(f.staged)
		}},

	// Bookings.
	{pattern: "/bookings", path: fixed("/bookings"),
		form: func(f roadFixture) url.Values {
			date, clock, _ := bookingSlot(f.n, 3)
			return url.Values{"contact": {f.contact}, "service": {f.service}, "date": {date}, "time": {clock}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			_, _, at := bookingSlot(f.n, 3)
			// The UI's form ends it after the service's 30 minutes.
			return `mutation($c: ID!, $s: ID!, $at: Time!, $end: Time!) { createBooking(input: {contactID: $c, serviceID: $s, startsAt: $at, endsAt: $end}) { id } }`,
				map[string]any{"c": f.contact, "s": f.service, "at": at, "end": at.Add(30 * time.Minute)}
		}},
	{pattern: "/bookings/{id}/confirm", path: func(f roadFixture) string { return "/bookings/" + f.pending + "/confirm" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { confirmBooking(id: $id) { id } }`, idVar(f.pending)
		}},
	{pattern: "/bookings/{id}/reschedule", path: func(f roadFixture) string { return "/bookings/" + f.pending2 + "/reschedule" },
		form: func(f roadFixture) url.Values {
			date, clock, _ := bookingSlot(f.n, 2)
			return url.Values{"date": {date}, "time": {clock}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			_, _, at := bookingSlot(f.n, 2)
			return `mutation($id: ID!, $at: Time!) { rescheduleBooking(id: $id, startsAt: $at) { id } }`, map[string]any{"id": f.pending2, "at": at}
		}},
	{pattern: "/bookings/{id}/cancel", path: func(f roadFixture) string { return "/bookings/" + f.pending3 + "/cancel" },
		form: func(roadFixture) url.Values { return url.Values{"reason": {"other"}, "other": {"Road test"}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { cancelBooking(id: $id, reason: "Road test") { id } }`, idVar(f.pending3)
		}},
	{pattern: "/bookings/{id}/complete", path: func(f roadFixture) string { return "/bookings/" + f.started + "/complete" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { completeBooking(id: $id) { id } }`, idVar(f.started)
		}},
	{pattern: "/bookings/{id}/no-show", path: func(f roadFixture) string { return "/bookings/" + f.started2 + "/no-show" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { markNoShow(id: $id) { booking { id } } }`, idVar(f.started2)
		}},

	// Tasks.
	{pattern: "/tasks", path: fixed("/tasks"),
		form: func(f roadFixture) url.Values { return url.Values{"title": {"Road task " + string(f.role)}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($t: String!) { createTask(input: {title: $t}) { id } }`, map[string]any{"t": "Road task " + string(f.role)}
		}},
	{pattern: "/tasks/{id}/edit", path: func(f roadFixture) string { return "/tasks/" + f.task + "/edit" },
		form: func(roadFixture) url.Values { return url.Values{"title": {"Edited road task"}, "kind": {"general"}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { updateTask(id: $id, input: {title: "Edited road task", kind: general}) { id } }`, idVar(f.task)
		}},
	{pattern: "/tasks/{id}/status", path: func(f roadFixture) string { return "/tasks/" + f.task + "/status" },
		form: func(roadFixture) url.Values { return url.Values{"status": {"in_progress"}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { setTaskStatus(id: $id, status: in_progress) { id } }`, idVar(f.task)
		}},
	{pattern: "/tasks/{id}/priority", path: func(f roadFixture) string { return "/tasks/" + f.task + "/priority" },
		form: func(roadFixture) url.Values { return url.Values{"priority": {"high"}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { setTaskPriority(id: $id, priority: high) { id } }`, idVar(f.task)
		}},
	{pattern: "/tasks/{id}/assignee", path: func(f roadFixture) string { return "/tasks/" + f.task + "/assignee" },
		// To the role's own user: the task stays theirs for the next posts.
		form: func(f roadFixture) url.Values { return url.Values{"assignee": {f.user}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!, $u: ID!) { reassignTask(id: $id, userID: $u) { id } }`, map[string]any{"id": f.task, "u": f.user}
		}},
	{pattern: "/tasks/{id}/cancel", path: func(f roadFixture) string { return "/tasks/" + f.task + "/cancel" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { setTaskStatus(id: $id, status: cancelled) { id } }`, idVar(f.task)
		}},

	// Administration.
	{pattern: "/admin/users", path: fixed("/admin/users"),
		form: func(f roadFixture) url.Values {
			return url.Values{"email": {"road-new-" + string(f.role) + "@example.com"}, "role": {"viewer"}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($e: String!) { inviteUser(input: {email: $e, role: viewer}) { id } }`, map[string]any{"e": "road-new-" + string(f.role) + "@example.com"}
		}},
	{pattern: "/admin/users/{id}/role", path: func(f roadFixture) string { return "/admin/users/" + f.colleague + "/role" },
		form: func(roadFixture) url.Values { return url.Values{"role": {"staff"}, "skills": {"calls"}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($u: ID!) { setMemberRole(input: {userID: $u, role: staff, skills: ["calls"]}) { id } }`, map[string]any{"u": f.colleague}
		}},
	{pattern: "/admin/users/{id}/remove", path: func(f roadFixture) string { return "/admin/users/" + f.removable + "/remove" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($u: ID!) { removeMember(userID: $u) }`, map[string]any{"u": f.removable}
		}},
	{pattern: "/admin/users/{id}/disable", path: func(f roadFixture) string { return "/admin/users/" + f.disableMe + "/disable" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($u: ID!) { setUserDisabled(userID: $u, disabled: true) { id } }`, map[string]any{"u": f.disableMe}
		}},
	{pattern: "/admin/users/{id}/enable", path: func(f roadFixture) string { return "/admin/users/" + f.enableMe + "/enable" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($u: ID!) { setUserDisabled(userID: $u, disabled: false) { id } }`, map[string]any{"u": f.enableMe}
		}},
	{pattern: "/admin/invitations/{id}/revoke", path: func(f roadFixture) string { return "/admin/invitations/" + f.invitation + "/revoke" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { revokeInvitation(id: $id) }`, idVar(f.invitation)
		}},
	{pattern: "/admin/permissions", path: fixed("/admin/permissions"),
		// Re-grant what the default table grants: no change to anyone.
		form: func(roadFixture) url.Values {
			return url.Values{"role": {"viewer"}, "resource": {"contacts"}, "action": {"read"}, "grant": {"own_location_only"}}
		},
		gql: func(roadFixture) (string, map[string]any) {
			return `mutation { setPermission(input: {role: viewer, resource: contacts, action: read, allowed: true, condition: own_location_only}) { allowed } }`, nil
		}},
	{pattern: "/admin/permissions/overrides", path: fixed("/admin/permissions/overrides"),
		form: func(f roadFixture) url.Values {
			return url.Values{"userID": {f.colleague}, "resource": {"reports"}, "action": {"export"}, "effect": {"grant"}, "condition": {"own_location_only"}, "reason": {"road"}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($u: ID!) { setPermissionOverride(input: {userID: $u, resource: reports, action: export, effect: grant, reason: "road"}) { id } }`, map[string]any{"u": f.colleague}
		}},
	{pattern: "/admin/permissions/overrides/{id}/remove", path: func(f roadFixture) string { return "/admin/permissions/overrides/" + f.override + "/remove" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { removePermissionOverride(id: $id) }`, idVar(f.override)
		}},
	{pattern: "/admin/tokens", path: fixed("/admin/tokens"),
		form: func(f roadFixture) url.Values {
			return url.Values{"name": {"Road " + string(f.role)}, "userID": {f.colleague}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($n: String!, $u: ID!) { createAPIToken(input: {name: $n, userID: $u}) { token } }`, map[string]any{"n": "Road " + string(f.role), "u": f.colleague}
		}},
	{pattern: "/admin/tokens/{id}/revoke", path: func(f roadFixture) string { return "/admin/tokens/" + f.token + "/revoke" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { revokeAPIToken(id: $id) { id } }`, idVar(f.token)
		}},
	{pattern: "/admin/locations", path: fixed("/admin/locations"),
		form: func(f roadFixture) url.Values {
			return url.Values{"code": {fmt.Sprintf("RD%d", f.n)}, "name": {"Road " + string(f.role)}, "timeZone": {"Australia/Sydney"}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($c: String!, $n: String!) { createLocation(input: {code: $c, name: $n, timeZone: "Australia/Sydney"}) { id } }`,
				map[string]any{"c": fmt.Sprintf("RD%d", f.n), "n": "Road " + string(f.role)}
		}},
	{pattern: "/admin/network", path: fixed("/admin/network"),
		form: func(f roadFixture) url.Values {
			return url.Values{"cidr": {fmt.Sprintf("198.51.100.%d/32", 10+f.n)}, "note": {"road"}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($c: String!) { addIPRule(input: {cidr: $c, note: "road"}) { id } }`, map[string]any{"c": fmt.Sprintf("198.51.100.%d/32", 10+f.n)}
		}},
	// Messages: the SMS template editor.
	{pattern: "/messages/templates/{key}", path: fixed("/messages/templates/reminder_2h"),
		form: func(f roadFixture) url.Values {
			return url.Values{"name": {"Road " + string(f.role)}, "body": {"See you soon, {{first_name}}"}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($n: String!) { updateSMSTemplate(key: "reminder_2h", input: {name: $n, body: "See you soon, {{first_name}}", marketing: false}) { key } }`, map[string]any{"n": "Road " + string(f.role)}
		}},
	{pattern: "/messages/templates/{key}/preview", path: fixed("/messages/templates/welcome/preview"),
		form: func(f roadFixture) url.Values {
			return url.Values{"body": {"Hi {{first_name}}"}, "contact": {f.contact}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `query($id: ID!) { previewSMSTemplate(key: "welcome", contactID: $id, body: "Hi {{first_name}}") { body } }`, idVar(f.contact)
		}},
	// Two-way SMS: the send box, the inbox's done and assign, undoing what
	// a reply did, the SMS settings.
	{pattern: "/contacts/{id}/sms", path: func(f roadFixture) string { return "/contacts/" + f.smsContact + "/sms" },
		form: func(f roadFixture) url.Values { return url.Values{"body": {"Road " + string(f.role)}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($c: ID!, $b: String!) { sendSMS(contactID: $c, body: $b) { id } }`, map[string]any{"c": f.smsContact, "b": "Road " + string(f.role)}
		}},
	{pattern: "/inbox/{id}/assign", path: func(f roadFixture) string { return "/inbox/" + f.conversation + "/assign" },
		form: func(f roadFixture) url.Values { return url.Values{"assignee": {f.user}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!, $u: ID) { assignConversation(id: $id, assigneeID: $u) { id } }`, map[string]any{"id": f.conversation, "u": f.user}
		}},
	{pattern: "/inbox/{id}/done", path: func(f roadFixture) string { return "/inbox/" + f.conversation + "/done" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { markConversationDone(id: $id) { id } }`, idVar(f.conversation)
		}},
	{pattern: "/messages/{id}/undo", path: func(f roadFixture) string { return "/messages/" + f.smsStop + "/undo" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { undoSMSAction(messageID: $id) { id } }`, idVar(f.smsStop)
		}},
	{pattern: "/admin/sms", path: fixed("/admin/sms"),
		form: func(f roadFixture) url.Values { return url.Values{"intentThreshold": {"0.8"}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation { updateSMSSettings(intentThreshold: 0.8) { intentThreshold } }`, nil
		}},
	{pattern: "/admin/sms/rotate", path: fixed("/admin/sms/rotate"),
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation { rotateSMSWebhookToken { inboundURL } }`, nil
		}},
	// Email campaigns: the list's new draft, the editor and its draft
	// button, the test email, and the status buttons.
	{pattern: "/campaigns", path: fixed("/campaigns"),
		form: func(f roadFixture) url.Values {
			return url.Values{"name": {"Road " + string(f.role)}, "goal": {"recall"}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($n: String!) { createCampaign(input: {name: $n, goal: "recall"}) { id } }`, map[string]any{"n": "Road " + string(f.role)}
		}},
	{pattern: "/campaigns/{id}", path: func(f roadFixture) string { return "/campaigns/" + f.campaign },
		form: func(f roadFixture) url.Values {
			return url.Values{"name": {"Road edited"}, "goal": {"recall"}, "subject": {"Hi {{.FirstName}}"}, "htmlBody": {"<p>Hi {{.FirstName}}</p>"},
				"textBody": {"Hi {{.FirstName}}"}, "fromAddress": {"hello@avatar.example"}, "warmnessMin": {"90"}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { updateCampaign(id: $id, input: {name: "Road edited", goal: "recall", subject: "Hi {{.FirstName}}",
				htmlBody: "<p>Hi {{.FirstName}}</p>", textBody: "Hi {{.FirstName}}", fromName: "", fromAddress: "hello@avatar.example", audience: {warmnessMin: 90}}) { id } }`, idVar(f.campaign)
		}},
	{pattern: "/campaigns/{id}/draft", path: func(f roadFixture) string { return "/campaigns/" + f.campaign + "/draft" },
		form: func(f roadFixture) url.Values {
			return url.Values{"name": {"Road edited"}, "goal": {"recall"}, "draftTemplate": {"recall"}, "draftTone": {"friendly"}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation { generateCampaignDraft(input: {goal: "recall", template: "recall", tone: "friendly"}) { subject } }`, nil
		}},
	{pattern: "/campaigns/{id}/test", path: func(f roadFixture) string { return "/campaigns/" + f.campaign + "/test" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { sendTestEmail(id: $id) { messageID } }`, idVar(f.campaign)
		}},
	{pattern: "/campaigns/{id}/schedule", path: func(f roadFixture) string { return "/campaigns/" + f.campaignSchedule + "/schedule" },
		form: func(f roadFixture) url.Values { return url.Values{"at": {"2026-04-20T09:00"}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { scheduleCampaign(id: $id, local: "2026-04-20T09:00") { id } }`, idVar(f.campaignSchedule)
		}},
	{pattern: "/campaigns/{id}/send", path: func(f roadFixture) string { return "/campaigns/" + f.campaignSend + "/send" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { sendCampaign(id: $id) { id } }`, idVar(f.campaignSend)
		}},
	{pattern: "/campaigns/{id}/pause", path: func(f roadFixture) string { return "/campaigns/" + f.campaignPause + "/pause" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { pauseCampaign(id: $id) { id } }`, idVar(f.campaignPause)
		}},
	{pattern: "/campaigns/{id}/resume", path: func(f roadFixture) string { return "/campaigns/" + f.campaignResume + "/resume" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { resumeCampaign(id: $id) { id } }`, idVar(f.campaignResume)
		}},
	{pattern: "/campaigns/{id}/cancel", path: func(f roadFixture) string { return "/campaigns/" + f.campaignCancel + "/cancel" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { cancelCampaign(id: $id) { id } }`, idVar(f.campaignCancel)
		}},
	{pattern: "/admin/network/{id}/remove", path: func(f roadFixture) string { return "/admin/network/" + f.ipRule + "/remove" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { removeIPRule(id: $id) }`, idVar(f.ipRule)
		}},
	// Integrations (issue 16).
	{pattern: "/admin/integrations/wix-services", path: fixed("/admin/integrations/wix-services"),
		form: func(f roadFixture) url.Values {
			return url.Values{"wixServiceID": {"road-" + string(f.role)}, "wixName": {"Road"}, "serviceID": {f.service}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($w: String!, $s: ID!) { setWixService(input: {wixServiceID: $w, wixName: "Road", serviceID: $s}) { id } }`,
				map[string]any{"w": "road-" + string(f.role), "s": f.service}
		}},
	{pattern: "/admin/integrations/wix-services/{id}/remove", path: func(f roadFixture) string { return "/admin/integrations/wix-services/" + f.wixService + "/remove" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { deleteWixService(id: $id) }`, idVar(f.wixService)
		}},
	{pattern: "/admin/integrations/wix-sync", path: fixed("/admin/integrations/wix-sync"),
		form: func(f roadFixture) url.Values { return url.Values{"since": {fmt.Sprintf("2026-03-%02d", 1+f.n)}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($d: Date!) { syncWix(since: $d) { jobID } }`, map[string]any{"d": fmt.Sprintf("2026-03-%02d", 1+f.n)}
		}},
	{pattern: "/admin/integrations/events/{id}/replay", path: func(f roadFixture) string { return "/admin/integrations/events/" + f.webhookEvent + "/replay" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { replayWebhookEvent(id: $id) { id } }`, idVar(f.webhookEvent)
		}},
	// Outbound webhooks and the website lead form.
	{pattern: "/admin/webhooks", path: fixed("/admin/webhooks"),
		form: func(f roadFixture) url.Values {
			return url.Values{"url": {"https://hooks.example.com/new-" + string(f.role)}, "eventTypes": {"contact.created"}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($u: String!) { createWebhookSubscription(input: {url: $u, eventTypes: ["contact.created"]}) { secret } }`,
				map[string]any{"u": "https://hooks.example.com/new-" + string(f.role)}
		}},
	{pattern: "/admin/webhooks/{id}/test", path: func(f roadFixture) string { return "/admin/webhooks/" + f.webhook + "/test" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { sendTestWebhook(id: $id) { id } }`, idVar(f.webhook)
		}},
	{pattern: "/admin/webhooks/{id}/rotate", path: func(f roadFixture) string { return "/admin/webhooks/" + f.webhook + "/rotate" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, idVar(f.webhook)
		}},
	{pattern: "/admin/webhooks/{id}/enabled", path: func(f roadFixture) string { return "/admin/webhooks/" + f.webhook + "/enabled" },
		form: func(roadFixture) url.Values { return url.Values{"enabled": {"true"}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { updateWebhookSubscription(id: $id, input: {enabled: true}) { id } }`, idVar(f.webhook)
		}},
	{pattern: "/admin/webhooks/{id}/delete", path: func(f roadFixture) string { return "/admin/webhooks/" + f.webhookDel + "/delete" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { deleteWebhookSubscription(id: $id) }`, idVar(f.webhookDel)
		}},
	{pattern: "/admin/webhooks/lead-form", path: fixed("/admin/webhooks/lead-form"),
		form: func(roadFixture) url.Values { return url.Values{"origins": {"https://road.example.com"}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation { updateLeadFormSettings(origins: ["https://road.example.com"], doubleOptIn: false) { url } }`, nil
		}},
	{pattern: "/admin/webhooks/lead-form/rotate", path: fixed("/admin/webhooks/lead-form/rotate"),
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation { rotateLeadFormKey { url } }`, nil
		}},
	// Automation and jobs.
	{pattern: "/admin/automation", path: fixed("/admin/automation"),
		form: func(f roadFixture) url.Values {
			return url.Values{"name": {"Road new " + string(f.role)}, "trigger": {"contact.created"}, "condition": {`contact.pipeline == "lead"`},
				"delaySeconds": {"0"}, "actions": {`[{"type": "notify_staff", "message": "road"}]`}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($n: String!) { createAutomationRule(input: {name: $n, trigger: "contact.created", condition: "contact.pipeline == \"lead\"", delaySeconds: 0, actions: [{type: "notify_staff", message: "road"}]}) { id } }`,
				map[string]any{"n": "Road new " + string(f.role)}
		}},
	{pattern: "/admin/automation/{id}", path: func(f roadFixture) string { return "/admin/automation/" + f.rule },
		form: func(f roadFixture) url.Values {
			return url.Values{"name": {"Road " + string(f.role)}, "trigger": {"contact.created"}, "condition": {`contact.pipeline == "lead"`},
				"delaySeconds": {"0"}, "actions": {`[{"type": "notify_staff", "message": "road"}]`}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!, $n: String!) { updateAutomationRule(id: $id, input: {name: $n, trigger: "contact.created", condition: "contact.pipeline == \"lead\"", delaySeconds: 0, actions: [{type: "notify_staff", message: "road"}]}) { id } }`,
				map[string]any{"id": f.rule, "n": "Road " + string(f.role)}
		}},
	{pattern: "/admin/automation/{id}/enabled", path: func(f roadFixture) string { return "/admin/automation/" + f.rule + "/enabled" },
		form: func(roadFixture) url.Values { return url.Values{"enabled": {"true"}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { setAutomationRuleEnabled(id: $id, enabled: true) { id } }`, idVar(f.rule)
		}},
	{pattern: "/admin/automation/{id}/dry-run", path: func(f roadFixture) string { return "/admin/automation/" + f.rule + "/dry-run" },
		form: func(f roadFixture) url.Values { return url.Values{"contactID": {f.contact}} },
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($r: ID!, $c: ID!) { dryRunAutomationRule(ruleID: $r, contactID: $c) { id } }`, map[string]any{"r": f.rule, "c": f.contact}
		}},
	{pattern: "/admin/jobs/{id}/retry", path: func(f roadFixture) string { return "/admin/jobs/" + f.retryJob + "/retry" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { retryJob(id: $id) { id } }`, idVar(f.retryJob)
		}},
	{pattern: "/admin/jobs/{id}/discard", path: func(f roadFixture) string { return "/admin/jobs/" + f.discardJob + "/discard" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { discardJob(id: $id) { id } }`, idVar(f.discardJob)
		}},
	// Reports.
	{pattern: "/reports/save", path: fixed("/reports/save"),
		form: func(f roadFixture) url.Values {
			return url.Values{"name": {"Road " + string(f.role)}, "kind": {"NO_SHOWS"}, "period": {"LAST_MONTH"}, "compare": {"PREVIOUS_PERIOD"}, "by": {"WEEKDAY"}, "schedule": {"WEEKLY"}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($n: String!) { saveReport(input: {name: $n, request: {kind: NO_SHOWS, namedPeriod: LAST_MONTH, comparison: PREVIOUS_PERIOD, groupBy: [WEEKDAY]}, schedule: WEEKLY}) { id } }`,
				map[string]any{"n": "Road " + string(f.role)}
		}},
	{pattern: "/reports/subscription", path: fixed("/reports/subscription"),
		form: func(roadFixture) url.Values { return url.Values{"weekly": {"true"}} },
		gql: func(roadFixture) (string, map[string]any) {
			return `mutation { setReportSubscription(weekly: true) { weekly } }`, nil
		}},
	{pattern: "/reports/saved/{id}/run", path: func(f roadFixture) string { return "/reports/saved/" + f.report + "/run" },
		form: none, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { runReport(id: $id) { id } }`, idVar(f.report)
		}},
	{pattern: "/reports/saved/{id}/delete", path: func(f roadFixture) string { return "/reports/saved/" + f.reportDel + "/delete" },
		form: confirm, gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($id: ID!) { deleteReport(id: $id) }`, idVar(f.reportDel)
		}},
	{pattern: "/reports/ad-spend", path: fixed("/reports/ad-spend"),
		form: func(f roadFixture) url.Values {
			return url.Values{"from": {"2026-01"}, fmt.Sprintf("spend.meta_ads.2026-0%d", 1+f.n): {"1200.50"}}
		},
		gql: func(f roadFixture) (string, map[string]any) {
			return `mutation($m: String!) { setAdSpend(source: meta_ads, month: $m, cents: 120050) { cents } }`, map[string]any{"m": fmt.Sprintf("2026-0%d", 1+f.n)}
		}},
}

func fixed(p string) func(roadFixture) string { return func(roadFixture) string { return p } }
func none(roadFixture) url.Values             { return url.Values{} }
func confirm(roadFixture) url.Values          { return url.Values{"confirm": {"yes"}} }
func roadRoles() []rbac.Role                  { return []rbac.Role{rbac.Admin, rbac.Manager, rbac.Staff, rbac.Viewer} }
func roadEmail(role rbac.Role, what string) string {
	return "road-" + what + "-" + string(role) + "@example.com"
}

// TestEveryFormRouteHasItsOperation: the table above covers every POST
// route the UI registers, so a new form cannot skip the comparison.
func TestEveryFormRouteHasItsOperation(t *testing.T) {
	r := chi.NewRouter()
	ui.New(graph.NewOps(&graph.Resolver{}), ui.Options{}).Routes(r)
	var covered []string
	for _, fr := range formRoutes {
		covered = append(covered, fr.pattern)
	}
	err := chi.Walk(r, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodPost && !strings.HasPrefix(route, "/static/") && !slices.Contains(covered, route) {
			t.Errorf("POST %s has no entry in formRoutes: add the GraphQL operation it runs", route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFormRoutesMatchGraphQL posts every UI form as every demo role and
// runs the matching GraphQL operation as the same role on a twin server:
// both roads must end alike (done, FORBIDDEN, INVALID, …). An
// administrator may do all of it and a viewer none, so the comparison is
// never of two failures of the test's own making.
func TestFormRoutesMatchGraphQL(t *testing.T) {
	uiClock, apiClock := &roadClock{at: testutil.Now}, &roadClock{at: testutil.Now}
	// The Wix sync needs the Wix API configured (a closed local port: the
	// sync jobs it queues fail fast, nobody waits for them).
	wixEnv := map[string]string{"AVATARCRM_WIX_API_KEY": "road", "AVATARCRM_WIX_API_BASE_URL": "http://127.0.0.1:9"}
	uiSrv := testutil.StartServer(t, testutil.ServerOptions{Now: uiClock.Now, Env: wixEnv})
	apiSrv := testutil.StartServer(t, testutil.ServerOptions{Now: apiClock.Now, Env: wixEnv})
	uiFx, apiFx := prepareRoads(t, uiSrv, uiClock), prepareRoads(t, apiSrv, apiClock)
	for i, role := range roadRoles() {
		uc := uiSrv.SignIn(t, roadEmail(role, "user"))
		ac := apiSrv.SignIn(t, roadEmail(role, "user"))
		for _, fr := range formRoutes {
			got := postOutcome(t, uiSrv, uc, fr, uiFx[i])
			want := gqlOutcome(t, apiSrv, ac, fr, apiFx[i])
			t.Logf("%-7s POST %-42s %s", role, fr.pattern, want)
			if got != want {
				t.Errorf("%s POST %s: the UI ends %s, the API %s", role, fr.pattern, got, want)
			}
			switch {
			case role == rbac.Admin && want != "done":
				t.Errorf("admin POST %s: %s, want done (the fixture is wrong)", fr.pattern, want)
			case role == rbac.Viewer && want != "FORBIDDEN":
				t.Errorf("viewer POST %s: %s, want FORBIDDEN", fr.pattern, want)
			}
		}
	}
}

// postOutcome posts the route's form and names how it ended: done, or the
// error code its status stands for.
func postOutcome(t *testing.T, srv *testutil.Server, c *http.Client, fr formRoute, f roadFixture) string {
	t.Helper()
	var req *http.Request
	if fr.file != "" {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		part, _ := w.CreateFormFile("file", "road.csv")
		_, _ = part.Write([]byte(fr.file))
		_ = w.Close()
		req, _ = http.NewRequest(http.MethodPost, srv.URL+fr.path(f), &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
	} else {
		req, _ = http.NewRequest(http.MethodPost, srv.URL+fr.path(f), strings.NewReader(fr.form(f).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	switch s := resp.StatusCode; {
	case s < 400:
		return "done"
	case s == http.StatusForbidden:
		return "FORBIDDEN"
	case s == http.StatusNotFound:
		return "NOT_FOUND"
	case s == http.StatusConflict:
		return "CONFLICT"
	case s == http.StatusUnprocessableEntity:
		return "INVALID"
	case s == http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	default:
		return fmt.Sprintf("status %d", s)
	}
}

// gqlOutcome runs the route's operation and names how it ended.
func gqlOutcome(t *testing.T, srv *testutil.Server, c *http.Client, fr formRoute, f roadFixture) string {
	t.Helper()
	q, vars := fr.gql(f)
	var r testutil.GQLResponse
	if fr.upload {
		r = uploadGQL(t, srv, c, q, fr.file)
	} else {
		r = srv.GraphQL(t, c, q, vars)
	}
	if len(r.Errors) == 0 {
		return "done"
	}
	return r.FirstCode()
}

// uploadGQL posts a GraphQL multipart request with content as $file.
func uploadGQL(t *testing.T, srv *testutil.Server, c *http.Client, query, content string) testutil.GQLResponse {
	t.Helper()
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"file": nil}})
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("operations", string(ops))
	_ = w.WriteField("map", `{"0": ["variables.file"]}`)
	part, _ := w.CreateFormFile("0", "road.csv")
	_, _ = part.Write([]byte(content))
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out testutil.GQLResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("upload: status %d: %v", resp.StatusCode, err)
	}
	return out
}

// prepareRoads makes, as the demo administrator, each role's user and the
// records its posts act on.
// roadClock is a server clock prepareRoads turns back to book the visits
// that have started as they were booked: before they began (createBooking
// refuses a booking that has ended unless it is a past visit).
type roadClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *roadClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *roadClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = t
}

func prepareRoads(t *testing.T, srv *testutil.Server, clk *roadClock) []roadFixture {
	t.Helper()
	admin := srv.SignIn(t, "admin@example.com")
	gql := func(q string, vars map[string]any, out any) {
		t.Helper()
		r := srv.MustGraphQL(t, admin, q, vars)
		if out != nil {
			r.Decode(t, out)
		}
	}
	// The test's own address first, so no rule locks it out.
	gql(`mutation { addIPRule(input: {cidr: "127.0.0.1/32", note: "tests"}) { id } }`, nil, nil)
	var svc struct {
		Services struct {
			Edges []struct{ Node struct{ ID, Name string } }
		}
	}
	gql(`{ services(first: 20) { edges { node { id name } } } }`, nil, &svc)
	services := map[string]string{}
	for _, e := range svc.Services.Edges {
		services[e.Node.Name] = e.Node.ID
	}
	member := func(email string, role rbac.Role) string {
		t.Helper()
		gql(`mutation($e: String!, $r: Role!) { inviteUser(input: {email: $e, name: "Road", role: $r}) { id } }`, map[string]any{"e": email, "r": string(role)}, nil)
		var me struct {
			Me struct{ User struct{ ID string } }
		}
		srv.MustGraphQL(t, srv.SignIn(t, email), `{ me { user { id } } }`, nil).Decode(t, &me)
		return me.Me.User.ID
	}
	contact := func(name string) string {
		t.Helper()
		var out struct{ CreateContact struct{ ID string } }
		gql(`mutation($n: String!) { createContact(input: {firstName: $n, lastName: "Road"}, allowDuplicate: true) { id } }`, map[string]any{"n": name}, &out)
		return out.CreateContact.ID
	}
	booking := func(contact, service string, at time.Time, confirm bool) string {
		t.Helper()
		var out struct{ CreateBooking struct{ ID string } }
		if at.Before(testutil.Now) {
			clk.set(at.Add(-time.Hour))
		}
		gql(`mutation($c: ID!, $s: ID!, $at: Time!, $end: Time!) { createBooking(input: {contactID: $c, serviceID: $s, startsAt: $at, endsAt: $end}) { id } }`,
			map[string]any{"c": contact, "s": service, "at": at, "end": at.Add(20 * time.Minute)}, &out)
		clk.set(testutil.Now)
		if confirm {
			gql(`mutation($id: ID!) { confirmBooking(id: $id) { id } }`, idVar(out.CreateBooking.ID), nil)
		}
		return out.CreateBooking.ID
	}
	var out []roadFixture
	for n, role := range roadRoles() {
		f := roadFixture{role: role, n: n, service: services["MRI Knee"]}
		f.user = member(roadEmail(role, "user"), role)
		f.colleague = member(roadEmail(role, "colleague"), rbac.Viewer)
		f.removable = member(roadEmail(role, "removable"), rbac.Viewer)
		f.disableMe = member(roadEmail(role, "disable"), rbac.Viewer)
		f.enableMe = member(roadEmail(role, "enable"), rbac.Viewer)
		gql(`mutation($u: ID!) { setUserDisabled(userID: $u, disabled: true) { id } }`, map[string]any{"u": f.enableMe}, nil)
		var inv struct{ InviteUser struct{ ID string } }
		gql(`mutation($e: String!) { inviteUser(input: {email: $e, role: viewer}) { id } }`, map[string]any{"e": roadEmail(role, "invited")}, &inv)
		f.invitation = inv.InviteUser.ID
		var ov struct{ SetPermissionOverride struct{ ID string } }
		gql(`mutation($u: ID!) { setPermissionOverride(input: {userID: $u, resource: reports, action: export, effect: deny, reason: "road"}) { id } }`, map[string]any{"u": f.removable}, &ov)
		f.override = ov.SetPermissionOverride.ID
		var tok struct {
			CreateAPIToken struct{ APIToken struct{ ID string } }
		}
		gql(`mutation($u: ID!) { createAPIToken(input: {name: "Road", userID: $u}) { apiToken { id } } }`, map[string]any{"u": f.colleague}, &tok)
		f.token = tok.CreateAPIToken.APIToken.ID
		var ip struct{ AddIPRule struct{ ID string } }
		gql(`mutation($c: String!) { addIPRule(input: {cidr: $c}) { id } }`, map[string]any{"c": fmt.Sprintf("203.0.113.%d/32", 10+n)}, &ip)
		f.ipRule = ip.AddIPRule.ID
		var wh, whd struct {
			CreateWebhookSubscription struct{ Subscription struct{ ID string } }
		}
		gql(`mutation { createWebhookSubscription(input: {url: "https://hooks.example.com/road", eventTypes: ["booking.no_show"], enabled: false}) { subscription { id } } }`, nil, &wh)
		gql(`mutation { createWebhookSubscription(input: {url: "https://hooks.example.com/gone", eventTypes: ["booking.no_show"], enabled: false}) { subscription { id } } }`, nil, &whd)
		f.webhook, f.webhookDel = wh.CreateWebhookSubscription.Subscription.ID, whd.CreateWebhookSubscription.Subscription.ID

		f.contact, f.archive, f.purge = contact("Edit"), contact("Archive"), contact("Purge")
		f.archived = contact("Archived")
		gql(`mutation($id: ID!) { deleteContact(id: $id) }`, idVar(f.archived), nil)
		f.mergeA, f.mergeB = contact("Merge"), contact("Merge")

		_, _, d0 := bookingSlot(n, 0)
		_, _, d1 := bookingSlot(n, 1)
		f.pending = booking(f.contact, services["MRI Knee"], d0, false)
		f.pending2 = booking(f.contact, services["CT Chest"], d0, false)
		f.pending3 = booking(f.contact, services["X-Ray Chest"], d1, false)
		// Started: an hour apart per role, on resources of their own.
		started := testutil.Now.Add(-time.Duration(2+n) * time.Hour)
		f.started = booking(f.contact, services["Ultrasound Abdomen"], started, true)
		f.started2 = booking(f.contact, services["DEXA Bone Density"], started, true)

		var tk struct{ CreateTask struct{ ID string } }
		gql(`mutation($u: ID!) { createTask(input: {title: "Road", assigneeID: $u}) { id } }`, map[string]any{"u": f.user}, &tk)
		f.task = tk.CreateTask.ID

		// A staged import of the role's own (only its uploader may start
		// it); roles that may not import get an ID nobody staged.
		f.staged = "imp_01ROADNOTSTAGED0000000000"
		if rbac.Default.Decide(role, rbac.Contacts, rbac.Create).Allowed {
			var st struct {
				StageContactImport struct{ Job struct{ ID string } }
			}
			r := uploadGQL(t, srv, srv.SignIn(t, roadEmail(role, "user")), `mutation($file: Upload!) { stageContactImport(file: $file) { job { id } } }`, importCSV)
			if len(r.Errors) > 0 {
				t.Fatalf("stage an import as %s: %+v", role, r.Errors)
			}
			r.Decode(t, &st)
			f.staged = st.StageContactImport.Job.ID
		}
		var rules struct {
			AutomationRules []struct{ ID, DefaultKey string }
		}
		gql(`{ automationRules { id defaultKey } }`, nil, &rules)
		for _, r := range rules.AutomationRules {
			if r.DefaultKey == "post_appointment" {
				f.rule = r.ID
			}
		}
		f.smsContact, f.conversation, f.smsStop = roadSMS(t, srv, admin, n)
		f.campaign, f.campaignSchedule, f.campaignSend = roadCampaign(t, srv, admin, ""), roadCampaign(t, srv, admin, ""), roadCampaign(t, srv, admin, "")
		f.campaignPause, f.campaignCancel = roadCampaign(t, srv, admin, "schedule"), roadCampaign(t, srv, admin, "schedule")
		f.campaignResume = roadCampaign(t, srv, admin, "pause")
		f.retryJob, f.discardJob = waitingJob(t, srv, fmt.Sprintf("retry%d", n)), waitingJob(t, srv, fmt.Sprintf("discard%d", n))
		var ws struct{ SetWixService struct{ ID string } }
		gql(`mutation($w: String!, $s: ID!) { setWixService(input: {wixServiceID: $w, serviceID: $s}) { id } }`,
			map[string]any{"w": fmt.Sprintf("road-rm-%d", n), "s": f.service}, &ws)
		f.wixService = ws.SetWixService.ID
		f.webhookEvent = deadEvent(t, srv, n)
		f.report, f.reportDel = savedReport(t, srv, admin, "Run "+string(role)), savedReport(t, srv, admin, "Delete "+string(role))
		out = append(out, f)
	}
	return out
}

// deadEvent stores, at the demo location, a dead-lettered ManyChat event
// (a subscriber of the n-th role) for the replay route.
func deadEvent(t *testing.T, srv *testutil.Server, n int) string {
	t.Helper()
	ctx := viewer.Seed.Grant(context.Background(), "test")
	loc, err := srv.App.DB.Client.Location.Query().Where(entlocation.Code("SYD")).OnlyID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := srv.App.DB.Client.WebhookEvent.Create().SetLocationID(loc).SetSource("manychat").SetKind("subscriber").
		SetEventID(fmt.Sprintf("road-%d", n)).SetPayload(fmt.Sprintf(`{"id":"road-%d","first_name":"Road replay %d"}`, n, n)).
		SetStatus("dead").SetAttempts(3).SetLastError("road").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return ev.ID.String()
}

// savedReport saves, as admin, a report for a role's posts to act on.
func savedReport(t *testing.T, srv *testutil.Server, admin *http.Client, name string) string {
	t.Helper()
	var out struct{ SaveReport struct{ ID string } }
	srv.MustGraphQL(t, admin, `mutation($n: String!) { saveReport(input: {name: $n, request: {kind: FUNNEL, namedPeriod: LAST_MONTH}}) { id } }`,
		map[string]any{"n": name}).Decode(t, &out)
	return out.SaveReport.ID
}

// waitingJob enqueues, at the demo location, a job that waits a year (an
// automation event job for an event that does not exist: it completes
// doing nothing if it runs), and returns its ID.
func waitingJob(t *testing.T, srv *testutil.Server, name string) string {
	t.Helper()
	ctx := viewer.Seed.Grant(context.Background(), "test")
	loc, err := srv.App.DB.Client.Location.Query().Where(entlocation.Code("SYD")).OnlyID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := srv.App.Jobs.EnqueueAlone(ctx, events.Args{EventID: pulid.ID("evt_road" + name), LocationID: loc},
		&river.InsertOpts{ScheduledAt: time.Now().Add(365 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(res.ID, 10)
}

// roadSMS makes the n-th role's SMS records: a contact with a mobile and
// the conversation an admin's text starts with it, and another contact
// whose STOP (through the real webhook) opted them out, an action that
// can be undone.
func roadSMS(t *testing.T, srv *testutil.Server, admin *http.Client, n int) (contactID, conversationID, stopID string) {
	t.Helper()
	mobile := func(name, phone string) string {
		var out struct{ CreateContact struct{ ID string } }
		srv.MustGraphQL(t, admin, `mutation($n: String!, $p: String!) { createContact(input: {firstName: $n, lastName: "Road", phone: $p, smsConsent: true}, allowDuplicate: true) { id } }`,
			map[string]any{"n": name, "p": phone}).Decode(t, &out)
		return out.CreateContact.ID
	}
	contactID = mobile("Texter", fmt.Sprintf("+6149157014%d", n))
	srv.MustGraphQL(t, admin, `mutation($c: ID!) { sendSMS(contactID: $c, body: "Road test") { id } }`, map[string]any{"c": contactID})
	var cv struct{ Conversation struct{ ID string } }
	srv.MustGraphQL(t, admin, `query($c: ID!) { conversation(contactID: $c) { id } }`, map[string]any{"c": contactID}).Decode(t, &cv)
	conversationID = cv.Conversation.ID
	phone := fmt.Sprintf("+6149157015%d", n)
	stopper := pulid.ID(mobile("Stopper", phone))
	if s := postInbound(t, srv, smsToken(t, srv), phone, "STOP", fmt.Sprintf("IN-ROAD-%d", n)); s != http.StatusOK {
		t.Fatalf("inbound STOP: %d", s)
	}
	sys := viewer.Operator.Grant(context.Background(), "roads")
	waitConversation(t, srv, sys, stopper, 1)
	m, err := srv.App.Ent.Ent.Message.Query().Where(entmessage.ContactID(stopper), entmessage.ActionEQ(entmessage.ActionOptedOut)).Only(sys)
	if err != nil {
		t.Fatalf("the STOP did not opt out: %v", err)
	}
	return contactID, conversationID, m.ID.String()
}

// roadCampaign makes a draft campaign to a few warm contacts as an admin,
// then (state "schedule") schedules it a month ahead, or (state "pause")
// schedules and pauses it, and returns its ID.
func roadCampaign(t *testing.T, srv *testutil.Server, admin *http.Client, state string) string {
	t.Helper()
	var out struct{ CreateCampaign struct{ ID string } }
	srv.MustGraphQL(t, admin, `mutation { createCampaign(input: {name: "Road", goal: "recall", audience: {warmnessMin: 90},
		subject: "Hi {{.FirstName}}", htmlBody: "<p>Hi {{.FirstName}}</p>", textBody: "Hi {{.FirstName}}", fromAddress: "hello@avatar.example"}) { id } }`, nil).Decode(t, &out)
	id := out.CreateCampaign.ID
	if state == "schedule" || state == "pause" {
		srv.MustGraphQL(t, admin, `mutation($id: ID!) { scheduleCampaign(id: $id, local: "2026-04-20T09:00") { id } }`, idVar(id))
	}
	if state == "pause" {
		srv.MustGraphQL(t, admin, `mutation($id: ID!) { pauseCampaign(id: $id) { id } }`, idVar(id))
	}
	return id
}
