// Package auth signs people in and turns each request's credentials into a
// viewer: who is acting and at which location. Sessions live in the
// database; the browser holds only a random token.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/clock"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	entsession "github.com/avatarimaging/avatarcrm/ent/session"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// ErrNoSession is returned for a missing, unknown, expired or idle session.
var ErrNoSession = apperr.Unauthenticatedf("your session has ended; sign in again")

// Sessions manages server-side sessions.
type Sessions struct {
	Client *ent.Client
	// Idle ends a session unused for this long; Max ends any session.
	Idle, Max time.Duration
	// Now is the clock; tests replace it.
	Now clock.Clock
}

// NewSessions returns a session store with the given timeouts.
func NewSessions(c *ent.Client, idle, max time.Duration) *Sessions {
	return &Sessions{Client: c, Idle: idle, Max: max, Now: clock.System}
}

// HashToken returns the stored form of a session token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Meta describes the client a session was created for.
type Meta struct {
	IP        string
	UserAgent string
}

// Create starts a session for the user acting at location loc (the
// viewer's at sign-in) and returns its token. Ending a person's sessions at
// a location (removing or disabling them there) ends the sessions whose
// active location it is.
func (s *Sessions) Create(ctx context.Context, userID, loc pulid.ID, method entsession.Method, m Meta) (string, *ent.Session, error) {
	ctx = viewer.Identity.Grant(ctx, "")
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	now := s.Now.Now()
	// Header bytes need not be UTF-8, and PostgreSQL refuses text that is
	// not: make it valid, then cut it on a character boundary.
	ua := normalize.Truncate(strings.ToValidUTF8(m.UserAgent, "\uFFFD"), 300)
	sess, err := s.Client.Session.Create().
		SetTokenHash(HashToken(token)).
		SetUserID(userID).
		SetMethod(method).
		SetCreatedAt(now).
		SetLastSeenAt(now).
		SetExpiresAt(now.Add(s.Max)).
		SetIP(m.IP).
		SetUserAgent(ua).
		SetNillableLocationID(nonEmpty(loc)).
		Save(ctx)
	if err != nil {
		return "", nil, err
	}
	_ = s.Client.User.UpdateOneID(userID).SetLastSeenAt(now).Exec(ctx)
	return token, sess, nil
}

// touchEvery is how stale a session's stored last_seen_at may get before a
// request writes it again: a tenth of the idle timeout. A request leaves
// last_seen_at less than Idle/10 behind the real last use, so someone active
// is never signed out before 0.9 × Idle without a request, and nobody ever
// after Idle; and a busy user costs at most ten writes per idle period, not
// one per request. (A fixed minute signed out a user of a 1-minute idle
// setting 75 s after sign-in though they had been active 25 s before.)
func (s *Sessions) touchEvery() time.Duration {
	return max(s.Idle/10, time.Second)
}

// Lookup returns the live session for token, ending it if it is idle or
// expired, and marks it used.
func (s *Sessions) Lookup(ctx context.Context, token string) (*ent.Session, error) {
	if token == "" {
		return nil, ErrNoSession
	}
	ctx = viewer.Identity.Grant(ctx, "")
	sess, err := s.Client.Session.Query().Where(entsession.TokenHash(HashToken(token))).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	now := s.Now.Now()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.Idle {
		_ = s.Client.Session.DeleteOne(sess).Exec(ctx)
		return nil, ErrNoSession
	}
	if now.Sub(sess.LastSeenAt) >= s.touchEvery() {
		if err := s.Client.Session.UpdateOne(sess).SetLastSeenAt(now).Exec(ctx); err == nil {
			sess.LastSeenAt = now
		}
	}
	return sess, nil
}

// SetLocation makes loc the session's active location.
func (s *Sessions) SetLocation(ctx context.Context, sess *ent.Session, loc pulid.ID) error {
	return s.Client.Session.UpdateOne(sess).SetLocationID(loc).Exec(viewer.Identity.Grant(ctx, ""))
}

// Revoke ends the session for token.
func (s *Sessions) Revoke(ctx context.Context, token string) error {
	_, err := s.Client.Session.Delete().Where(entsession.TokenHash(HashToken(token))).Exec(viewer.Identity.Grant(ctx, ""))
	return err
}

