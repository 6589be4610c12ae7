package webhooks

import (
	"context"
	"fmt"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/internal/alert"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
)

// TaskAlerter tells staff of a disabled subscription with a high-priority
// admin task at its location: it shows on the tasks page and the
// dashboard of whoever handles admin work, beside everything else staff
// must do. When Staff is set it also raises the shared staff alert
// (internal/alert: Slack, or the outbox), the same road the inbound
// webhooks' failures take.
type TaskAlerter struct {
	Tasks *tasks.Service
	Staff alert.Alerter
}

// SubscriptionDisabled implements Alerter, in the caller's transaction.
func (a TaskAlerter) SubscriptionDisabled(ctx context.Context, sub *ent.WebhookSubscription) error {
	p := task.PriorityHigh
	_, err := a.Tasks.Create(ctx, tasks.NewTask{
		Title: "Outbound webhook disabled: " + trim(sub.URL, 120),
		Description: fmt.Sprintf("%s\n\nCheck the integrator's endpoint, then enable the subscription again on Admin → Webhooks "+
			"(deliveries made while it was disabled are not resent).", sub.DisabledReason),
		Kind: task.KindAdmin, Priority: &p,
	})
	if err != nil || a.Staff == nil {
		return err
	}
	return a.Staff.Raise(ctx, alert.Alert{
		LocationID: sub.LocationID, Topic: "webhook.disabled", Subject: string(sub.ID),
		Text: "Outbound webhook disabled: " + trim(sub.URL, 120) + " (" + trim(sub.DisabledReason, 300) + ")",
	})
}
