package graph

import (
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/campaigns"
)

// The campaigns operations' arguments and answers, between the schema's
// models and internal/campaigns.

func campaignInput(in CampaignInput) campaigns.Input {
	out := campaigns.Input{
		Name: in.Name, Goal: in.Goal, Subject: in.Subject, HTMLBody: in.HTMLBody, TextBody: in.TextBody,
		FromName: in.FromName, FromAddress: in.FromAddress,
	}
	if in.Audience != nil {
		a := audienceInput(*in.Audience)
		out.Audience = &a
	}
	return out
}

func audienceInput(in CampaignAudienceInput) types.CampaignAudience {
	return types.CampaignAudience{
		Stages: in.Stages, Pipelines: in.Pipelines, Sources: in.Sources,
		WarmnessMin: in.WarmnessMin, WarmnessMax: in.WarmnessMax,
		LastBookingBefore: in.LastBookingBefore, LastBookingAfter: in.LastBookingAfter,
		NeverBooked: in.NeverBooked != nil && *in.NeverBooked,
		ServiceIDs:  in.ServiceIDs, Tags: in.Tags, LocationID: in.LocationID,
	}
}

func campaignStats(s campaigns.Stats) *CampaignStats {
	return &CampaignStats{
		Recipients: s.Recipients, Queued: s.Queued, Sent: s.Sent, Delivered: s.Delivered, Bounced: s.Bounced,
		Failed: s.Failed, Suppressed: s.Suppressed, Opened: s.Opened, Opens: s.Opens, Clicked: s.Clicked,
		Clicks: s.Clicks, Unsubscribed: s.Unsubscribed, DeliveryRate: s.DeliveryRate, OpenRate: s.OpenRate,
		ClickRate: s.ClickRate, BounceRate: s.BounceRate, UnsubscribeRate: s.UnsubscribeRate,
	}
}

func campaignAnalytics(a campaigns.Analytics) *CampaignAnalytics {
	out := &CampaignAnalytics{CampaignID: a.CampaignID, Stats: campaignStats(a.Stats), Bucket: a.Bucket,
		Links: []*CampaignLinkStats{}, Series: []*CampaignSeriesPoint{}}
	for _, l := range a.Links {
		out.Links = append(out.Links, &CampaignLinkStats{Index: l.Index, URL: l.URL, Clicks: l.Clicks, UniqueClicks: l.UniqueClicks})
	}
	for _, p := range a.Series {
		out.Series = append(out.Series, &CampaignSeriesPoint{At: p.At, Sent: p.Sent, Opens: p.Opens, Clicks: p.Clicks,
			Unsubscribes: p.Unsubscribes, Bounces: p.Bounces})
	}
	return out
}

func audiencePreview(p campaigns.AudiencePreview) *AudiencePreview {
	out := &AudiencePreview{Matched: p.Matched, Eligible: p.Eligible, Sample: p.Sample, Excluded: []*AudienceExclusion{}}
	for _, e := range p.Excluded {
		out.Excluded = append(out.Excluded, &AudienceExclusion{Reason: e.Reason, Label: e.Label, Count: e.Count})
	}
	return out
}

func campaignDraftInput(in CampaignDraftInput) campaigns.DraftInput {
	out := campaigns.DraftInput{Goal: in.Goal, ServiceID: in.ServiceID}
	if in.Template != nil {
		out.Template = *in.Template
	}
	if in.Tone != nil {
		out.Tone = *in.Tone
	}
	if in.Audience != nil {
		out.Audience = *in.Audience
	}
	if in.BookingURL != nil {
		out.BookingURL = *in.BookingURL
	}
	return out
}

func campaignDraft(d campaigns.Draft) *CampaignDraft {
	out := &CampaignDraft{Subject: d.Subject, HTMLBody: d.HTMLBody, TextBody: d.TextBody, Template: d.Template, Engine: d.Engine}
	if d.Fallback != "" {
		out.Fallback = &d.Fallback
	}
	return out
}
