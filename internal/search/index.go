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
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/searchkey"
	"github.com/avatarimaging/avatarcrm/ent/searchword"
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
				if p := pendingOf(ctx); p != nil {
					p.add(c)
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

// Pending holds the contacts created under a context from Defer, whose
// keys the Hook has not written: the caller writes them all at once with
// Write, in the same transaction, before it commits.
type Pending struct {
	mu sync.Mutex
	cs []*ent.Contact
}

type pendingKey struct{}

// Defer returns ctx in which the Hook does not write the keys of the
// contacts it sees created but hands them to the returned Pending, for
// bulk work (a CSV import's batch) that writes them with one multi-row
// insert per thousand keys and one dictionary lookup for the batch
// instead of an insert and a lookup per contact. The caller must call
// Write in the creating transaction: a contact whose keys were deferred
// and never written is not found by search (EnsureIndexed adds it at the
// next start).
func Defer(ctx context.Context) (context.Context, *Pending) {
	p := &Pending{}
	return context.WithValue(ctx, pendingKey{}, p), p
}

func pendingOf(ctx context.Context) *Pending {
	p, _ := ctx.Value(pendingKey{}).(*Pending)
	return p
}

func (p *Pending) add(c *ent.Contact) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cs = append(p.cs, c)
}

// Write writes the keys of the contacts created since Defer (or the last
// Write) through c, the creating transaction's client, and returns how
// many it wrote.
func (p *Pending) Write(ctx context.Context, c *ent.Client) (int, error) {
	p.mu.Lock()
	cs := p.cs
	p.cs = nil
	p.mu.Unlock()
	if len(cs) == 0 {
		return 0, nil
	}
	n, err := writeKeys(ctx, c, cs, false)
	if err != nil {
		return n, fmt.Errorf("search index of %d contacts: %w", len(cs), err)
	}
	return n, nil
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
			SetLocation(pulid.Fold(r.c.LocationID)).SetContactID(r.c.ID).
			SetKind(r.kind).SetPart(r.part).SetKey(r.key.key).SetWord(r.word))
		if len(builders) == insertBatch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := flush(); err != nil {
		return n, err
	}
	byLoc := map[pulid.ID][]string{}
	for _, x := range cs {
		byLoc[x.LocationID] = append(byLoc[x.LocationID], contactNameWords(x)...)
	}
	for loc, words := range byLoc {
		if err := addWords(sys, c, loc, words); err != nil {
			return n, err
		}
	}
	return n, nil
}

// isWord selects a dictionary row keyed by its word itself: every word in
// the dictionary has one.
func isWord(s *sql.Selector) {
	s.Where(sql.ColumnsEQ(s.C(searchword.FieldKey), s.C(searchword.FieldWord)))
}

// addWords adds to loc's dictionary those of words it lacks, with their
// deletions. A create usually finds its words there already (one indexed
// read); a concurrent writer adding the same word is harmless (ON CONFLICT
// DO NOTHING). ctx must be the system's.
func addWords(ctx context.Context, c *ent.Client, loc pulid.ID, words []string) error {
	seen := make(map[string]bool, len(words))
	var distinct []string
	for _, w := range words {
		if w != "" && !seen[w] {
			seen[w] = true
			distinct = append(distinct, w)
		}
	}
	var missing []string
	for start := 0; start < len(distinct); start += idBatch {
		chunk := distinct[start:min(start+idBatch, len(distinct))]
		have, err := c.SearchWord.Query().
			Where(searchword.LocationID(loc), searchword.KeyIn(chunk...), isWord).
			Select(searchword.FieldWord).Strings(ctx)
		if err != nil {
			return err
		}
		for _, w := range chunk {
			if !slices.Contains(have, w) {
				missing = append(missing, w)
			}
		}
	}
	type row struct{ key, word string }
	var rows []row
	for _, w := range missing {
		for _, k := range dictKeys(w) {
			rows = append(rows, row{k, w})
		}
	}
	// In index order, as the keys.
	slices.SortFunc(rows, func(a, b row) int { return cmp.Or(strings.Compare(a.key, b.key), strings.Compare(a.word, b.word)) })
	for start := 0; start < len(rows); start += insertBatch {
		chunk := rows[start:min(start+insertBatch, len(rows))]
		bs := make([]*ent.SearchWordCreate, len(chunk))
		for i, r := range chunk {
			bs[i] = c.SearchWord.Create().SetLocationID(loc).SetKey(r.key).SetWord(r.word)
		}
		err := c.SearchWord.CreateBulk(bs...).
			OnConflictColumns(searchword.FieldLocationID, searchword.FieldKey, searchword.FieldWord).
			DoNothing().Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}

// buildWords fills loc's dictionary from the name words already in its
// index: a database indexed before the dictionary existed (issue 12) has
// the words but none of it. The old deletion rows were dropped by the
// migration. It returns how many words it added.
func (s *Index) buildWords(ctx context.Context, loc pulid.ID) (int, error) {
	sys := system(ctx)
	words, err := s.client.SearchKey.Query().
		Where(searchkey.Location(pulid.Fold(loc)), searchkey.KindEQ(kindWord), searchkey.PartIn(partFirstName, partLastName)).
		Unique(true).Select(searchkey.FieldKey).Strings(sys)
	if err != nil {
		return 0, err
	}
	for start := 0; start < len(words); start += idBatch {
		chunk := words[start:min(start+idBatch, len(words))]
		if err := txn.Run(sys, s.client, func(ctx context.Context, c *ent.Client) error {
			return addWords(ctx, c, loc, chunk)
		}); err != nil {
			return 0, err
		}
	}
	return len(words), nil
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
	if extra == nil {
		// A full rebuild rebuilds the dictionary too, dropping words no
		// contact has any more; the pages add back the words they meet.
		if _, err := s.client.SearchWord.Delete().Where(searchword.LocationID(loc)).Exec(sys); err != nil {
			return 0, err
		}
	}
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
// the hook. A location with keys but no typo dictionary (indexed before
// issue 12) gets its dictionary built from the words in its index. It runs as the system; the app calls it at start. A contact
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
		indexed, err := s.client.SearchKey.Query().Where(searchkey.Location(pulid.Fold(loc))).Exist(sys)
		if err != nil {
			return total, err
		}
		var n int
		if !indexed {
			n, err = s.Reindex(ctx, loc)
		} else {
			// Keys written before the typo dictionary existed: build it
			// from the words in the index.
			var dict bool
			if dict, err = s.client.SearchWord.Query().Where(searchword.LocationID(loc)).Exist(sys); err == nil && !dict {
				var words int
				if words, err = s.buildWords(ctx, loc); err == nil {
					slog.Info("search dictionary built", "location", loc, "words", words, "took", time.Since(start).Round(time.Millisecond))
				}
			}
			if err == nil {
				n, err = s.reindexWhere(ctx, loc, withoutKeys())
			}
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
