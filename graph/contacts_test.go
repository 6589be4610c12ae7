package graph_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// upload posts a GraphQL multipart request (the GraphQL multipart request
// spec) with one file in the variable named file.
func upload(t *testing.T, srv *testutil.Server, c *http.Client, query string, vars map[string]any, name, content string) testutil.GQLResponse {
	t.Helper()
	if vars == nil {
		vars = map[string]any{}
	}
	vars["file"] = nil
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("operations", string(ops))
	_ = w.WriteField("map", `{"0": ["variables.file"]}`)
	part, _ := w.CreateFormFile("0", name)
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
		t.Fatalf("status %d: %v", resp.StatusCode, err)
	}
	return out
}

func newContact(t *testing.T, srv *testutil.Server, c *http.Client, in map[string]any) string {
	t.Helper()
	var out struct{ CreateContact struct{ ID string } }
	srv.MustGraphQL(t, c, `mutation($in: CreateContactInput!) { createContact(input: $in, allowDuplicate: true) { id } }`,
		map[string]any{"in": in}).Decode(t, &out)
	return out.CreateContact.ID
}

func parContactID(t *testing.T, srv *testutil.Server) string {
	t.Helper()
	var out struct {
		Contacts struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	srv.MustGraphQL(t, srv.SignIn(t, "par-staff@example.com"), `{ contacts(first: 1) { edges { node { id } } } }`, nil).Decode(t, &out)
	return out.Contacts.Edges[0].Node.ID
}

func TestCreateContactDuplicates(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	first := newContact(t, srv, staff, map[string]any{"firstName": "Ada", "lastName": "Lovelace", "phone": "0412 555 019",
		"email": "Ada@Example.com", "dateOfBirth": "1985-12-10"})
	create := `mutation($in: CreateContactInput!, $allow: Boolean) { createContact(input: $in, allowDuplicate: $allow) { id phone } }`

	for _, tc := range []struct {
		name, on string
		in       map[string]any
	}{
		{"ErrPhoneTypedDifferently", "phone", map[string]any{"firstName": "A", "phone": "+61 412 555 019"}},
		{"ErrEmailCase", "email", map[string]any{"firstName": "A", "email": "ADA@example.COM"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.GraphQL(t, staff, create, map[string]any{"in": tc.in})
			if r.FirstCode() != "CONFLICT" {
				t.Fatalf("code %q (%+v)", r.FirstCode(), r.Errors)
			}
			ext := r.Errors[0].Extensions
			if ext["duplicateOf"] != first || ext["matchedOn"] != tc.on || ext["field"] != tc.on {
				t.Fatalf("extensions %v", ext)
			}
		})
	}
	t.Run("OK_AllowDuplicate", func(t *testing.T) {
		srv.MustGraphQL(t, staff, create, map[string]any{"in": map[string]any{"firstName": "A", "phone": "0412555019"}, "allow": true})
	})
	t.Run("FindDuplicates", func(t *testing.T) {
		twin := newContact(t, srv, staff, map[string]any{"firstName": "ada", "lastName": "LOVELACE", "dateOfBirth": "1985-12-10"})
		var out struct {
			FindDuplicates []struct {
				Contact   struct{ ID string }
				MatchedOn []string
			}
		}
		srv.MustGraphQL(t, staff, `query($id: ID!) { findDuplicates(contactID: $id) { contact { id } matchedOn } }`, map[string]any{"id": first}).Decode(t, &out)
		if len(out.FindDuplicates) != 2 || out.FindDuplicates[1].Contact.ID != twin || out.FindDuplicates[1].MatchedOn[0] != "name_dob" {
			t.Fatalf("findDuplicates %+v", out.FindDuplicates)
		}
		var of struct {
			DuplicatesOf []struct{ MatchedOn []string }
		}
		srv.MustGraphQL(t, staff, `{ duplicatesOf(phone: "0412 555 019", email: "ada@example.com") { matchedOn } }`, nil).Decode(t, &of)
		if len(of.DuplicatesOf) != 2 || strings.Join(of.DuplicatesOf[0].MatchedOn, ",") != "phone,email" {
			t.Fatalf("duplicatesOf %+v", of.DuplicatesOf)
		}
	})
}

func TestArchiveRestorePurgeContact(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff, mgr, admin := srv.SignIn(t, "staff@example.com"), srv.SignIn(t, "manager@example.com"), srv.SignIn(t, "admin@example.com")
	id := newContact(t, srv, staff, map[string]any{"firstName": "Archie", "lastName": "Vale"})
	srv.MustGraphQL(t, staff, `mutation($id: ID!) { createTouchpoint(input: {contactID: $id, kind: sms_in, summary: "Hi"}) { id } }`, map[string]any{"id": id})
	count := func(where map[string]any) int {
		var out struct{ Contacts struct{ TotalCount int } }
		srv.MustGraphQL(t, staff, `query($w: ContactWhereInput) { contacts(where: $w) { totalCount } }`, map[string]any{"w": where}).Decode(t, &out)
		return out.Contacts.TotalCount
	}
	all := count(nil)
	srv.MustGraphQL(t, mgr, `mutation($id: ID!) { deleteContact(id: $id) }`, map[string]any{"id": id})
	if n := count(nil); n != all-1 {
		t.Fatalf("after archiving the list has %d, want %d", n, all-1)
	}
	if n := count(map[string]any{"id": id, "archivedAtNotNil": true}); n != 1 {
		t.Fatalf("archivedAtNotNil finds %d", n)
	}
	r := srv.GraphQL(t, staff, `mutation($id: ID!) { restoreContact(id: $id) { id } }`, map[string]any{"id": id})
	if r.FirstCode() != "FORBIDDEN" {
		t.Fatalf("staff restore: %q", r.FirstCode())
	}
	var restored struct {
		RestoreContact struct{ ArchivedAt *string }
	}
	srv.MustGraphQL(t, mgr, `mutation($id: ID!) { restoreContact(id: $id) { archivedAt } }`, map[string]any{"id": id}).Decode(t, &restored)
	if restored.RestoreContact.ArchivedAt != nil || count(nil) != all {
		t.Fatalf("restore: %+v, list %d of %d", restored, count(nil), all)
	}

	purge := `mutation($id: ID!) { purgeContact(id: $id) }`
	if r := srv.GraphQL(t, mgr, purge, map[string]any{"id": id}); r.FirstCode() != "FORBIDDEN" {
		t.Fatalf("manager purge: %q (%+v)", r.FirstCode(), r.Errors)
	}
	if r := srv.GraphQL(t, admin, purge, map[string]any{"id": parContactID(t, srv)}); r.FirstCode() != "NOT_FOUND" {
		t.Fatalf("purge of a PAR contact from SYD: %q", r.FirstCode())
	}
	srv.MustGraphQL(t, admin, purge, map[string]any{"id": id})
	if r := srv.GraphQL(t, admin, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}); r.FirstCode() != "NOT_FOUND" {
		t.Fatalf("purged contact: %s %+v", r.Data, r.Errors)
	}
	var tps struct{ Touchpoints struct{ TotalCount int } }
	srv.MustGraphQL(t, admin, `query($id: ID!) { touchpoints(where: {contactID: $id}) { totalCount } }`, map[string]any{"id": id}).Decode(t, &tps)
	if tps.Touchpoints.TotalCount != 0 {
		t.Fatal("purge left touchpoints")
	}
}

