package gqlhttp_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/gqlhttp"
)

func TestDecodeBody(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		code       string // "" means accepted
		field, msg string
	}{
		{"one object", `{"query":"{ me { email } }","variables":{"a":[1,{"b":"c"}]},"operationName":"X"}`, "", "", ""},
		{"whitespace around", " \n{\"query\":\"{ x }\"}\r\n\t", "", "", ""},
		{"surrogate pair", `{"query":"{ x }","variables":{"name":"\ud83d\ude00"}}`, "", "", ""},
		{"escaped quote in key", `{"query":"{ x }","variables":{"a\"b":"\u00e9"}}`, "", "", ""},
		{"empty", "", gqlhttp.BadRequest, "", "the request body is empty"},
		{"only spaces", "  \n ", gqlhttp.BadRequest, "", "the request body is empty"},
		{"batch", `[{"query":"{ a }"},{"query":"{ b }"}]`, gqlhttp.BadRequest, "", "batched operations (a JSON array) are not supported"},
		{"bare string", `"{ me { email } }"`, gqlhttp.BadRequest, "", "must be one JSON object"},
		{"deep", `{"query":"{ x }","variables":{"a":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}}`, gqlhttp.BadRequest, "", "nested more than 64 levels deep"},
		{"very deep", strings.Repeat(`{"a":`, 100000), gqlhttp.BadRequest, "", "nested more than 64 levels deep"},
		{"trailing garbage", `{"query":"{ x }"}garbage`, gqlhttp.BadRequest, "", "unexpected data after the JSON object, at byte 17"},
		{"second object", `{"query":"{ x }"} {"query":"{ y }"}`, gqlhttp.BadRequest, "", "unexpected data after the JSON object, at byte 18"},
		{"cut short", `{"query":"{ x }"`, gqlhttp.BadRequest, "", "not valid JSON"},
		{"syntax", `{"query" "{ x }"}`, gqlhttp.BadRequest, "", "not valid JSON: invalid character"},
		{"query a number", `{"query":5}`, gqlhttp.BadRequest, "query", `"query" must be a string, not a JSON number`},
		{"variables a list", `{"query":"{ x }","variables":[1]}`, gqlhttp.BadRequest, "variables", `"variables" must be an object, not a JSON array`},
		{"invalid UTF-8 in a variable", "{\"query\":\"{ x }\",\"variables\":{\"input\":{\"firstName\":\"A\xffB\"}}}", gqlhttp.Invalid, "firstName", "firstName is not valid UTF-8 text"},
		{"invalid UTF-8 in a list", "{\"query\":\"{ x }\",\"variables\":{\"tags\":[\"ok\",\"\xc3\"]}}", gqlhttp.Invalid, "tags", "tags is not valid UTF-8 text"},
		{"invalid UTF-8 in the query", "{\"query\":\"{ x(a: \\\"\xfe\\\") }\"}", gqlhttp.Invalid, "query", "query is not valid UTF-8 text"},
		{"lone high surrogate", `{"query":"{ x }","variables":{"q":"a\ud800b"}}`, gqlhttp.Invalid, "q", "q is not valid UTF-8 text"},
		{"lone low surrogate", `{"query":"{ x }","variables":{"q":"\udc00"}}`, gqlhttp.Invalid, "q", "q is not valid UTF-8 text"},
		{"high then not low", `{"query":"{ x }","variables":{"q":"\ud800\u0041"}}`, gqlhttp.Invalid, "q", "q is not valid UTF-8 text"},
		{"invalid UTF-8 in a key", "{\"query\":\"{ x }\",\"variables\":{\"\xff\":1}}", gqlhttp.BadRequest, "", "the request body is not valid UTF-8 text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, e := gqlhttp.DecodeBody([]byte(tc.body))
			if tc.code == "" {
				if e != nil || p == nil {
					t.Fatalf("refused: %v", e)
				}
				return
			}
			if e == nil {
				t.Fatalf("accepted %q", tc.body)
			}
			if e.Code != tc.code || e.Field != tc.field || !strings.Contains(e.Message, tc.msg) {
				t.Errorf("got %s field %q %q, want %s field %q %q", e.Code, e.Field, e.Message, tc.code, tc.field, tc.msg)
			}
			if want := http.StatusBadRequest; e.Status != want {
				t.Errorf("status %d, want %d", e.Status, want)
			}
		})
	}
}

// FuzzDecodeBody: whatever the body, DecodeBody answers without panicking,
// accepts only what encoding/json reads as one object with the right member
// types, and says why it refuses with a 4xx and a code.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"query":"{ me { email } }"}`,
		`{"query":"query($w: ContactWhereInput){ contacts(first: 1, where: $w) { totalCount } }","variables":{"w":{"firstNameContains":"a"}}}`,
		`[{"query":"{ a }"}]`, `{"query":"{ x }"}x`, `{"query":5}`, "{\"query\":\"\xff\"}",
		`{"query":"{ x }","variables":{"q":"\ud800"}}`, strings.Repeat("[", 80), `{"a":{"b":{"c":[[[{"d":"\"\\u00e9"}]]]}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, e := gqlhttp.DecodeBody(body)
		if e != nil {
			if p != nil || e.Status < 400 || e.Status > 499 || e.Code == "" || e.Message == "" {
				t.Fatalf("refusal %+v with params %v", e, p)
			}
			return
		}
		// Accepted: encoding/json reads it as one object of the expected
		// shape, and nothing follows it.
		var out struct {
			Query         string         `json:"query"`
			OperationName string         `json:"operationName"`
			Variables     map[string]any `json:"variables"`
			Extensions    map[string]any `json:"extensions"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("accepted %q, which encoding/json refuses: %v", body, err)
		}
		if out.Query != p.Query {
			t.Fatalf("query %q, encoding/json reads %q", p.Query, out.Query)
		}
	})
}
