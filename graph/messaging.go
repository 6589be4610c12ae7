package graph

import "github.com/avatarimaging/avatarcrm/internal/messaging"

func smsCount(c messaging.Count, cost int) *SMSCount {
	return &SMSCount{Encoding: c.Encoding, Units: c.Units, Segments: c.Segments, CostCents: cost}
}
