package campaigns

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/campaign"
	"github.com/avatarimaging/avatarcrm/ent/campaignrecipient"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/email"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// SendArgs is the job that sends a campaign to one recipient. It is
// unique per recipient (so per campaign × contact) and round: a resume
// starts a new round; the recipient row's status and claim make the email
// go once whatever runs twice.
type SendArgs struct {
	RecipientID pulid.ID `json:"recipient_id" river:"unique"`
	Round       int      `json:"round" river:"unique"`
	CampaignID  pulid.ID `json:"campaign_id"`
	LocationID  pulid.ID `json:"location_id"`
}

// Kind implements river.JobArgs.
func (SendArgs) Kind() string { return "campaign.send" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}, MaxAttempts: 10}
}

// StartArgs is a scheduled campaign's start, unique by campaign and time
// (a rescheduled campaign's old start finds the time changed and stops).
type StartArgs struct {
	CampaignID pulid.ID `json:"campaign_id" river:"unique"`
	At         int64    `json:"at" river:"unique"`
	LocationID pulid.ID `json:"location_id"`
}

// Kind implements river.JobArgs.
func (StartArgs) Kind() string { return "campaign.start" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (StartArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// TestArgs sends a test email recorded as a Message.
type TestArgs struct {
	MessageID  pulid.ID `json:"message_id" river:"unique"`
	CampaignID pulid.ID `json:"campaign_id"`
	LocationID pulid.ID `json:"location_id"`
}

// Kind implements river.JobArgs.
func (TestArgs) Kind() string { return "campaign.test" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (TestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}, MaxAttempts: 5}
}

// AddWorkers registers the campaign jobs' workers.
func AddWorkers(ws *jobs.Workers, s *Service) {
	jobs.Add(ws, &sendWorker{s: s})
	jobs.Add(ws, &startWorker{s: s})
	jobs.Add(ws, &testWorker{s: s})
	jobs.Add(ws, &emailWorker{s: s})
}

type startWorker struct {
	river.WorkerDefaults[StartArgs]
	s *Service
}

func (w *startWorker) Work(ctx context.Context, j *river.Job[StartArgs]) error {
	ctx = viewer.ForJob(ctx, j.Args.LocationID, j.Kind)
	return txn.Run(ctx, w.s.Client, func(ctx context.Context, c *ent.Client) error {
		cp, err := c.Campaign.Get(ctx, j.Args.CampaignID)
		if ent.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if cp.Status != campaign.StatusScheduled || cp.ScheduledAt == nil || cp.ScheduledAt.Unix() != j.Args.At {
			return nil // paused, cancelled or rescheduled since
		}
		_, err = w.s.fanOut(ctx, c, cp)
		return err
	})
}

// slots spaces sends at the rate and, under a daily quota, moves those
// beyond today's remainder to the following days.
type slots struct {
	account   string
	start     time.Time
	interval  time.Duration
	quota     int
	remaining int
}

func (s *Service) slots(ctx context.Context, c *ent.Client) (slots, error) {
	sl := slots{account: s.account(), start: s.now(), interval: time.Minute / time.Duration(s.rate()), quota: s.DailyQuota}
	if s.DailyQuota > 0 {
		n, err := s.sentSince(ctx, c, sl.start.Add(-24*time.Hour))
		if err != nil {
			return sl, err
		}
		sl.remaining = max(s.DailyQuota-n, 0)
	}
	return sl, nil
}

func (sl slots) at(i int) (time.Time, int) {
	if sl.quota <= 0 || i < sl.remaining {
		return sl.start.Add(time.Duration(i) * sl.interval), 0
	}
	k := i - sl.remaining
	day := 1 + k/sl.quota
	return sl.start.Add(time.Duration(day)*24*time.Hour + time.Duration(k%sl.quota)*sl.interval), day
}

// account is the provider's sending account: the daily quota is its own
// (Gmail's 2,000 a day is per mailbox, shared by every location that
// sends through it).
func (s *Service) account() string { return email.AccountOf(s.Email) }

// sentSince counts the campaign emails the sending account sent since t,
// from every location (the quota is the account's, not the location's).
func (s *Service) sentSince(ctx context.Context, c *ent.Client, t time.Time) (int, error) {
	return c.CampaignRecipient.Query().Where(campaignrecipient.Account(s.account()), campaignrecipient.SentAtGTE(t)).
		Count(viewer.Integrity.Grant(ctx, ""))
}

// quotaFrees is when the account's oldest send of the last 24 hours
// leaves the window (a slot frees), or an hour from now if none is found.
func (s *Service) quotaFrees(ctx context.Context, c *ent.Client, now time.Time) time.Time {
	first, err := c.CampaignRecipient.Query().Where(campaignrecipient.Account(s.account()), campaignrecipient.SentAtGTE(now.Add(-24*time.Hour))).
		Order(ent.Asc(campaignrecipient.FieldSentAt)).Select(campaignrecipient.FieldSentAt).First(viewer.Integrity.Grant(ctx, ""))
	if err != nil || first.SentAt == nil {
		return now.Add(time.Hour)
	}
	return first.SentAt.Add(24 * time.Hour)
}

// note says when the sends go and why.
func (sl slots) note(n int, zone *time.Location) string {
	last, days := sl.at(n - 1)
	if days == 0 {
		return fmt.Sprintf("Sending to %d at up to %d a minute", n, int(time.Minute/sl.interval))
	}
	return fmt.Sprintf("Sending to %d: %s allows %d a day (every location's campaigns count), so %d go today and the rest continue on the following days (the last on %s)",
		n, quotaName(sl.account), sl.quota, sl.remaining, last.In(zone).Format("Mon 2 Jan 15:04 MST"))
}

// quotaName names a sending account for people: "the mailbox
// hello@clinic.example", "the SMTP login …", "the provider".
func quotaName(account string) string {
	kind, who, _ := strings.Cut(account, ":")
	switch {
	case kind == "gmail" && strings.Contains(who, "@"):
		return "the Gmail mailbox " + who
	case kind == "gmail":
		return "the Gmail account"
	case kind == "smtp":
		return "the SMTP account " + who
	}
	return "the provider"
}

const batch = 1000

// fanOut makes one recipient row and one send job per eligible contact,
// in the caller's transaction, and marks the campaign sending.
func (s *Service) fanOut(ctx context.Context, c *ent.Client, cp *ent.Campaign) (*ent.Campaign, error) {
	aud := cp.Audience
	if aud == nil {
		aud = &types.CampaignAudience{}
	}
	people, err := eligibleContacts(ctx, c, *aud)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if len(people) == 0 {
		return c.Campaign.UpdateOneID(cp.ID).SetStatus(campaign.StatusSent).SetStartedAt(now).SetFinishedAt(now).
			SetRecipientCount(0).SetStatusNote("Nobody in the audience can receive it (consent, unsubscribes, addresses)").Save(ctx)
	}
	sl, err := s.slots(ctx, c)
	if err != nil {
		return nil, err
	}
	for from := 0; from < len(people); from += batch {
		part := people[from:min(from+batch, len(people))]
		builders := make([]*ent.CampaignRecipientCreate, len(part))
		for i, p := range part {
			builders[i] = c.CampaignRecipient.Create().SetCampaignID(cp.ID).SetContactID(p.ID).SetAddress(*p.Email).
				SetLocationID(cp.LocationID)
		}
		// The recipient rows follow from the campaign's send, which is
		// audited (its status change names who sent it); an entry per
		// row would add thousands of entries that record nothing anyone
		// did. What each recipient later gets (its Message, the
		// timeline, an unsubscribe) is audited.
		rows, err := c.CampaignRecipient.CreateBulk(builders...).Save(audit.WithoutAudit(ctx))
		if err != nil {
			return nil, err
		}
		params := make([]river.InsertManyParams, len(rows))
		for i, r := range rows {
			at, _ := sl.at(from + i)
			params[i] = river.InsertManyParams{
				Args:       SendArgs{RecipientID: r.ID, Round: cp.Round, CampaignID: cp.ID, LocationID: cp.LocationID},
				InsertOpts: &river.InsertOpts{ScheduledAt: at, UniqueOpts: river.UniqueOpts{ByArgs: true}, MaxAttempts: 10},
			}
		}
		if _, err := s.Jobs.EnqueueMany(ctx, params); err != nil {
			return nil, err
		}
	}
	zone, err := s.zone(ctx, c, cp.LocationID)
	if err != nil {
		return nil, err
	}
	return c.Campaign.UpdateOneID(cp.ID).SetStatus(campaign.StatusSending).SetStartedAt(now).
		SetRecipientCount(len(people)).SetStatusNote(sl.note(len(people), zone)).Save(ctx)
}

// requeue starts a new round of send jobs for the recipients still
// queued (resume).
func (s *Service) requeue(ctx context.Context, c *ent.Client, cp *ent.Campaign) (*ent.Campaign, error) {
	ids, err := c.CampaignRecipient.Query().Where(campaignrecipient.CampaignID(cp.ID), campaignrecipient.StatusEQ(campaignrecipient.StatusQueued)).
		Order(ent.Asc(campaignrecipient.FieldID)).IDs(ctx)
	if err != nil {
		return nil, err
	}
	round := cp.Round + 1
	sl, err := s.slots(ctx, c)
	if err != nil {
		return nil, err
	}
	for from := 0; from < len(ids); from += batch {
		part := ids[from:min(from+batch, len(ids))]
		params := make([]river.InsertManyParams, len(part))
		for i, id := range part {
			at, _ := sl.at(from + i)
			params[i] = river.InsertManyParams{
				Args:       SendArgs{RecipientID: id, Round: round, CampaignID: cp.ID, LocationID: cp.LocationID},
				InsertOpts: &river.InsertOpts{ScheduledAt: at, UniqueOpts: river.UniqueOpts{ByArgs: true}, MaxAttempts: 10},
			}
		}
		if _, err := s.Jobs.EnqueueMany(ctx, params); err != nil {
			return nil, err
		}
	}
	up := c.Campaign.UpdateOneID(cp.ID).SetRound(round)
	if len(ids) == 0 {
		return up.SetStatus(campaign.StatusSent).SetFinishedAt(s.now()).SetStatusNote("Sent").Save(ctx)
	}
	zone, err := s.zone(ctx, c, cp.LocationID)
	if err != nil {
		return nil, err
	}
	return up.SetStatus(campaign.StatusSending).SetStatusNote("Resumed. " + sl.note(len(ids), zone)).Save(ctx)
}

type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	s *Service
}

