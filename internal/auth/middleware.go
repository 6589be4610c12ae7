package auth

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
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
}

type sessionKey struct{}

// SessionFrom returns the session of the request, if it came with one.
func SessionFrom(ctx context.Context) *ent.Session {
	s, _ := ctx.Value(sessionKey{}).(*ent.Session)
	return s
}

// Middleware identifies the request from its session cookie and puts the
// viewer in the context. A request without a valid session passes on
// anonymous; the privacy rules and the UI decide what that means.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(CookieName)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		sess, err := s.Sessions.Lookup(ctx, c.Value)
		if err != nil {
			if !IsAuthError(err) {
				slog.ErrorContext(ctx, "session lookup", "err", err)
			}
			s.clearCookie(w)
			next.ServeHTTP(w, r)
			return
		}
		var preferred pulid.ID
		if sess.LocationID != nil {
			preferred = *sess.LocationID
		}
		v, err := LoadViewer(ctx, s.Client, sess.UserID, preferred)
		if err != nil {
			slog.WarnContext(ctx, "session without a usable viewer", "user", sess.UserID, "err", err)
			_ = s.Sessions.Revoke(ctx, c.Value)
			s.clearCookie(w)
			next.ServeHTTP(w, r)
			return
		}
		ctx = context.WithValue(ctx, sessionKey{}, sess)
		ctx = viewer.NewContext(ctx, v)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
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