func TestMergeContacts(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff, mgr := srv.SignIn(t, "staff@example.com"), srv.SignIn(t, "manager@example.com")
	survivor := newContact(t, srv, staff, map[string]any{"firstName": "Olivia", "lastName": "Smith", "phone": "0412 555 019", "tags": []string{"vip"}})
	dup := newContact(t, srv, staff, map[string]any{"firstName": "Liv", "lastName": "Smith", "email": "liv@example.com", "tags": []string{"mri"}})
	srv.MustGraphQL(t, staff, `mutation($id: ID!) { createTouchpoint(input: {contactID: $id, kind: call_in, summary: "Asked about cost"}) { id } }`, map[string]any{"id": dup})
	merge := `mutation($s: ID!, $d: [ID!]!) { mergeContacts(survivorID: $s, duplicateIDs: $d) { id email tags touchpoints { edges { node { kind } } } } }`

	for _, tc := range []struct {
		name, who, code string
		dups            []string
	}{
		{"ErrStaffForbidden", "staff", "FORBIDDEN", []string{dup}},
		{"ErrSelf", "manager", "INVALID", []string{survivor}},
		{"ErrOtherLocation", "manager", "NOT_FOUND", []string{parContactID(t, srv)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mgr
			if tc.who == "staff" {
				c = staff
			}
			if r := srv.GraphQL(t, c, merge, map[string]any{"s": survivor, "d": tc.dups}); r.FirstCode() != tc.code {
				t.Fatalf("code %q, want %s (%+v)", r.FirstCode(), tc.code, r.Errors)
			}
		})
	}
	var out struct {
		MergeContacts struct {
			ID, Email   string
			Tags        []string
			Touchpoints struct {
				Edges []struct{ Node struct{ Kind string } }
			}
		}
	}
	srv.MustGraphQL(t, mgr, merge, map[string]any{"s": survivor, "d": []string{dup}}).Decode(t, &out)
	m := out.MergeContacts
	// The duplicate's call and the merge note (and the survivor's welcome
	// SMS, when the automation's job has sent it by now).
	var kinds []string
	for _, e := range m.Touchpoints.Edges {
		if e.Node.Kind != "sms_out" {
			kinds = append(kinds, e.Node.Kind)
		}
	}
	if m.ID != survivor || m.Email != "liv@example.com" || strings.Join(m.Tags, ",") != "vip,mri" || len(kinds) != 2 {
		t.Fatalf("merged: %+v", m)
	}
	var node struct {
		Node struct {
			ArchivedAt   *string
			MergedIntoID *string
		}
	}
	srv.MustGraphQL(t, mgr, `query($id: ID!) { node(id: $id) { ... on Contact { archivedAt mergedIntoID } } }`, map[string]any{"id": dup}).Decode(t, &node)
	if node.Node.ArchivedAt == nil || node.Node.MergedIntoID == nil || *node.Node.MergedIntoID != survivor {
		t.Fatalf("duplicate after merge: %+v", node.Node)
	}
}

