package email

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"
)

// The Gmail API's OAuth scopes and root. The two calls this provider makes
// (users.messages.send and users.messages.list) are plain JSON over the
// oauth2 HTTP client: Google's generated client (google.golang.org/api)
// brought grpc, OpenTelemetry and 10 MB of code into the server for them
// (docs/DECISIONS.md, "Gmail over plain HTTP").
const (
	gmailSendScope     = "https://www.googleapis.com/auth/gmail.send"
	gmailReadonlyScope = "https://www.googleapis.com/auth/gmail.readonly"
	gmailBaseURL       = "https://gmail.googleapis.com/"
	// gmailMaxResponse bounds what is read of an answer: a send's or a
	// search's is a few hundred bytes, an error's a few kilobytes.
	gmailMaxResponse = 1 << 20
)

// GmailName is the Gmail API provider's name.
const GmailName = "gmail"

// GmailConfig says how to reach the Gmail API.
type GmailConfig struct {
	// CredentialsFile is a JSON file: an OAuth client's refresh token
	// ("type": "authorized_user", with client_id, client_secret and
	// refresh_token) or a service account key ("type": "service_account")
	// with domain-wide delegation to act as User.
	CredentialsFile string
	// User is the mailbox that sends (the From address): the delegated
	// subject of a service account. Requests name it "me".
	User string
	// BaseURL is the API root (https://gmail.googleapis.com/; a local fake
	// in tests). TokenURL, when set, replaces the credentials' token
	// endpoint (tests).
	BaseURL, TokenURL string
	// FindSent makes a send retried after a crash look for the earlier
	// copy in the mailbox first (rfc822msgid search; needs the
	// gmail.readonly scope besides gmail.send).
	FindSent bool
}

// Gmail sends through the Gmail API (users.messages.send with the RFC
// 2822 message base64url-encoded in raw).
type Gmail struct {
	hc       *http.Client
	base     string // the API root, ending in "/"
	findSent bool
	account  string
}

type credentialsFile struct {
	Type string `json:"type"`
	// authorized_user
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	RefreshToken string `json:"refresh_token"`
	// service_account
	ClientEmail  string `json:"client_email"`
	PrivateKey   string `json:"private_key"`
	PrivateKeyID string `json:"private_key_id"`
	TokenURI     string `json:"token_uri"`
}

