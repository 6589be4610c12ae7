package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// generator makes one location's contacts, touchpoints, bookings and tasks.
type generator struct {
	spec     LocationSpec
	loc      *ent.Location
	tz       *time.Location
	staff    []*ent.User
	services []*ent.Service
	now      time.Time
	today    time.Time // midnight today in the location's zone
	rng      *rand.Rand
	phones   map[string]bool
	emails   map[string]bool
	// busy holds, per resource, the booked intervals, so demo bookings
	// never double-book a machine.
	busy map[string][][2]time.Time
}

func newGenerator(spec LocationSpec, loc *ent.Location, staff []*ent.User, services []*ent.Service, now time.Time) *generator {
	tz, err := time.LoadLocation(loc.Timezone)
	if err != nil {
		tz = time.UTC
	}
	local := now.In(tz)
	return &generator{
		spec: spec, loc: loc, tz: tz, staff: staff, services: services, now: now,
		today:  time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, tz),
		rng:    rand.New(rand.NewPCG(spec.Seed, 0x5eed)),
		phones: map[string]bool{}, emails: map[string]bool{},
		busy: map[string][][2]time.Time{},
	}
}

type weighted[T any] struct {
	v T
	w int
}

func pick[T any](r *rand.Rand, items []weighted[T]) T {
	total := 0
	for _, it := range items {
		total += it.w
	}
	n := r.IntN(total)
	for _, it := range items {
		if n < it.w {
			return it.v
		}
		n -= it.w
	}
	return items[len(items)-1].v
}

var sourceWeights = []weighted[contact.LeadSource]{
	{contact.LeadSourceMetaAds, 22}, {contact.LeadSourceGoogleAds, 18}, {contact.LeadSourceReferral, 10},
	{contact.LeadSourceGpReferral, 25}, {contact.LeadSourceWix, 10}, {contact.LeadSourceManychat, 6},
	{contact.LeadSourceWalkIn, 5}, {contact.LeadSourceOther, 4},
}

var stageWeights = []weighted[contact.Stage]{
	{contact.StageNewLead, 18}, {contact.StageContacted, 12}, {contact.StageQualified, 8}, {contact.StageBooked, 12},
	{contact.StageConfirmed, 8}, {contact.StageReminded, 3}, {contact.StageReady, 2},
	{contact.StageCompleted, 15}, {contact.StageResultsSent, 10}, {contact.StageRecalled, 5},
	{contact.StageReferralSent, 4}, {contact.StagePartnershipActive, 3},
}

// PipelineOf returns the pipeline a stage belongs to.
func PipelineOf(s contact.Stage) contact.Pipeline {
	switch s {
	case contact.StageConfirmed, contact.StageReminded, contact.StageReady:
		return contact.PipelinePreAppointment
	case contact.StageCompleted, contact.StageResultsSent, contact.StageRecalled:
		return contact.PipelinePostAppointment
	case contact.StageReferralSent, contact.StagePartnershipActive:
		return contact.PipelinePartnership
	}
	return contact.PipelineLead
}

func (g *generator) run(ctx context.Context, c *ent.Client, res *Result) error {
	todayLeft := 8 // appointments today, so the dashboard has a day to show
	for i := 0; i < g.spec.Contacts; i++ {
		if err := g.contact(ctx, c, res, &todayLeft); err != nil {
			return err
		}
	}
	return g.extraTasks(ctx, c, res)
}

