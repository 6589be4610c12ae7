package email

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"
	"google.golang.org/api/gmail/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
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
	svc      *gmail.Service
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
	scopes := []string{gmail.GmailSendScope}
	if c.FindSent {
		scopes = append(scopes, gmail.GmailReadonlyScope)
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
	opts := []option.ClientOption{option.WithHTTPClient(hc)}
	if c.BaseURL != "" {
		opts = append(opts, option.WithEndpoint(strings.TrimRight(c.BaseURL, "/")+"/"))
	}
	svc, err := gmail.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("email provider gmail: %w", err)
	}
	account := "gmail:" + strings.ToLower(c.User)
	if c.User == "" {
		account = "gmail:client:" + cf.ClientID
	}
	return &Gmail{svc: svc, findSent: c.FindSent, account: account}, nil
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
	m, err := g.svc.Users.Messages.Send("me", &gmail.Message{Raw: base64.URLEncoding.EncodeToString(raw)}).Context(ctx).Do()
	if err != nil {
		return Result{}, gmailError(err)
	}
	return Result{ProviderMessageID: m.Id}, nil
}

// Find implements Finder when FindSent is set: it searches the mailbox for
// the Message-ID.
func (g *Gmail) Find(ctx context.Context, messageID string) (Result, bool, error) {
	if !g.findSent {
		return Result{}, false, nil
	}
	r, err := g.svc.Users.Messages.List("me").Q("rfc822msgid:" + messageID).IncludeSpamTrash(false).Context(ctx).Do()
	if err != nil {
		return Result{}, false, gmailError(err)
	}
	if len(r.Messages) == 0 {
		return Result{}, false, nil
	}
	return Result{ProviderMessageID: r.Messages[0].Id}, true, nil
}

func gmailError(err error) error {
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		return &Error{Temporary: true, Err: fmt.Errorf("gmail: %w", err)}
	}
	temp := ge.Code == http.StatusTooManyRequests || ge.Code >= 500
	for _, it := range ge.Errors {
		switch it.Reason {
		case "rateLimitExceeded", "userRateLimitExceeded", "dailyLimitExceeded":
			temp = true
		}
	}
	var after time.Duration
	if s := ge.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			after = time.Duration(n) * time.Second
		}
	}
	return &Error{Temporary: temp, RetryAfter: after, Err: fmt.Errorf("gmail: %w", err)}
}
