package graph

import "github.com/avatarimaging/avatarcrm/internal/sms"

func smsSettings(s sms.Settings) *SMSSettings {
	return &SMSSettings{InboundURL: s.InboundURL, ReceiptURL: s.ReceiptURL, IntentThreshold: s.Threshold}
}

func smsCheck(c sms.Check) *SMSCheck {
	out := &SMSCheck{Allowed: c.Allowed, Message: c.Message, SendAfter: c.SendAfter, Count: smsCount(c.Count, c.CostCents)}
	if c.Problem != "" {
		out.Problem = &c.Problem
	}
	return out
}

func conversationsFilter(w *ConversationsWhere) sms.ConversationsFilter {
	var f sms.ConversationsFilter
	if w == nil {
		return f
	}
	f.LocationID, f.AssigneeID, f.NeedsReply, f.UpdatedSince = w.LocationID, w.AssigneeID, w.NeedsReply, w.UpdatedSince
	f.Unassigned = w.Unassigned != nil && *w.Unassigned
	f.IncludeDone = w.IncludeDone != nil && *w.IncludeDone
	return f
}
