package openai_test

import (
	"context"
	"errors"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/ai/aitest"
	"github.com/avatarimaging/avatarcrm/internal/ai/openai"
)

func TestComplete_WireFormat(t *testing.T) {
	fake := aitest.NewServer(t, func(aitest.Request) aitest.Response {
		return aitest.Response{Content: `{"ok":true}`, PromptTokens: 42, CompletionTokens: 7}
	})
	c := openai.New(openai.Config{BaseURL: fake.BaseURL(), APIKey: "k"})
	schema := map[string]any{"type": "object"}
	for _, tc := range []struct {
		mode ai.JSONMode
		want string
	}{{ai.JSONSchema, "json_schema"}, {ai.JSONObject, "json_object"}, {ai.JSONNone, ""}} {
		res, err := c.Complete(context.Background(), ai.Completion{Model: "m", System: "sys", User: "usr", SchemaName: "x", Schema: schema, Mode: tc.mode, MaxTokens: 50})
		if err != nil {
			t.Fatal(err)
		}
		if res.Content != `{"ok":true}` || res.InputTokens != 42 || res.OutputTokens != 7 || res.Model != "m" {
			t.Errorf("result %+v", res)
		}
		req := fake.Requests()[len(fake.Requests())-1]
		got := ""
		if req.ResponseFormat != nil {
			got = req.ResponseFormat.Type
		}
		if got != tc.want || req.Messages[0].Role != "system" || req.Messages[1].Content != "usr" || *req.MaxTokens != 50 || req.Authorization != "Bearer k" {
			t.Errorf("%s: sent %s", tc.mode, req.Raw)
		}
		if tc.mode == ai.JSONSchema && (req.ResponseFormat.JSONSchema.Name != "x" || req.ResponseFormat.JSONSchema.Schema["type"] != "object") {
			t.Errorf("schema sent: %s", req.Raw)
		}
	}
}

// Without a key of its own the client sends none, even with
// OPENAI_API_KEY in the environment (it would leak to another server).
func TestComplete_NoKeyNoHeader(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-leak")
	fake := aitest.NewServer(t, func(aitest.Request) aitest.Response { return aitest.Response{Content: "{}"} })
	if _, err := openai.New(openai.Config{BaseURL: fake.BaseURL()}).Complete(context.Background(), ai.Completion{Model: "m"}); err != nil {
		t.Fatal(err)
	}
	if a := fake.Requests()[0].Authorization; a != "" {
		t.Errorf("Authorization %q, want none", a)
	}
}

func TestComplete_Errors(t *testing.T) {
	for status, reason := range map[int]string{429: ai.FallbackRateLimited, 500: ai.FallbackServerError, 401: ai.FallbackHTTPError} {
		fake := aitest.NewServer(t, func(aitest.Request) aitest.Response { return aitest.Response{Status: status} })
		_, err := openai.New(openai.Config{BaseURL: fake.BaseURL()}).Complete(context.Background(), ai.Completion{Model: "m"})
		var me *ai.ModelError
		if !errors.As(err, &me) || me.Reason != reason || me.Status != status {
			t.Errorf("%d: %v", status, err)
		}
		if n := len(fake.Requests()); n != 1 {
			t.Errorf("%d: %d requests; the client must not retry inside the AI layer's budget", status, n)
		}
	}
	_, err := openai.New(openai.Config{BaseURL: "http://127.0.0.1:1/v1"}).Complete(context.Background(), ai.Completion{Model: "m"})
	var me *ai.ModelError
	if !errors.As(err, &me) || me.Reason != ai.FallbackNetwork {
		t.Errorf("nothing listening: %v", err)
	}
}
