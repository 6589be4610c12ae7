package gqlhttp_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/gqlhttp"
)

const maxUpload = 21 << 20

// passed is the next handler: it records the body it was handed.
type passed struct {
	called bool
	body   []byte
}

func (p *passed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.called = true
	p.body, _ = io.ReadAll(r.Body)
	w.WriteHeader(http.StatusTeapot)
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

type response struct {
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func serve(t *testing.T, r *http.Request) (*httptest.ResponseRecorder, *passed, response) {
	t.Helper()
	next := &passed{}
	w := httptest.NewRecorder()
	gqlhttp.Check(next, maxUpload).ServeHTTP(w, r)
	var out response
	if !next.called {
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Errors) != 1 {
			t.Fatalf("refusal body %q: %v", w.Body.String(), err)
		}
	}
	return w, next, out
}

func TestCheck(t *testing.T) {
	post := func(ct string, body io.Reader) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/graphql", body)
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		return r
	}
	limited := post("application/json", nil)
	limited.Body = http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(strings.NewReader(strings.Repeat("x", 5000))), 4096)
	bigUpload := post("multipart/form-data; boundary=x", strings.NewReader("--x--"))
	bigUpload.ContentLength = maxUpload + 1
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		code   string
		msg    string
	}{
		{"json", post("application/json; charset=utf-8", strings.NewReader(`{"query":"{ x }"}`)), http.StatusTeapot, "", ""},
		{"get", httptest.NewRequest(http.MethodGet, "/graphql?query=%7B+x+%7D&variables=%7B%22a%22%3A1%7D", nil), http.StatusTeapot, "", ""},
		{"options", httptest.NewRequest(http.MethodOptions, "/graphql", nil), http.StatusTeapot, "", ""},
		{"upload", post("multipart/form-data; boundary=x", strings.NewReader("--x--")), http.StatusTeapot, "", ""},
		{"upload over the limit", bigUpload, http.StatusRequestEntityTooLarge, gqlhttp.PayloadTooLarge, "larger than the limit of 21 MiB (22020096 bytes)"},
		{"put", httptest.NewRequest(http.MethodPut, "/graphql", strings.NewReader("{}")), http.StatusMethodNotAllowed, gqlhttp.BadRequest, "method PUT is not supported"},
		{"no content type", post("", strings.NewReader(`{"query":"{ x }"}`)), http.StatusUnsupportedMediaType, gqlhttp.UnsupportedMediaType, "Content-Type: application/json"},
		{"text/plain", post("text/plain", strings.NewReader(`{"query":"{ x }"}`)), http.StatusUnsupportedMediaType, gqlhttp.UnsupportedMediaType, "Content-Type: application/json"},
		{"no body", post("application/json", nil), http.StatusBadRequest, gqlhttp.BadRequest, "the request body is empty"},
		{"unreadable body", post("application/json", errReader{}), http.StatusBadRequest, gqlhttp.BadRequest, "could not be read: it ended early"},
		{"body over the limit", limited, http.StatusRequestEntityTooLarge, gqlhttp.PayloadTooLarge, "larger than the limit of 4 KiB (4096 bytes)"},
		{"batch", post("application/json", strings.NewReader(`[{"query":"{ x }"}]`)), http.StatusBadRequest, gqlhttp.BadRequest, "batched operations"},
		{"get: variables a list", httptest.NewRequest(http.MethodGet, "/graphql?query=%7Bx%7D&variables=%5B1%5D", nil), http.StatusBadRequest, gqlhttp.BadRequest, "the variables parameter must be a JSON object"},
		{"get: variables deep", httptest.NewRequest(http.MethodGet, "/graphql?query=%7Bx%7D&variables="+url.QueryEscape(`{"a":`+strings.Repeat("[", 100)), nil), http.StatusBadRequest, gqlhttp.BadRequest, "nested more than 64 levels"},
		{"get: query not UTF-8", httptest.NewRequest(http.MethodGet, "/graphql?query=%7Bx(a:%22%FF%22)%7D", nil), http.StatusBadRequest, gqlhttp.Invalid, "query is not valid UTF-8 text"},
		{"get: bad escape", httptest.NewRequest(http.MethodGet, "/graphql?query=%zz", nil), http.StatusBadRequest, gqlhttp.BadRequest, "the query string could not be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, next, out := serve(t, tc.req)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.status, w.Body)
			}
			if tc.code == "" {
				return
			}
			if next.called {
				t.Fatal("passed on")
			}
			e := out.Errors[0]
			if e.Extensions["code"] != tc.code || !strings.Contains(e.Message, tc.msg) {
				t.Errorf("%v %q, want %s %q", e.Extensions["code"], e.Message, tc.code, tc.msg)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	// A client that asks for application/graphql-response+json gets it.
	r := post("text/plain", strings.NewReader("x"))
	r.Header.Set("Accept", "application/graphql-response+json, application/json;q=0.9")
	if w, _, _ := serve(t, r); w.Header().Get("Content-Type") != "application/graphql-response+json" {
		t.Errorf("Content-Type %q", w.Header().Get("Content-Type"))
	}
	// The body handed on is the body sent.
	body := `{"query":"{ x }","variables":{"a":"é"}}`
	if _, next, _ := serve(t, post("application/json", strings.NewReader(body))); string(next.body) != body {
		t.Errorf("handed on %q", next.body)
	}
}

// FuzzCheck drives the handler's request checks with any method, media
// type, query string and body: each request is either passed on with its
// body unchanged, or answered with a 4xx and one JSON error with a code
// and a message, never a panic.
func FuzzCheck(f *testing.F) {
	f.Add("POST", "application/json", "", []byte(`{"query":"{ me { email } }"}`))
	f.Add("POST", "application/json", "", []byte(`[{"query":"{ a }"}]`))
	f.Add("POST", "application/json; charset=utf-8", "", []byte(`{"query":"{ x }"} {}`))
	f.Add("POST", "multipart/form-data; boundary=b", "", []byte("--b--"))
	f.Add("POST", "text/plain", "", []byte("{}"))
	f.Add("GET", "", "query=%7Bx%7D&variables=%7B%22a%22%3A%5B1%5D%7D", []byte(nil))
	f.Add("GET", "", "query=%FF", []byte(nil))
	f.Add("PATCH", "application/json", "", []byte("{}"))
	f.Fuzz(func(t *testing.T, method, contentType, rawQuery string, body []byte) {
		if method == "" || strings.ContainsAny(method, " \t\r\n()<>@,;:\\\"/[]?={}") || !isToken(method) {
			t.Skip()
		}
		r, err := http.NewRequest(method, "/graphql?"+rawQuery, bytes.NewReader(body))
		if err != nil {
			t.Skip()
		}
		r.Header.Set("Content-Type", contentType)
		next := &passed{}
		w := httptest.NewRecorder()
		gqlhttp.Check(next, maxUpload).ServeHTTP(w, r)
		if next.called {
			if !bytes.Equal(next.body, body) && method != http.MethodGet && method != http.MethodOptions {
				t.Fatalf("body changed on the way: %q → %q", body, next.body)
			}
			return
		}
		if w.Code < 400 || w.Code > 499 {
			t.Fatalf("status %d for a refusal", w.Code)
		}
		var out response
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Errors) != 1 {
			t.Fatalf("refusal body %q: %v", w.Body.String(), err)
		}
		if c, _ := out.Errors[0].Extensions["code"].(string); c == "" || out.Errors[0].Message == "" {
			t.Fatalf("refusal without a code or message: %q", w.Body.String())
		}
	})
}

