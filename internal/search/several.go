package search

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/searchkey"
)

// wholeContacts turns fetchContacts on for several words; tests compare
// it with the index rows joined to four columns (fetch).
var wholeContacts = true

// fetchContacts reads, whole, the contacts with an index row matching one
// of ls that also have a row of each of restrict (the other words of a
// query), at most maxKeyRows: the contacts a search for several words
// scores. Whole, so the 20 chosen are not read again one by one (load):
// they were 20 of a two-word search's 23 statements.
//
// The statement is a contacts query joined to the narrowed index rows,
// not `id IN (…)`: beside the location filter the privacy rule adds,
// SQLite without statistics reads the location's contacts for an IN and
// tests each (30 ms at 100,000 contacts), while the join reads the few
// index rows first and each contact by primary key. A contact with
// several rows of a lookup comes once per row: callers keep the first.
func (f *fetcher) fetchContacts(ctx context.Context, ls lookups, restrict []lookups, where []predicate.Contact) ([]*ent.Contact, error) {
	var out []*ent.Contact
	for _, x := range ls.split() {
		if f.rows >= maxKeyRows {
			break
		}
		t := sql.Table(searchkey.Table).As("k")
		sub := sql.Select(sql.As(t.C(searchkey.FieldContactID), "k_contact_id")).From(t).Where(x.sqlPred(t, f.locKey))
		for i, r := range restrict {
			f.restrictTo(i, r)(sub)
		}
		sub.As("n")
		cs, err := f.s.client.Contact.Query().Where(where...).Where(func(s *sql.Selector) {
			s.Join(sub).On(s.C(contact.FieldID), sub.C("k_contact_id"))
		}).Limit(maxKeyRows - f.rows).All(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
		f.rows += len(cs)
	}
	return out, nil
}

// contactHits returns the contacts as the rows fetch with join reads (one
// per contact, the first time it comes), for fieldHits.
func contactHits(cs []*ent.Contact) ([]hit, map[pulid.ID]*ent.Contact) {
	byID := make(map[pulid.ID]*ent.Contact, len(cs))
	var out []hit
	for _, c := range cs {
		if byID[c.ID] != nil {
			continue
		}
		byID[c.ID] = c
		h := hit{ContactID: c.ID, Warmness: c.Warmness, FirstName: c.FirstName, LastName: c.LastName}
		if c.Email != nil {
			h.Email = sql.NullString{String: *c.Email, Valid: true}
		}
		if c.Phone != nil {
			h.Phone = sql.NullString{String: *c.Phone, Valid: true}
		}
		out = append(out, h)
	}
	return out, byID
}
