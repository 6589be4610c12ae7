package graph

import "github.com/avatarimaging/avatarcrm/internal/audit"

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// auditQuery reads an AuditFilter (nil: everything).
func auditQuery(f *AuditFilter) audit.Query {
	var q audit.Query
	if f == nil {
		return q
	}
	if f.From != nil {
		q.From = *f.From
	}
	if f.To != nil {
		q.To = *f.To
	}
	q.UserEmail, q.ResourceType, q.ResourceID, q.Action = deref(f.UserEmail), deref(f.ResourceType), deref(f.ResourceID), deref(f.Action)
	if f.Before != nil {
		q.BeforeID = int64(*f.Before)
	}
	return q
}