func TestBulkUpdateContacts(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	var me struct {
		Me struct{ User struct{ ID string } }
	}
	srv.MustGraphQL(t, staff, `{ me { user { id } } }`, nil).Decode(t, &me)
	a := newContact(t, srv, staff, map[string]any{"firstName": "Ann", "tags": []string{"cold"}})
	b := newContact(t, srv, staff, map[string]any{"firstName": "Bob"})
	par := parContactID(t, srv)
	var out struct {
		BulkUpdateContacts struct {
			Updated, Failed int
			Errors          []struct{ ID, Code string }
		}
	}
	srv.MustGraphQL(t, staff, `mutation($ids: [ID!]!, $u: ID) { bulkUpdateContacts(ids: $ids, input: {assignTo: $u, addTags: ["vip"], removeTags: ["cold"], stage: contacted}) {
		updated failed errors { id code } } }`, map[string]any{"ids": []string{a, b, par}, "u": me.Me.User.ID}).Decode(t, &out)
	res := out.BulkUpdateContacts
	if res.Updated != 2 || res.Failed != 1 || res.Errors[0].ID != par || res.Errors[0].Code != "NOT_FOUND" {
		t.Fatalf("result %+v", res)
	}
	var node struct {
		Node struct {
			Stage      string
			Tags       []string
			AssignedTo struct{ ID string }
		}
	}
	srv.MustGraphQL(t, staff, `query($id: ID!) { node(id: $id) { ... on Contact { stage tags assignedTo { id } } } }`, map[string]any{"id": a}).Decode(t, &node)
	if node.Node.Stage != "contacted" || strings.Join(node.Node.Tags, ",") != "vip" || node.Node.AssignedTo.ID != me.Me.User.ID {
		t.Fatalf("after bulk update: %+v", node.Node)
	}
	viewer := srv.SignIn(t, "viewer@example.com")
	if r := srv.GraphQL(t, viewer, `mutation($ids: [ID!]!) { bulkUpdateContacts(ids: $ids, input: {addTags: ["x"]}) { updated } }`, map[string]any{"ids": []string{a}}); r.FirstCode() != "FORBIDDEN" {
		t.Fatalf("viewer bulk update: %q", r.FirstCode())
	}
}

