// Package search is the fuzzy contact search: an index of every contact's
// words in the search_keys table, kept in step with contact writes by an
// ent hook, and a query that finds contacts by exact word, prefix, one or
// two typos and phone digits however they were typed ("Jhon Smtih",
// "smit", "0412 345 678", "345678").
//
// The index is plain B-tree rows (location_id, kind, key), so it works the
// same on SQLite and PostgreSQL; see docs/SEARCH.md for the design and the
// measured cost.
package search

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/searchkey"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Index maintains and queries the contact search index.
type Index struct {
	client *ent.Client
	limit  *limiter
}

// New returns the search index over client. Install Hook on the client so
// the index follows contact writes.
func New(client *ent.Client) *Index { return &Index{client: client, limit: newLimiter(0)} }

// indexedFields are the contact fields the index is made of.
var indexedFields = []string{contact.FieldFirstName, contact.FieldLastName, contact.FieldEmail, contact.FieldPhone}

// keyFields are the contact columns contactKeys reads.
var keyFields = []string{contact.FieldID, contact.FieldLocationID, contact.FieldFirstName, contact.FieldLastName, contact.FieldEmail, contact.FieldPhone}

// insertBatch is how many keys one INSERT writes: 6 parameters a row keeps
// a statement well under SQLite's limit of 32,766 parameters and
// PostgreSQL's of 65,535.
const insertBatch = 1000

// idBatch is how many contact IDs one IN (…) list holds.
const idBatch = 1000

// Hook returns an ent hook, for client.Use, that writes a contact's keys
// after every create, and rewrites them after every update that sets or
// clears a name, the email or the phone. The keys are written through the
// mutation's own client, so in the mutation's transaction when it has one:
// a rolled-back contact leaves no keys. Deleting a contact deletes its keys
// (ON DELETE CASCADE). Archiving changes nothing: archived contacts stay
// indexed and the query filters them.
func (s *Index) Hook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			cm, ok := m.(*ent.ContactMutation)
			if !ok {
				return next.Mutate(ctx, m)
			}
			switch op := m.Op(); {
			case op.Is(ent.OpCreate):
				v, err := next.Mutate(ctx, m)
				if err != nil {
					return v, err
				}
				c, ok := v.(*ent.Contact)
				if !ok {
					return v, nil
				}
				if _, err := writeKeys(ctx, cm.Client(), []*ent.Contact{c}, false); err != nil {
					return nil, fmt.Errorf("search index of %s: %w", c.ID, err)
				}
				return v, nil
			case op.Is(ent.OpUpdate | ent.OpUpdateOne):
				if !touchesIndex(cm) {
					return next.Mutate(ctx, m)
				}
				var ids []pulid.ID
				if op.Is(ent.OpUpdate) {
					// The rows the update selects, before it changes them
					// (the predicate may name the old value).
					var err error
					if ids, err = cm.IDs(ctx); err != nil {
						return nil, err
					}
				}
				v, err := next.Mutate(ctx, m)
				if err != nil {
					return v, err
				}
				if id, ok := cm.ID(); ok {
					ids = []pulid.ID{id}
				}
				if err := reindexContacts(ctx, cm.Client(), ids); err != nil {
					return nil, fmt.Errorf("search index: %w", err)
				}
				return v, nil
			}
			return next.Mutate(ctx, m)
		})
	}
}

// touchesIndex reports whether an update sets or clears a field the index
// is made of.
func touchesIndex(m *ent.ContactMutation) bool {
	for _, f := range indexedFields {
		if _, ok := m.Field(f); ok || m.FieldCleared(f) {
			return true
		}
	}
	return false
}

// system returns ctx for the index's own reads and writes: search keys are
// written only by the system (their policy denies everyone else), and an
// audit entry per key would record nothing anyone did; the contact write
// that caused them has its own entry.
func system(ctx context.Context) context.Context {
	return audit.WithoutAudit(viewer.Consequences.Grant(ctx, "search index"))
}

// reindexContacts rewrites the keys of the contacts with these IDs.
func reindexContacts(ctx context.Context, c *ent.Client, ids []pulid.ID) error {
	sys := system(ctx)
	for start := 0; start < len(ids); start += idBatch {
		chunk := ids[start:min(start+idBatch, len(ids))]
		cs, err := c.Contact.Query().Where(contact.IDIn(chunk...)).Select(keyFields...).All(sys)
		if err != nil {
			return err
		}
		// Contacts the update could not see again are gone or moved:
		// their old keys go in any case.
		if _, err := c.SearchKey.Delete().Where(searchkey.ContactIDIn(chunk...)).Exec(sys); err != nil {
			return err
		}
		if _, err := writeKeys(ctx, c, cs, false); err != nil {
			return err
		}
	}
	return nil
}