func (g *generator) contact(ctx context.Context, c *ent.Client, res *Result, todayLeft *int) error {
	r := g.rng
	first := firstNames[r.IntN(len(firstNames))]
	last := lastNames[r.IntN(len(lastNames))]
	source := pick(r, sourceWeights)
	stage := pick(r, stageWeights)
	created := g.now.Add(-time.Duration(r.IntN(120*24)+1) * time.Hour)
	stageAt := created.Add(time.Duration(r.Int64N(int64(g.now.Sub(created)))))

	b := c.Contact.Create().
		SetID(id(pulid.Contact, created)).
		SetLocationID(g.loc.ID).
		SetCreatedAt(created).SetUpdatedAt(stageAt).
		SetFirstName(first).SetLastName(last).
		SetLeadSource(source).
		SetPipeline(PipelineOf(stage)).SetStage(stage).SetStageChangedAt(stageAt).
		SetSmsConsent(r.IntN(100) < 85).
		SetNotes(notes[r.IntN(len(notes))])
	if r.IntN(100) < 94 {
		b.SetPhone(g.phone())
	}
	if r.IntN(100) < 72 {
		b.SetEmail(g.email(first, last)).SetEmailConsent(r.IntN(100) < 75)
	}
	if r.IntN(100) < 85 {
		age := 18 + r.IntN(68)
		dob := g.today.AddDate(-age, -r.IntN(12), -r.IntN(28))
		b.SetDateOfBirth(types.Date(dob.Format(types.DateLayout)))
	}
	if source == contact.LeadSourceGpReferral || source == contact.LeadSourceReferral || stage == contact.StageReferralSent || stage == contact.StagePartnershipActive {
		b.SetReferrer(referrers[r.IntN(len(referrers))])
	}
	if n := r.IntN(3); n > 0 {
		tags := map[string]bool{}
		for range n {
			tags[tagPool[r.IntN(len(tagPool))]] = true
		}
		var list []string
		for _, t := range tagPool {
			if tags[t] {
				list = append(list, t)
			}
		}
		b.SetTags(list)
	}
	if len(g.staff) > 0 && r.IntN(100) < 60 {
		b.SetAssignedToID(g.staff[r.IntN(len(g.staff))].ID)
	}
	ct, err := b.Save(ctx)
	if err != nil {
		return fmt.Errorf("contact %s %s: %w", first, last, err)
	}
	res.Contacts++

	tps, err := g.touchpoints(ctx, c, ct)
	if err != nil {
		return err
	}
	res.Touchpoints += tps
	if _, err := g.bookings(ctx, c, ct, todayLeft, res); err != nil {
		return err
	}
	// The same facts and rules the application scores with, as of the
	// demo's "now", so the demo is deterministic.
	f, err := warmness.LoadFacts(ctx, c, ct, g.now)
	if err != nil {
		return err
	}
	score, reasons, err := warmness.Rules{}.Score(ctx, f)
	if err != nil {
		return err
	}
	return c.Contact.UpdateOne(ct).SetWarmness(warmness.Clamp(score)).SetWarmnessReasons(reasons).SetWarmnessScoredAt(g.now).
		SetNillableWarmnessDueAt(warmness.Due(f)).Exec(ctx)
}

func (g *generator) phone() string {
	for {
		raw := fmt.Sprintf("04%02d %03d %03d", g.rng.IntN(40), g.rng.IntN(1000), g.rng.IntN(1000))
		p, err := normalize.Phone(raw, g.loc.Region)
		if err == nil && !g.phones[p] {
			g.phones[p] = true
			return raw
		}
	}
}

func (g *generator) email(first, last string) string {
	base := strings.ToLower(strings.NewReplacer("'", "", " ", "").Replace(first + "." + last))
	for n := 0; ; n++ {
		e := base
		if n > 0 {
			e = fmt.Sprintf("%s%d", base, n+1)
		}
		e += "@" + emailDomains[g.rng.IntN(len(emailDomains))]
		if !g.emails[e] {
			g.emails[e] = true
			return e
		}
	}
}

var touchSummaries = map[touchpoint.Kind][]string{
	touchpoint.KindSmsOut:   {"Sent appointment options", "Sent welcome message", "Reminder: referral needed", "Sent preparation instructions"},
	touchpoint.KindSmsIn:    {"Replied: yes please, mornings suit", "Asked about the cost", "Replied: can we do next week?", "Replied: thanks, see you then"},
	touchpoint.KindCallOut:  {"Called, left voicemail", "Called, discussed referral and fees", "Called, booked in principle"},
	touchpoint.KindCallIn:   {"Called asking about wait times", "Called to ask about Medicare rebate"},
	touchpoint.KindEmailOut: {"Emailed price list", "Emailed preparation guide", "Emailed results availability notice"},
	touchpoint.KindNote:     {"Referral letter received", "Prefers afternoon appointments", "Checked MRI safety questionnaire"},
}

