package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// gqlReply is a GraphQL response or request error, as a client reads it.
type gqlReply struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	raw string
}

func (r gqlReply) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func (r gqlReply) message() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Message
}

func (r gqlReply) field() string {
	if len(r.Errors) == 0 {
		return ""
	}
	f, _ := r.Errors[0].Extensions["field"].(string)
	return f
}

func send(t *testing.T, c *http.Client, req *http.Request) gqlReply {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := gqlReply{Status: resp.StatusCode, raw: string(raw)}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: status %d, body is not JSON: %q", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	out.Status = resp.StatusCode
	return out
}

func postJSON(srv *testutil.Server, body io.Reader) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", body)
	req.Header.Set("Content-Type", "application/json")
	return req
}

// want checks a reply's status, code and message (and field, if given).
func want(t *testing.T, what string, r gqlReply, status int, code, msg string, field ...string) {
	t.Helper()
	if r.Status != status || r.code() != code || !strings.Contains(r.message(), msg) {
		t.Errorf("%s: %d %s %q, want %d %s %q\n%s", what, r.Status, r.code(), r.message(), status, code, msg, r.raw)
	}
	if len(field) > 0 && r.field() != field[0] {
		t.Errorf("%s: field %q, want %q", what, r.field(), field[0])
	}
}

// noPanic fails the test if the server logged a panic or an error.
func noPanic(t *testing.T, logs *testutil.Logs) {
	t.Helper()
	out := logs.String()
	if strings.Contains(out, "panic") || strings.Contains(out, "level=ERROR") {
		t.Errorf("the server logged a panic or an error:\n%s", out)
	}
}

// TestBadRequests sends, through the real server, each kind of request a
// probe sends: too large, batched, deeply nested, with trailing garbage,
// empty, unreadable, of the wrong media type or method. Each gets a 4xx
// with a code and a message that says what is wrong, and the server logs
// no panic and no error.
func TestBadRequests(t *testing.T) {
	logs := testutil.CaptureLogs(t)
	srv := testutil.StartServer(t, testutil.ServerOptions{Env: map[string]string{"AVATARCRM_GRAPHQL_INTROSPECTION": "false"}})
	c := srv.SignIn(t, "staff@example.com")

	t.Run("5 MB body", func(t *testing.T) {
		body := `{"query":"{ __typename }","variables":{"pad":"` + strings.Repeat("x", 5<<20) + `"}}`
		want(t, "5 MB", send(t, c, postJSON(srv, strings.NewReader(body))), http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "larger than the limit of 4 MiB")
	})
	t.Run("20 MB body", func(t *testing.T) {
		r := send(t, c, postJSON(srv, bytes.NewReader(bytes.Repeat([]byte("a"), 20<<20))))
		want(t, "20 MB", r, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "larger than the limit of 4 MiB (4194304 bytes)")
		if r.Errors[0].Extensions["limit"] != float64(4<<20) {
			t.Errorf("extensions.limit = %v", r.Errors[0].Extensions["limit"])
		}
	})
	t.Run("20 MB body without a length", func(t *testing.T) {
		// io.MultiReader hides the size: the client streams it chunked.
		req := postJSON(srv, io.MultiReader(bytes.NewReader(bytes.Repeat([]byte(" "), 20<<20))))
		want(t, "chunked 20 MB", send(t, c, req), http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "larger than the limit of 4 MiB")
	})
	t.Run("upload over the multipart limit", func(t *testing.T) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("operations", `{"query":"mutation($f: Upload!){ contactImportPreview(file: $f) { rows } }","variables":{"f":null}}`)
		_ = mw.WriteField("map", `{"0":["variables.f"]}`)
		fw, _ := mw.CreateFormFile("0", "big.csv")
		_, _ = fw.Write(bytes.Repeat([]byte("x,y\n"), (22<<20)/4))
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		want(t, "22 MiB upload", send(t, c, req), http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "larger than the limit of 21 MiB")
	})
	t.Run("form post over the limit to a page", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/contacts/new", strings.NewReader("first_name="+strings.Repeat("x", 5<<20)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		want(t, "5 MB form", send(t, c, req), http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "larger than the limit of 4 MiB")
	})
	t.Run("batch", func(t *testing.T) {
		r := send(t, c, postJSON(srv, strings.NewReader(`[{"query":"{ __typename }"},{"query":"{ __typename }"}]`)))
		want(t, "batch", r, http.StatusBadRequest, "BAD_REQUEST", "batched operations (a JSON array) are not supported")
	})
	t.Run("deeply nested", func(t *testing.T) {
		r := send(t, c, postJSON(srv, strings.NewReader(`{"query":"{ __typename }","variables":{"a":`+strings.Repeat("[", 100000)+`}}`)))
		want(t, "nested", r, http.StatusBadRequest, "BAD_REQUEST", "nested more than 64 levels deep")
	})
	t.Run("trailing garbage", func(t *testing.T) {
		r := send(t, c, postJSON(srv, strings.NewReader(`{"query":"{ __typename }"}garbage`)))
		want(t, "trailing", r, http.StatusBadRequest, "BAD_REQUEST", "unexpected data after the JSON object, at byte 26")
	})
	t.Run("missing body", func(t *testing.T) {
		want(t, "no body", send(t, c, postJSON(srv, nil)), http.StatusBadRequest, "BAD_REQUEST", "the request body is empty")
	})
	t.Run("not JSON", func(t *testing.T) {
		want(t, "not JSON", send(t, c, postJSON(srv, strings.NewReader(`{query: "{ __typename }"}`))), http.StatusBadRequest, "BAD_REQUEST", "not valid JSON: invalid character 'q'")
	})
	t.Run("query not a string", func(t *testing.T) {
		want(t, "query 5", send(t, c, postJSON(srv, strings.NewReader(`{"query":5}`))), http.StatusBadRequest, "BAD_REQUEST", `"query" must be a string`, "query")
	})
	t.Run("unreadable body", func(t *testing.T) {
		// The client promises 100 bytes, sends 20 and stops sending.
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":\"{ __typen")
		_ = conn.(*net.TCPConn).CloseWrite()
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var r gqlReply
		_ = json.Unmarshal(raw, &r)
		r.Status, r.raw = resp.StatusCode, string(raw)
		want(t, "unreadable", r, http.StatusBadRequest, "BAD_REQUEST", "the request body could not be read")
	})
	t.Run("wrong media type", func(t *testing.T) {
		req := postJSON(srv, strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "text/plain")
		want(t, "text/plain", send(t, c, req), http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Content-Type: application/json")
	})
	t.Run("wrong method", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/graphql", nil)
		want(t, "DELETE", send(t, c, req), http.StatusMethodNotAllowed, "BAD_REQUEST", "method DELETE is not supported")
	})
	t.Run("GET with bad variables", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql?query=%7B__typename%7D&variables=%5B%5B", nil)
		want(t, "GET variables", send(t, c, req), http.StatusBadRequest, "BAD_REQUEST", "the variables parameter must be a JSON object")
	})
	t.Run("a good request still works", func(t *testing.T) {
		r := send(t, c, postJSON(srv, strings.NewReader(`{"query":"{ me { user { email } } }"}`)))
		if r.Status != http.StatusOK || len(r.Errors) > 0 || !strings.Contains(string(r.Data), "staff@example.com") {
			t.Errorf("good request: %d %s", r.Status, r.raw)
		}
	})
	noPanic(t, logs)
}

