package auth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/clock"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/avatarimaging/avatarcrm/ent"
	entsession "github.com/avatarimaging/avatarcrm/ent/session"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// LoginCookieName holds the state, nonce and PKCE verifier of a sign-in in
// progress, encrypted (see loginState).
const LoginCookieName = "avatarcrm_oidc"

// loginTTL bounds how long a person may take at the provider.
const loginTTL = 10 * time.Minute

// OIDCConfig are the settings of an OpenID Connect provider.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL, e.g. https://accounts.google.com.
	Issuer string
	// ClientID and ClientSecret are the OAuth client registered with it.
	ClientID, ClientSecret string
	// RedirectURL is this server's /auth/callback, as registered.
	RedirectURL string
	// HostedDomain, when set, admits only accounts of that Google Workspace
	// domain.
	HostedDomain string
	// HTTPClient talks to the provider (discovery, keys, token exchange);
	// the default gives up after 10 seconds.
	HTTPClient *http.Client
	// DiscoveryTimeout bounds provider discovery at start (default 15s).
	DiscoveryTimeout time.Duration
}

// OIDC signs people in with an OpenID Connect provider (the authorization
// code flow with PKCE). Only invited users get in; see Callback.
type OIDC struct {
	svc          *Service
	oauth        oauth2.Config
	verifier     *oidc.IDTokenVerifier
	hostedDomain string
	client       *http.Client
	aead         cipher.AEAD
	provider     string

	// Fail shows the sign-in page with an error message and status. The app
	// wires the UI's; without it errors are plain text.
	Fail func(w http.ResponseWriter, r *http.Request, status int, msg string)
	// Now is the clock of the login cookie's expiry (default the session
	// clock). ID tokens are checked against real time: their iat/nbf/exp
	// come from the provider's clock, not ours.
	Now clock.Clock
}

// NewOIDC discovers the provider and returns the sign-in handlers. A
// provider that cannot be reached fails the start, naming the issuer,
// rather than leaving a server nobody can sign in to.
func NewOIDC(ctx context.Context, s *Service, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("oidc: issuer, client id and redirect URL are required")
	}
	if cfg.ClientSecret == "" {
		return nil, errors.New("oidc: a client secret is required")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	timeout := cfg.DiscoveryTimeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// The provider keeps this client for fetching its signing keys later.
	provider, err := oidc.NewProvider(oidc.ClientContext(dctx, client), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("sign-in provider %s: discovery failed (check AVATARCRM_OIDC_ISSUER and that the server can reach it): %w", cfg.Issuer, err)
	}
	aead, err := loginCipher(cfg)
	if err != nil {
		return nil, err
	}
	o := &OIDC{
		svc: s,
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			Endpoint:     provider.Endpoint(),
			RedirectURL:  cfg.RedirectURL,
			Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
		},
		verifier:     provider.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		hostedDomain: strings.ToLower(cfg.HostedDomain),
		client:       client,
		aead:         aead,
		provider:     providerName(cfg.Issuer),
	}
	return o, nil
}

// ProviderName is what the sign-in button calls the provider: "Google" for
// Google, otherwise the issuer's host.
func (o *OIDC) ProviderName() string { return o.provider }

func providerName(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" {
		return "single sign-on"
	}
	if u.Hostname() == "accounts.google.com" {
		return "Google"
	}
	return u.Host
}