func (w *sendWorker) Work(ctx context.Context, j *river.Job[SendArgs]) error {
	ctx = viewer.ForJob(ctx, j.Args.LocationID, j.Kind)
	return w.s.deliver(ctx, j.Args)
}

// maxTries bounds a recipient's temporary failures (rate limits, a
// server down) before it is marked failed and the campaign goes on.
const maxTries = 12

// deliver sends one recipient's email, once: the recipient must still be
// queued, its campaign sending in this round, the contact still willing;
// a claim (claimed_until, committed before the provider is called) keeps
// a second job off it; a retry after a crash asks a provider that can
// tell (email.Finder) whether the first attempt got through.
func (s *Service) deliver(ctx context.Context, a SendArgs) error {
	c := s.Client
	r, err := c.CampaignRecipient.Get(ctx, a.RecipientID)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if r.Status != campaignrecipient.StatusQueued {
		return nil
	}
	cp, err := c.Campaign.Get(ctx, a.CampaignID)
	if err != nil {
		return err
	}
	if cp.Round != a.Round || cp.Status != campaign.StatusSending {
		return nil // paused (resume makes a new round), cancelled, or an old round
	}
	ct, err := c.Contact.Get(ctx, r.ContactID)
	if err != nil {
		return err
	}
	if why := unwilling(ct, r.Address); why != "" {
		return s.finish(ctx, cp, r, campaignrecipient.StatusSuppressed, why, nil)
	}
	// Claim: only one job holds the recipient at a time. The lease is
	// about processes staying alive, so it runs on the wall clock, not
	// the program's (which tests fix).
	now := time.Now().UTC()
	lease := s.Lease
	if lease <= 0 {
		lease = time.Minute
	}
	n, err := c.CampaignRecipient.Update().
		Where(campaignrecipient.ID(r.ID), campaignrecipient.StatusEQ(campaignrecipient.StatusQueued),
			campaignrecipient.Or(campaignrecipient.ClaimedUntilIsNil(), campaignrecipient.ClaimedUntilLT(now))).
		AddAttempts(1).SetClaimedUntil(now.Add(lease)).Save(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return river.JobSnooze(lease) // another job holds it; look again when its lease ends
	}
	if s.DailyQuota > 0 {
		// Checked after the claim, counting the claims in flight (ours
		// too): jobs that start together cannot all see room for one.
		if err := s.checkQuota(ctx, c, cp, r, now); err != nil {
			return err
		}
	}
	e, err := s.emailFor(ctx, c, cp, r, ct, true)
	if err != nil {
		return s.finish(ctx, cp, r, campaignrecipient.StatusFailed, err.Error(), nil)
	}
	e.To, e.MessageID = r.Address, messageID(r.ID, e.From)
	if r.Attempts > 0 {
		// An earlier attempt may have reached the provider before its
		// process died.
		if f, ok := s.Email.(email.Finder); ok {
			res, found, err := f.Find(ctx, e.MessageID)
			if err != nil {
				return s.release(ctx, r, err)
			}
			if found {
				return s.finish(ctx, cp, r, campaignrecipient.StatusSent, "", &sent{res: res, e: e})
			}
		}
	}
	res, err := s.Email.Send(ctx, e)
	if err != nil {
		if temp, after := email.Temporary(err); temp && r.Attempts+1 < maxTries {
			return s.releaseAndWait(ctx, r, err, after)
		}
		status := campaignrecipient.StatusFailed
		if email.Bounced(err) {
			status = campaignrecipient.StatusBounced
		}
		return s.finish(ctx, cp, r, status, err.Error(), nil)
	}
	return s.finish(ctx, cp, r, campaignrecipient.StatusSent, "", &sent{res: res, e: e})
}

