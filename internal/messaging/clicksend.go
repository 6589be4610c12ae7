package messaging

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ClickSendName is the ClickSend provider's name.
const ClickSendName = "clicksend"

// ClickSendBaseURL is ClickSend's REST v3 API.
const ClickSendBaseURL = "https://rest.clicksend.com"

// ClickSendBatch is how many messages go in one request (ClickSend takes
// up to 1,000; 100 keeps a failed request small).
const ClickSendBatch = 100

// ClickSend sends SMS through ClickSend's REST v3 API
// (POST /v3/sms/send, HTTP Basic with the username and API key;
// ../shared/VENDORS.md). HTTP 200 is not enough: each message's own status
// must be SUCCESS.
type ClickSend struct {
	BaseURL  string
	Username string
	APIKey   string
	HTTP     *http.Client
	// Interval is the least time between two requests, so a burst of
	// reminders stays under the provider's rate limit.
	Interval time.Duration

	mu   sync.Mutex
	last time.Time
}

// NewClickSend builds a client; an empty baseURL is ClickSend's own, and
// perSecond ≤ 0 means 5 requests a second.
func NewClickSend(baseURL, username, apiKey string, perSecond float64) *ClickSend {
	if baseURL == "" {
		baseURL = ClickSendBaseURL
	}
	if perSecond <= 0 {
		perSecond = 5
	}
	return &ClickSend{
		BaseURL: strings.TrimRight(baseURL, "/"), Username: username, APIKey: apiKey,
		HTTP:     &http.Client{Timeout: 20 * time.Second},
		Interval: time.Duration(float64(time.Second) / perSecond),
	}
}

// Name implements Provider.
func (c *ClickSend) Name() string { return ClickSendName }

// clickSendMessage is one message of a send request.
type clickSendMessage struct {
	Source       string `json:"source"`
	Body         string `json:"body"`
	To           string `json:"to"`
	From         string `json:"from,omitempty"`
	CustomString string `json:"custom_string"`
}

// clickSendAnswer is ClickSend's envelope, for success and errors alike.
type clickSendAnswer struct {
	HTTPCode     int    `json:"http_code"`
	ResponseCode string `json:"response_code"`
	ResponseMsg  string `json:"response_msg"`
	Data         struct {
		Messages []struct {
			MessageID    string      `json:"message_id"`
			Status       string      `json:"status"`
			MessagePrice json.Number `json:"message_price"`
			MessageParts int         `json:"message_parts"`
			To           string      `json:"to"`
			CustomString string      `json:"custom_string"`
		} `json:"messages"`
	} `json:"data"`
}

// Send implements Provider, in requests of at most ClickSendBatch
// messages. An error stops at the failed request; results of the requests
// before it are returned with it.
func (c *ClickSend) Send(ctx context.Context, msgs []SMS) ([]Result, error) {
	var out []Result
	for len(msgs) > 0 {
		n := min(len(msgs), ClickSendBatch)
		res, err := c.send(ctx, msgs[:n])
		out = append(out, res...)
		if err != nil {
			return out, err
		}
		msgs = msgs[n:]
	}
	return out, nil
}