func TestContactTimelineAndWarmness(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	id := newContact(t, srv, staff, map[string]any{"firstName": "Tim", "leadSource": "gp_referral"})
	warm := func() int {
		var out struct{ Node struct{ Warmness int } }
		srv.MustGraphQL(t, staff, `query($id: ID!) { node(id: $id) { ... on Contact { warmness } } }`, map[string]any{"id": id}).Decode(t, &out)
		return out.Node.Warmness
	}
	before := warm()
	tp := `mutation($id: ID!, $k: TouchpointKind!, $s: String!, $at: Time!) { createTouchpoint(input: {contactID: $id, kind: $k, summary: $s, occurredAt: $at}) { id } }`
	srv.MustGraphQL(t, staff, tp, map[string]any{"id": id, "k": "sms_out", "s": "Sent options", "at": testutil.Now.Add(-2 * time.Hour)})
	srv.MustGraphQL(t, staff, tp, map[string]any{"id": id, "k": "sms_in", "s": "Yes please", "at": testutil.Now.Add(-time.Hour)})
	if after := warm(); after <= before {
		t.Fatalf("warmness %d after two touchpoints, was %d", after, before)
	}
	var out struct {
		ContactTimeline []struct{ Kind, Summary, Ref string }
	}
	srv.MustGraphQL(t, staff, `query($id: ID!) { contactTimeline(id: $id, first: 10) { at kind summary ref } }`, map[string]any{"id": id}).Decode(t, &out)
	if len(out.ContactTimeline) != 2 || out.ContactTimeline[0].Kind != "sms_in" || out.ContactTimeline[1].Summary != "Sent options" {
		t.Fatalf("timeline %+v", out.ContactTimeline)
	}
	if r := srv.GraphQL(t, staff, `query($id: ID!) { contactTimeline(id: $id) { kind } }`, map[string]any{"id": parContactID(t, srv)}); r.FirstCode() != "NOT_FOUND" {
		t.Fatalf("PAR timeline: %q", r.FirstCode())
	}
}