// checkQuota holds a claimed recipient back when the sending account's
// day is used: the emails it sent in the last 24 hours from every
// location, plus the claims in flight (one provider per deployment, so
// every claim is the account's), may not pass the quota. A full day
// waits until the oldest send leaves the window, and the campaign's note
// says so; claims crowding the last slots try again in a few seconds.
// The claim and its attempt are given back.
func (s *Service) checkQuota(ctx context.Context, c *ent.Client, cp *ent.Campaign, r *ent.CampaignRecipient, wall time.Time) error {
	now := s.now()
	sent, err := s.sentSince(ctx, c, now.Add(-24*time.Hour))
	if err != nil {
		return s.release(ctx, r, err)
	}
	inflight, err := c.CampaignRecipient.Query().Where(campaignrecipient.StatusEQ(campaignrecipient.StatusQueued),
		campaignrecipient.ClaimedUntilGT(wall)).Count(viewer.Integrity.Grant(ctx, ""))
	if err != nil {
		return s.release(ctx, r, err)
	}
	if sent+inflight <= s.DailyQuota {
		return nil
	}
	if err := c.CampaignRecipient.UpdateOneID(r.ID).ClearClaimedUntil().AddAttempts(-1).Exec(ctx); err != nil {
		return err
	}
	if sent < s.DailyQuota {
		return river.JobSnooze(3 * time.Second)
	}
	// Another campaign (maybe another location's) used the account's
	// day: wait until a slot frees, and say so.
	at := s.quotaFrees(ctx, c, now)
	zone, err := s.zone(ctx, c, cp.LocationID)
	if err != nil {
		return err
	}
	note := fmt.Sprintf("Waiting for the provider's daily limit: %s allows %d emails a day and has sent them (every location's campaigns count); sending continues from %s",
		quotaName(s.account()), s.DailyQuota, at.In(zone).Format("Mon 2 Jan 15:04 MST"))
	if cp.StatusNote != note {
		if err := c.Campaign.Update().Where(campaign.ID(cp.ID), campaign.StatusEQ(campaign.StatusSending)).
			SetStatusNote(note).Exec(ctx); err != nil {
			return err
		}
	}
	return river.JobSnooze(max(at.Sub(now), time.Minute))
}