var touchKinds = []weighted[touchpoint.Kind]{
	{touchpoint.KindSmsOut, 30}, {touchpoint.KindSmsIn, 20}, {touchpoint.KindCallOut, 20},
	{touchpoint.KindCallIn, 8}, {touchpoint.KindEmailOut, 12}, {touchpoint.KindNote, 10},
}

func (g *generator) touchpoints(ctx context.Context, c *ent.Client, ct *ent.Contact) (int, error) {
	r := g.rng
	n := 0
	add := func(kind touchpoint.Kind, summary string, at time.Time) error {
		n++
		return c.Touchpoint.Create().SetID(id(pulid.Touchpoint, at)).SetLocationID(g.loc.ID).SetContactID(ct.ID).
			SetKind(kind).SetSummary(summary).SetOccurredAt(at).SetCreatedAt(at).SetUpdatedAt(at).Exec(ctx)
	}
	switch ct.LeadSource {
	case contact.LeadSourceWix, contact.LeadSourceMetaAds, contact.LeadSourceGoogleAds, contact.LeadSourceManychat:
		if err := add(touchpoint.KindWebForm, "Enquiry form via "+strings.ReplaceAll(string(ct.LeadSource), "_", " "), ct.CreatedAt); err != nil {
			return n, err
		}
	case contact.LeadSourceGpReferral:
		if err := add(touchpoint.KindNote, "GP referral received", ct.CreatedAt); err != nil {
			return n, err
		}
	}
	more := r.IntN(6)
	if ct.Stage == contact.StageNewLead {
		more = r.IntN(2)
	}
	span := g.now.Sub(ct.CreatedAt)
	for range more {
		kind := pick(r, touchKinds)
		list := touchSummaries[kind]
		at := ct.CreatedAt.Add(time.Duration(r.Int64N(int64(span))))
		if err := add(kind, list[r.IntN(len(list))], at); err != nil {
			return n, err
		}
	}
	return n, nil
}

// demoBookings is what bookings() made for one contact.
type demoBookings struct {
	completed, upcoming, cancelled, noShow int
}

var cancelReasons = []string{"Patient unwell", "Clashes with work", "Booked elsewhere", "Cost concerns", "Referral not yet received"}

