// Package pulid implements prefixed ULIDs: identifiers such as
// "con_01JD3W6Y2V9M8K4T5X7QZ0ABCD" whose prefix names the entity type.
//
// The prefix lets the Relay node(id:) resolver find the table without a
// lookup, and lets a person reading a log or an audit entry tell a contact
// from a booking at a glance. The ULID part is time-sortable and carries 80
// bits of randomness, so IDs are unguessable.
package pulid

import (
	"crypto/rand"
	"database/sql/driver"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// ID is a prefixed ULID.
type ID string

// Entity prefixes. Every ent type that uses Mixin registers its prefix here so
// that TableOf can map an ID back to its table.
const (
	Location   = "loc"
	User       = "usr"
	Membership = "mem"
	Contact    = "con"
	Touchpoint = "tpt"
	Service    = "svc"
	Booking    = "bkg"
	Task       = "tsk"
	Session    = "ses"
	APIToken   = "tok"
	Permission = "prm"
	Override   = "pov"
	IPRule     = "ipr"
	Invitation = "inv"
	// Clinic workflow history and jobs.
	StageChange  = "stg"
	BookingEvent = "bev"
	TaskEvent    = "tev"
	CancelReason = "cnr"
	ImportJob    = "imp"
	Event        = "evt"
	// Automation rules and their runs.
	AutomationRule = "aur"
	AutomationRun  = "arn"
	// Outbound messages (internal/messaging).
	Message     = "msg"
	SMSTemplate = "smt"
	OptOut      = "opt"
	// Two-way SMS: conversations and the raw webhook events (internal/hooks).
	Conversation = "cnv"
	WebhookEvent = "whe"
	// Inbound integrations (issue 16): Wix service mappings, staff alerts.
	WixService = "wxs"
	StaffAlert = "sal"
	// AI layer.
	AIUsage = "aiu"
	// Outbound webhooks for integrators (internal/webhooks).
	WebhookSubscription = "whs"
	WebhookDelivery     = "whd"
	// Reports (internal/reports).
	SavedReport        = "rpt"
	ReportRun          = "rrn"
	WarmnessSnapshot   = "wsn"
	AdSpend            = "ads"
	ReportSubscription = "rsb"
	ReportEmail        = "rem"
	// Email campaigns (internal/campaigns): campaigns, their recipients
	// and what the recipients did (opens, clicks, unsubscribes).
	Campaign          = "cmp"
	CampaignRecipient = "crc"
	CampaignEvent     = "cev"
)

var (
	mu       sync.Mutex
	entropy  = ulid.Monotonic(rand.Reader, 0)
	prefixes = map[string]string{} // prefix -> table
)

// Register records that IDs with prefix belong to table. It is called by the
// schema mixins at init time.
func Register(prefix, table string) {
	mu.Lock()
	defer mu.Unlock()
	prefixes[prefix] = table
}

// New returns a fresh ID with the given prefix for the current time.
func New(prefix string) ID {
	return NewAt(prefix, time.Now())
}

// NewAt returns a fresh ID whose ULID timestamp is t. Seeding uses it so that
// IDs sort in the order records were notionally created.
func NewAt(prefix string, t time.Time) ID {
	mu.Lock()
	u := ulid.MustNew(ulid.Timestamp(t), entropy)
	mu.Unlock()
	return ID(prefix + "_" + u.String())
}

// Prefix returns the type prefix of the ID ("con" for "con_01J…").
func (id ID) Prefix() string {
	p, _, ok := strings.Cut(string(id), "_")
	if !ok {
		return ""
	}
	return p
}

// Valid reports whether id has a known prefix and a well-formed ULID.
func (id ID) Valid() bool {
	p, rest, ok := strings.Cut(string(id), "_")
	if !ok {
		return false
	}
	mu.Lock()
	_, known := prefixes[p]
	mu.Unlock()
	if !known {
		return false
	}
	_, err := ulid.ParseStrict(rest)
	return err == nil
}

// TableOf returns the table that holds id, judged by its prefix.
func TableOf(id ID) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	t, ok := prefixes[id.Prefix()]
	if !ok {
		return "", fmt.Errorf("pulid: unknown id %q", string(id))
	}
	return t, nil
}

// String returns the ID as a string.
func (id ID) String() string { return string(id) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (id *ID) UnmarshalGQL(v any) error {
	switch s := v.(type) {
	case string:
		*id = ID(strings.TrimSpace(s))
	case ID:
		*id = s
	default:
		return fmt.Errorf("id must be a string")
	}
	return nil
}

// MarshalGQL implements graphql.Marshaler.
func (id ID) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(id)))
}

// Scan implements sql.Scanner.
func (id *ID) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		return fmt.Errorf("pulid: expected a value")
	case string:
		*id = ID(v)
	case []byte:
		*id = ID(v)
	default:
		return fmt.Errorf("pulid: unexpected type %T", src)
	}
	return nil
}

// Value implements driver.Valuer.
func (id ID) Value() (driver.Value, error) { return string(id), nil }
