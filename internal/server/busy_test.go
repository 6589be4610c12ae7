package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A request refused for want of a turn says so in the client's terms: a
// GraphQL error with a code on /graphql, a sentence on a page; 503 both.
func TestBusyAnswers(t *testing.T) {
	w := httptest.NewRecorder()
	busy(w, httptest.NewRequest(http.MethodPost, "/graphql", nil), time.Second)
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("graphql: status %d", w.Code)
	}
	var resp struct {
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || len(resp.Errors) != 1 {
		t.Fatalf("graphql: body %q (%v)", w.Body.String(), err)
	}
	if e := resp.Errors[0]; e.Extensions["code"] != codeUnavailable || !strings.Contains(e.Message, "busy") {
		t.Fatalf("graphql: error %+v", e)
	}

	w = httptest.NewRecorder()
	busy(w, httptest.NewRequest(http.MethodGet, "/contacts", nil), time.Second)
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "try again in 1 s") {
		t.Fatalf("page: status %d body %q", w.Code, w.Body.String())
	}
}
