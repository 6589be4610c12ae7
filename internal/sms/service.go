// Package sms is two-way SMS (issue 15, docs/SMS.md): the conversations
// staff work through, sending a free text from the UI or a script, the
// ClickSend webhook token and URLs, what an inbound reply does (process.go)
// and undoing it (undo.go), and delivery receipts (receipt.go).
//
// Outbound messages are queued and sent by internal/messaging; this package
// adds the inbound half and the conversation state on top of it.
package sms

import (
	"context"

	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/conversation"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Service is two-way SMS.
type Service struct {
	// Client is the root client (jobs open their own transactions).
	Client *ent.Client
	// PublicURL is the server's address as ClickSend reaches it
	// (AVATARCRM_PUBLIC_URL), for the webhook URLs shown to admins.
	PublicURL string
	// Messaging queues the outbound messages.
	Messaging *messaging.Service
	// Deps act on what a reply means (process.go).
	Deps
	Now clock.Clock
}

// Settings are a location's ClickSend webhook URLs.
type Settings struct {
	InboundURL, ReceiptURL string
	Threshold              float64
}

// InboundPath and ReceiptPath are the webhook routes (internal/hooks).
const (
	InboundPath = "/hooks/clicksend/inbound/"
	ReceiptPath = "/hooks/clicksend/receipt/"
)

// Threshold is a location's intent confidence below which a reply
// changes nothing and waits for a person.
func Threshold(loc *ent.Location) float64 {
	if t := loc.Settings.SMSIntentThreshold; t > 0 {
		return t
	}
	return ai.DefaultIntentThreshold
}

// UpdateSettings changes the active location's threshold (nil keeps it).
// Errors: INVALID (outside 0.5 to 1).
func (s *Service) UpdateSettings(ctx context.Context, c *ent.Client, threshold *float64) (Settings, error) {
	loc, err := s.activeLocation(ctx, c)
	if err != nil {
		return Settings{}, err
	}
	if threshold != nil {
		if *threshold < 0.5 || *threshold > 1 {
			return Settings{}, apperr.Invalidf("intentThreshold", "the threshold must be between 0.5 and 1 (it is %.2f)", *threshold)
		}
		st := loc.Settings
		st.SMSIntentThreshold = *threshold
		if err := c.Location.UpdateOneID(loc.ID).SetSettings(st).Exec(ctx); err != nil {
			return Settings{}, err
		}
	}
	return s.Settings(ctx, c)
}

// Settings returns the active location's webhook URLs, creating its token
// on first use. The caller has checked settings:update.
func (s *Service) Settings(ctx context.Context, c *ent.Client) (Settings, error) {
	loc, err := s.activeLocation(ctx, c)
	if err != nil {
		return Settings{}, err
	}
	tok := ""
	if loc.SmsWebhookToken != nil {
		tok = *loc.SmsWebhookToken
	} else {
		if tok, err = s.setToken(ctx, c, loc.ID); err != nil {
			return Settings{}, err
		}
	}
	return s.settings(loc, tok), nil
}

// RotateToken replaces the active location's token: the old URLs answer
// 404 from now on.
func (s *Service) RotateToken(ctx context.Context, c *ent.Client) (Settings, error) {
	loc, err := s.activeLocation(ctx, c)
	if err != nil {
		return Settings{}, err
	}
	tok, err := s.setToken(ctx, c, loc.ID)
	if err != nil {
		return Settings{}, err
	}
	return s.settings(loc, tok), nil
}

func (s *Service) settings(loc *ent.Location, tok string) Settings {
	base := strings.TrimRight(s.PublicURL, "/")
	if base == "" {
		base = "http://localhost:8080"
	}
	return Settings{InboundURL: base + InboundPath + tok, ReceiptURL: base + ReceiptPath + tok, Threshold: Threshold(loc)}
}

func (s *Service) activeLocation(ctx context.Context, c *ent.Client) (*ent.Location, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.LocationID == "" {
		return nil, apperr.Unauthenticatedf("no active location")
	}
	return c.Location.Get(ctx, v.LocationID)
}

func (s *Service) setToken(ctx context.Context, c *ent.Client, loc pulid.ID) (string, error) {
	tok := NewToken()
	if err := c.Location.UpdateOneID(loc).SetSmsWebhookToken(tok).Exec(ctx); err != nil {
		return "", fmt.Errorf("sms token: %w", err)
	}
	return tok, nil
}

// NewToken is 32 random bytes, URL-safe.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ConversationsFilter narrows Conversations.
type ConversationsFilter struct {
	LocationID   *pulid.ID
	AssigneeID   *pulid.ID
	Unassigned   bool
	NeedsReply   *bool
	IncludeDone  bool
	UpdatedSince *time.Time
}

// Where returns the filter's conditions.
func (f ConversationsFilter) Where() []predicate.Conversation {
	var w []predicate.Conversation
	if f.LocationID != nil {
		w = append(w, conversation.LocationID(*f.LocationID))
	}
	if f.AssigneeID != nil {
		w = append(w, conversation.AssigneeID(*f.AssigneeID))
	}
	if f.Unassigned {
		w = append(w, conversation.AssigneeIDIsNil())
	}
	if f.NeedsReply != nil {
		w = append(w, conversation.NeedsReply(*f.NeedsReply))
	}
	if !f.IncludeDone {
		w = append(w, conversation.DoneAtIsNil())
	}
	if f.UpdatedSince != nil {
		w = append(w, conversation.UpdatedAtGTE(*f.UpdatedSince))
	}
	return w
}

// Order is the inbox's: needing a reply first, then unread, then newest.
var Order = []*ent.ConversationOrder{
	{Field: ent.ConversationOrderFieldNeedsReply, Direction: "DESC"},
	{Field: ent.ConversationOrderFieldUnreadCount, Direction: "DESC"},
	{Field: ent.ConversationOrderFieldLastMessageAt, Direction: "DESC"},
}

// Conversations lists the active location's conversations in the inbox's
// order. Errors: INVALID (first out of range).
func (s *Service) Conversations(ctx context.Context, c *ent.Client, first *int, after *entgql.Cursor[pulid.ID], f ConversationsFilter) (*ent.ConversationConnection, error) {
	return c.Conversation.Query().Where(f.Where()...).
		Paginate(ctx, after, first, nil, nil, ent.WithConversationOrder(Order))
}

// ConversationOf returns the conversation with a contact, or nil.
func (s *Service) ConversationOf(ctx context.Context, c *ent.Client, contactID pulid.ID) (*ent.Conversation, error) {
	cv, err := c.Conversation.Query().Where(conversation.ContactID(contactID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return cv, err
}

// MarkDone takes a conversation off the queue: done, read, no reply
// needed. Errors: NOT_FOUND.
func (s *Service) MarkDone(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Conversation, error) {
	cv, err := c.Conversation.UpdateOneID(id).SetDoneAt(s.Now.Now()).SetNeedsReply(false).SetUnreadCount(0).SetUpdatedAt(s.Now.Now()).Save(ctx)
	return cv, notFound(err, "id", "conversation %s not found", id)
}

// MarkRead sets a conversation's unread count to zero. Errors: NOT_FOUND.
func (s *Service) MarkRead(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Conversation, error) {
	cv, err := c.Conversation.UpdateOneID(id).SetUnreadCount(0).SetUpdatedAt(s.Now.Now()).Save(ctx)
	return cv, notFound(err, "id", "conversation %s not found", id)
}

// Assign gives a conversation to a member of the location, or to nobody.
// Errors: NOT_FOUND (conversation or user).
func (s *Service) Assign(ctx context.Context, c *ent.Client, id pulid.ID, assignee *pulid.ID) (*ent.Conversation, error) {
	up := c.Conversation.UpdateOneID(id).SetUpdatedAt(s.Now.Now())
	if assignee == nil {
		up.ClearAssigneeID()
	} else {
		up.SetAssigneeID(*assignee)
	}
	cv, err := up.Save(ctx)
	if err != nil && (ent.IsConstraintError(err) || ent.IsValidationError(err)) && assignee != nil {
		return nil, apperr.NotFoundf("assigneeID", "user %s not found", *assignee)
	}
	return cv, notFound(err, "id", "conversation %s not found", id)
}

func notFound(err error, field, format string, args ...any) error {
	if ent.IsNotFound(err) {
		return apperr.NotFoundf(field, format, args...)
	}
	return err
}

// How a message changes its conversation.
type touchKind int

const (
	touchOutbound touchKind = iota // an automatic message: nothing else changes
	touchAnswered                  // staff replied: no reply needed, read
	touchInbound                   // the patient wrote: unread, reopened
)

// touch records m as the conversation's newest message, creating the
// conversation with the first one. needsReply applies to inbound ones.
func (s *Service) touch(ctx context.Context, c *ent.Client, m *ent.Message, k touchKind, needsReply ...bool) error {
	now := s.Now.Now()
	preview := []rune(m.Body)
	if len(preview) > 200 {
		preview = append(preview[:199], '…')
	}
	cv, err := c.Conversation.Query().Where(conversation.ContactID(m.ContactID)).Only(ctx)
	if ent.IsNotFound(err) {
		cv, err = c.Conversation.Create().SetLocationID(m.LocationID).SetContactID(m.ContactID).
			SetCreatedAt(now).SetUpdatedAt(now).Save(ctx)
	}
	if err != nil {
		return fmt.Errorf("conversation: %w", err)
	}
	up := c.Conversation.UpdateOneID(cv.ID).SetLastMessageAt(m.CreatedAt).SetLastMessagePreview(string(preview)).SetUpdatedAt(now)
	switch k {
	case touchAnswered:
		up.SetNeedsReply(false).SetUnreadCount(0)
	case touchInbound:
		up.AddUnreadCount(1).SetLastInboundAt(m.CreatedAt).ClearDoneAt()
		if len(needsReply) > 0 && needsReply[0] {
			up.SetNeedsReply(true)
		}
	}
	return up.Exec(ctx)
}