// wait spaces requests by Interval.
func (c *ClickSend) wait(ctx context.Context) error {
	c.mu.Lock()
	next := c.last.Add(c.Interval)
	now := time.Now()
	if next.Before(now) {
		next = now
	}
	c.last = next
	c.mu.Unlock()
	t := time.NewTimer(time.Until(next))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *ClickSend) send(ctx context.Context, msgs []SMS) ([]Result, error) {
	req := struct {
		Messages []clickSendMessage `json:"messages"`
	}{}
	for _, m := range msgs {
		req.Messages = append(req.Messages, clickSendMessage{Source: "avatarcrm", Body: m.Body, To: m.To, From: m.From, CustomString: m.ID})
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	if err := c.wait(ctx); err != nil {
		return nil, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+"/v3/sms/send", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hr.SetBasicAuth(c.Username, c.APIKey)
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(hr)
	if err != nil {
		return nil, &TemporaryError{fmt.Errorf("clicksend: %w", err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, &TemporaryError{fmt.Errorf("clicksend: read answer: %w", err)}
	}
	var ans clickSendAnswer
	jerr := json.Unmarshal(raw, &ans)
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("clicksend: HTTP %d %s", resp.StatusCode, ans.ResponseCode)
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			return nil, &TemporaryError{err}
		}
		return nil, err
	}
	if jerr != nil {
		return nil, &TemporaryError{fmt.Errorf("clicksend: answer is not JSON: %w", jerr)}
	}
	byID := map[string]int{}
	for i, m := range msgs {
		byID[m.ID] = i
	}
	out := make([]Result, 0, len(msgs))
	seen := map[string]bool{}
	for _, m := range ans.Data.Messages {
		if _, ok := byID[m.CustomString]; !ok || seen[m.CustomString] {
			continue
		}
		seen[m.CustomString] = true
		r := Result{ID: m.CustomString, Status: m.Status, OK: m.Status == "SUCCESS", ProviderMessageID: m.MessageID, CostCents: priceCents(m.MessagePrice), Parts: m.MessageParts}
		r.Retry = !r.OK && m.Status == "INSUFFICIENT_CREDIT"
		out = append(out, r)
	}
	// A message the answer does not mention was not accepted.
	for _, m := range msgs {
		if !seen[m.ID] {
			out = append(out, Result{ID: m.ID, Status: "MISSING_FROM_ANSWER", CostCents: -1, Retry: true})
		}
	}
	return out, nil
}

// priceCents reads ClickSend's message_price (dollars, a number or a
// string) as cents; -1 if absent or unreadable.
func priceCents(n json.Number) int {
	s := strings.Trim(string(n), `"`)
	if s == "" {
		return -1
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return -1
	}
	return int(math.Round(f * 100))
}

// ClickSendHistoryPages bounds how many pages of 100 Find reads before it
// gives up (an error: the job retries later rather than send blind).
const ClickSendHistoryPages = 50

// clickSendHistory is one page of GET /v3/sms/history.
type clickSendHistory struct {
	HTTPCode     int    `json:"http_code"`
	ResponseCode string `json:"response_code"`
	Data         struct {
		Total       int `json:"total"`
		CurrentPage int `json:"current_page"`
		LastPage    int `json:"last_page"`
		Data        []struct {
			Direction    string      `json:"direction"`
			MessageID    string      `json:"message_id"`
			Status       string      `json:"status"`
			MessagePrice json.Number `json:"message_price"`
			MessageParts json.Number `json:"message_parts"`
			To           string      `json:"to"`
			CustomString string      `json:"custom_string"`
		} `json:"data"`
	} `json:"data"`
}

// Find implements Finder through ClickSend's SMS history
// (GET /v3/sms/history?date_from&date_to&page&limit, newest pages as
// ClickSend orders them), matching the message by custom_string, which
// Send sets to the message's ID. A message ClickSend holds as FAILED or
// CANCELLED is not found: it never reached the patient, and may be sent
// again. Any error is temporary.
func (c *ClickSend) Find(ctx context.Context, id string, since time.Time) (Result, bool, error) {
	from := since.Add(-10 * time.Minute).Unix() // clock skew between us and ClickSend
	to := time.Now().Add(10 * time.Minute).Unix()
	for page := 1; page <= ClickSendHistoryPages; page++ {
		var h clickSendHistory
		if err := c.history(ctx, from, to, page, &h); err != nil {
			return Result{}, false, err
		}
		for _, m := range h.Data.Data {
			if m.CustomString != id || (m.Direction != "" && m.Direction != "out") {
				continue
			}
			switch strings.ToUpper(m.Status) {
			case "FAILED", "CANCELLED", "CANCELLED_AFTER_REVIEW":
				continue
			}
			parts, _ := strconv.ParseFloat(strings.Trim(string(m.MessageParts), `"`), 64)
			return Result{ID: id, OK: true, Status: "SUCCESS", ProviderMessageID: m.MessageID,
				CostCents: priceCents(m.MessagePrice), Parts: int(parts)}, true, nil
		}
		if h.Data.LastPage <= page || len(h.Data.Data) == 0 {
			return Result{}, false, nil
		}
	}
	return Result{}, false, &TemporaryError{fmt.Errorf("clicksend: message %s not in the first %d pages of the history", id, ClickSendHistoryPages)}
}

func (c *ClickSend) history(ctx context.Context, from, to int64, page int, out *clickSendHistory) error {
	if err := c.wait(ctx); err != nil {
		return err
	}
	u := fmt.Sprintf("%s/v3/sms/history?date_from=%d&date_to=%d&page=%d&limit=100", c.BaseURL, from, to, page)
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	hr.SetBasicAuth(c.Username, c.APIKey)
	hr.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(hr)
	if err != nil {
		return &TemporaryError{fmt.Errorf("clicksend history: %w", err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return &TemporaryError{fmt.Errorf("clicksend history: read answer: %w", err)}
	}
	if resp.StatusCode != http.StatusOK {
		return &TemporaryError{fmt.Errorf("clicksend history: HTTP %d", resp.StatusCode)}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &TemporaryError{fmt.Errorf("clicksend history: answer is not JSON: %w", err)}
	}
	return nil
}
