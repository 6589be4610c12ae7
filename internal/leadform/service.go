package leadform

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/optout"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/hooks"
	"github.com/avatarimaging/avatarcrm/internal/leadform/formwire"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Source and Kind of the stored webhook events.
const (
	Source = "leadform"
	Kind   = "submission"
	// Path is the form's URL before the key; ConfirmPath the double
	// opt-in link's before the token.
	Path        = "/hooks/lead/"
	ConfirmPath = "/hooks/lead/confirm/"
)

// Service is the lead form: its settings (admin operations), the HTTP
// handler (handler.go) and the processing of stored submissions.
type Service struct {
	Client *ent.Client
	// Contacts creates the contact (duplicate detection, enrichment,
	// contact.created).
	Contacts *contacts.Service
	// Hooks stores submissions and runs their jobs.
	Hooks *hooks.Pipeline
	// Audit records refused requests (an unknown key).
	Audit *audit.Log
	// PublicURL is the server's public URL, for the form's action and the
	// confirmation link.
	PublicURL string
	Now       clock.Clock
}

// Register makes the service process stored submissions.
func (s *Service) Register(p *hooks.Pipeline) {
	p.Register(Source, Kind, hooks.ProcessorFunc(s.process))
}

// Settings are a location's lead form settings, as the admin page shows
// them.
type Settings struct {
	Key, URL    string
	Origins     []string
	DoubleOptIn bool
	// Snippet is the HTML form to paste into the clinic's site.
	Snippet string
}

func newKey() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Service) base() string {
	b := strings.TrimRight(s.PublicURL, "/")
	if b == "" {
		b = "http://localhost:8080"
	}
	return b
}

func (s *Service) activeLocation(ctx context.Context, c *ent.Client) (*ent.Location, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	return c.Location.Get(ctx, v.LocationID)
}

func client(ctx context.Context, c *ent.Client) *ent.Client {
	if tc := ent.FromContext(ctx); tc != nil {
		return tc
	}
	return c
}

// Settings returns the active location's settings, giving it a key on
// first use.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	c := client(ctx, s.Client)
	loc, err := s.activeLocation(ctx, c)
	if err != nil {
		return Settings{}, err
	}
	if loc.LeadFormKey == nil {
		if loc, err = c.Location.UpdateOne(loc).SetLeadFormKey(newKey()).Save(ctx); err != nil {
			return Settings{}, err
		}
	}
	return s.settings(loc), nil
}

func (s *Service) settings(loc *ent.Location) Settings {
	st := Settings{Origins: loc.LeadFormOrigins, DoubleOptIn: loc.LeadFormDoubleOptIn}
	if st.Origins == nil {
		st.Origins = []string{}
	}
	if loc.LeadFormKey != nil {
		st.Key = *loc.LeadFormKey
		st.URL = s.base() + Path + st.Key
	}
	st.Snippet = Snippet(st.URL, firstOr(st.Origins, ""))
	return st
}

func firstOr(list []string, d string) string {
	if len(list) > 0 {
		return list[0]
	}
	return d
}

// RotateKey gives the active location a new key: the old form URL answers
// 404 from now on.
func (s *Service) RotateKey(ctx context.Context) (Settings, error) {
	c := client(ctx, s.Client)
	loc, err := s.activeLocation(ctx, c)
	if err != nil {
		return Settings{}, err
	}
	loc, err = c.Location.UpdateOne(loc).SetLeadFormKey(newKey()).Save(ctx)
	if err != nil {
		return Settings{}, err
	}
	return s.settings(loc), nil
}

// Update sets the allowed origins (nil keeps them) and double opt-in
// (nil keeps it).
func (s *Service) Update(ctx context.Context, origins []string, doubleOptIn *bool) (Settings, error) {
	c := client(ctx, s.Client)
	loc, err := s.activeLocation(ctx, c)
	if err != nil {
		return Settings{}, err
	}
	u := c.Location.UpdateOne(loc)
	if origins != nil {
		clean, err := CleanOrigins(origins)
		if err != nil {
			return Settings{}, err
		}
		u.SetLeadFormOrigins(clean)
	}
	if doubleOptIn != nil {
		u.SetLeadFormDoubleOptIn(*doubleOptIn)
	}
	if loc, err = u.Save(ctx); err != nil {
		return Settings{}, err
	}
	if loc.LeadFormKey == nil {
		return s.Settings(ctx)
	}
	return s.settings(loc), nil
}

