package campaigns

import (
	"context"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/campaignrecipient"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// RenderAll renders every recipient's email of a campaign with tracking,
// as the send jobs do, loading contacts and bookings in batches; it
// returns how many rendered. The benchmark measures it with the fan-out;
// a dry run before a large send uses it too.
func (s *Service) RenderAll(ctx context.Context, c *ent.Client, id pulid.ID) (int, error) {
	cp, err := s.Get(ctx, c, id)
	if err != nil {
		return 0, err
	}
	loc, err := c.Location.Get(viewer.Integrity.Grant(ctx, ""), cp.LocationID)
	if err != nil {
		return 0, err
	}
	zone, err := time.LoadLocation(loc.Timezone)
	if err != nil {
		zone = time.UTC
	}
	clinic := Clinic{Name: loc.Name, Phone: loc.Phone, Address: loc.Address, Email: s.From}
	now := s.now()
	n := 0
	var after pulid.ID
	for {
		rs, err := c.CampaignRecipient.Query().Where(campaignrecipient.CampaignID(id), campaignrecipient.IDGT(after)).
			Order(ent.Asc(campaignrecipient.FieldID)).Limit(batch).WithContact().All(ctx)
		if err != nil || len(rs) == 0 {
			return n, err
		}
		ids := make([]pulid.ID, len(rs))
		for i, r := range rs {
			ids[i] = r.ContactID
		}
		bs, err := c.Booking.Query().Where(booking.ContactIDIn(ids...), booking.StatusNEQ(booking.StatusCancelled)).
			Order(ent.Asc(booking.FieldStartsAt)).WithService().All(ctx)
		if err != nil {
			return n, err
		}
		next, last := map[pulid.ID]*ent.Booking{}, map[pulid.ID]*ent.Booking{}
		for _, b := range bs {
			if b.StartsAt.Before(now) {
				last[b.ContactID] = b
			} else if next[b.ContactID] == nil {
				next[b.ContactID] = b
			}
		}
		for _, r := range rs {
			ct := r.Edges.Contact
			d := Data{FirstName: ct.FirstName, LastName: ct.LastName, FullName: strings.TrimSpace(ct.FirstName + " " + ct.LastName),
				Email: r.Address, Clinic: clinic}
			if b := next[ct.ID]; b != nil {
				d.NextBooking = describe(b, zone)
			}
			if b := last[ct.ID]; b != nil {
				d.LastBooking = describe(b, zone)
			}
			rid := r.ID
			tok := func(kind string, link int) string {
				return s.Signer.Sign(Token{Kind: kind, Campaign: cp.ID, Recipient: rid, Link: link})
			}
			if _, err := s.render(cp, d, tok, true); err != nil {
				return n, err
			}
			n++
		}
		after = rs[len(rs)-1].ID
	}
}
