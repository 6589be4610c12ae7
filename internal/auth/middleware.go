package auth

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// CookieName is the session cookie.
const CookieName = "avatarcrm_session"

// Service signs people in and identifies requests.
type Service struct {
	Client   *ent.Client
	Sessions *Sessions
	// Dev allows the development sign-in.
	Dev bool
	// Secure marks cookies Secure (the server is behind TLS).
	Secure bool
	// Policies supplies permission tables and overrides; nil means the
	// default table.
	Policies Policies
	// Audit records sign-ins and sign-outs; nil records nothing.
	Audit *audit.Log

	hosts   hostCache
	viewers viewerCache
}

type sessionKey struct{}

// SessionFrom returns the session of the request, if it came with one.
func SessionFrom(ctx context.Context) *ent.Session {
	s, _ := ctx.Value(sessionKey{}).(*ent.Session)
	return s
}

// Middleware identifies the request and puts the viewer in the context.
//
// The location a request acts at comes from, in order: the host name (a
// location configured for sydney.crm.example.com), the API token, the
// location chosen in the session, the user's default location. A user may
// act only where they are a member.
//
// A request with no credentials passes on anonymous: the privacy rules and
// the UI decide what that means. A bearer token that is not valid is
// refused at once with 401, never treated as anonymous, so a misconfigured
// integration fails loudly.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		hostLoc, err := s.hostLocation(ctx, r.Host)
		if err != nil {
			slog.ErrorContext(ctx, "host lookup", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if bearer, ok := bearerToken(r); ok {
			s.serveToken(w, r, next, bearer, hostLoc)
			return
		}
		c, err := r.Cookie(CookieName)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		sess, err := s.Sessions.Lookup(ctx, c.Value)
		if err != nil {
			if !IsAuthError(err) {
				slog.ErrorContext(ctx, "session lookup", "err", err)
			}
			s.clearCookie(w)
			next.ServeHTTP(w, r)
			return
		}
		var v *viewer.Viewer
		switch {
		case hostLoc != "":
			v, err = s.viewerAt(ctx, sess.UserID, hostLoc)
			if errors.Is(err, ErrNotMember) {
				http.Error(w, "Your account has no access to the location at this address.", http.StatusForbidden)
				return
			}
		default:
			var preferred pulid.ID
			if sess.LocationID != nil {
				preferred = *sess.LocationID
			}
			v, err = s.viewers.load(viewerKey{user: sess.UserID, loc: preferred}, func() (*viewer.Viewer, error) {
				return LoadViewerWith(ctx, s.Client, s.Policies, sess.UserID, preferred)
			})
		}
		if err != nil {
			slog.WarnContext(ctx, "session without a usable viewer", "user", sess.UserID, "err", err)
			_ = s.Sessions.Revoke(ctx, c.Value)
			s.clearCookie(w)
			next.ServeHTTP(w, r)
			return
		}
		ctx = context.WithValue(ctx, sessionKey{}, sess)
		ctx = viewer.NewContext(ctx, v)
		actor(r, v)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// serveToken authenticates an API token and serves the request as its user
// at its location.
func (s *Service) serveToken(w http.ResponseWriter, r *http.Request, next http.Handler, bearer string, hostLoc pulid.ID) {
	ctx := r.Context()
	t, err := s.authenticateToken(ctx, bearer)
	if err != nil {
		if !IsAuthError(err) {
			slog.ErrorContext(ctx, "token lookup", "err", err)
		}
		s.event(r, audit.ActionSignInFailed, nil, "", "invalid, revoked or expired API token")
		unauthorized(w, "invalid, revoked or expired API token")
		return
	}
	if hostLoc != "" && hostLoc != t.LocationID {
		unauthorized(w, "this API token belongs to another location")
		return
	}
	v, err := s.viewerAt(ctx, t.UserID, t.LocationID)
	if err != nil {
		unauthorized(w, "the token's user no longer has access to its location")
		return
	}
	v.TokenID = string(t.ID)
	actor(r, v)
	next.ServeHTTP(w, r.WithContext(viewer.NewContext(ctx, v)))
}

func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true // an Authorization header we cannot use is still a failed credential
	}
	return strings.TrimSpace(tok), true
}

// unauthorized answers 401 in the shape GraphQL clients expect.
func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{
		"message": msg, "extensions": map[string]any{"code": "UNAUTHENTICATED"},
	}}})
}

func (s *Service) setCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   s.Secure,
		SameSite: http.SameSiteLaxMode,
		MaxAge:   int(s.Sessions.Max / time.Second),
	})
}

func (s *Service) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

func clientMeta(r *http.Request) Meta {
	ip := r.RemoteAddr
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	return Meta{IP: ip, UserAgent: r.UserAgent()}
}

// viewerAt is LoadViewerAt through the viewer cache (viewercache.go).
func (s *Service) viewerAt(ctx context.Context, userID, loc pulid.ID) (*viewer.Viewer, error) {
	return s.viewers.load(viewerKey{user: userID, loc: loc, at: true}, func() (*viewer.Viewer, error) {
		return LoadViewerAt(ctx, s.Client, s.Policies, userID, loc)
	})
}