// unwilling says why a contact must not get the email now ("" if fine):
// they unsubscribed or withdrew consent since the campaign started, or
// the address changed.
func unwilling(ct *ent.Contact, addr string) string {
	switch {
	case ct.ArchivedAt != nil:
		return "contact archived"
	case ct.EmailUnsubscribedAt != nil:
		return ReasonUnsubscribed
	case !ct.EmailConsent:
		return ReasonNoConsent
	case ct.Email == nil || *ct.Email != addr:
		return "address changed"
	}
	return ""
}

// release gives a claim back after a failure that says nothing about the
// email (the provider could not be asked): the job retries.
func (s *Service) release(ctx context.Context, r *ent.CampaignRecipient, cause error) error {
	if err := s.Client.CampaignRecipient.UpdateOneID(r.ID).ClearClaimedUntil().Exec(ctx); err != nil {
		return err
	}
	return cause
}

// releaseAndWait backs off after a temporary refusal (429, rate limits):
// the provider's hint, or Backoff doubling with each attempt, at most 15
// minutes. A snooze is not a failed attempt; the recipient's own count
// bounds the tries.
func (s *Service) releaseAndWait(ctx context.Context, r *ent.CampaignRecipient, cause error, after time.Duration) error {
	if err := s.Client.CampaignRecipient.UpdateOneID(r.ID).ClearClaimedUntil().SetReason(truncate(cause.Error(), 500)).Exec(ctx); err != nil {
		return err
	}
	base := s.Backoff
	if base <= 0 {
		base = 30 * time.Second
	}
	wait := base << min(r.Attempts, 10)
	wait = max(min(wait, 15*time.Minute), after)
	slog.Warn("campaign email deferred", "recipient", r.ID, "wait", wait, "err", cause)
	return river.JobSnooze(wait)
}

