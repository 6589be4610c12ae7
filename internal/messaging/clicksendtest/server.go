// Package clicksendtest is a local ClickSend REST v3 server for tests: it
// checks each request against ClickSend's documented format (POST
// /v3/sms/send, HTTP Basic, a JSON body of messages with to, body, source
// and custom_string, at most 1,000 of them) and answers in ClickSend's
// envelope, with a per-message status. Tests read what it received, and
// can make it answer 429, 500 or a per-message refusal.
package clicksendtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Username and APIKey are the credentials the server accepts.
const (
	Username = "clinic@example.com"
	APIKey   = "TEST-API-KEY-0000"
)

// Message is one message the server accepted.
type Message struct {
	MessageID    string
	To           string
	From         string
	Body         string
	Source       string
	CustomString string
}

// Server is a fake ClickSend.
type Server struct {
	*httptest.Server
	tb testing.TB

	mu       sync.Mutex
	accepted []Message
	requests int
	batches  []int
	failNext []int             // statuses to answer the next requests with
	statuses map[string]string // to → per-message status to answer
	problems []string
}

// E.164: a plus and 8 to 15 digits.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// New starts a server, stopped when the test ends.
func New(tb testing.TB) *Server {
	s := &Server{tb: tb, statuses: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	tb.Cleanup(s.Close)
	return s
}

// FailNext makes the next requests answer these HTTP statuses (429, 500, …)
// in order, with ClickSend's error envelope, before answering normally.
func (s *Server) FailNext(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, codes...)
}

// SetStatus makes messages to the number answer status (e.g.
// INVALID_RECIPIENT) inside an HTTP 200.
func (s *Server) SetStatus(to, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statuses[to] = status
}

// Messages returns the messages accepted so far (status SUCCESS).
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.accepted...)
}

// Requests is how many send requests arrived (failed ones included).
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Batches lists the number of messages of each well-formed request.
func (s *Server) Batches() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.batches...)
}

// Problems lists what was wrong with requests (a test should expect none).
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

func (s *Server) envelope(w http.ResponseWriter, code int, rc, msg string, data any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"http_code": code, "response_code": rc, "response_msg": msg, "data": data})
}

func (s *Server) refuse(w http.ResponseWriter, code int, rc, problem string) {
	s.problems = append(s.problems, problem)
	s.envelope(w, code, rc, problem, nil)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if r.URL.Path != "/v3/sms/send" {
		s.refuse(w, http.StatusNotFound, "NOT_FOUND", "path "+r.URL.Path)
		return
	}
	if r.Method != http.MethodPost {
		s.refuse(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "method "+r.Method)
		return
	}
	if u, p, ok := r.BasicAuth(); !ok || u != Username || p != APIKey {
		s.refuse(w, http.StatusUnauthorized, "UNAUTHORIZED", "basic auth missing or wrong")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		s.refuse(w, http.StatusBadRequest, "BAD_REQUEST", "content type "+ct)
		return
	}
	if len(s.failNext) > 0 {
		code := s.failNext[0]
		s.failNext = s.failNext[1:]
		rc := map[int]string{429: "TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR", 503: "SERVICE_UNAVAILABLE"}[code]
		s.envelope(w, code, rc, "fake failure", nil)
		return
	}
	var req struct {
		Messages []map[string]any `json:"messages"`
	}
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&req); err != nil {
		s.refuse(w, http.StatusBadRequest, "BAD_REQUEST", "body: "+err.Error())
		return
	}
	if n := len(req.Messages); n == 0 || n > 1000 {
		s.refuse(w, http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("%d messages in one request", n))
		return
	}
	s.batches = append(s.batches, len(req.Messages))
	var out []map[string]any
	queued, total := 0, 0.0
	for i, m := range req.Messages {
		str := func(k string) string { v, _ := m[k].(string); return v }
		for k := range m {
			switch k {
			case "source", "body", "to", "from", "schedule", "custom_string", "list_id", "country":
			default:
				s.problems = append(s.problems, fmt.Sprintf("message %d: unknown field %q", i, k))
			}
		}
		to, body := str("to"), str("body")
		status := "SUCCESS"
		switch {
		case body == "":
			s.problems = append(s.problems, fmt.Sprintf("message %d: empty body", i))
			status = "EMPTY_MESSAGE"
		case !e164.MatchString(to):
			status = "INVALID_RECIPIENT"
		case s.statuses[to] != "":
			status = s.statuses[to]
		}
		id := fmt.Sprintf("BF7AD270-0DE2-418B-B606-%012d", s.requests*1000+i)
		// ClickSend sends message_price as a number or a string.
		var price any = 0.0771
		if i%2 == 1 {
			price = "0.0771"
		}
		if status == "SUCCESS" {
			queued++
			total += 0.0771
			s.accepted = append(s.accepted, Message{MessageID: id, To: to, From: str("from"), Body: body, Source: str("source"), CustomString: str("custom_string")})
		}
		out = append(out, map[string]any{
			"message_id": id, "status": status, "message_price": price, "message_parts": 1,
			"to": to, "from": str("from"), "body": body, "custom_string": str("custom_string"),
			"date": 1436871253, "direction": "out", "country": "AU", "carrier": "Telstra",
		})
	}
	s.envelope(w, http.StatusOK, "SUCCESS", "Messages queued for delivery.", map[string]any{
		"queued_count": queued, "total_price": total, "messages": out,
		"currency": map[string]any{"currency_name_short": "AUD"},
	})
}