// loginState is what the login cookie carries from /auth/login to
// /auth/callback.
//
// Why a cookie, and why encrypted: the schema has no table for sign-ins in
// progress, and a cookie needs no cleanup and works across several server
// instances. It is sealed with AES-256-GCM under a key derived (HKDF) from
// the client secret, which every instance has and no browser does, so it
// cannot be forged or altered, and the nonce and PKCE verifier stay opaque
// even to a script or log that sees cookies. It binds the flow to the
// browser that started it: the callback's state must equal the one sealed
// in this browser's cookie, so a code injected into another browser
// (login CSRF) is refused. It is HttpOnly, SameSite=Lax (sent on the
// provider's top-level redirect back, not on cross-site subrequests),
// Secure behind TLS, scoped to /auth, expires after 10 minutes (inside the
// seal too, so a kept copy does not outlive that) and is cleared by the
// callback, whatever the outcome, so it is used once.
type loginState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"x"`
	Expires  int64  `json:"e"`
}

func loginCipher(cfg OIDCConfig) (cipher.AEAD, error) {
	// The salt ties the key to this provider and client, so one secret
	// reused elsewhere does not yield the same key.
	key, err := hkdf.Key(sha256.New, []byte(cfg.ClientSecret), []byte(cfg.Issuer+"\x00"+cfg.ClientID), "avatarcrm oidc login cookie v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (o *OIDC) seal(st loginState) (string, error) {
	plain, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, o.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	// The cookie name is authenticated too, so a sealed value made for
	// another purpose cannot be replayed here.
	out := o.aead.Seal(nonce, nonce, plain, []byte(LoginCookieName))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

func (o *OIDC) open(v string) (*loginState, error) {
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(raw) < o.aead.NonceSize() {
		return nil, errors.New("malformed login cookie")
	}
	n := o.aead.NonceSize()
	plain, err := o.aead.Open(nil, raw[:n], raw[n:], []byte(LoginCookieName))
	if err != nil {
		return nil, errors.New("login cookie fails authentication")
	}
	var st loginState
	if err := json.Unmarshal(plain, &st); err != nil {
		return nil, err
	}
	if o.now().Unix() > st.Expires {
		return nil, errors.New("login cookie expired")
	}
	return &st, nil
}

func (o *OIDC) now() time.Time {
	if o.Now != nil {
		return o.Now.Now()
	}
	return o.svc.Sessions.Now.Now()
}

func randomString() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Login handles GET /auth/login: it starts the authorization code flow with
// a fresh state, nonce and PKCE verifier and sends the browser to the
// provider. The query's "next" (a path on this site) is where the browser
// lands after signing in.
func (o *OIDC) Login(w http.ResponseWriter, r *http.Request) {
	state, err1 := randomString()
	nonce, err2 := randomString()
	if err := errors.Join(err1, err2); err != nil {
		o.fail(w, r, http.StatusInternalServerError, msgInternal, err)
		return
	}
	st := loginState{
		State:    state,
		Nonce:    nonce,
		Verifier: oauth2.GenerateVerifier(),
		Next:     loginNext(r.URL.Query().Get("next")),
		Expires:  o.now().Add(loginTTL).Unix(),
	}
	sealed, err := o.seal(st)
	if err != nil {
		o.fail(w, r, http.StatusInternalServerError, msgInternal, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     LoginCookieName,
		Value:    sealed,
		Path:     "/auth",
		HttpOnly: true,
		Secure:   o.svc.Secure,
		SameSite: http.SameSiteLaxMode,
		MaxAge:   int(loginTTL / time.Second),
	})
	opts := []oauth2.AuthCodeOption{
		oidc.Nonce(st.Nonce),
		oauth2.S256ChallengeOption(st.Verifier),
		// Clinic workstations are shared: let each person pick their own
		// account rather than silently reusing whoever signed in to the
		// provider last.
		oauth2.SetAuthURLParam("prompt", "select_account"),
	}
	if o.hostedDomain != "" {
		// Google shows only accounts of the domain; the callback still
		// checks, since a browser can drop or change this parameter.
		opts = append(opts, oauth2.SetAuthURLParam("hd", o.hostedDomain))
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, o.oauth.AuthCodeURL(st.State, opts...), http.StatusFound)
}

// loginNext keeps next on this site and off the sign-in routes, so signing
// in cannot loop.
func loginNext(next string) string {
	next = safeNext(next)
	if next == "/login" || strings.HasPrefix(next, "/login?") || strings.HasPrefix(next, "/auth/") {
		return "/"
	}
	return next
}

// Messages the sign-in page shows.
const (
	msgInternal    = "Something went wrong while signing you in. Try again; if it keeps happening, tell your administrator."
	msgState       = "Your sign-in attempt expired or was started in another browser window. Start again."
	msgProvider    = "Could not complete sign-in with the provider. Try again."
	msgUninvited   = "This account has not been invited to Avatar Imaging CRM. Ask an administrator to invite you."
	msgDisabled    = "This account is disabled. Ask an administrator."
	msgUnverified  = "Your provider has not verified this email address, so it cannot be used to sign in."
	msgNoEmail     = "Your provider did not share an email address; allow access to your email and try again."
	msgLinked      = "This email address is already linked to a different sign-in account. Ask an administrator."
	msgCancelled   = "Sign-in was cancelled or refused at the provider."
	msgHostedDomFm = "Only %s accounts can sign in here."
)

// providerErrorCode matches the OAuth error codes worth echoing; anything
// else is not shown, so the page cannot be made to display crafted text.
var providerErrorCode = regexp.MustCompile(`^[a-z_]{1,40}$`)

// Callback handles GET /auth/callback, where the provider sends the browser
// back. It admits a person only if every check passes: the state matches the
// login cookie, the provider reports no error, the code exchanges with the
// PKCE verifier, the ID token verifies (signature, issuer, audience,
// expiry) and carries the nonce, the email is verified and in the hosted
// domain, and a user with that email was invited and is not disabled. The
// first sign-in links the provider's subject to the user and makes an
// invited user active; a different subject later is refused, so whoever
// gets the email at another provider account cannot take the user over.
func (o *OIDC) Callback(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	q := r.URL.Query()
	// The login cookie is for one attempt: clear it whatever happens.
	var st *loginState
	if c, err := r.Cookie(LoginCookieName); err == nil {
		st, err = o.open(c.Value)
		if err != nil {
			slog.InfoContext(r.Context(), "oidc callback: login cookie refused", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: LoginCookieName, Value: "", Path: "/auth", HttpOnly: true, Secure: o.svc.Secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	got := q.Get("state")
	if st == nil || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(st.State)) != 1 {
		o.fail(w, r, http.StatusBadRequest, msgState, errors.New("missing or mismatched state"))
		return
	}
	if e := q.Get("error"); e != "" {
		msg := msgCancelled
		if e != "access_denied" {
			msg = msgProvider
			if providerErrorCode.MatchString(e) {
				msg = fmt.Sprintf("The sign-in provider reported an error (%s). Try again.", e)
			}
		}
		desc := q.Get("error_description")
		if len(desc) > 200 {
			desc = desc[:200]
		}
		o.fail(w, r, http.StatusForbidden, msg, fmt.Errorf("provider error %q: %q", e, desc))
		return
	}
	code := q.Get("code")
	if code == "" {
		o.fail(w, r, http.StatusBadRequest, msgProvider, errors.New("callback without a code"))
		return
	}
	ctx := context.WithValue(r.Context(), oauth2.HTTPClient, o.client)
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		o.fail(w, r, http.StatusBadGateway, msgProvider, fmt.Errorf("code exchange: %w", err))
		return
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		o.fail(w, r, http.StatusBadGateway, msgProvider, errors.New("token response without an id_token"))
		return
	}
	idt, err := o.verifier.Verify(ctx, rawID)
	if err != nil {
		o.fail(w, r, http.StatusBadRequest, msgProvider, fmt.Errorf("id token: %w", err))
		return
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		o.fail(w, r, http.StatusBadRequest, msgProvider, errors.New("id token nonce does not match"))
		return
	}
	var claims struct {
		Email         string   `json:"email"`
		EmailVerified jsonBool `json:"email_verified"`
		HostedDomain  string   `json:"hd"`
	}
	if err := idt.Claims(&claims); err != nil {
		o.fail(w, r, http.StatusBadRequest, msgProvider, fmt.Errorf("id token claims: %w", err))
		return
	}
	email := strings.ToLower(strings.TrimSpace(claims.Email))
	if email == "" || idt.Subject == "" {
		o.fail(w, r, http.StatusForbidden, msgNoEmail, errors.New("id token without email or subject"))
		return
	}
	if !claims.EmailVerified {
		o.fail(w, r, http.StatusForbidden, msgUnverified, fmt.Errorf("email %s not verified", email))
		return
	}
	if o.hostedDomain != "" {
		// Both: hd says the account is managed by the Workspace domain;
		// the email domain guards against a provider that omits or a
		// configuration that mixes them up.
		if !strings.EqualFold(claims.HostedDomain, o.hostedDomain) || !strings.HasSuffix(email, "@"+o.hostedDomain) {
			o.fail(w, r, http.StatusForbidden, fmt.Sprintf(msgHostedDomFm, o.hostedDomain), fmt.Errorf("email %s (hd %q) outside the hosted domain", email, claims.HostedDomain))
			return
		}
	}
	u, status, msg, err := o.admit(r.Context(), email, idt.Subject)
	if err != nil {
		o.fail(w, r, status, msg, err)
		return
	}
	v, err := LoadViewer(r.Context(), o.svc.Client, u.ID, "")
	if err != nil {
		o.fail(w, r, http.StatusForbidden, err.Error(), fmt.Errorf("user %s: %w", u.ID, err))
		return
	}
	// A session the browser still holds (another user's, say) ends here,
	// so one browser never carries two identities.
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		_ = o.svc.Sessions.Revoke(r.Context(), c.Value)
	}
	token, _, err := o.svc.Sessions.Create(r.Context(), u.ID, v.LocationID, entsession.MethodOidc, clientMeta(r))
	if err != nil {
		o.fail(w, r, http.StatusInternalServerError, msgInternal, err)
		return
	}
	slog.InfoContext(r.Context(), "signed in", "user", u.ID, "method", "oidc")
	o.svc.event(r, audit.ActionSignIn, u, u.Email, "oidc")
	o.svc.setCookie(w, token)
	http.Redirect(w, r, st.Next, http.StatusSeeOther)
}

// admit finds the invited user for a verified email and links the
// provider's subject to it on first sign-in. Nobody is signed in yet, so it
// acts as the system.
func (o *OIDC) admit(ctx context.Context, email, subject string) (*ent.User, int, string, error) {
	// Pending invitations become memberships first; an invited address
	// without an account gets one here.
	if _, err := o.svc.acceptInvitations(ctx, email); err != nil {
		return nil, http.StatusInternalServerError, msgInternal, err
	}
	sys := viewer.Identity.Grant(ctx, "")
	c := o.svc.Client
	u, err := c.User.Query().Where(user.Email(email)).Only(sys)
	if ent.IsNotFound(err) {
		return nil, http.StatusForbidden, msgUninvited, fmt.Errorf("no user with email %s", email)
	}
	if err != nil {
		return nil, http.StatusInternalServerError, msgInternal, err
	}
	if u.Status == user.StatusDisabled {
		return nil, http.StatusForbidden, msgDisabled, fmt.Errorf("user %s is disabled", u.ID)
	}
	if u.OidcSubject != nil {
		if subtle.ConstantTimeCompare([]byte(*u.OidcSubject), []byte(subject)) != 1 {
			return nil, http.StatusForbidden, msgLinked, fmt.Errorf("user %s is linked to another subject", u.ID)
		}
		if u.Status == user.StatusInvited {
			if err := c.User.Update().Where(user.ID(u.ID), user.StatusEQ(user.StatusInvited)).SetStatus(user.StatusActive).Exec(sys); err != nil {
				return nil, http.StatusInternalServerError, msgInternal, err
			}
		}
		return u, 0, "", nil
	}
	// The subject must not already belong to another user (whose email
	// changed, say): the column is unique, and two users sharing one
	// provider account would be a takeover of one by the other.
	if other, err := c.User.Query().Where(user.OidcSubject(subject)).Only(sys); err == nil {
		return nil, http.StatusForbidden, msgLinked, fmt.Errorf("subject already linked to user %s, not %s", other.ID, u.ID)
	} else if !ent.IsNotFound(err) {
		return nil, http.StatusInternalServerError, msgInternal, err
	}
	// Link only if still unlinked, so two first sign-ins racing with
	// different subjects cannot both win, and never revive a user disabled
	// meanwhile.
	n, err := c.User.Update().
		Where(user.ID(u.ID), user.OidcSubjectIsNil(), user.StatusNEQ(user.StatusDisabled)).
		SetOidcSubject(subject).
		SetStatus(user.StatusActive).
		Save(sys)
	if err != nil {
		return nil, http.StatusInternalServerError, msgInternal, err
	}
	if u, err = c.User.Get(sys, u.ID); err != nil {
		return nil, http.StatusInternalServerError, msgInternal, err
	}
	if n == 0 && (u.OidcSubject == nil || *u.OidcSubject != subject) {
		return nil, http.StatusForbidden, msgLinked, fmt.Errorf("user %s was linked to another subject meanwhile", u.ID)
	}
	if u.Status == user.StatusDisabled {
		return nil, http.StatusForbidden, msgDisabled, fmt.Errorf("user %s is disabled", u.ID)
	}
	slog.InfoContext(ctx, "linked sign-in account", "user", u.ID)
	return u, 0, "", nil
}

// fail logs why a sign-in failed and shows the person msg.
func (o *OIDC) fail(w http.ResponseWriter, r *http.Request, status int, msg string, err error) {
	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
	}
	slog.Log(r.Context(), level, "oidc sign-in refused", "status", status, "err", err)
	o.svc.event(r, audit.ActionSignInFailed, nil, "", "oidc: "+msg)
	if o.Fail != nil {
		o.Fail(w, r, status, msg)
		return
	}
	http.Error(w, msg, status)
}

// jsonBool reads a claim that providers send as true or "true" (some send
// email_verified as a string).
type jsonBool bool

func (b *jsonBool) UnmarshalJSON(p []byte) error {
	switch string(p) {
	case "true", `"true"`:
		*b = true
	default:
		*b = false
	}
	return nil
}