func TestContactImport(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	file := "Given Name,Family Name,Mobile,Email\n" +
		"Nora,Quinn,0499 555 201,nora@example.com\n" +
		"Nora,Q,0499555201,\n" +
		"Bad,Phone,123,\n"

	var prev struct {
		ContactImportPreview struct {
			Headers          []string
			SuggestedMapping []struct{ Column, Field string }
			Rows             [][]string
			TotalRows        int
		}
	}
	upload(t, srv, staff, `mutation($file: Upload!) { contactImportPreview(file: $file) { headers suggestedMapping { column field } rows totalRows } }`,
		nil, "patients.csv", file).Decode(t, &prev)
	p := prev.ContactImportPreview
	if p.TotalRows != 3 || len(p.Rows) != 3 || len(p.SuggestedMapping) != 4 || p.SuggestedMapping[2].Field != "phone" {
		t.Fatalf("preview %+v", p)
	}

	var started struct{ StartContactImport struct{ ID, Status string } }
	r := upload(t, srv, staff, `mutation($file: Upload!, $m: [ColumnMapping!]) { startContactImport(file: $file, mapping: $m) { id status } }`,
		map[string]any{"m": []map[string]any{
			{"column": "Given Name", "field": "first_name"}, {"column": "Family Name", "field": "last_name"},
			{"column": "Mobile", "field": "phone"}, {"column": "Email", "field": "email"},
		}}, "patients.csv", file)
	if len(r.Errors) > 0 {
		t.Fatalf("start: %+v", r.Errors)
	}
	r.Decode(t, &started)
	var job struct {
		ImportJob struct {
			Status                                   string
			Processed, Imported, Duplicates, Invalid int
			Report                                   []struct {
				Row            int
				Outcome, Field string
				Reason         *string
				ContactID      *string
			}
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		srv.MustGraphQL(t, staff, `query($id: ID!) { importJob(id: $id) { status processed imported duplicates invalid report { row outcome field reason contactID } } }`,
			map[string]any{"id": started.StartContactImport.ID}).Decode(t, &job)
		if job.ImportJob.Status == "done" || job.ImportJob.Status == "failed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	j := job.ImportJob
	if j.Status != "done" || j.Processed != 3 || j.Imported != 1 || j.Duplicates != 1 || j.Invalid != 1 ||
		j.Report[1].Outcome != "duplicate" || *j.Report[1].ContactID != *j.Report[0].ContactID || j.Report[2].Field != "phone" {
		t.Fatalf("job %+v", j)
	}

	t.Run("ProgressWithoutReport", func(t *testing.T) {
		// A poll for the counters does not read the report; one that asks
		// for it in a fragment gets it.
		var got struct {
			ImportJob struct {
				Processed int
				Report    []struct{ Row int }
			}
		}
		id := map[string]any{"id": started.StartContactImport.ID}
		srv.MustGraphQL(t, staff, `query($id: ID!) { importJob(id: $id) { processed } }`, id).Decode(t, &got)
		if got.ImportJob.Processed != 3 || got.ImportJob.Report != nil {
			t.Fatalf("progress %+v", got.ImportJob)
		}
		srv.MustGraphQL(t, staff, `query($id: ID!) { importJob(id: $id) { processed ...R } } fragment R on ImportJob { report { row } }`, id).Decode(t, &got)
		if got.ImportJob.Processed != 3 || len(got.ImportJob.Report) != 3 || got.ImportJob.Report[2].Row != 4 {
			t.Fatalf("with the report %+v", got.ImportJob)
		}
		var node struct {
			Node struct{ Report []struct{ Row int } }
		}
		srv.MustGraphQL(t, staff, `query($id: ID!) { node(id: $id) { ... on ImportJob { report { row } } } }`, id).Decode(t, &node)
		if len(node.Node.Report) != 3 {
			t.Fatalf("node: report %+v", node.Node.Report)
		}
	})
	t.Run("ReportFieldEverywhere", func(t *testing.T) {
		// ImportJob.report is a field resolver: the same rows through
		// importJob, node and nodes, however the job was read; another
		// location's staff get no job and so no report.
		const rows = `report { row outcome field reason contactID }`
		id := map[string]any{"id": started.StartContactImport.ID}
		var byQuery, byNode, byNodes struct {
			ImportJob struct{ Report []map[string]any }
			Node      struct{ Report []map[string]any }
			Nodes     []struct{ Report []map[string]any }
		}
		srv.MustGraphQL(t, staff, `query($id: ID!) { importJob(id: $id) { `+rows+` } }`, id).Decode(t, &byQuery)
		srv.MustGraphQL(t, staff, `query($id: ID!) { node(id: $id) { id ... on ImportJob { status `+rows+` } } }`, id).Decode(t, &byNode)
		srv.MustGraphQL(t, staff, `query($id: ID!) { nodes(ids: [$id]) { ... on ImportJob { `+rows+` } } }`, id).Decode(t, &byNodes)
		want := byQuery.ImportJob.Report
		if len(want) != 3 || want[0]["outcome"] != "imported" || want[0]["contactID"] == nil || want[2]["field"] != "phone" {
			t.Fatalf("importJob report %+v", want)
		}
		same := func(got []map[string]any) bool { return fmt.Sprint(got) == fmt.Sprint(want) }
		if !same(byNode.Node.Report) || len(byNodes.Nodes) != 1 || !same(byNodes.Nodes[0].Report) {
			t.Fatalf("node report %+v, nodes %+v; want %+v", byNode.Node.Report, byNodes.Nodes, want)
		}
		par := srv.SignIn(t, "par-staff@example.com")
		if r := srv.GraphQL(t, par, `query($id: ID!) { importJob(id: $id) { `+rows+` } }`, id); r.FirstCode() != "NOT_FOUND" {
			t.Fatalf("PAR importJob: %q", r.FirstCode())
		}
		var parNode struct {
			Node *struct{ Report []map[string]any }
		}
		if r := srv.GraphQL(t, par, `query($id: ID!) { node(id: $id) { ... on ImportJob { `+rows+` } } }`, id); len(r.Errors) == 0 {
			r.Decode(t, &parNode)
			if parNode.Node != nil && parNode.Node.Report != nil {
				t.Fatalf("PAR node report %+v", parNode.Node.Report)
			}
		}
	})
	t.Run("ErrViewerForbidden", func(t *testing.T) {
		r := upload(t, srv, srv.SignIn(t, "viewer@example.com"), `mutation($file: Upload!) { startContactImport(file: $file) { id } }`, nil, "x.csv", file)
		if r.FirstCode() != "FORBIDDEN" {
			t.Fatalf("code %q", r.FirstCode())
		}
	})
	t.Run("ErrBadMapping", func(t *testing.T) {
		r := upload(t, srv, staff, `mutation($file: Upload!) { startContactImport(file: $file, mapping: [{column: "Fax", field: first_name}]) { id } }`, nil, "x.csv", file)
		if r.FirstCode() != "INVALID" || r.Errors[0].Extensions["field"] != "mapping" {
			t.Fatalf("%+v", r.Errors)
		}
	})
}

func TestExportContacts(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	mgr := srv.SignIn(t, "manager@example.com")
	var out struct{ ExportContacts string }
	srv.MustGraphQL(t, mgr, `{ exportContacts(where: {pipeline: lead, warmnessGT: 80}) }`, nil).Decode(t, &out)
	rows, err := csv.NewReader(strings.NewReader(out.ExportContacts)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var n struct{ Contacts struct{ TotalCount int } }
	srv.MustGraphQL(t, mgr, `{ contacts(where: {pipeline: lead, warmnessGT: 80}) { totalCount } }`, nil).Decode(t, &n)
	if len(rows) != n.Contacts.TotalCount+1 || rows[0][0] != "First name" || n.Contacts.TotalCount == 0 {
		t.Fatalf("%d rows for %d contacts; header %v", len(rows), n.Contacts.TotalCount, rows[0])
	}
	if r := srv.GraphQL(t, srv.SignIn(t, "staff@example.com"), `{ exportContacts }`, nil); r.FirstCode() != "FORBIDDEN" {
		t.Fatalf("staff export: %q", r.FirstCode())
	}
}

// A CSV over the server's 4 MiB body cap still reaches the import through
// GraphQL's multipart upload (the cap is raised on /graphql for multipart
// bodies only), while a JSON body of that size is refused.
func TestUploadLargerThanTheDefaultBodyCap(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	var b strings.Builder
	b.WriteString("First Name,Last Name,Notes\n")
	note := strings.Repeat("x", 120)
	rows := 0
	for b.Len() < 5<<20 {
		rows++
		fmt.Fprintf(&b, "Big%d,Upload,%s\n", rows, note)
	}
	r := upload(t, srv, staff, `mutation($file: Upload!) { contactImportPreview(file: $file) { totalRows headers } }`, nil, "big.csv", b.String())
	if len(r.Errors) > 0 {
		t.Fatalf("a %d-byte CSV through GraphQL: %+v", b.Len(), r.Errors)
	}
	var out struct{ ContactImportPreview struct{ TotalRows int } }
	r.Decode(t, &out)
	if out.ContactImportPreview.TotalRows != rows {
		t.Errorf("preview counted %d rows, want %d", out.ContactImportPreview.TotalRows, rows)
	}

	// The same size as a JSON query is refused before it is parsed.
	r = srv.GraphQL(t, staff, `query($pad: String) { me { role } }`, map[string]any{"pad": b.String()})
	if len(r.Errors) == 0 && r.Status == http.StatusOK {
		t.Errorf("a %d-byte JSON body was accepted", b.Len())
	}
}
