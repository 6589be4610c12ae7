package alert_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/alert"
)

// Slack's incoming webhook: {"text": …} as JSON, 200 "ok"; its documented
// errors are permanent but 429 and 5xx, which the job retries.
func TestSlack(t *testing.T) {
	var got struct{ Text string }
	status, answer := http.StatusOK, "ok"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s", r.Method, r.Header.Get("Content-Type"))
		}
		_ = json.NewDecoder(r.Body).Decode(&got)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(answer))
	}))
	defer srv.Close()
	s := &alert.Slack{URL: srv.URL}
	if err := s.Send(context.Background(), "Webhook event whe_1 was dead-lettered"); err != nil || got.Text != "Webhook event whe_1 was dead-lettered" {
		t.Fatalf("%v %+v", err, got)
	}
	var perm *alert.Permanent
	for _, c := range []struct {
		status    int
		answer    string
		permanent bool
	}{
		{http.StatusBadRequest, "invalid_payload", true},
		{http.StatusForbidden, "action_prohibited", true},
		{http.StatusNotFound, "channel_not_found", true},
		{http.StatusGone, "channel_is_archived", true},
		{http.StatusTooManyRequests, "rate_limited", false},
		{http.StatusInternalServerError, "", false},
	} {
		status, answer = c.status, c.answer
		err := s.Send(context.Background(), "x")
		if err == nil || errors.As(err, &perm) != c.permanent {
			t.Errorf("%d: %v (permanent %v)", c.status, err, c.permanent)
		}
	}
}