type sent struct {
	res email.Result
	e   email.Email
}

// finish records a recipient's outcome, and for a sent email its Message
// (channel email) and the contact's timeline, in one transaction; the
// last recipient marks the campaign sent.
func (s *Service) finish(ctx context.Context, cp *ent.Campaign, r *ent.CampaignRecipient, status campaignrecipient.Status, reason string, out *sent) error {
	now := s.now()
	return txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		up := c.CampaignRecipient.UpdateOneID(r.ID).SetStatus(status).SetReason(truncate(reason, 500)).ClearClaimedUntil()
		if out != nil {
			m, err := c.Message.Create().SetChannel(message.ChannelEmail).SetStatus(message.StatusSent).SetTo(r.Address).
				SetBody(out.e.Subject + "\n\n" + out.e.Text).SetTemplate("campaign").SetMarketing(true).
				SetProvider(s.Email.Name()).SetProviderMessageID(truncate(out.res.ProviderMessageID, 120)).
				SetContactID(r.ContactID).SetKey("campaign:" + string(r.ID)).SetSentAt(now).SetLocationID(r.LocationID).Save(ctx)
			if err != nil {
				return err
			}
			if err := c.Touchpoint.Create().SetContactID(r.ContactID).SetKind(touchpoint.KindEmailOut).
				SetSummary(truncate("Campaign email “"+cp.Name+"”: "+out.e.Subject, 500)).SetOccurredAt(now).
				SetLocationID(r.LocationID).Exec(ctx); err != nil {
				return err
			}
			up.SetSentAt(now).SetProvider(s.Email.Name()).SetAccount(s.account()).SetProviderMessageID(truncate(out.res.ProviderMessageID, 200)).SetMessageID(m.ID)
		}
		if status == campaignrecipient.StatusBounced {
			// The address is refused for good: future audiences exclude
			// it (reason bounced) until it changes.
			if err := c.Contact.UpdateOneID(r.ContactID).SetEmailFailedAt(now).SetEmailFailedReason(truncate(reason, 200)).Exec(ctx); err != nil {
				return err
			}
			if err := c.Touchpoint.Create().SetContactID(r.ContactID).SetKind(touchpoint.KindEmailBounce).
				SetSummary(truncate("The campaign email “"+cp.Name+"” to "+r.Address+" bounced: "+reason, 500)).SetOccurredAt(now).
				SetLocationID(r.LocationID).Exec(ctx); err != nil {
				return err
			}
		}
		if err := up.Exec(ctx); err != nil {
			return err
		}
		left, err := c.CampaignRecipient.Query().Where(campaignrecipient.CampaignID(cp.ID), campaignrecipient.StatusEQ(campaignrecipient.StatusQueued)).Exist(ctx)
		if err != nil || left {
			return err
		}
		return c.Campaign.Update().Where(campaign.ID(cp.ID), campaign.StatusEQ(campaign.StatusSending)).
			SetStatus(campaign.StatusSent).SetFinishedAt(now).SetStatusNote("Sent").Exec(ctx)
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// emailFor renders the campaign for one recipient. With track, links go
// through the click redirect and the open pixel is added.
func (s *Service) emailFor(ctx context.Context, c *ent.Client, cp *ent.Campaign, r *ent.CampaignRecipient, ct *ent.Contact, track bool) (email.Email, error) {
	d, err := s.data(ctx, c, cp.LocationID, ct)
	if err != nil {
		return email.Email{}, err
	}
	var tok func(kind string, link int) string
	if r != nil {
		tok = func(kind string, link int) string {
			return s.Signer.Sign(Token{Kind: kind, Campaign: cp.ID, Recipient: r.ID, Link: link})
		}
	}
	return s.render(cp, d, tok, track)
}

// data loads what the templates show about a contact and the clinic.
func (s *Service) data(ctx context.Context, c *ent.Client, loc pulid.ID, ct *ent.Contact) (Data, error) {
	l, err := c.Location.Get(viewer.Integrity.Grant(ctx, ""), loc)
	if err != nil {
		return Data{}, err
	}
	zone, err := time.LoadLocation(l.Timezone)
	if err != nil {
		zone = time.UTC
	}
	d := Data{FirstName: ct.FirstName, LastName: ct.LastName, FullName: strings.TrimSpace(ct.FirstName + " " + ct.LastName),
		Clinic: Clinic{Name: l.Name, Phone: l.Phone, Address: l.Address, Email: s.From}}
	if ct.Email != nil {
		d.Email = *ct.Email
	}
	now := s.now()
	held := booking.StatusNEQ(booking.StatusCancelled)
	if b, err := c.Booking.Query().Where(booking.ContactID(ct.ID), held, booking.StartsAtGTE(now)).
		Order(ent.Asc(booking.FieldStartsAt)).WithService().First(ctx); err == nil {
		d.NextBooking = describe(b, zone)
	} else if !ent.IsNotFound(err) {
		return d, err
	}
	if b, err := c.Booking.Query().Where(booking.ContactID(ct.ID), held, booking.StartsAtLT(now)).
		Order(ent.Desc(booking.FieldStartsAt)).WithService().First(ctx); err == nil {
		d.LastBooking = describe(b, zone)
	} else if !ent.IsNotFound(err) {
		return d, err
	}
	return d, nil
}

func describe(b *ent.Booking, zone *time.Location) string {
	s := b.StartsAt.In(zone).Format("Monday 2 January 2006, 3:04 pm")
	if b.Edges.Service != nil {
		s += ", " + b.Edges.Service.Name
	}
	return s
}

// render fills the templates for d and adds the clinic's footer (name,
// address, phone, a visible unsubscribe link), the unsubscribe headers
// and, when tracking, the click redirects and the open pixel. tok nil
// (a preview, a test) leaves links as written and the unsubscribe link
// pointing at a sample page.
func (s *Service) render(cp *ent.Campaign, d Data, tok func(kind string, link int) string, track bool) (email.Email, error) {
	ct, err := s.parsed(cp)
	if err != nil {
		return email.Email{}, err
	}
	base := strings.TrimRight(s.PublicURL, "/")
	d.UnsubscribeURL = base + "/u/preview"
	if tok != nil {
		d.UnsubscribeURL = base + "/u/" + tok(KindUnsubscribe, -1)
	}
	var subj, htm, txt strings.Builder
	if err := ct.subject.Execute(&subj, d); err != nil {
		return email.Email{}, templateError("subject", err)
	}
	if err := ct.html.Execute(&htm, d); err != nil {
		return email.Email{}, templateError("htmlBody", err)
	}
	if err := ct.text.Execute(&txt, d); err != nil {
		return email.Email{}, templateError("textBody", err)
	}
	body := htm.String()
	if track && tok != nil {
		body = rewriteLinks(body, ct.links, func(i int) string { return base + "/t/c/" + tok(KindClick, i) })
	}
	from := cp.FromAddress
	if from == "" {
		from = s.From
	}
	fromName := cp.FromName
	if fromName == "" {
		fromName = d.Clinic.Name
	}
	var h strings.Builder
	h.WriteString("<!doctype html>\n<html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head><body>\n")
	h.WriteString(body)
	h.WriteString(footerHTML(d))
	if track && tok != nil {
		fmt.Fprintf(&h, `<img src="%s/t/o/%s" width="1" height="1" alt="" style="display:block;border:0">`, base, tok(KindOpen, -1))
	}
	h.WriteString("\n</body></html>\n")
	text := strings.TrimRight(txt.String(), "\n") + "\n\n" + footerText(d)
	e := email.Email{FromName: fromName, From: from, To: d.Email, Subject: strings.TrimSpace(subj.String()), HTML: h.String(), Text: text,
		Headers: map[string]string{
			"List-Unsubscribe":      "<" + d.UnsubscribeURL + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		}}
	return e, nil
}

func footerHTML(d Data) string {
	esc := html.EscapeString
	var b strings.Builder
	b.WriteString(`<hr style="border:0;border-top:1px solid #d9e2ec;margin-top:24px"><p style="font-size:12px;color:#52606d;line-height:1.5">`)
	b.WriteString("<strong>" + esc(d.Clinic.Name) + "</strong>")
	if d.Clinic.Address != "" {
		b.WriteString("<br>" + esc(d.Clinic.Address))
	}
	if d.Clinic.Phone != "" {
		b.WriteString("<br>Phone " + esc(d.Clinic.Phone))
	}
	b.WriteString("<br>You are receiving this because you agreed to hear from " + esc(d.Clinic.Name) + ". ")
	b.WriteString(`<a href="` + esc(d.UnsubscribeURL) + `">Unsubscribe</a></p>`)
	return b.String()
}

func footerText(d Data) string {
	var b strings.Builder
	b.WriteString("--\n" + d.Clinic.Name + "\n")
	if d.Clinic.Address != "" {
		b.WriteString(d.Clinic.Address + "\n")
	}
	if d.Clinic.Phone != "" {
		b.WriteString("Phone " + d.Clinic.Phone + "\n")
	}
	b.WriteString("You are receiving this because you agreed to hear from " + d.Clinic.Name + ".\n")
	b.WriteString("Unsubscribe: " + d.UnsubscribeURL + "\n")
	return b.String()
}

// messageID is the recipient's Message-ID: the same on every attempt.
func messageID(id pulid.ID, from string) string {
	_, domain, ok := strings.Cut(from, "@")
	if !ok || domain == "" {
		domain = "avatarcrm.local"
	}
	return strings.ToLower(string(id)) + "@" + domain
}

// Preview renders a campaign for a real contact, without tracking.
func (s *Service) Preview(ctx context.Context, c *ent.Client, id, contactID pulid.ID) (Rendered, error) {
	cp, err := s.Get(ctx, c, id)
	if err != nil {
		return Rendered{}, err
	}
	ct, err := c.Contact.Get(ctx, contactID)
	if ent.IsNotFound(err) {
		return Rendered{}, notFoundContact(contactID)
	}
	if err != nil {
		return Rendered{}, err
	}
	e, err := s.emailFor(ctx, c, cp, nil, ct, false)
	if err != nil {
		return Rendered{}, err
	}
	return Rendered{To: e.To, From: e.From, Subject: e.Subject, HTML: e.HTML, Text: e.Text}, nil
}

// SendTest queues the campaign, rendered for a contact, to the viewer's
// own address (or to), as a Message of that contact with template
// campaign_test, sent by a job through the provider. Nothing is tracked.
func (s *Service) SendTest(ctx context.Context, c *ent.Client, id pulid.ID, to *string, contactID *pulid.ID) (TestResult, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return TestResult{}, err
	}
	cp, err := s.Get(ctx, c, id)
	if err != nil {
		return TestResult{}, err
	}
	addr := strings.ToLower(strings.TrimSpace(v.Email))
	if to != nil && strings.TrimSpace(*to) != "" {
		addr = strings.ToLower(strings.TrimSpace(*to))
	}
	if addr == "" || !strings.Contains(addr, "@") || strings.ContainsAny(addr, " \r\n<>") {
		return TestResult{}, apperr.Invalidf("to", "give an email address to send the test to")
	}
	var ct *ent.Contact
	if contactID != nil {
		if ct, err = c.Contact.Get(ctx, *contactID); ent.IsNotFound(err) {
			return TestResult{}, notFoundContact(*contactID)
		}
	} else {
		ct, err = c.Contact.Query().Where(contact.ArchivedAtIsNil()).Order(ent.Desc(contact.FieldWarmness), ent.Asc(contact.FieldID)).First(ctx)
		if ent.IsNotFound(err) {
			return TestResult{}, apperr.Invalidf("contactID", "add a contact first: the test shows a real contact's details")
		}
	}
	if err != nil {
		return TestResult{}, err
	}
	e, err := s.emailFor(ctx, c, cp, nil, ct, false)
	if err != nil {
		return TestResult{}, err
	}
	m, err := c.Message.Create().SetChannel(message.ChannelEmail).SetStatus(message.StatusQueued).SetTo(addr).
		SetBody("[Test] " + e.Subject + "\n\n" + e.Text).SetTemplate("campaign_test").SetProvider(s.Email.Name()).
		SetContactID(ct.ID).SetNillableSentByID(nonEmpty(v.UserID)).Save(ctx)
	if err != nil {
		return TestResult{}, err
	}
	if _, err := s.Jobs.Enqueue(ctx, TestArgs{MessageID: m.ID, CampaignID: cp.ID, LocationID: cp.LocationID}, nil); err != nil {
		return TestResult{}, err
	}
	return TestResult{To: addr, Provider: s.Email.Name(), MessageID: m.ID}, nil
}