// CleanOrigins reads origins as a browser sends them: scheme://host[:port],
// no path; blanks are dropped, duplicates removed. At most 20.
func CleanOrigins(in []string) ([]string, error) {
	out := []string{}
	for _, o := range in {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
			return nil, apperr.Invalidf("origins", "%q is not an origin such as https://www.example.com", o)
		}
		o = strings.ToLower(u.Scheme + "://" + u.Host)
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	if len(out) > 20 {
		return nil, apperr.Invalidf("origins", "at most 20 origins")
	}
	return out, nil
}

// Snippet is the HTML form to paste into the clinic's site: the fields
// the form reads, the honeypot hidden from people (off-screen, skipped by
// the keyboard and by screen readers), and the page to come back to.
func Snippet(action, origin string) string {
	back := origin + "/thank-you"
	if origin == "" {
		back = "https://www.example.com/thank-you"
	}
	return `<form method="post" action="` + html.EscapeString(action) + `">
  <input type="hidden" name="redirect" value="` + html.EscapeString(back) + `">
  <label>Name <input name="name" required autocomplete="name"></label>
  <label>Phone <input name="phone" type="tel" autocomplete="tel"></label>
  <label>Email <input name="email" type="email" autocomplete="email"></label>
  <label>How can we help? <textarea name="message"></textarea></label>
  <label><input type="checkbox" name="marketing_consent" value="yes"> Send me news and offers</label>
  <div style="position:absolute;left:-10000px" aria-hidden="true">
    <label>Leave this empty <input name="website" tabindex="-1" autocomplete="off"></label>
  </div>
  <!-- Campaign fields: fill from the page's ?utm_… query if you use them. -->
  <input type="hidden" name="utm_source"><input type="hidden" name="utm_medium"><input type="hidden" name="utm_campaign">
  <button type="submit">Send</button>
</form>`
}

// locationByKey finds the location of a form key.
func (s *Service) locationByKey(ctx context.Context, key string) (*ent.Location, bool) {
	if len(key) < 16 || len(key) > 64 {
		return nil, false
	}
	ctx = viewer.Webhook.Grant(ctx, "webhook:"+Source)
	loc, err := s.Client.Location.Query().Where(location.LeadFormKey(key)).Only(ctx)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// process creates the contact of a stored submission (the job, as the
// job capability at the location). A duplicate (same phone or email) gets
// a web-form touchpoint instead of a second contact.
func (s *Service) process(ctx context.Context, ev *ent.WebhookEvent) error {
	var sub formwire.Submission
	if err := json.Unmarshal([]byte(ev.Payload), &sub); err != nil {
		return &hooks.Permanent{Err: fmt.Errorf("lead form payload: %w", err)}
	}
	loc, err := s.Client.Location.Get(ctx, ev.LocationID)
	if err != nil {
		return err
	}
	return txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		in := ent.CreateContactInput{FirstName: sub.FirstName, LastName: &sub.LastName, LeadSource: ptr(contact.LeadSourceWebsite)}
		if sub.Email != "" {
			in.Email = &sub.Email
		}
		if sub.Phone != "" {
			in.Phone = &sub.Phone
		}
		if sub.Message != "" {
			in.Notes = &sub.Message
		}
		in.SmsConsent = ptr(sub.SMS)
		pending := sub.Marketing && loc.LeadFormDoubleOptIn && sub.Email != ""
		in.EmailConsent = ptr(sub.Marketing && !pending && sub.Email != "")
		setUTM(&in, sub.UTM)
		ct, err := s.Contacts.Create(ctx, in, false)
		if apperr.CodeOf(err) == apperr.Conflict {
			var ae *apperr.Error
			if errors.As(err, &ae) {
				if id, ok := ae.Details["duplicateOf"].(string); ok {
					if err := touch(ctx, c, loc.ID, pulid.ID(id), "Sent the website form again"+utmNote(sub.UTM), s.Now.Now()); err != nil {
						return err
					}
					if pending {
						return s.askConsentAgain(ctx, c, loc, pulid.ID(id), sub.Email)
					}
					return nil
				}
			}
			return err
		}
		if err != nil {
			return err
		}
		if err := touch(ctx, c, loc.ID, ct.ID, "Website lead form"+utmNote(sub.UTM), s.Now.Now()); err != nil {
			return err
		}
		if pending {
			return s.askConsent(ctx, c, loc, ct)
		}
		return nil
	})
}

func ptr[T any](v T) *T { return &v }

func setUTM(in *ent.CreateContactInput, utm map[string]string) {
	for k, v := range utm {
		v := normalize.Truncate(v, 200)
		switch k {
		case "utm_source":
			in.UtmSource = &v
		case "utm_medium":
			in.UtmMedium = &v
		case "utm_campaign":
			in.UtmCampaign = &v
		case "utm_term":
			in.UtmTerm = &v
		case "utm_content":
			in.UtmContent = &v
		}
	}
}

