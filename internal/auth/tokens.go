package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/clock"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/apitoken"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// TokenPrefix starts every API token, so a leaked one is recognisable (and
// secret scanners can be taught to find it).
const TokenPrefix = "acrm_"

// ErrBadToken is returned for an unknown, revoked or expired token.
var ErrBadToken = apperr.Unauthenticatedf("invalid, revoked or expired API token")

// NewToken describes a token to create.
type NewToken struct {
	UserID, LocationID pulid.ID
	Name               string
	// ExpiresAt is when the token stops working; nil never.
	ExpiresAt *time.Time
	// CreatedBy is the admin who made it, if a person did.
	CreatedBy *pulid.ID
}

// CreateToken makes an API token acting as the user at the location and
// returns it; only its SHA-256 is stored, so this is the only time it can be
// seen. ctx must be allowed to create tokens at the location (an admin's
// viewer there, or the system for the CLI). The user must belong to the
// location.
func (s *Service) CreateToken(ctx context.Context, nt NewToken) (string, *ent.APIToken, error) {
	if strings.TrimSpace(nt.Name) == "" {
		return "", nil, apperr.Invalidf("name", "say what the token is for")
	}
	if nt.ExpiresAt != nil && !nt.ExpiresAt.After(s.now()) {
		return "", nil, apperr.Invalidf("expiresAt", "the expiry must be in the future")
	}
	if _, err := LoadViewerAt(ctx, s.Client, nil, nt.UserID, nt.LocationID); err != nil {
		return "", nil, apperr.Invalidf("userID", "the user does not belong to this location")
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, err
	}
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	c := ent.FromContext(ctx)
	if c == nil {
		c = s.Client
	}
	b := c.APIToken.Create().
		SetLocationID(nt.LocationID).
		SetUserID(nt.UserID).
		SetName(strings.TrimSpace(nt.Name)).
		SetTokenHash(HashToken(token)).
		SetHint(token[len(token)-4:]).
		SetNillableExpiresAt(nt.ExpiresAt).
		SetNillableCreatedByID(nt.CreatedBy)
	t, err := b.Save(ctx)
	if err != nil {
		return "", nil, err
	}
	return token, t, nil
}

// RevokeToken ends a token at once. ctx needs the users permission at the
// token's location (or the system).
func (s *Service) RevokeToken(ctx context.Context, id pulid.ID) (*ent.APIToken, error) {
	c := ent.FromContext(ctx)
	if c == nil {
		c = s.Client
	}
	t, err := c.APIToken.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.RevokedAt != nil {
		return t, nil
	}
	return c.APIToken.UpdateOne(t).SetRevokedAt(s.now()).Save(ctx)
}

// authenticateToken returns the live token for a bearer value and marks it
// used (at most once a minute, so a busy integration does not write on every
// request).
func (s *Service) authenticateToken(ctx context.Context, token string) (*ent.APIToken, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return nil, ErrBadToken
	}
	sys := viewer.Identity.Grant(ctx, "")
	t, err := s.Client.APIToken.Query().Where(apitoken.TokenHash(HashToken(token))).Only(sys)
	if ent.IsNotFound(err) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if t.RevokedAt != nil || (t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) {
		return nil, ErrBadToken
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= tokenTouchEvery {
		_ = s.Client.APIToken.UpdateOne(t).SetLastUsedAt(now).Exec(sys)
	}
	return t, nil
}

// tokenTouchEvery limits how often a token's last_used_at is written: it is
// shown to admins, not used to end anything, so a minute is precise enough.
const tokenTouchEvery = time.Minute

func (s *Service) now() time.Time {
	if s.Sessions != nil {
		return s.Sessions.Now.Now()
	}
	return clock.System.Now()
}
