package wix

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/avatarimaging/avatarcrm/internal/wix/wixwire"
)

// Verifier checks the JWT Wix posts: signed RS256 with the app's public
// key (pasted from the app dashboard; Wix publishes no JWKS), unexpired,
// with a data claim. Anything else — another algorithm (none, HS256 keyed
// with the public key), another key, a changed byte, an expired or
// unexpiring token — is refused.
type Verifier struct {
	Key *rsa.PublicKey
	// Now is the clock exp and iat are checked against (default time.Now).
	Now func() time.Time
	// Leeway allows for clock skew (default 1 minute).
	Leeway time.Duration
}

// ParsePublicKey reads a PEM public key (PKIX "PUBLIC KEY", PKCS#1 "RSA
// PUBLIC KEY", or a certificate).
func ParsePublicKey(pem []byte) (*rsa.PublicKey, error) {
	k, err := jwt.ParseRSAPublicKeyFromPEM(pem)
	if err != nil {
		return nil, fmt.Errorf("the Wix public key: %w", err)
	}
	if k.N.BitLen() < 2048 {
		return nil, errors.New("the Wix public key is shorter than 2048 bits")
	}
	return k, nil
}

type claims struct {
	Data string `json:"data"`
	jwt.RegisteredClaims
}

// Verify checks token and returns its data claim.
func (v *Verifier) Verify(token string) (string, error) {
	if v == nil || v.Key == nil {
		return "", errors.New("no Wix public key is configured")
	}
	if len(token) > wixwire.MaxJSON*2 {
		return "", errors.New("the token is too large")
	}
	leeway := v.Leeway
	if leeway == 0 {
		leeway = time.Minute
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
	}
	if v.Now != nil {
		opts = append(opts, jwt.WithTimeFunc(v.Now))
	}
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		// WithValidMethods has refused every other algorithm; this keeps
		// an RSA key from ever meeting an HMAC verifier.
		if _, ok := t.Method.(*jwt.SigningMethodRSA); !ok {
			return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
		}
		return v.Key, nil
	}, opts...)
	if err != nil {
		return "", err
	}
	if c.Data == "" {
		return "", errors.New("the token has no data claim")
	}
	return c.Data, nil
}
