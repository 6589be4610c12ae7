package graph

import (
	"context"
	"errors"
	"strconv"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/staffalert"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/hooks"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// The inbound integrations' operations (graph/inbound.graphql): thin
// calls into internal/hooks (events, replay) and internal/wix (mappings,
// sync). The WebhookEvent, StaffAlert and WixService policies (settings
// permissions at the active location) apply underneath.

func (r *Resolver) hooks() (*hooks.Pipeline, error) {
	if r.Hooks == nil {
		return nil, errors.New("graph: the webhook pipeline is not wired")
	}
	return r.Hooks, nil
}

func (r *Resolver) webhookEvents(ctx context.Context, where *WebhookEventsWhere, first *int) ([]*ent.WebhookEvent, error) {
	p, err := r.hooks()
	if err != nil {
		return nil, err
	}
	f := hooks.Filter{}
	if first != nil {
		if *first < 1 || *first > 200 {
			return nil, apperr.Invalidf("first", "between 1 and 200")
		}
		f.First = *first
	}
	if where != nil {
		if where.Source != nil {
			f.Source = *where.Source
		}
		if where.Status != nil {
			f.Status = string(*where.Status)
		}
		f.Before = where.Before
	}
	return p.List(ctx, r.client(ctx), f)
}

func (r *Resolver) staffAlerts(ctx context.Context, first *int) ([]*ent.StaffAlert, error) {
	n := 50
	if first != nil {
		if *first < 1 || *first > 100 {
			return nil, apperr.Invalidf("first", "between 1 and 100")
		}
		n = *first
	}
	return r.client(ctx).StaffAlert.Query().Order(ent.Desc(staffalert.FieldCreatedAt), ent.Desc(staffalert.FieldID)).Limit(n).All(ctx)
}

func (r *Resolver) syncWix(ctx context.Context, since types.Date) (*WixSyncStarted, error) {
	if r.Wix == nil || r.Jobs == nil {
		return nil, errors.New("graph: the Wix integration is not wired")
	}
	if !r.Inbound.WixSyncEnabled {
		return nil, apperr.Invalidf("since", "the Wix API is not configured: set AVATARCRM_WIX_API_KEY (and AVATARCRM_WIX_SITE_ID)")
	}
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	t := since.Time()
	if t.After(r.Now.Now()) {
		return nil, apperr.Invalidf("since", "is in the future")
	}
	res, err := r.Wix.StartSync(ctx, r.Jobs, v.LocationID, t)
	if err != nil {
		return nil, err
	}
	return &WixSyncStarted{JobID: pulid.ID(strconv.FormatInt(res.ID, 10)), Duplicate: res.Duplicate}, nil
}
