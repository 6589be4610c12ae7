package messaging_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/messaging/clicksendtest"
)

func newClickSend(fake *clicksendtest.Server) *messaging.ClickSend {
	return messaging.NewClickSend(fake.URL, clicksendtest.Username, clicksendtest.APIKey, 1000)
}

func TestClickSend_Send(t *testing.T) {
	t.Run("FormatAndPerMessageStatus", func(t *testing.T) {
		fake := clicksendtest.New(t)
		fake.SetStatus("+61400000002", "INVALID_RECIPIENT")
		res, err := newClickSend(fake).Send(context.Background(), []messaging.SMS{
			{ID: "msg_1", To: "+61400000001", From: "AvatarImg", Body: "Hi one"},
			{ID: "msg_2", To: "+61400000002", From: "AvatarImg", Body: "Hi two"},
			{ID: "msg_3", To: "+61400000003", From: "AvatarImg", Body: "Hi three"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if p := fake.Problems(); len(p) > 0 {
			t.Fatalf("requests not in ClickSend's format: %v", p)
		}
		byID := map[string]messaging.Result{}
		for _, r := range res {
			byID[r.ID] = r
		}
		// HTTP 200 with one refused message: only its own status says so.
		if r := byID["msg_2"]; r.OK || r.Status != "INVALID_RECIPIENT" || r.Retry {
			t.Errorf("refused message: %+v", r)
		}
		// Prices come as a number and as a string: both are read.
		for _, id := range []string{"msg_1", "msg_3"} {
			if r := byID[id]; !r.OK || r.ProviderMessageID == "" || r.CostCents != 8 || r.Parts != 1 {
				t.Errorf("%s: %+v", id, r)
			}
		}
		got := fake.Messages()
		if len(got) != 2 || got[0].CustomString != "msg_1" || got[0].Body != "Hi one" || got[0].From != "AvatarImg" || got[0].Source != "avatarcrm" {
			t.Errorf("accepted %+v", got)
		}
	})

	t.Run("BatchesOf100", func(t *testing.T) {
		fake := clicksendtest.New(t)
		var msgs []messaging.SMS
		for i := range 250 {
			msgs = append(msgs, messaging.SMS{ID: fmt.Sprintf("msg_%d", i), To: fmt.Sprintf("+614%08d", i), Body: "Hi"})
		}
		res, err := newClickSend(fake).Send(context.Background(), msgs)
		if err != nil {
			t.Fatal(err)
		}
		if b := fake.Batches(); !slices.Equal(b, []int{100, 100, 50}) {
			t.Errorf("batches %v, want 100, 100, 50", b)
		}
		if len(res) != 250 || len(fake.Messages()) != 250 {
			t.Errorf("%d results, %d accepted", len(res), len(fake.Messages()))
		}
	})

	t.Run("429And500AreTemporary", func(t *testing.T) {
		fake := clicksendtest.New(t)
		fake.FailNext(http.StatusTooManyRequests, http.StatusInternalServerError)
		cs := newClickSend(fake)
		one := []messaging.SMS{{ID: "msg_1", To: "+61400000001", Body: "Hi"}}
		for _, want := range []string{"429", "500"} {
			_, err := cs.Send(context.Background(), one)
			if err == nil || !messaging.IsTemporary(err) {
				t.Fatalf("HTTP %s: err %v, want a temporary error", want, err)
			}
		}
		if res, err := cs.Send(context.Background(), one); err != nil || len(res) != 1 || !res[0].OK {
			t.Fatalf("after the failures: %+v, %v", res, err)
		}
		if n := len(fake.Messages()); n != 1 {
			t.Errorf("accepted %d messages, want 1", n)
		}
	})

	t.Run("WrongKeyIsNotTemporary", func(t *testing.T) {
		fake := clicksendtest.New(t)
		cs := messaging.NewClickSend(fake.URL, clicksendtest.Username, "wrong", 1000)
		_, err := cs.Send(context.Background(), []messaging.SMS{{ID: "msg_1", To: "+61400000001", Body: "Hi"}})
		if err == nil || messaging.IsTemporary(err) {
			t.Fatalf("err %v, want a permanent error", err)
		}
	})
}
