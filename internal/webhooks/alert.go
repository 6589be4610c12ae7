package webhooks

import (
	"context"
	"fmt"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
)

// TaskAlerter tells staff of a disabled subscription with a high-priority
// admin task at its location: it shows on the tasks page and the
// dashboard of whoever handles admin work, beside everything else staff
// must do, and nothing is sent anywhere (the outbox rule).
type TaskAlerter struct{ Tasks *tasks.Service }

// SubscriptionDisabled implements Alerter, in the caller's transaction.
func (a TaskAlerter) SubscriptionDisabled(ctx context.Context, sub *ent.WebhookSubscription) error {
	p := task.PriorityHigh
	_, err := a.Tasks.Create(ctx, tasks.NewTask{
		Title: "Outbound webhook disabled: " + trim(sub.URL, 120),
		Description: fmt.Sprintf("%s\n\nCheck the integrator's endpoint, then enable the subscription again on Admin → Webhooks "+
			"(deliveries made while it was disabled are not resent).", sub.DisabledReason),
		Kind: task.KindAdmin, Priority: &p,
	})
	return err
}
