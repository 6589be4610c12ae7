package hooks_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/hooks"
	"github.com/avatarimaging/avatarcrm/internal/hooks/clicksendwire"
)

// The three variants ClickSend's inbound rule can use give the same fields.
func TestFields_Variants(t *testing.T) {
	const q = "from=%2B61491570156&body=Y&message_id=ABC&timestamp=1773180000"
	cases := []struct {
		name string
		req  *http.Request
	}{
		{"post", withCT(httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(q)), "application/x-www-form-urlencoded")},
		{"get", httptest.NewRequest(http.MethodGet, "/x?"+q, nil)},
		{"json", withCT(httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(`{"from":"+61491570156","body":"Y","message_id":"ABC","timestamp":1773180000}`)), "application/json")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := hooks.Fields(c.req)
			if err != nil {
				t.Fatal(err)
			}
			in, err := clicksendwire.ParseInbound(f)
			if err != nil {
				t.Fatal(err)
			}
			if in.From != "+61491570156" || in.Body != "Y" || in.MessageID != "ABC" || in.At.Unix() != 1773180000 {
				t.Errorf("%+v", in)
			}
		})
	}
}

func withCT(r *http.Request, ct string) *http.Request {
	r.Header.Set("Content-Type", ct)
	return r
}
