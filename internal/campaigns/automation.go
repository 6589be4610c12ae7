package campaigns

import (
	"context"
	"strings"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/automation"
	"github.com/avatarimaging/avatarcrm/internal/email"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// QueueEmail implements automation.EmailSender: the send_email action's
// email becomes a Message (channel email) with its send job, once per
// key; the job sends it through the same provider as campaigns, with the
// clinic's footer (and the unsubscribe line for marketing).
func (s *Service) QueueEmail(ctx context.Context, c *ent.Client, in automation.EmailInput) (pulid.ID, string, error) {
	ct, err := c.Contact.Get(ctx, in.ContactID)
	if err != nil {
		return "", "", err
	}
	if ct.Email == nil || *ct.Email == "" {
		return "", "has no email address", nil
	}
	if in.Marketing {
		// Marketing email needs a working unsubscribe link per recipient:
		// that is a campaign's job, not a rule's.
		return "", "would get marketing email, which goes out as a campaign (with its unsubscribe link), not from a rule", nil
	}
	if m, err := c.Message.Query().Where(message.Key(in.Key)).Only(ctx); err == nil {
		return m.ID, "", nil
	}
	subject := strings.TrimSpace(in.Subject)
	if subject == "" {
		subject = strings.ReplaceAll(in.Template, "_", " ")
	}
	m, err := c.Message.Create().SetChannel(message.ChannelEmail).SetStatus(message.StatusQueued).SetTo(*ct.Email).
		SetBody(subject + "\n\n" + in.Body).SetTemplate(truncate(in.Template, 40)).SetMarketing(in.Marketing).
		SetProvider(s.Email.Name()).SetContactID(ct.ID).SetNillableRuleID(in.RuleID).SetKey(in.Key).Save(ctx)
	if err != nil {
		return "", "", err
	}
	if _, err := s.Jobs.Enqueue(ctx, EmailArgs{MessageID: m.ID, LocationID: m.LocationID}, nil); err != nil {
		return "", "", err
	}
	return m.ID, "", nil
}

// deliverMessage sends an automation email Message.
func (s *Service) deliverMessage(ctx context.Context, c *ent.Client, m *ent.Message) (email.Result, error) {
	ct, err := c.Contact.Get(ctx, m.ContactID)
	if err != nil {
		return email.Result{}, err
	}
	d, err := s.data(ctx, c, m.LocationID, ct)
	if err != nil {
		return email.Result{}, err
	}
	subject, body, _ := strings.Cut(m.Body, "\n\n")
	from := s.From
	// Not marketing: the clinic's identity, no unsubscribe line.
	e := email.Email{MessageID: messageID(m.ID, from), FromName: d.Clinic.Name, From: from, To: m.To, Subject: subject,
		Text: strings.TrimRight(body, "\n") + "\n\n--\n" + d.Clinic.Name + "\n" + d.Clinic.Address + "\n"}
	return s.Email.Send(ctx, e)
}

// EmailArgs sends one automation email Message, unique by the message.
type EmailArgs struct {
	MessageID  pulid.ID `json:"message_id" river:"unique"`
	LocationID pulid.ID `json:"location_id"`
}

// Kind implements river.JobArgs.
func (EmailArgs) Kind() string { return "email.send" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (EmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}, MaxAttempts: 10}
}

type emailWorker struct {
	river.WorkerDefaults[EmailArgs]
	s *Service
}

func (w *emailWorker) Work(ctx context.Context, j *river.Job[EmailArgs]) error {
	ctx = viewer.ForJob(ctx, j.Args.LocationID, j.Kind)
	c := w.s.Client
	m, err := c.Message.Get(ctx, j.Args.MessageID)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil || m.Status != message.StatusQueued {
		return err
	}
	res, err := w.s.deliverMessage(ctx, c, m)
	if err != nil {
		if temp, _ := email.Temporary(err); temp && j.Attempt < j.MaxAttempts {
			return err
		}
		return c.Message.UpdateOneID(m.ID).SetStatus(message.StatusFailed).SetError(truncate(err.Error(), 500)).Exec(ctx)
	}
	return c.Message.UpdateOneID(m.ID).SetStatus(message.StatusSent).SetSentAt(w.s.now()).
		SetProviderMessageID(truncate(res.ProviderMessageID, 120)).Exec(ctx)
}
