package manychat

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/sqljson"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/hooks"
	"github.com/avatarimaging/avatarcrm/internal/manychat/mcwire"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

// Service turns ManyChat subscribers into contacts.
type Service struct {
	Client   *ent.Client
	Contacts *contacts.Service
	// Fields maps custom field names to contact fields
	// (config.ContactFieldsFromManyChat).
	Fields map[string]string
}

// Register makes s the processor of stored ManyChat subscribers.
func (s *Service) Register(p *hooks.Pipeline) {
	p.Register(Source, KindSubscriber, hooks.ProcessorFunc(s.Process))
}

// Tag marks a contact with its ManyChat subscriber id, so the same
// subscriber is found again without a phone or email.
func Tag(id string) string { return "manychat:" + id }

// Process creates or updates the subscriber's contact (the
// webhook.process job, as the job capability at the event's location).
// The contact is found by its ManyChat tag, then by phone or email (the
// contact service's duplicate detection); a new one has lead source
// manychat. Consents are set as ManyChat gives them; mapped custom fields
// fill their contact fields. Running it again changes nothing more.
func (s *Service) Process(ctx context.Context, ev *ent.WebhookEvent) error {
	sub, err := mcwire.Parse([]byte(ev.Payload))
	if err != nil {
		return &hooks.Permanent{Err: err}
	}
	return txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		ct, err := s.find(ctx, c, sub)
		if err != nil {
			return err
		}
		f := s.mapped(sub)
		if ct == nil {
			return s.create(ctx, sub, f)
		}
		return s.update(ctx, ct, sub, f)
	})
}

// find returns the subscriber's contact: by phone or email first (indexed),
// then by the ManyChat tag.
func (s *Service) find(ctx context.Context, c *ent.Client, sub mcwire.Subscriber) (*ent.Contact, error) {
	if sub.Phone != "" || sub.Email != "" {
		dups, err := s.Contacts.DuplicatesOf(ctx, contacts.Probe{Phone: sub.Phone, Email: sub.Email})
		if err != nil {
			return nil, err
		}
		for _, d := range dups {
			for _, on := range d.MatchedOn {
				if on == "phone" || on == "email" {
					return d.Contact, nil
				}
			}
		}
	}
	ct, err := c.Contact.Query().Where(contact.ArchivedAtIsNil(), func(sel *sql.Selector) {
		sel.Where(sqljson.ValueContains(contact.FieldTags, Tag(sub.ID)))
	}).Order(ent.Asc(contact.FieldCreatedAt)).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return ct, err
}

// fields are the contact fields a subscriber sets.
type fields struct {
	first, last, phone, email, referrer, notes string
	dob                                        *types.Date
	tags                                       []string
}

// mapped reads the subscriber's own fields and its mapped custom fields
// (a custom field wins over the built-in one it maps to: the clinic chose
// it). A date of birth that does not parse is left out.
func (s *Service) mapped(sub mcwire.Subscriber) fields {
	f := fields{first: sub.FirstName, last: sub.LastName, phone: sub.Phone, email: sub.Email}
	for name, to := range s.Fields {
		v := strings.TrimSpace(sub.CustomFields[name])
		if v == "" {
			continue
		}
		switch to {
		case "first_name":
			f.first = v
		case "last_name":
			f.last = v
		case "phone":
			f.phone = v
		case "email":
			f.email = v
		case "referrer":
			f.referrer = v
		case "notes":
			f.notes = v
		case "tags":
			for _, t := range strings.Split(v, ",") {
				if t = strings.TrimSpace(t); t != "" {
					f.tags = append(f.tags, t)
				}
			}
		case "date_of_birth":
			if d, err := types.ParseDate(v); err == nil {
				f.dob = &d
			}
		}
	}
	f.tags = append(f.tags, Tag(sub.ID))
	return f
}

func (s *Service) create(ctx context.Context, sub mcwire.Subscriber, f fields) error {
	src := contact.LeadSourceManychat
	first := f.first
	if first == "" {
		first = "ManyChat subscriber"
	}
	in := ent.CreateContactInput{FirstName: first, LeadSource: &src, Tags: f.tags, SmsConsent: sub.SMSConsent, EmailConsent: sub.EmailConsent, DateOfBirth: f.dob}
	in.LastName = nonEmpty(f.last)
	in.Phone = nonEmpty(f.phone)
	in.Email = nonEmpty(f.email)
	in.Referrer = nonEmpty(f.referrer)
	in.Notes = nonEmpty(f.notes)
	_, err := s.Contacts.Create(ctx, in, false)
	return permanentIfInvalid(err)
}

// update fills what the contact lacks and sets what ManyChat states
// (consents, mapped fields); a field equal to the stored one is no
// change, so a repeat writes nothing.
func (s *Service) update(ctx context.Context, ct *ent.Contact, sub mcwire.Subscriber, f fields) error {
	var in ent.UpdateContactInput
	changed := false
	set := func(dst **string, v string, cur string) {
		if v != "" && v != cur {
			*dst, changed = &v, true
		}
	}
	if ct.FirstName == "ManyChat subscriber" || ct.FirstName == "" {
		set(&in.FirstName, f.first, ct.FirstName)
	}
	if ct.LastName == "" {
		set(&in.LastName, f.last, ct.LastName)
	}
	if ct.Phone == nil {
		set(&in.Phone, f.phone, "")
	}
	if ct.Email == nil {
		set(&in.Email, f.email, "")
	}
	cur := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	set(&in.Referrer, f.referrer, cur(ct.Referrer))
	set(&in.Notes, f.notes, ct.Notes)
	if f.dob != nil && (ct.DateOfBirth == nil || *ct.DateOfBirth != *f.dob) {
		in.DateOfBirth, changed = f.dob, true
	}
	if sub.SMSConsent != nil && *sub.SMSConsent != ct.SmsConsent {
		in.SmsConsent, changed = sub.SMSConsent, true
	}
	if sub.EmailConsent != nil && *sub.EmailConsent != ct.EmailConsent {
		in.EmailConsent, changed = sub.EmailConsent, true
	}
	for _, t := range f.tags {
		if !slices.Contains(ct.Tags, t) {
			in.AppendTags = append(in.AppendTags, t)
			changed = true
		}
	}
	if !changed {
		return fmt.Errorf("%w: the contact already says what ManyChat says", hooks.ErrIgnore)
	}
	_, err := s.Contacts.Update(ctx, ct.ID, in)
	return permanentIfInvalid(err)
}

// permanentIfInvalid: input the contact rules refuse (a phone that is not
// one) will be refused again; no retry.
func permanentIfInvalid(err error) error {
	if apperr.CodeOf(err) == apperr.Invalid {
		return &hooks.Permanent{Err: err}
	}
	return err
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
