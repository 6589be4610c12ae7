package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// FuzzGraphQLRequest sends any body, with any media type, to /graphql
// through the whole application (middleware, request checks, gqlgen,
// resolvers, the audit trail), unauthenticated and signed in. Whatever it
// is, the answer is JSON with a known status, every error has a code and
// none is INTERNAL, and nothing panics. `go test` runs the seeds; the
// fuzzer itself (go test ./internal/server -run '^$' -fuzz
// FuzzGraphQLRequest) builds the whole program with instrumentation, which
// takes minutes, so CI fuzzes internal/gqlhttp's decoding instead.
func FuzzGraphQLRequest(f *testing.F) {
	for _, s := range []string{
		`{"query":"{ me { user { email } } }"}`,
		`{"query":"query($w: ContactWhereInput){ contacts(first: 2, where: $w) { totalCount edges { node { firstName } } } }","variables":{"w":{"firstNameContains":"a"}}}`,
		`{"query":"query($q: String!){ searchContacts(query: $q) { score } }","variables":{"q":"smith"}}`,
		`{"query":"mutation($in: CreateContactInput!){ createContact(input: $in) { id } }","variables":{"in":{"firstName":"A"}}}`,
		`{"query":"{ __schema { types { name } } }"}`,
		`[{"query":"{ __typename }"}]`, `{"query":"{ __typename }"}x`, `{"query":5}`, `{}`, ``,
		`{"query":"{ contacts(first: 1, where: {phoneContains: \"\u0000\"}) { totalCount } }"}`,
		"{\"query\":\"{ x(a: \\\"\xff\\\") }\"}",
	} {
		f.Add("application/json", []byte(s), false)
		f.Add("application/json", []byte(s), true)
	}
	f.Add("text/plain", []byte(`{"query":"{ __typename }"}`), false)
	f.Add("multipart/form-data; boundary=b", []byte("--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n[1]\r\n--b--\r\n"), true)

	logs := testutil.CaptureLogs(f)
	srv := testutil.StartServer(f, testutil.ServerOptions{Env: map[string]string{
		"AVATARCRM_GRAPHQL_INTROSPECTION": "false",
		"AVATARCRM_RATE_GRAPHQL":          "0", "AVATARCRM_RATE_GRAPHQL_USER": "0",
	}})
	staff := srv.SignIn(f, "staff@example.com")
	var cookies []*http.Cookie
	for _, c := range staff.Jar.Cookies(mustURL(srv.URL)) {
		cookies = append(cookies, c)
	}
	h := srv.App.Handler
	f.Fuzz(func(t *testing.T, contentType string, body []byte, signedIn bool) {
		logs.Reset()
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if signedIn {
			for _, c := range cookies {
				req.AddCookie(c)
			}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		default:
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
		var out struct {
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("answer to %q is not JSON: %q", body, w.Body)
		}
		for _, e := range out.Errors {
			code, _ := e.Extensions["code"].(string)
			if code == "" || code == "INTERNAL" || e.Message == "" {
				t.Fatalf("error %q (code %q) for %q", e.Message, code, body)
			}
		}
		if l := logs.String(); strings.Contains(l, "panic") || strings.Contains(l, "level=ERROR") {
			t.Fatalf("logged for %q:\n%s", body, l)
		}
	})
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
