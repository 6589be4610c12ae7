package campaigns

import (
	"context"
	"sort"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/campaignevent"
	"github.com/avatarimaging/avatarcrm/ent/campaignrecipient"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
)

// Stats are a campaign's headline counts and rates. Sent counts every
// email handed to the provider (delivered or bounced); rates are of Sent.
type Stats struct {
	Recipients, Queued, Sent, Delivered, Bounced, Failed, Suppressed int
	Opened, Opens, Clicked, Clicks, Unsubscribed                     int
	DeliveryRate, OpenRate, ClickRate, BounceRate, UnsubscribeRate   float64
}

// LinkStats are the clicks on one link.
type LinkStats struct {
	Index        int
	URL          string
	Clicks       int
	UniqueClicks int
}

// Point is one bucket of activity.
type Point struct {
	At                                         time.Time
	Sent, Opens, Clicks, Unsubscribes, Bounces int
}

// Analytics are a campaign's counts, links and series.
type Analytics struct {
	CampaignID pulid.ID
	Stats      Stats
	Links      []LinkStats
	Bucket     string
	Series     []Point
}

// Stats counts a campaign's recipients by outcome.
func (s *Service) Stats(ctx context.Context, c *ent.Client, id pulid.ID) (Stats, error) {
	var rows []struct {
		Status campaignrecipient.Status `json:"status"`
		Count  int                      `json:"count"`
	}
	q := func() *ent.CampaignRecipientQuery {
		return c.CampaignRecipient.Query().Where(campaignrecipient.CampaignID(id))
	}
	if err := q().GroupBy(campaignrecipient.FieldStatus).Aggregate(ent.Count()).Scan(ctx, &rows); err != nil {
		return Stats{}, err
	}
	var st Stats
	for _, r := range rows {
		st.Recipients += r.Count
		switch r.Status {
		case campaignrecipient.StatusQueued:
			st.Queued = r.Count
		case campaignrecipient.StatusSent:
			st.Delivered = r.Count
		case campaignrecipient.StatusBounced:
			st.Bounced = r.Count
		case campaignrecipient.StatusFailed:
			st.Failed = r.Count
		case campaignrecipient.StatusSuppressed:
			st.Suppressed = r.Count
		}
	}
	st.Sent = st.Delivered + st.Bounced
	if st.Sent > 0 {
		var err error
		if st.Opened, err = q().Where(campaignrecipient.FirstOpenedAtNotNil()).Count(ctx); err != nil {
			return st, err
		}
		if st.Clicked, err = q().Where(campaignrecipient.FirstClickedAtNotNil()).Count(ctx); err != nil {
			return st, err
		}
		if st.Unsubscribed, err = q().Where(campaignrecipient.UnsubscribedAtNotNil()).Count(ctx); err != nil {
			return st, err
		}
		var sums []struct {
			Opens  int `json:"opens"`
			Clicks int `json:"clicks"`
		}
		if err := q().Aggregate(ent.As(ent.Sum(campaignrecipient.FieldOpenCount), "opens"),
			ent.As(ent.Sum(campaignrecipient.FieldClickCount), "clicks")).Scan(ctx, &sums); err != nil {
			return st, err
		}
		if len(sums) > 0 {
			st.Opens, st.Clicks = sums[0].Opens, sums[0].Clicks
		}
		rate := func(n int) float64 { return float64(n) / float64(st.Sent) }
		st.DeliveryRate, st.OpenRate, st.ClickRate = rate(st.Delivered), rate(st.Opened), rate(st.Clicked)
		st.BounceRate, st.UnsubscribeRate = rate(st.Bounced), rate(st.Unsubscribed)
	}
	return st, nil
}

// Analytics are a campaign's counts, clicks per link and activity over
// time: hourly buckets for a campaign whose activity spans up to two
// days, daily ones after.
func (s *Service) Analytics(ctx context.Context, c *ent.Client, id pulid.ID) (Analytics, error) {
	cp, err := s.Get(ctx, c, id)
	if err != nil {
		return Analytics{}, err
	}
	st, err := s.Stats(ctx, c, id)
	if err != nil {
		return Analytics{}, err
	}
	a := Analytics{CampaignID: id, Stats: st, Bucket: "hour"}
	events, err := c.CampaignEvent.Query().Where(campaignevent.CampaignID(id)).
		Select(campaignevent.FieldKind, campaignevent.FieldLinkIndex, campaignevent.FieldOccurredAt, campaignevent.FieldRecipientID).All(ctx)
	if err != nil {
		return a, err
	}
	sends, err := c.CampaignRecipient.Query().Where(campaignrecipient.CampaignID(id), campaignrecipient.SentAtNotNil()).
		Select(campaignrecipient.FieldSentAt, campaignrecipient.FieldStatus).All(ctx)
	if err != nil {
		return a, err
	}
	clicks := make([]int, len(cp.Links))
	unique := make([]map[pulid.ID]bool, len(cp.Links))
	for _, e := range events {
		if e.Kind == campaignevent.KindClick && e.LinkIndex != nil && *e.LinkIndex < len(cp.Links) {
			i := *e.LinkIndex
			clicks[i]++
			if unique[i] == nil {
				unique[i] = map[pulid.ID]bool{}
			}
			unique[i][e.RecipientID] = true
		}
	}
	for i, u := range cp.Links {
		a.Links = append(a.Links, LinkStats{Index: i, URL: u, Clicks: clicks[i], UniqueClicks: len(unique[i])})
	}
	var first, last time.Time
	see := func(t time.Time) {
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	for _, r := range sends {
		see(*r.SentAt)
	}
	for _, e := range events {
		see(e.OccurredAt)
	}
	if first.IsZero() {
		return a, nil
	}
	size := time.Hour
	if last.Sub(first) > 48*time.Hour {
		size, a.Bucket = 24*time.Hour, "day"
	}
	buckets := map[time.Time]*Point{}
	at := func(t time.Time) *Point {
		k := t.UTC().Truncate(size)
		p := buckets[k]
		if p == nil {
			p = &Point{At: k}
			buckets[k] = p
		}
		return p
	}
	for _, r := range sends {
		p := at(*r.SentAt)
		p.Sent++
		if r.Status == campaignrecipient.StatusBounced {
			p.Bounces++
		}
	}
	for _, e := range events {
		p := at(e.OccurredAt)
		switch e.Kind {
		case campaignevent.KindOpen:
			p.Opens++
		case campaignevent.KindClick:
			p.Clicks++
		case campaignevent.KindUnsubscribe:
			p.Unsubscribes++
		}
	}
	// Every bucket from the first to the last, empty ones too, so the
	// chart's time axis is even.
	for t := first.UTC().Truncate(size); !t.After(last); t = t.Add(size) {
		a.Series = append(a.Series, *at(t))
	}
	sort.Slice(a.Series, func(i, j int) bool { return a.Series[i].At.Before(a.Series[j].At) })
	return a, nil
}

// EmailSettings say how email is sent here.
func (s *Service) EmailSettings(ctx context.Context, c *ent.Client) (EmailSettings, error) {
	st := EmailSettings{From: s.From, RatePerMinute: s.rate(), DailyQuota: s.DailyQuota, Provider: "outbox"}
	if s.Email != nil {
		st.Provider = s.Email.Name()
	}
	n, err := s.sentSince(ctx, c, s.now().Add(-24*time.Hour))
	st.SentLast24h = n
	return st, err
}
