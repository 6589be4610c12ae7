// Package entclient builds the one ent client every process uses: the
// server, `avatarcrm seed`, `apikey`, `audit`, the maintenance commands and
// any future worker. Every hook and interceptor is registered here and
// nowhere else, so no path writes without them:
//
//   - text that is not UTF-8, or holds control characters where they make
//     no sense, is refused on every write (internal/textcheck);
//   - the search index follows every contact write (internal/search);
//   - every mutation leaves an audit entry in its own transaction, and
//     reads of patient data mark the request's entry as PHI
//     (internal/audit);
//   - warmness scores follow every change they depend on
//     (internal/warmness).
//
// The hooks read the time from the one clock passed in.
package entclient

import (
	"context"
	"fmt"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/aiusage"
	"github.com/avatarimaging/avatarcrm/internal/aiwire"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/auth"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/search"
	"github.com/avatarimaging/avatarcrm/internal/textcheck"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
	"github.com/avatarimaging/avatarcrm/internal/webhooks"
)

// Options say what the hooks need.
type Options struct {
	// AuditKey is the audit trail's HMAC key (audit.LoadKey).
	AuditKey []byte
	// Clock is the program's clock; nil is the system clock.
	Clock clock.Clock
	// Audit tunes the audit writer (its HeadFile keeps the chain's head
	// outside the database); its Now is set to Clock.
	Audit audit.Options
	// AI is the AI layer (internal/ai/provider), whose built-in engine
	// scores warmness. Nil builds the built-in engine alone, recording
	// its calls in the AIUsage table, so every process scores alike.
	AI *ai.AI
	// AIUsage is the books AI records its calls in, when AI is given
	// (so the usage report reads the same Store that holds the counts
	// not yet written: aiusage.Store.Start); nil makes a Store.
	AIUsage *aiusage.Store
}

// Client is the ent client with every hook installed, and the services
// those hooks belong to.
type Client struct {
	// Ent is the client; every query and mutation passes the privacy
	// rules and the hooks.
	Ent *ent.Client
	// DB is the database it runs on.
	DB *db.DB
	// Clock is the clock the hooks read.
	Clock clock.Clock
	// Audit is the audit trail the hook writes to; it is started.
	Audit *audit.Log
	// Search is the contact search index the hook keeps current.
	Search *search.Index
	// Warmness scores contacts; its hook rescores them on every change a
	// score depends on, with the AI layer's built-in engine.
	Warmness *warmness.Service
	// AI is the AI layer the warmness scorer uses (Options.AI or the
	// built-in engine); AIUsage keeps its books.
	AI      *ai.AI
	AIUsage *aiusage.Store
}

// New installs every hook and interceptor on d's client and starts the
// audit writer. Call it once per database, before the client is used;
// Close drains the audit writer.
func New(d *db.DB, opts Options) *Client {
	c := &Client{Ent: d.Client, DB: d, Clock: opts.Clock}
	c.Search = search.New(d.Client)
	ao := opts.Audit
	ao.Now = opts.Clock
	c.Audit = audit.New(d.Client, d.Dialect, opts.AuditKey, ao)
	c.AIUsage = opts.AIUsage
	if c.AIUsage == nil {
		c.AIUsage = &aiusage.Store{Client: d.Client, Now: opts.Clock}
	}
	c.AI = opts.AI
	if c.AI == nil {
		c.AI = ai.New(ai.Options{Usage: c.AIUsage, Budget: c.AIUsage, Now: opts.Clock})
	}
	c.Warmness = &warmness.Service{Client: d.Client, Now: opts.Clock, Scorer: aiwire.Scorer{AI: c.AI}}
	// Outermost first: bad text is refused before any other hook runs;
	// the search keys of a contact and its audit entry
	// are written around the warmness rescoring of the same change.
	d.Client.Use(textcheck.Hook())
	d.Client.Use(c.Search.Hook())
	d.Client.Use(c.Audit.Hook())
	d.Client.Intercept(audit.PHIInterceptor())
	d.Client.Use(c.Warmness.Hook())
	d.Client.Use(auth.ViewerCacheHook())
	d.Client.Use(webhooks.SubscriptionCacheHook())
	d.Client.Use(contacts.CountCacheHook())
	c.Audit.Start()
	return c
}

// Open opens the database at url, which must be migrated, and builds the
// client over it.
func Open(ctx context.Context, url string, opts Options) (*Client, error) {
	d, err := db.Open(ctx, db.Config{URL: url})
	if err != nil {
		return nil, err
	}
	if n, err := d.Pending(ctx); err != nil || n > 0 {
		_ = d.Close()
		if err == nil {
			err = fmt.Errorf("%d migration(s) pending", n)
		}
		return nil, fmt.Errorf("the database needs migrating first (avatarcrm migrate): %w", err)
	}
	return New(d, opts), nil
}

// Close writes the audit entries still queued (within ctx's deadline) and
// closes the database.
func (c *Client) Close(ctx context.Context) error {
	err := c.Audit.Close(ctx)
	if cerr := c.DB.Close(); err == nil {
		err = cerr
	}
	return err
}
