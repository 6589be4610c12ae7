package campaigns

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/campaignevent"
	"github.com/avatarimaging/avatarcrm/ent/campaignrecipient"
	"github.com/avatarimaging/avatarcrm/ent/optout"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// errNoSuch is any token that does not name a real recipient of the
// campaign it names (or a link of it): the handlers answer 404 and change
// nothing.
var errNoSuch = errors.New("campaigns: no such recipient or link")

// target is a token's recipient and campaign, checked.
type target struct {
	tok Token
	r   *ent.CampaignRecipient
	cp  *ent.Campaign
	ctx context.Context // the tracking capability at the recipient's location
}

// resolve checks a token's signature, that its recipient belongs to its
// campaign and, for a click, that the link index is inside the campaign's
// links.
func (s *Service) resolve(ctx context.Context, raw, kind string) (*target, error) {
	if s.Signer == nil {
		return nil, errNoSuch
	}
	tok, err := s.Signer.Parse(raw, kind)
	if err != nil {
		return nil, errNoSuch
	}
	sys := viewer.Tracking.Grant(ctx, "tracking")
	r, err := s.Client.CampaignRecipient.Get(sys, tok.Recipient)
	if ent.IsNotFound(err) {
		return nil, errNoSuch
	}
	if err != nil {
		return nil, err
	}
	if r.CampaignID != tok.Campaign {
		return nil, errNoSuch
	}
	cp, err := s.Client.Campaign.Get(sys, r.CampaignID)
	if err != nil {
		return nil, err
	}
	if kind == KindClick && (tok.Link < 0 || tok.Link >= len(cp.Links)) {
		return nil, errNoSuch
	}
	// From here on, act at the recipient's location, as the tracking
	// capability (audited as such).
	lctx := viewer.NewContext(context.WithoutCancel(ctx), &viewer.Viewer{System: true, LocationID: r.LocationID, Actor: "tracking"})
	return &target{tok: tok, r: r, cp: cp, ctx: viewer.Tracking.Grant(lctx, "tracking")}, nil
}

// Open records that the recipient's email was opened (the pixel loaded).
func (s *Service) Open(ctx context.Context, raw string) error {
	t, err := s.resolve(ctx, raw, KindOpen)
	if err != nil {
		return err
	}
	return s.record(t, campaignevent.KindOpen, nil)
}

// Click records a click and returns the link's URL (always one of the
// campaign's own links: no open redirect).
func (s *Service) Click(ctx context.Context, raw string) (string, error) {
	t, err := s.resolve(ctx, raw, KindClick)
	if err != nil {
		return "", err
	}
	i := t.tok.Link
	return t.cp.Links[i], s.record(t, campaignevent.KindClick, &i)
}

// record writes the event and the recipient's counters in one
// transaction. Opening or clicking implies the email arrived, so a
// click also counts as an open when no open was seen (images blocked).
//
// The contact's timeline gets, in the same transaction, the first open of
// the email (email_open: the conditional update that sets first_opened_at
// decides, so pixel reloads and two loads at once write one line) and
// every click (email_click, naming the link). A click that comes before
// any pixel load sets first_opened_at without an open line: the click
// line says more.
func (s *Service) record(t *target, kind campaignevent.Kind, link *int) error {
	now := s.now()
	return txn.Run(t.ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		if err := c.CampaignEvent.Create().SetCampaignID(t.cp.ID).SetRecipientID(t.r.ID).SetKind(kind).
			SetNillableLinkIndex(link).SetOccurredAt(now).SetLocationID(t.r.LocationID).Exec(ctx); err != nil {
			return err
		}
		// First open: only one transaction can move first_opened_at from
		// null.
		first, err := c.CampaignRecipient.Update().
			Where(campaignrecipient.ID(t.r.ID), campaignrecipient.FirstOpenedAtIsNil()).
			SetFirstOpenedAt(now).Save(ctx)
		if err != nil {
			return err
		}
		up := c.CampaignRecipient.UpdateOneID(t.r.ID)
		var tp *ent.TouchpointCreate
		switch kind {
		case campaignevent.KindOpen:
			up.AddOpenCount(1)
			if first == 1 {
				tp = c.Touchpoint.Create().SetKind(touchpoint.KindEmailOpen).
					SetSummary(truncate("Opened the campaign email “"+t.cp.Name+"”", 500))
			}
		case campaignevent.KindClick:
			up.AddClickCount(1)
			if t.r.FirstClickedAt == nil {
				up.SetFirstClickedAt(now)
			}
			tp = c.Touchpoint.Create().SetKind(touchpoint.KindEmailClick).
				SetSummary(truncate("Clicked "+t.cp.Links[*link]+" in the campaign email “"+t.cp.Name+"”", 500))
		}
		if err := up.Exec(ctx); err != nil {
			return err
		}
		if tp == nil {
			return nil
		}
		return tp.SetContactID(t.r.ContactID).SetOccurredAt(now).SetLocationID(t.r.LocationID).Exec(ctx)
	})
}