// NewGmail reads the credentials and builds the client.
func NewGmail(ctx context.Context, c GmailConfig) (*Gmail, error) {
	if c.CredentialsFile == "" {
		return nil, errors.New("email provider gmail: AVATARCRM_GMAIL_CREDENTIALS_FILE is required")
	}
	b, err := os.ReadFile(c.CredentialsFile)
	if err != nil {
		return nil, fmt.Errorf("AVATARCRM_GMAIL_CREDENTIALS_FILE: %w", err)
	}
	var cf credentialsFile
	if err := json.Unmarshal(b, &cf); err != nil {
		return nil, fmt.Errorf("AVATARCRM_GMAIL_CREDENTIALS_FILE: not JSON: %w", err)
	}
	tokenURL := or(c.TokenURL, or(cf.TokenURI, "https://oauth2.googleapis.com/token"))
	scopes := []string{gmailSendScope}
	if c.FindSent {
		scopes = append(scopes, gmailReadonlyScope)
	}
	// The token source lives as long as the program, not the start-up
	// context.
	tctx := context.WithoutCancel(ctx)
	var ts oauth2.TokenSource
	switch cf.Type {
	case "authorized_user":
		if cf.ClientID == "" || cf.ClientSecret == "" || cf.RefreshToken == "" {
			return nil, errors.New("AVATARCRM_GMAIL_CREDENTIALS_FILE: an authorized_user file needs client_id, client_secret and refresh_token")
		}
		oc := &oauth2.Config{ClientID: cf.ClientID, ClientSecret: cf.ClientSecret, Scopes: scopes,
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
		ts = oc.TokenSource(tctx, &oauth2.Token{RefreshToken: cf.RefreshToken})
	case "service_account":
		if cf.ClientEmail == "" || cf.PrivateKey == "" {
			return nil, errors.New("AVATARCRM_GMAIL_CREDENTIALS_FILE: a service_account file needs client_email and private_key")
		}
		if c.User == "" {
			return nil, errors.New("email provider gmail: a service account sends as AVATARCRM_EMAIL_FROM (domain-wide delegation): set it")
		}
		jc := &jwt.Config{Email: cf.ClientEmail, PrivateKey: []byte(cf.PrivateKey), PrivateKeyID: cf.PrivateKeyID,
			Scopes: scopes, TokenURL: tokenURL, Subject: c.User}
		ts = jc.TokenSource(tctx)
	default:
		return nil, fmt.Errorf("AVATARCRM_GMAIL_CREDENTIALS_FILE: type %q: want authorized_user or service_account", cf.Type)
	}
	hc := oauth2.NewClient(tctx, oauth2.ReuseTokenSource(nil, ts))
	hc.Timeout = 30 * time.Second
	base := gmailBaseURL
	if c.BaseURL != "" {
		base = strings.TrimRight(c.BaseURL, "/") + "/"
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("email provider gmail: AVATARCRM_GMAIL_BASE_URL %q is not an http(s) URL", c.BaseURL)
	}
	account := "gmail:" + strings.ToLower(c.User)
	if c.User == "" {
		account = "gmail:client:" + cf.ClientID
	}
	return &Gmail{hc: hc, base: base, findSent: c.FindSent, account: account}, nil
}

// Account implements Accounter: the mailbox that sends (the delegated
// subject, or the refresh token's user, which is AVATARCRM_EMAIL_FROM).
func (g *Gmail) Account() string { return g.account }

// Name implements Provider.
func (*Gmail) Name() string { return GmailName }

// Send implements Provider. 429 and the rate-limit reasons of 403
// (rateLimitExceeded, userRateLimitExceeded, dailyLimitExceeded) and 5xx
// are temporary; other 4xx are permanent.
func (g *Gmail) Send(ctx context.Context, e Email) (Result, error) {
	raw, err := Raw(e)
	if err != nil {
		return Result{}, &Error{Err: err}
	}
	body, err := json.Marshal(struct {
		Raw string `json:"raw"`
	}{base64.URLEncoding.EncodeToString(raw)})
	if err != nil {
		return Result{}, &Error{Err: err}
	}
	var m struct {
		ID string `json:"id"`
	}
	if err := g.call(ctx, http.MethodPost, "gmail/v1/users/me/messages/send", nil, body, &m); err != nil {
		return Result{}, err
	}
	if m.ID == "" {
		return Result{}, &Error{Temporary: true, Err: errors.New("gmail: send answered without a message id")}
	}
	return Result{ProviderMessageID: m.ID}, nil
}

// Find implements Finder when FindSent is set: it searches the mailbox for
// the Message-ID.
func (g *Gmail) Find(ctx context.Context, messageID string) (Result, bool, error) {
	if !g.findSent {
		return Result{}, false, nil
	}
	q := url.Values{"q": {"rfc822msgid:" + messageID}, "includeSpamTrash": {"false"}}
	var r struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := g.call(ctx, http.MethodGet, "gmail/v1/users/me/messages", q, nil, &r); err != nil {
		return Result{}, false, err
	}
	if len(r.Messages) == 0 {
		return Result{}, false, nil
	}
	return Result{ProviderMessageID: r.Messages[0].ID}, true, nil
}

// call makes one request of the Gmail API and decodes a 2xx answer's JSON
// into out. Errors are *Error: the network's and 5xx are temporary.
func (g *Gmail) call(ctx context.Context, method, path string, q url.Values, body []byte, out any) error {
	u := g.base + path
	if q == nil {
		q = url.Values{}
	}
	q.Set("alt", "json")
	q.Set("prettyPrint", "false")
	u += "?" + q.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return &Error{Err: fmt.Errorf("gmail: %w", err)}
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.hc.Do(req)
	if err != nil {
		return &Error{Temporary: true, Err: fmt.Errorf("gmail: %w", err)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, gmailMaxResponse))
	if err != nil {
		return &Error{Temporary: true, Err: fmt.Errorf("gmail: reading the answer: %w", err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return gmailError(resp.StatusCode, resp.Header, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &Error{Temporary: true, Err: fmt.Errorf("gmail: the answer is not JSON: %w", err)}
	}
	return nil
}

// gmailError turns a Gmail API error answer (Google's JSON error: code,
// message, errors[].reason) into an *Error.
func gmailError(status int, h http.Header, body []byte) error {
	var ge struct {
		Error struct {
			Message string `json:"message"`
			Errors  []struct {
				Reason string `json:"reason"`
			} `json:"errors"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &ge) // not JSON: the status alone decides
	temp := status == http.StatusTooManyRequests || status >= 500
	var reasons []string
	for _, it := range ge.Error.Errors {
		switch it.Reason {
		case "rateLimitExceeded", "userRateLimitExceeded", "dailyLimitExceeded":
			temp = true
		}
		if it.Reason != "" {
			reasons = append(reasons, it.Reason)
		}
	}
	msg := ge.Error.Message
	if msg == "" {
		msg = strings.TrimSpace(string(body[:min(len(body), 200)]))
	}
	if len(reasons) > 0 {
		msg += ", " + strings.Join(reasons, ", ")
	}
	var after time.Duration
	if s := h.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			after = time.Duration(n) * time.Second
		}
	}
	return &Error{Temporary: temp, RetryAfter: after, Err: fmt.Errorf("gmail: error %d: %s", status, msg)}
}
