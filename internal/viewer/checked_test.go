package viewer_test

import (
	"context"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// A row that points at another location's contact is refused even when
// the caller noted that contact as read (viewer.CheckedAt) at that other
// location: the note spares the tenant hook's query only for the
// location the row is written at. A contact noted at the row's own
// location is written without the query.
func TestCheckedAt_CrossLocationStillRefused(t *testing.T) {
	ec := testutil.Client(t, testutil.DemoDB(t))
	c := ec.Ent
	syd := testutil.As(t, c, "admin@example.com")
	par := testutil.As(t, c, "par-staff@example.com")
	sydLoc, parLoc := viewer.FromContext(syd).LocationID, viewer.FromContext(par).LocationID
	if sydLoc == parLoc {
		t.Fatal("the two viewers share a location")
	}
	first := func(ctx context.Context) *ent.Contact {
		ct, err := c.Contact.Query().Where(contact.LocationID(viewer.FromContext(ctx).LocationID)).First(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	parContact, sydContact := first(par), first(syd)
	touch := func(ctx context.Context, ct *ent.Contact) error {
		return c.Touchpoint.Create().SetContactID(ct.ID).SetKind(touchpoint.KindNote).
			SetSummary("checked refs").SetOccurredAt(testutil.Now.Add(time.Minute)).Exec(ctx)
	}
	for name, ctx := range map[string]context.Context{
		"no note":                       syd,
		"noted at the other location":   viewer.CheckedAt(syd, parLoc, parContact.ID),
		"noted at neither":              viewer.CheckedAt(syd, "loc_nowhere", parContact.ID),
		"another contact noted at SYD":  viewer.CheckedAt(syd, sydLoc, sydContact.ID),
		"SYD's own contact noted first": viewer.CheckedAt(viewer.CheckedAt(syd, sydLoc, sydContact.ID), parLoc, parContact.ID),
	} {
		if err := touch(ctx, parContact); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("%s: a SYD touchpoint on a PAR contact: %v, want NOT_FOUND", name, err)
		}
	}
	if err := touch(viewer.CheckedAt(syd, sydLoc, sydContact.ID), sydContact); err != nil {
		t.Errorf("a SYD touchpoint on a SYD contact noted at SYD: %v", err)
	}
}