// Unsubscribe takes the recipient's address off every future campaign of
// the location at once: the contact's email_unsubscribed_at, an email
// OptOut for the address (duplicates and later contacts with it), the
// recipient's unsubscribe time, an event, and a line on the contact's
// timeline; every row is audited. A second unsubscribe changes nothing.
func (s *Service) Unsubscribe(ctx context.Context, raw, source string) (clinic string, err error) {
	t, err := s.resolve(ctx, raw, KindUnsubscribe)
	if err != nil {
		return "", err
	}
	loc, err := s.Client.Location.Get(t.ctx, t.r.LocationID)
	if err != nil {
		return "", err
	}
	if t.r.UnsubscribedAt != nil {
		return loc.Name, nil
	}
	now := s.now()
	err = txn.Run(t.ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		n, err := c.CampaignRecipient.Update().Where(campaignrecipient.ID(t.r.ID), campaignrecipient.UnsubscribedAtIsNil()).
			SetUnsubscribedAt(now).Save(ctx)
		if err != nil || n == 0 {
			return err
		}
		if err := c.CampaignEvent.Create().SetCampaignID(t.cp.ID).SetRecipientID(t.r.ID).SetKind(campaignevent.KindUnsubscribe).
			SetOccurredAt(now).SetLocationID(t.r.LocationID).Exec(ctx); err != nil {
			return err
		}
		// An unsubscribe withdraws the consent: staff cannot tick it back
		// on (internal/contacts: CONSENT_WITHDRAWN).
		if err := c.Contact.UpdateOneID(t.r.ContactID).SetEmailUnsubscribedAt(now).SetEmailConsent(false).Exec(ctx); err != nil {
			return err
		}
		if err := messaging.OptOutAddressAt(ctx, c, t.r.LocationID, optout.ChannelEmail, t.r.Address, source, now); err != nil {
			return err
		}
		return c.Touchpoint.Create().SetContactID(t.r.ContactID).SetKind(touchpoint.KindEmailUnsub).
			SetSummary(truncate("Unsubscribed from marketing email ("+strings.ReplaceAll(source, "_", "-")+", campaign “"+t.cp.Name+"”)", 500)).
			SetOccurredAt(now).SetLocationID(t.r.LocationID).Exec(ctx)
	})
	return loc.Name, err
}

// pixel is a transparent 1×1 GIF.
var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// Routes mounts the tracking endpoints: no login, no CSRF check (mail
// clients post the one-click unsubscribe from anywhere); the signed token
// is the only key, and anything wrong with it is a plain 404.
func (s *Service) Routes(r chi.Router) {
	r.Get("/t/o/{token}", func(w http.ResponseWriter, r *http.Request) {
		if err := s.Open(r.Context(), chi.URLParam(r, "token")); err != nil {
			trackFail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "image/gif")
		w.Header().Set("Cache-Control", "no-store, private")
		_, _ = w.Write(pixel)
	})
	r.Get("/t/c/{token}", func(w http.ResponseWriter, r *http.Request) {
		u, err := s.Click(r.Context(), chi.URLParam(r, "token"))
		if err != nil {
			trackFail(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store, private")
		w.Header().Set("Referrer-Policy", "no-referrer")
		http.Redirect(w, r, u, http.StatusFound)
	})
	r.Get("/u/{token}", s.unsubscribePage)
	r.Post("/u/{token}", s.unsubscribePost)
}

func trackFail(w http.ResponseWriter, r *http.Request, err error) {
	if !errors.Is(err, errNoSuch) {
		slog.Error("tracking", "path", r.URL.Path, "err", err)
		http.Error(w, "something went wrong; please try again", http.StatusInternalServerError)
		return
	}
	http.NotFound(w, r)
}

var unsubTmpl = template.Must(template.New("u").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unsubscribe — {{.Clinic}}</title></head>
<body style="font-family: Arial, sans-serif; max-width: 36em; margin: 2em auto; padding: 0 1em; color: #1f2933">
<h1>{{.Clinic}}</h1>
{{if .Done}}<p data-testid="unsubscribed">You are unsubscribed: {{.Clinic}} will send you no more marketing email. Appointment messages still reach you.</p>
{{else}}<p>Stop marketing email from {{.Clinic}} to {{.Address}}?</p>
<form method="post"><button type="submit" data-testid="unsubscribe-confirm">Unsubscribe</button></form>{{end}}
</body></html>`))

// unsubscribePage shows the confirmation in the clinic's name (a GET
// changes nothing: mail scanners follow links).
func (s *Service) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	t, err := s.resolve(r.Context(), chi.URLParam(r, "token"), KindUnsubscribe)
	if err != nil {
		trackFail(w, r, err)
		return
	}
	loc, err := s.Client.Location.Get(t.ctx, t.r.LocationID)
	if err != nil {
		trackFail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, private")
	_ = unsubTmpl.Execute(w, map[string]any{"Clinic": loc.Name, "Address": t.r.Address, "Done": t.r.UnsubscribedAt != nil})
}

// unsubscribePost is the page's button and RFC 8058's one-click POST
// (body List-Unsubscribe=One-Click).
func (s *Service) unsubscribePost(w http.ResponseWriter, r *http.Request) {
	source := "unsubscribe_page"
	if err := r.ParseForm(); err == nil && r.PostForm.Get("List-Unsubscribe") == "One-Click" {
		source = "one_click"
	}
	clinic, err := s.Unsubscribe(r.Context(), chi.URLParam(r, "token"), source)
	if err != nil {
		trackFail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, private")
	_ = unsubTmpl.Execute(w, map[string]any{"Clinic": clinic, "Done": true})
}
