package graph

import "github.com/avatarimaging/avatarcrm/internal/search"

// ContactSearch returns the contact search, for the UI (which needs the
// list filters searchContacts does not take). A resolver built without one
// (as some tests build them) searches the same client; only the index
// hook, which the app installs, keeps the index current.
func (r *Resolver) ContactSearch() *search.Index {
	if r.Search != nil {
		return r.Search
	}
	return search.New(r.Client)
}