func isToken(s string) bool {
	for _, c := range s {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// TestCheck_CodesForTransportRefusals: a refusal of gqlgen's transports
// without a code (a multipart request it cannot read, a mutation over GET)
// gets one; answers that have codes, and successes, pass unchanged.
func TestCheck_CodesForTransportRefusals(t *testing.T) {
	for _, tc := range []struct {
		status     int
		body, want string
	}{
		{422, `{"errors":[{"message":"operations form field could not be decoded"}],"data":null}`, `{"data":null,"errors":[{"extensions":{"code":"BAD_REQUEST"},"message":"operations form field could not be decoded"}]}`},
		{413, `{"errors":[{"message":"failed to parse multipart form, request body too large"}]}`, `{"errors":[{"extensions":{"code":"PAYLOAD_TOO_LARGE"},"message":"failed to parse multipart form, request body too large"}]}`},
		{422, `{"errors":[{"message":"x","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`, `{"errors":[{"message":"x","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`},
		{200, `{"data":{"x":1}}`, `{"data":{"x":1}}`},
	} {
		next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(tc.status)
			_, _ = w.Write([]byte(tc.body))
		})
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/graphql?query=%7Bx%7D", nil)
		gqlhttp.Check(next, maxUpload).ServeHTTP(w, r)
		if w.Code != tc.status || w.Body.String() != tc.want {
			t.Errorf("%d %s: got %d %s, want %s", tc.status, tc.body, w.Code, w.Body, tc.want)
		}
	}
}
