// Package aitest is a local fake of an OpenAI-compatible chat completions
// server (Workers AI, Ollama …) for tests: a real HTTP server speaking the
// real wire format, usage block included, whose answers each test
// scripts, and which records every request it receives.
package aitest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is what the fake received: the decoded body of a
// /chat/completions call.
type Request struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	ResponseFormat *struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string         `json:"name"`
			Schema map[string]any `json:"schema"`
		} `json:"json_schema"`
	} `json:"response_format"`
	MaxTokens *int64 `json:"max_tokens"`
	// Raw is the body as sent.
	Raw string `json:"-"`
	// Authorization is the header as sent.
	Authorization string `json:"-"`
}

// User returns the user message.
func (r Request) User() string {
	for _, m := range r.Messages {
		if m.Role == "user" {
			return m.Content
		}
	}
	return ""
}

// Response is what the fake answers.
type Response struct {
	// Status is the HTTP status; 0 means 200.
	Status int
	// Content is the assistant message (the model's JSON, or anything).
	Content string
	// PromptTokens and CompletionTokens fill the usage block.
	PromptTokens, CompletionTokens int64
	// Delay holds the answer back; the fake gives up early when the
	// client goes away.
	Delay time.Duration
	// Hang holds the answer until the client goes away.
	Hang bool
}

// Server is the fake.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	requests []Request
	respond  func(Request) Response
}

// NewServer starts a fake that answers every request with respond; it is
// closed when the test ends.
func NewServer(t testing.TB, respond func(Request) Response) *Server {
	t.Helper()
	s := &Server{respond: respond}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// BaseURL is the API root to configure (the client appends
// /chat/completions).
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Requests returns what the fake has received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// SetRespond replaces the answer script.
func (s *Server) SetRespond(respond func(Request) Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.respond = respond
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		writeError(w, http.StatusNotFound, "not_found", "no route "+r.Method+" "+r.URL.Path)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req Request
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "the body is not JSON")
		return
	}
	req.Raw, req.Authorization = string(body), r.Header.Get("Authorization")
	s.mu.Lock()
	s.requests = append(s.requests, req)
	respond := s.respond
	s.mu.Unlock()
	res := respond(req)
	switch {
	case res.Hang:
		<-r.Context().Done()
		return
	case res.Delay > 0:
		select {
		case <-time.After(res.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if res.Status != 0 && res.Status != http.StatusOK {
		code := map[int]string{429: "rate_limit_exceeded", 500: "server_error", 401: "invalid_api_key", 400: "invalid_request_error"}[res.Status]
		writeError(w, res.Status, code, http.StatusText(res.Status))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion", "created": 1774828800, "model": req.Model,
		"choices": []any{map[string]any{
			"index": 0, "finish_reason": "stop", "logprobs": nil,
			"message": map[string]any{"role": "assistant", "content": res.Content, "refusal": nil},
		}},
		"usage": map[string]any{
			"prompt_tokens": res.PromptTokens, "completion_tokens": res.CompletionTokens,
			"total_tokens": res.PromptTokens + res.CompletionTokens,
		},
	})
}

// writeError answers in OpenAI's error envelope.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": code, "param": nil, "code": code}})
}

// JSON answers with v encoded as the assistant's content.
func JSON(v any, promptTokens, completionTokens int64) Response {
	b, _ := json.Marshal(v)
	return Response{Content: string(b), PromptTokens: promptTokens, CompletionTokens: completionTokens}
}