// writeKeys inserts the keys of cs through c, first deleting the keys they
// had when replace is set. It returns how many keys it wrote.
func writeKeys(ctx context.Context, c *ent.Client, cs []*ent.Contact, replace bool) (int, error) {
	sys := system(ctx)
	if replace {
		ids := make([]pulid.ID, len(cs))
		for i, x := range cs {
			ids[i] = x.ID
		}
		for start := 0; start < len(ids); start += idBatch {
			chunk := ids[start:min(start+idBatch, len(ids))]
			if _, err := c.SearchKey.Delete().Where(searchkey.ContactIDIn(chunk...)).Exec(sys); err != nil {
				return 0, err
			}
		}
	}
	n := 0
	builders := make([]*ent.SearchKeyCreate, 0, insertBatch)
	flush := func() error {
		if len(builders) == 0 {
			return nil
		}
		err := c.SearchKey.CreateBulk(builders...).Exec(sys)
		n += len(builders)
		builders = builders[:0]
		return err
	}
	type row struct {
		c *ent.Contact
		key
	}
	var rows []row
	for _, x := range cs {
		for _, k := range contactKeys(x) {
			rows = append(rows, row{x, k})
		}
	}
	if len(cs) > 1 {
		// In index order: a rebuild then writes each page of the index
		// once per batch instead of at random.
		slices.SortFunc(rows, func(a, b row) int {
			return cmp.Or(cmp.Compare(a.kind, b.kind), strings.Compare(a.key.key, b.key.key))
		})
	}
	for _, r := range rows {
		builders = append(builders, c.SearchKey.Create().
			SetLocationID(r.c.LocationID).SetContactID(r.c.ID).
			SetKind(r.kind).SetPart(r.part).SetKey(r.key.key).SetWord(r.word))
		if len(builders) == insertBatch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

// reindexPage is how many contacts Reindex reads and rewrites per
// transaction.
const reindexPage = 1000

// Reindex rebuilds the keys of every contact at location loc, a page of
// contacts per transaction, and returns how many keys it wrote. It reads
// and writes as the system whatever ctx holds: call it from trusted code
// (start-up, migrations, imports, maintenance), never with a location a
// request named.
func (s *Index) Reindex(ctx context.Context, loc pulid.ID) (int, error) {
	return s.reindexWhere(ctx, loc, nil)
}

// reindexWhere rewrites the keys of the contacts at loc that match extra (or
// all when nil), in pages of reindexPage in ID order.
func (s *Index) reindexWhere(ctx context.Context, loc pulid.ID, extra predicate.Contact) (int, error) {
	sys := system(ctx)
	total := 0
	var after pulid.ID
	for {
		var cs []*ent.Contact
		var n int
		err := txn.Run(sys, s.client, func(ctx context.Context, c *ent.Client) error {
			q := c.Contact.Query().Where(contact.LocationID(loc))
			if after != "" {
				q.Where(contact.IDGT(after))
			}
			if extra != nil {
				q.Where(extra)
			}
			var err error
			if cs, err = q.Order(contact.ByID()).Limit(reindexPage).Select(keyFields...).All(ctx); err != nil {
				return err
			}
			n, err = writeKeys(ctx, c, cs, extra == nil)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if len(cs) < reindexPage {
			return total, nil
		}
		after = cs[len(cs)-1].ID
	}
}

// EnsureIndexed indexes every contact that has no keys at all: all of a
// location's contacts when the location has none (a database created
// before the index existed, or demo data seeded before the hook was
// installed), and otherwise contacts written by a process that ran without
// the hook. It runs as the system; the app calls it at start. A contact
// whose keys exist but are stale (changed without the hook) is not found
// here: run Reindex for that.
func (s *Index) EnsureIndexed(ctx context.Context) (int, error) {
	sys := system(ctx)
	locs, err := s.client.Location.Query().IDs(sys)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, loc := range locs {
		start := time.Now()
		has, err := s.client.Contact.Query().Where(contact.LocationID(loc)).Exist(sys)
		if err != nil || !has {
			if err != nil {
				return total, err
			}
			continue
		}
		indexed, err := s.client.SearchKey.Query().Where(searchkey.LocationID(loc)).Exist(sys)
		if err != nil {
			return total, err
		}
		var n int
		if !indexed {
			n, err = s.Reindex(ctx, loc)
		} else {
			n, err = s.reindexWhere(ctx, loc, withoutKeys())
		}
		total += n
		if err != nil {
			return total, fmt.Errorf("search index of location %s: %w", loc, err)
		}
		if n > 0 {
			slog.Info("search index built", "location", loc, "keys", n, "took", time.Since(start).Round(time.Millisecond))
		}
	}
	return total, nil
}

// withoutKeys selects contacts with no row in search_keys. Every indexed
// contact has at least its first name's key (first_name is never empty).
func withoutKeys() predicate.Contact {
	return func(s *sql.Selector) {
		t := sql.Table(searchkey.Table)
		s.Where(sql.NotExists(
			sql.Select(t.C(searchkey.FieldID)).From(t).
				Where(sql.ColumnsEQ(t.C(searchkey.FieldContactID), s.C(contact.FieldID))),
		))
	}
}
