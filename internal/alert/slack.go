package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Slack posts alerts to a Slack incoming webhook: POST {"text": …}, 200
// "ok". 400, 403, 404 and 410 (invalid_payload, action_prohibited,
// channel_not_found, channel_is_archived) are permanent; 429 and 5xx are
// retried by the job.
type Slack struct {
	URL    string
	Client *http.Client
}

// Name implements Sender.
func (*Slack) Name() string { return "slack" }

// Send implements Sender.
func (s *Slack) Send(ctx context.Context, text string) error {
	body, _ := json.Marshal(map[string]string{"text": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return &Permanent{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("slack: %d %s", resp.StatusCode, bytes.TrimSpace(msg))
	}
	return &Permanent{Err: fmt.Errorf("slack: %d %s", resp.StatusCode, bytes.TrimSpace(msg))}
}