func (g *generator) bookings(ctx context.Context, c *ent.Client, ct *ent.Contact, todayLeft *int, res *Result) (demoBookings, error) {
	r := g.rng
	var out demoBookings
	svc := g.services[r.IntN(len(g.services))]
	switch ct.Stage {
	case contact.StageBooked, contact.StageConfirmed, contact.StageReminded, contact.StageReady:
		day := 1 + r.IntN(14)
		if *todayLeft > 0 {
			day = 0
			*todayLeft--
		}
		status := booking.StatusConfirmed
		if ct.Stage == contact.StageBooked {
			status = booking.StatusPending
		}
		if _, err := g.book(ctx, c, ct, svc, day, status, res); err != nil {
			return out, err
		}
		out.upcoming++
	case contact.StageCompleted, contact.StageResultsSent, contact.StageRecalled:
		if _, err := g.book(ctx, c, ct, svc, -(1 + r.IntN(90)), booking.StatusCompleted, res); err != nil {
			return out, err
		}
		out.completed++
	case contact.StageContacted, contact.StageQualified:
		switch n := r.IntN(100); {
		case n < 12:
			if _, err := g.book(ctx, c, ct, svc, -(1 + r.IntN(30)), booking.StatusCancelled, res); err != nil {
				return out, err
			}
			out.cancelled++
		case n < 22:
			b, err := g.book(ctx, c, ct, svc, -(1 + r.IntN(10)), booking.StatusNoShow, res)
			if err != nil {
				return out, err
			}
			out.noShow++
			if err := g.noShowTask(ctx, c, ct, b, res); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// book makes a booking dayOffset days from today, in opening hours, on a
// free slot of the service's resource.
func (g *generator) book(ctx context.Context, c *ent.Client, ct *ent.Contact, svc *ent.Service, dayOffset int, status booking.Status, res *Result) (*ent.Booking, error) {
	r := g.rng
	dur := time.Duration(svc.DurationMinutes) * time.Minute
	var start time.Time
	for try := 0; ; try++ {
		d := g.today.AddDate(0, 0, dayOffset+try/20)
		if wd := d.Weekday(); wd == time.Sunday {
			d = d.AddDate(0, 0, 1)
		}
		start = time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, g.tz).Add(time.Duration(r.IntN(36)) * 15 * time.Minute)
		if g.free(svc.Resource, start, start.Add(dur)) {
			break
		}
	}
	end := start.Add(dur)
	g.busy[svc.Resource] = append(g.busy[svc.Resource], [2]time.Time{start, end})
	made := start.Add(-time.Duration(2+r.IntN(20)) * 24 * time.Hour)
	if made.After(g.now) {
		// A booking is made before it is shown; nothing is dated ahead of now.
		made = g.now.Add(-time.Duration(1+r.IntN(72)) * time.Hour)
	}
	if made.Before(ct.CreatedAt) {
		made = ct.CreatedAt
	}
	b := c.Booking.Create().SetID(id(pulid.Booking, made)).SetLocationID(g.loc.ID).
		SetContactID(ct.ID).SetServiceID(svc.ID).
		SetStartsAt(start.UTC()).SetEndsAt(end.UTC()).
		SetStatus(status).SetPriceCents(svc.PriceCents).
		SetCreatedAt(made).SetUpdatedAt(made)
	if ct.LeadSource == contact.LeadSourceWix {
		b.SetSource(booking.SourceWix).SetExternalID(fmt.Sprintf("wix-%08x", r.Uint32()))
	}
	if len(g.staff) > 0 {
		b.SetStaffID(g.staff[r.IntN(len(g.staff))].ID)
	}
	switch status {
	case booking.StatusConfirmed:
		b.SetConfirmedAt(made.Add(time.Hour))
	case booking.StatusCompleted:
		b.SetConfirmedAt(made.Add(time.Hour)).SetCompletedAt(end)
	case booking.StatusCancelled:
		b.SetCancelReason(cancelReasons[r.IntN(len(cancelReasons))]).SetCancelledAt(start.Add(-26 * time.Hour))
	}
	bk, err := b.Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("booking: %w", err)
	}
	res.Bookings++
	when := start.In(g.tz).Format("Mon 2 Jan 15:04")
	summary := map[booking.Status]string{
		booking.StatusPending:   "Booked " + svc.Name + " for " + when,
		booking.StatusConfirmed: "Booked and confirmed " + svc.Name + " for " + when,
		booking.StatusCompleted: "Attended " + svc.Name + " on " + when,
		booking.StatusCancelled: "Cancelled " + svc.Name + " on " + when,
		booking.StatusNoShow:    "Did not attend " + svc.Name + " on " + when,
	}[status]
	at := made
	if status == booking.StatusCompleted || status == booking.StatusNoShow {
		at = end
	}
	if at.After(g.now) {
		at = made
	}
	err = c.Touchpoint.Create().SetID(id(pulid.Touchpoint, at)).SetLocationID(g.loc.ID).SetContactID(ct.ID).SetBookingID(bk.ID).
		SetKind(touchpoint.KindBookingEvent).SetSummary(summary).SetOccurredAt(at).SetCreatedAt(at).SetUpdatedAt(at).Exec(ctx)
	if err != nil {
		return nil, err
	}
	res.Touchpoints++
	return bk, nil
}

func (g *generator) free(resource string, start, end time.Time) bool {
	for _, iv := range g.busy[resource] {
		if start.Before(iv[1]) && iv[0].Before(end) {
			return false
		}
	}
	return true
}

func (g *generator) noShowTask(ctx context.Context, c *ent.Client, ct *ent.Contact, b *ent.Booking, res *Result) error {
	due := b.EndsAt.Add(24 * time.Hour)
	t := c.Task.Create().SetID(id(pulid.Task, b.EndsAt)).SetLocationID(g.loc.ID).
		SetTitle("Follow up no-show: " + ct.FirstName + " " + ct.LastName).
		SetDescription("Missed their appointment. Call to rebook and check the referral is still valid.").
		SetContactID(ct.ID).SetBookingID(b.ID).
		SetPriority(task.PriorityHigh).SetDueAt(due).SetCreatedAt(b.EndsAt).SetUpdatedAt(b.EndsAt)
	if len(g.staff) > 0 {
		t.SetAssigneeID(g.staff[g.rng.IntN(len(g.staff))].ID)
	}
	if due.Before(g.now.Add(-48 * time.Hour)) {
		t.SetStatus(task.StatusCompleted).SetCompletedAt(due)
	}
	res.Tasks++
	return t.Exec(ctx)
}

// extraTasks adds the day-to-day work: calls to hot leads, results to send.
func (g *generator) extraTasks(ctx context.Context, c *ent.Client, res *Result) error {
	r := g.rng
	hot, err := c.Contact.Query().Where(contact.LocationID(g.loc.ID), contact.WarmnessGT(75), contact.PipelineEQ(contact.PipelineLead)).
		Order(ent.Desc(contact.FieldWarmness)).Limit(8).All(ctx)
	if err != nil {
		return err
	}
	for i, ct := range hot {
		prio := task.PriorityHigh
		if ct.Warmness > 80 {
			prio = task.PriorityUrgent
		}
		due := g.today.Add(time.Duration(10+i) * time.Hour)
		t := c.Task.Create().SetLocationID(g.loc.ID).SetTitle("Call " + ct.FirstName + " " + ct.LastName + " – warm lead").
			SetDescription(fmt.Sprintf("Warmness %d. Offer the next available %s slot.", ct.Warmness, g.services[r.IntN(len(g.services))].Name)).
			SetContactID(ct.ID).SetPriority(prio).SetDueAt(due.UTC())
		if len(g.staff) > 0 {
			t.SetAssigneeID(g.staff[i%len(g.staff)].ID)
		}
		if i%4 == 3 {
			t.SetStatus(task.StatusInProgress)
		}
		if err := t.Exec(ctx); err != nil {
			return err
		}
		res.Tasks++
	}
	done, err := c.Contact.Query().Where(contact.LocationID(g.loc.ID), contact.StageEQ(contact.StageCompleted)).Limit(6).All(ctx)
	if err != nil {
		return err
	}
	for i, ct := range done {
		due := g.today.AddDate(0, 0, i%3).Add(16 * time.Hour)
		t := c.Task.Create().SetLocationID(g.loc.ID).SetTitle("Send results to " + ct.FirstName + " " + ct.LastName + "'s referrer").
			SetContactID(ct.ID).SetPriority(task.PriorityNormal).SetDueAt(due.UTC())
		if len(g.staff) > 0 {
			t.SetAssigneeID(g.staff[(i+1)%len(g.staff)].ID)
		}
		if i == 0 {
			t.SetStatus(task.StatusCompleted).SetCompletedAt(g.now.Add(-2 * time.Hour))
		}
		if err := t.Exec(ctx); err != nil {
			return err
		}
		res.Tasks++
	}
	admin := []string{"Order contrast agent for CT-1", "Review this week's no-shows", "Update Medicare item numbers on price list", "Call Westmead Orthopaedics about referral pathway"}
	for i, title := range admin {
		t := c.Task.Create().SetLocationID(g.loc.ID).SetTitle(title).
			SetPriority([]task.Priority{task.PriorityLow, task.PriorityNormal, task.PriorityNormal, task.PriorityHigh}[i]).
			SetDueAt(g.today.AddDate(0, 0, 1+i).Add(12 * time.Hour).UTC())
		if len(g.staff) > 0 {
			t.SetAssigneeID(g.staff[i%len(g.staff)].ID)
		}
		if err := t.Exec(ctx); err != nil {
			return err
		}
		res.Tasks++
	}
	return nil
}
