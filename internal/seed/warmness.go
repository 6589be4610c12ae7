package seed

import (
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
)

// demoWarmness gives a demo contact a plausible score with its reasons.
func demoWarmness(ct *ent.Contact, touches int, b demoBookings, now time.Time) (int, []types.WarmnessReason) {
	var rs []types.WarmnessReason
	add := func(f string, p int, d string) {
		rs = append(rs, types.WarmnessReason{Factor: f, Points: p, Detail: d})
	}
	switch ct.LeadSource {
	case contact.LeadSourceGpReferral:
		add("source", 25, "GP referral")
	case contact.LeadSourceReferral:
		add("source", 20, "Personal referral")
	case contact.LeadSourceWix, contact.LeadSourceGoogleAds:
		add("source", 15, "Searched and enquired")
	default:
		add("source", 8, "Lead source "+string(ct.LeadSource))
	}
	days := int(now.Sub(ct.StageChangedAt).Hours() / 24)
	switch {
	case days <= 3:
		add("recency", 30, "Active in the last 3 days")
	case days <= 14:
		add("recency", 20, "Active in the last 2 weeks")
	case days <= 45:
		add("recency", 8, "Active in the last 6 weeks")
	}
	if touches > 0 {
		p := min(touches*4, 20)
		add("engagement", p, "Touchpoints on record")
	}
	if b.upcoming > 0 {
		add("booking", 20, "Has an upcoming booking")
	}
	if b.completed > 0 {
		add("booking", 10, "Attended before")
	}
	if b.noShow > 0 {
		add("no_show", -15, "Missed an appointment")
	}
	if ct.SmsConsent {
		add("consent", 5, "Agreed to SMS")
	}
	score := 0
	for _, r := range rs {
		score += r.Points
	}
	return max(0, min(100, score)), rs
}