func utmNote(utm map[string]string) string {
	var parts []string
	for _, k := range formwire.UTMFields {
		if v := utm[k]; v != "" {
			parts = append(parts, strings.TrimPrefix(k, "utm_")+" "+v)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// touch records the form on the contact's timeline (a web form counts as
// the lead getting in touch).
func touch(ctx context.Context, c *ent.Client, loc, contactID pulid.ID, text string, at time.Time) error {
	return c.Touchpoint.Create().SetLocationID(loc).SetContactID(contactID).SetKind(touchpoint.KindWebForm).
		SetSummary(normalize.Truncate(text, 500)).SetOccurredAt(at).Exec(ctx)
}

// TokenHash is what is stored of a confirmation token.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// askConsent writes the double opt-in email to the outbox: a link that,
// followed, sets the contact's email consent. Only the token's hash is
// kept.
func (s *Service) askConsent(ctx context.Context, c *ent.Client, loc *ent.Location, ct *ent.Contact) error {
	tok := newKey()
	if err := c.Contact.UpdateOneID(ct.ID).SetConsentTokenHash(TokenHash(tok)).Exec(ctx); err != nil {
		return err
	}
	link := s.base() + ConfirmPath + tok
	_, err := messaging.OutboxEmail(ctx, c, s.Now, messaging.Email{
		LocationID: loc.ID, ContactID: ct.ID, To: *ct.Email, Template: "lead_confirm",
		Subject: "Please confirm: news and offers from " + loc.Name,
		Body: "Hi " + ct.FirstName + ",\n\nYou asked " + loc.Name + " to send you news and offers. " +
			"Please confirm by opening this link:\n\n" + link + "\n\nIf it was not you, ignore this email: nothing will be sent.",
	})
	return err
}

// askConsentAgain sends the double opt-in email to a contact who already
// exists and asked for marketing email on the form, when the address on
// the form is the contact's own and they have not consented (or have
// unsubscribed since): a confirmed link is then the person's explicit,
// verified consent. Another address on the form proves nothing about
// the stored one, so nothing is sent.
func (s *Service) askConsentAgain(ctx context.Context, c *ent.Client, loc *ent.Location, id pulid.ID, email string) error {
	ct, err := c.Contact.Get(ctx, id)
	if err != nil {
		return err
	}
	if ct.Email == nil || !strings.EqualFold(*ct.Email, strings.TrimSpace(email)) ||
		(ct.EmailConsent && ct.EmailUnsubscribedAt == nil) {
		return nil
	}
	return s.askConsent(ctx, c, loc, ct)
}

// Confirm sets the email consent of the contact whose confirmation token
// this is (as the webhook capability: the person following the link is
// not signed in). It reports whether the token was known; a token works
// once.
func (s *Service) Confirm(ctx context.Context, token string) (bool, error) {
	if len(token) < 16 || len(token) > 64 {
		return false, nil
	}
	ctx = viewer.Webhook.Grant(ctx, "webhook:"+Source)
	ct, err := s.Client.Contact.Query().Where(contact.ConsentTokenHash(TokenHash(token))).Only(ctx)
	if ent.IsNotFound(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	ctx = viewer.NewContext(ctx, &viewer.Viewer{System: true, LocationID: ct.LocationID, Actor: "webhook:" + Source})
	ctx = viewer.Webhook.Grant(ctx, "webhook:"+Source)
	err = txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		if _, err := s.Contacts.Update(ctx, ct.ID, ent.UpdateContactInput{EmailConsent: ptr(true)}); err != nil {
			return err
		}
		if err := c.Contact.UpdateOneID(ct.ID).ClearConsentTokenHash().ClearEmailUnsubscribedAt().Exec(ctx); err != nil {
			return err
		}
		note := "Confirmed email consent (double opt-in link)"
		if ct.EmailUnsubscribedAt != nil && ct.Email != nil {
			// The person asked again and proved the address is theirs:
			// the one road that lifts an unsubscribe (docs/EMAIL.md).
			if _, err := c.OptOut.Delete().Where(optout.LocationID(ct.LocationID), optout.ChannelEQ(optout.ChannelEmail),
				optout.Address(*ct.Email)).Exec(ctx); err != nil {
				return err
			}
			note += "; the earlier unsubscribe is lifted"
		}
		return touch(ctx, c, ct.LocationID, ct.ID, note, s.Now.Now())
	})
	return err == nil, err
}
