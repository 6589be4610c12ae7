package campaigns

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
)

// Token kinds: what a tracking link does.
const (
	KindOpen        = "o"
	KindClick       = "c"
	KindUnsubscribe = "u"
)

// Token is what a tracking link names: the campaign, the recipient and,
// for a click, the link's index in the campaign's links. It is signed
// with a key kept outside the database (AVATARCRM_TRACKING_KEY_FILE), so
// nobody can make one up or change one, even with the database in hand;
// the handlers still check that the recipient belongs to the campaign and
// the index is in its links.
type Token struct {
	Kind      string
	Campaign  pulid.ID
	Recipient pulid.ID
	Link      int // -1 unless Kind is KindClick
}

// Signer signs and checks tokens.
type Signer struct{ key []byte }

// NewSigner returns a signer with key (at least 32 bytes).
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < 32 {
		return nil, errors.New("campaigns: the tracking key must be at least 32 bytes")
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

// macLen is the signature's length: 128 bits is ample against guessing
// and keeps links short.
const macLen = 16

var b64 = base64.RawURLEncoding

// Sign returns the token as a URL path segment.
func (s *Signer) Sign(t Token) string {
	if t.Kind != KindClick {
		t.Link = -1
	}
	payload := t.Kind + "." + string(t.Campaign) + "." + string(t.Recipient) + "." + strconv.Itoa(t.Link)
	return b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(s.mac(payload))
}

// ErrBadToken is any token that is malformed or not signed by this key.
var ErrBadToken = errors.New("campaigns: bad tracking token")

// Parse checks the token's signature and returns what it names; want is
// the kind the route expects (a click token is not an open token).
func (s *Signer) Parse(tok, want string) (Token, error) {
	p, m, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > 400 {
		return Token{}, ErrBadToken
	}
	payload, err1 := b64.DecodeString(p)
	mac, err2 := b64.DecodeString(m)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.mac(string(payload))) {
		return Token{}, ErrBadToken
	}
	f := strings.Split(string(payload), ".")
	if len(f) != 4 || f[0] != want {
		return Token{}, ErrBadToken
	}
	link, err := strconv.Atoi(f[3])
	if err != nil || (want == KindClick) != (link >= 0) {
		return Token{}, ErrBadToken
	}
	t := Token{Kind: f[0], Campaign: pulid.ID(f[1]), Recipient: pulid.ID(f[2]), Link: link}
	if t.Campaign.Prefix() != pulid.Campaign || t.Recipient.Prefix() != pulid.CampaignRecipient {
		return Token{}, ErrBadToken
	}
	return t, nil
}

func (s *Signer) mac(payload string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte("avatarcrm-tracking-v1\x00"))
	h.Write([]byte(payload))
	return h.Sum(nil)[:macLen]
}