// RevokeAll ends every session of the user ("sign out everywhere").
// Within a transaction (a GraphQL mutation) it deletes through it: on
// SQLite a second connection would wait for the transaction's write lock
// until the busy timeout.
func (s *Sessions) RevokeAll(ctx context.Context, userID pulid.ID) (int, error) {
	c := s.Client
	if tc := ent.FromContext(ctx); tc != nil {
		c = tc
	}
	return c.Session.Delete().Where(entsession.UserID(userID)).Exec(viewer.Identity.Grant(ctx, ""))
}

// Sweep deletes ended sessions.
func (s *Sessions) Sweep(ctx context.Context) (int, error) {
	now := s.Now.Now()
	return s.Client.Session.Delete().Where(entsession.Or(
		entsession.ExpiresAtLT(now),
		entsession.LastSeenAtLT(now.Add(-s.Idle)),
	)).Exec(viewer.Identity.Grant(ctx, ""))
}

// ErrNoMembership is returned for a user who belongs to no location.
var ErrNoMembership = apperr.Forbiddenf("your account has no access to any location; ask an administrator")

// Policies supplies a location's permission table and a user's overrides
// there (access.Store).
type Policies interface {
	Table(ctx context.Context, loc pulid.ID) (*rbac.Table, error)
	Overrides(ctx context.Context, loc, user pulid.ID) ([]rbac.Override, error)
}

// LoadViewer builds the viewer for a user acting at the preferred location,
// with the default permission table. See LoadViewerWith.
func LoadViewer(ctx context.Context, c *ent.Client, userID, preferred pulid.ID) (*viewer.Viewer, error) {
	return LoadViewerWith(ctx, c, nil, userID, preferred)
}

// LoadViewerWith builds the viewer for a user acting at the preferred
// location, falling back to the user's default location, then to their
// first location by name, with that location's permission table and the
// user's overrides from p (the defaults when p is nil). It fails for
// unknown or disabled users and for users with no membership.
func LoadViewerWith(ctx context.Context, c *ent.Client, p Policies, userID, preferred pulid.ID) (*viewer.Viewer, error) {
	sys := viewer.Identity.Grant(ctx, "")
	u, err := c.User.Query().Where(user.ID(userID)).Only(sys)
	if ent.IsNotFound(err) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	if u.Status == user.StatusDisabled {
		return nil, apperr.Forbiddenf("your account is disabled")
	}
	// A membership disabled at its location grants nothing there.
	ms, err := c.Membership.Query().
		Where(membership.UserID(userID), membership.DisabledAtIsNil()).
		WithLocation(func(q *ent.LocationQuery) { q.Order(location.ByName()) }).
		All(sys)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, ErrNoMembership
	}
	v := &viewer.Viewer{UserID: u.ID, Email: u.Email, Name: u.Name, Memberships: map[pulid.ID]rbac.Role{}}
	var first *ent.Membership
	for _, m := range ms {
		v.Memberships[m.LocationID] = rbac.Role(m.Role)
		if first == nil || m.Edges.Location.Name < first.Edges.Location.Name {
			first = m
		}
	}
	pick := func(id *pulid.ID) bool {
		if id == nil || *id == "" {
			return false
		}
		if _, ok := v.Memberships[*id]; ok {
			v.LocationID = *id
			return true
		}
		return false
	}
	if !pick(&preferred) && !pick(u.DefaultLocationID) {
		v.LocationID = first.LocationID
	}
	v.Role = v.Memberships[v.LocationID]
	if p != nil {
		if v.Permissions, err = p.Table(ctx, v.LocationID); err != nil {
			return nil, err
		}
		if v.Overrides, err = p.Overrides(ctx, v.LocationID, v.UserID); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// ErrNotMember is returned when the requested location is not one of the
// user's.
var ErrNotMember = apperr.Forbiddenf("you have no access to this location")

// LoadViewerAt is LoadViewerWith that insists on the location: it fails with
// ErrNotMember instead of falling back to another one.
func LoadViewerAt(ctx context.Context, c *ent.Client, p Policies, userID, loc pulid.ID) (*viewer.Viewer, error) {
	v, err := LoadViewerWith(ctx, c, p, userID, loc)
	if err != nil {
		return nil, err
	}
	if v.LocationID != loc {
		return nil, ErrNotMember
	}
	return v, nil
}

func nonEmpty(id pulid.ID) *pulid.ID {
	if id == "" {
		return nil
	}
	return &id
}

// IsAuthError reports whether err means "sign in again".
func IsAuthError(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae) && ae.Code == apperr.Unauthenticated
}