// TestIntrospectionRefused: with introspection off, __schema and __type
// are refused with their own code, and no validation message suggests a
// name; with it on (development), both work as before.
func TestIntrospectionRefused(t *testing.T) {
	logs := testutil.CaptureLogs(t)
	closed := testutil.StartServer(t, testutil.ServerOptions{Env: map[string]string{"AVATARCRM_GRAPHQL_INTROSPECTION": "false"}})
	open := testutil.StartServer(t, testutil.ServerOptions{})
	q := func(srv *testutil.Server, c *http.Client, query string) gqlReply {
		b, _ := json.Marshal(map[string]string{"query": query})
		return send(t, c, postJSON(srv, bytes.NewReader(b)))
	}
	cc, oc := closed.SignIn(t, "staff@example.com"), open.SignIn(t, "staff@example.com")

	for _, query := range []string{`{ __schema { types { name } } }`, `{ __type(name: "Contact") { fields { name } } }`,
		`query { ...F } fragment F on Query { __schema { queryType { name } } }`} {
		want(t, query, q(closed, cc, query), http.StatusUnprocessableEntity, "INTROSPECTION_DISABLED", "introspection is disabled on this server")
		if r := q(open, oc, query); r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Errorf("with introspection on, %s: %s", query, r.raw)
		}
	}
	if r := q(closed, cc, `{ __typename me { user { email } } }`); r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Errorf("__typename with introspection off: %s", r.raw)
	}
	// Mistakes the validator may answer with a suggestion ("Did you mean
	// …?"): field, argument, type, enum value, leaf selection.
	for _, tc := range []struct {
		query    string
		suggests bool // with introspection on
	}{
		{`{ contact { id } }`, true},
		{`{ contacts(frist: 1) { totalCount } }`, true},
		{`query($w: ContactWhereInpt) { contacts(first: 1, where: $w) { totalCount } }`, false},
		{`{ contacts(first: 1, orderBy: {field: WARMTH, direction: DESC}) { totalCount } }`, false},
		{`{ me }`, false},
	} {
		if r := q(closed, cc, tc.query); r.code() != "GRAPHQL_VALIDATION_FAILED" || strings.Contains(r.raw, "Did you mean") {
			t.Errorf("introspection off, %s: %s", tc.query, r.raw)
		}
		if r := q(open, oc, tc.query); tc.suggests && !strings.Contains(r.raw, "Did you mean") {
			t.Errorf("introspection on, %s: no suggestion: %s", tc.query, r.raw)
		}
	}
	noPanic(t, logs)
}

