package access

import (
	"context"
	"net/netip"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/iprule"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/netguard"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// IPRules manages the networks allowed to reach a location.
type IPRules struct {
	Client    *ent.Client
	Allowlist *netguard.Allowlist
}

// lockoutField names the input that confirms a change shutting out the
// admin making it.
const lockoutField = "confirmLockout"

// invalidate drops the location's cached rules now and again once the
// transaction in ctx (if any) commits, so a request between the change and
// the commit cannot cache the old rules for the allowlist's TTL.
func (s *IPRules) invalidate(ctx context.Context, loc string) {
	s.Allowlist.Invalidate(loc)
	afterCommit(ctx, func() { s.Allowlist.Invalidate(loc) })
}

func (s *IPRules) client(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return s.Client
}

// Load returns a location's rules; it is the allowlist's loader and runs as
// the system, so a viewer's permissions never shrink the list (an empty
// list would let everybody in).
func (s *IPRules) Load(ctx context.Context, locationID string) ([]netip.Prefix, error) {
	rows, err := s.Client.IPRule.Query().Where(iprule.LocationID(pulid.ID(locationID))).All(viewer.Identity.Grant(ctx, ""))
	if err != nil {
		return nil, err
	}
	out := make([]netip.Prefix, 0, len(rows))
	for _, r := range rows {
		p, err := netguard.ParseRule(r.Cidr)
		if err != nil {
			// A stored rule that no longer parses matches nothing: the list
			// gets stricter, never open.
			out = append(out, netip.Prefix{})
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// Add allows a network at the active location. It refuses a rule set that
// would lock out the caller's own address unless confirm is set.
func (s *IPRules) Add(ctx context.Context, cidr, note string, caller netip.Addr, confirm bool) (*ent.IPRule, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	p, err := netguard.ParseRule(cidr)
	if err != nil {
		return nil, apperr.Invalidf("cidr", "%s", err)
	}
	rules, err := s.Allowlist.Rules(ctx, string(v.LocationID))
	if err != nil {
		return nil, err
	}
	if !confirm && netguard.WouldLockOut(append(rules, p), caller) {
		return nil, apperr.Invalidf(lockoutField, "with this rule your own address (%s) could no longer reach this location; confirm to add it anyway", caller)
	}
	b := s.client(ctx).IPRule.Create().SetCidr(p.String()).SetNote(note)
	if v.UserID != "" {
		b.SetCreatedByID(v.UserID)
	}
	r, err := b.Save(ctx)
	if err != nil {
		if ent.IsConstraintError(err) {
			return nil, apperr.Conflictf("%s is already allowed", p)
		}
		return nil, err
	}
	s.invalidate(ctx, string(v.LocationID))
	return r, nil
}

// Remove deletes a rule, refusing to lock out the caller unless confirmed.
func (s *IPRules) Remove(ctx context.Context, id pulid.ID, caller netip.Addr, confirm bool) error {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return err
	}
	c := s.client(ctx)
	r, err := c.IPRule.Get(ctx, id)
	if err != nil {
		return err
	}
	rules, err := s.Allowlist.Rules(ctx, string(v.LocationID))
	if err != nil {
		return err
	}
	var left []netip.Prefix
	removed, _ := netguard.ParseRule(r.Cidr)
	for _, p := range rules {
		if p != removed {
			left = append(left, p)
		}
	}
	if !confirm && netguard.WouldLockOut(left, caller) {
		return apperr.Invalidf(lockoutField, "without this rule your own address (%s) could no longer reach this location; confirm to remove it anyway", caller)
	}
	if err := c.IPRule.DeleteOne(r).Exec(ctx); err != nil {
		return err
	}
	s.invalidate(ctx, string(v.LocationID))
	return nil
}
