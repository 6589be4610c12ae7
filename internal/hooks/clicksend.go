package hooks

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/hooks/clicksendwire"
	"github.com/avatarimaging/avatarcrm/internal/netguard"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// ClickSend's source name and event kinds.
const (
	SourceClickSend = "clicksend"
	KindInbound     = "inbound"
	KindReceipt     = "receipt"
)

// Fields reads a ClickSend webhook request into its fields, whichever
// variant the rule uses: a form POST (the default), a GET with the fields
// in the query string, or a JSON object (clicksendwire reads them).
// Errors say what was wrong, for a 400.
func Fields(r *http.Request) (map[string]string, error) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return clicksendwire.Query(r.URL.RawQuery)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, clicksendwire.MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the body: %w", err)
	}
	return clicksendwire.Body(r.Header.Get("Content-Type"), body)
}

// ClickSendRoutes mounts ClickSend's inbound and receipt URLs:
// /hooks/clicksend/{inbound,receipt}/{token}, GET and POST.
func (p *Pipeline) ClickSendRoutes(r chi.Router) {
	for _, kind := range []string{KindInbound, KindReceipt} {
		h := p.clickSend(kind)
		r.Get("/hooks/clicksend/"+kind+"/{token}", h)
		r.Post("/hooks/clicksend/"+kind+"/{token}", h)
	}
}

// clickSend stores one ClickSend request: the token names the location
// (compared in constant time; a wrong one is 404 and audited), the fields
// must parse (400 otherwise), and the event is stored with its job before
// the 200.
func (p *Pipeline) clickSend(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		loc, ok := p.locationByToken(r.Context(), chi.URLParam(r, "token"))
		if !ok {
			p.refuse(r, kind)
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		f, err := Fields(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var id string
		switch kind {
		case KindInbound:
			in, err := clicksendwire.ParseInbound(f)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			id = in.MessageID
		case KindReceipt:
			rc, err := clicksendwire.ParseReceipt(f)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			id = rc.EventID()
		}
		variant := "get"
		if r.Method == http.MethodPost {
			variant = "post"
			if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
				variant = "json"
			}
		}
		payload, _ := json.Marshal(clicksendwire.Payload{Variant: variant, Fields: f})
		if len(id) > 200 {
			id = id[:200]
		}
		_, _, err = p.Store(r.Context(), Incoming{LocationID: loc, Source: SourceClickSend, Kind: kind, EventID: id, Payload: payload})
		if err != nil {
			slog.Error("webhook not stored", "source", SourceClickSend, "kind", kind, "err", err)
			http.Error(w, "not stored, try again", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "OK")
	}
}

// locationByToken finds the location whose SMS webhook token is tok,
// comparing every token in constant time.
func (p *Pipeline) locationByToken(ctx context.Context, tok string) (pulid.ID, bool) {
	if len(tok) < 16 || len(tok) > 64 {
		return "", false
	}
	ctx = viewer.Webhook.Grant(ctx, "webhook:"+SourceClickSend)
	locs, err := p.Client.Location.Query().Where(location.SmsWebhookTokenNotNil()).
		Select(location.FieldID, location.FieldSmsWebhookToken).All(ctx)
	if err != nil {
		slog.Error("webhook token lookup", "err", err)
		return "", false
	}
	var found pulid.ID
	for _, l := range locs {
		if l.SmsWebhookToken != nil && subtle.ConstantTimeCompare([]byte(*l.SmsWebhookToken), []byte(tok)) == 1 {
			found = l.ID
		}
	}
	return found, found != ""
}

// refuse audits a request with a wrong token (never the token itself).
func (p *Pipeline) refuse(r *http.Request, kind string) {
	if p.Audit == nil {
		return
	}
	e := audit.Entry{
		Action: audit.ActionDenied, ResourceType: "webhooks", Operation: SourceClickSend + "." + kind,
		Method: r.Method, Path: "/hooks/clicksend/" + kind + "/…", UserAgent: r.UserAgent(), Status: http.StatusNotFound,
		Detail: "ClickSend " + kind + " webhook with an unknown token",
	}
	if ip := netguard.IPFrom(r.Context()); ip.IsValid() {
		e.IP = ip.String()
	}
	p.Audit.Record(e)
}
