// Package clicksendtest is a local ClickSend REST v3 server for tests: it
// checks each request against ClickSend's documented format (POST
// /v3/sms/send, HTTP Basic, a JSON body of messages with to, body, source
// and custom_string, at most 1,000 of them) and answers in ClickSend's
// envelope, with a per-message status. Tests read what it received, and
// can make it answer 429, 500 or a per-message refusal, or take its time.
// It also answers GET /v3/sms/history (ClickSend's paginated SMS history,
// filtered by date_from and date_to), from which a send job run again
// learns whether an earlier attempt's message arrived.
package clicksendtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
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
	// At is when it was accepted.
	At time.Time
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
	delay    time.Duration
	history  int
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

// SetDelay makes every send request take d before it is answered, as a
// real provider's call does; the message is accepted at the end of it,
// even if the client has gone (ClickSend keeps a request it received).
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// HistoryRequests is how many GET /v3/sms/history requests arrived.
func (s *Server) HistoryRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.history
}

// Messages returns the messages accepted so far (status SUCCESS).
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.accepted...)
}

// Requests is how many send requests arrived (failed ones included;
// history requests are counted apart).
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
	if r.URL.Path == "/v3/sms/history" {
		s.handleHistory(w, r)
		return
	}
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
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
			s.accepted = append(s.accepted, Message{MessageID: id, To: to, From: str("from"), Body: body, Source: str("source"), CustomString: str("custom_string"), At: time.Now()})
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

// handleHistory answers GET /v3/sms/history?date_from&date_to&page&limit
// with the accepted messages in ClickSend's paginated envelope
// (data.total, per_page, current_page, last_page, data.data).
func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.history++
	if r.Method != http.MethodGet {
		s.refuse(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "history: method "+r.Method)
		return
	}
	if u, p, ok := r.BasicAuth(); !ok || u != Username || p != APIKey {
		s.refuse(w, http.StatusUnauthorized, "UNAUTHORIZED", "history: basic auth missing or wrong")
		return
	}
	q := r.URL.Query()
	num := func(k string, def int64) (int64, bool) {
		v := q.Get(k)
		if v == "" {
			return def, true
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil && n >= 0
	}
	from, ok1 := num("date_from", 0)
	to, ok2 := num("date_to", 1<<62)
	page, ok3 := num("page", 1)
	limit, ok4 := num("limit", 15)
	if !ok1 || !ok2 || !ok3 || !ok4 || page < 1 || limit < 1 || limit > 100 {
		s.refuse(w, http.StatusBadRequest, "BAD_REQUEST", "history: bad query "+r.URL.RawQuery)
		return
	}
	var match []Message
	for _, m := range s.accepted {
		if at := m.At.Unix(); at >= from && at <= to {
			match = append(match, m)
		}
	}
	last := max(1, (len(match)+int(limit)-1)/int(limit))
	var rows []map[string]any
	for i := int(page-1) * int(limit); i < len(match) && i < int(page*limit); i++ {
		m := match[i]
		rows = append(rows, map[string]any{
			"direction": "out", "date": m.At.Unix(), "to": m.To, "body": m.Body, "from": m.From,
			"schedule": "", "message_id": m.MessageID, "message_parts": "1.00", "message_price": "0.0771",
			"custom_string": m.CustomString, "user_id": 1, "subaccount_id": 1, "country": "AU",
			"carrier": "Telstra", "status": "Sent", "status_code": "201", "status_text": "Sent",
		})
	}
	if rows == nil {
		rows = []map[string]any{}
	}
	s.envelope(w, http.StatusOK, "SUCCESS", "Here are your data.", map[string]any{
		"total": len(match), "per_page": limit, "current_page": page, "last_page": last,
		"from": (page-1)*limit + 1, "to": min(int(page*limit), len(match)), "data": rows,
	})
}