func notFoundContact(id pulid.ID) error {
	return apperr.NotFoundf("contactID", "contact %s not found", id)
}

func nonEmpty(id pulid.ID) *pulid.ID {
	if id == "" {
		return nil
	}
	return &id
}

type testWorker struct {
	river.WorkerDefaults[TestArgs]
	s *Service
}

func (w *testWorker) Work(ctx context.Context, j *river.Job[TestArgs]) error {
	ctx = viewer.ForJob(ctx, j.Args.LocationID, j.Kind)
	s, c := w.s, w.s.Client
	m, err := c.Message.Get(ctx, j.Args.MessageID)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil || m.Status != message.StatusQueued {
		return err
	}
	cp, err := c.Campaign.Get(ctx, j.Args.CampaignID)
	if err != nil {
		return err
	}
	ct, err := c.Contact.Get(ctx, m.ContactID)
	if err != nil {
		return err
	}
	e, err := s.emailFor(ctx, c, cp, nil, ct, false)
	if err != nil {
		return c.Message.UpdateOneID(m.ID).SetStatus(message.StatusFailed).SetError(truncate(err.Error(), 500)).Exec(ctx)
	}
	e.To, e.Subject, e.MessageID = m.To, "[Test] "+e.Subject, messageID(m.ID, e.From)
	res, err := s.Email.Send(ctx, e)
	if err != nil {
		if temp, _ := email.Temporary(err); temp && j.Attempt < j.MaxAttempts {
			return err
		}
		return c.Message.UpdateOneID(m.ID).SetStatus(message.StatusFailed).SetError(truncate(err.Error(), 500)).Exec(ctx)
	}
	return c.Message.UpdateOneID(m.ID).SetStatus(message.StatusSent).SetSentAt(s.now()).
		SetProviderMessageID(truncate(res.ProviderMessageID, 120)).Exec(ctx)
}

// parsed returns a campaign's parsed templates, cached by campaign and
// version (templates are safe for concurrent execution): a send of
// thousands parses once.
func (s *Service) parsed(cp *ent.Campaign) (*content, error) {
	key := string(cp.ID) + "@" + cp.UpdatedAt.UTC().Format(time.RFC3339Nano)
	if v, ok := s.cache.Load(key); ok {
		return v.(*content), nil
	}
	ct, err := parse(cp.Subject, cp.HTMLBody, cp.TextBody)
	if err != nil {
		return nil, err
	}
	s.cache.Store(key, ct)
	return ct, nil
}