// TestTextRefused: text that is not UTF-8, or holds control characters
// where they make no sense, is refused with INVALID naming the field, on
// every road: GraphQL literals and variables, filters, search, and the
// services below (the UI's tests cover its forms).
func TestTextRefused(t *testing.T) {
	logs := testutil.CaptureLogs(t)
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "staff@example.com")
	gql := func(query string, vars map[string]any) gqlReply {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		return send(t, c, postJSON(srv, bytes.NewReader(b)))
	}
	const count = `query($w: ContactWhereInput) { contacts(first: 1, where: $w) { totalCount } }`
	all := gql(count, nil)
	if all.Status != http.StatusOK || len(all.Errors) > 0 {
		t.Fatalf("count: %s", all.raw)
	}

	// A NUL in a …Contains filter used to match every row.
	r := gql(count, map[string]any{"w": map[string]any{"firstNameContains": "\x00"}})
	want(t, "NUL filter", r, http.StatusOK, "INVALID", "firstNameContains contains a control character (U+0000)", "firstNameContains")
	if string(r.Data) != "null" {
		t.Errorf("NUL filter ran: %s", r.Data)
	}
	r = gql(count, map[string]any{"w": map[string]any{"or": []any{map[string]any{"lastName": "x"}, map[string]any{"emailContainsFold": "a\x1bb"}}}})
	want(t, "escape in a nested filter", r, http.StatusOK, "INVALID", "U+001B", "emailContainsFold")
	r = gql(`{ contacts(first: 1, where: {phoneContains: "\u0000"}) { totalCount } }`, nil)
	want(t, "NUL in a literal", r, http.StatusOK, "INVALID", "U+0000", "phoneContains")
	r = gql(`query($q: String!) { searchContacts(query: $q, first: 5) { score } }`, map[string]any{"q": "smith\x00"})
	want(t, "NUL in search", r, http.StatusOK, "INVALID", "U+0000", "query")

	const create = `mutation($in: CreateContactInput!) { createContact(input: $in) { id firstName notes } }`
	r = gql(create, map[string]any{"in": map[string]any{"firstName": "Ann\x07", "lastName": "Bell"}})
	want(t, "bell in a name", r, http.StatusOK, "INVALID", "firstName contains a control character (U+0007)", "firstName")
	r = gql(create, map[string]any{"in": map[string]any{"firstName": "Ann\nMarie"}})
	want(t, "line break in a name", r, http.StatusOK, "INVALID", "must be one line", "firstName")
	r = gql(create, map[string]any{"in": map[string]any{"firstName": "Ann", "tags": []any{"ok", "b\u0085d"}}})
	want(t, "C1 control in a tag", r, http.StatusOK, "INVALID", "U+0085", "tags")
	// Raw bytes that are not UTF-8 (encoding/json would quietly turn them
	// into U+FFFD and store that).
	raw := "{\"query\":\"mutation($in: CreateContactInput!) { createContact(input: $in) { id } }\",\"variables\":{\"in\":{\"firstName\":\"Ren\xe9e\"}}}"
	want(t, "Latin-1 name", send(t, c, postJSON(srv, strings.NewReader(raw))), http.StatusBadRequest, "INVALID", "firstName is not valid UTF-8 text", "firstName")
	want(t, "lone surrogate", gqlRaw(t, srv, c, `{"query":"mutation($in: CreateContactInput!) { createContact(input: $in) { id } }","variables":{"in":{"firstName":"A\udc00"}}}`),
		http.StatusBadRequest, "INVALID", "firstName is not valid UTF-8 text", "firstName")
	// Notes are several lines, and may be.
	r = gql(create, map[string]any{"in": map[string]any{"firstName": "Ann", "lastName": "Lines", "notes": "Line one\r\n\tLine two"}})
	if r.Status != http.StatusOK || len(r.Errors) > 0 || !strings.Contains(string(r.Data), `Line one\r\n\tLine two`) {
		t.Errorf("notes with line breaks: %s", r.raw)
	}
	// Nothing bad was stored.
	if after := gql(count, nil); string(after.Data) != strings.Replace(string(all.Data), fmt.Sprint(countOf(t, all)), fmt.Sprint(countOf(t, all)+1), 1) {
		t.Errorf("contacts before %s, after %s: want exactly one more", all.Data, after.Data)
	}
	noPanic(t, logs)
}

func gqlRaw(t *testing.T, srv *testutil.Server, c *http.Client, body string) gqlReply {
	t.Helper()
	return send(t, c, postJSON(srv, strings.NewReader(body)))
}

func countOf(t *testing.T, r gqlReply) int {
	t.Helper()
	var out struct{ Contacts struct{ TotalCount int } }
	if err := json.Unmarshal(r.Data, &out); err != nil {
		t.Fatal(err)
	}
	return out.Contacts.TotalCount
}
