package wix

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/hooks"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/wix/wixwire"
)

// MaxBody bounds a Wix webhook request: a JWT of one booking event is a
// few kilobytes.
const MaxBody = 256 << 10

// ContentTypes Wix's webhooks may come with: the body is the bare JWT.
var ContentTypes = []string{"", "text/plain", "application/jwt", "application/octet-stream"}

// Hook is the /hooks/wix endpoint.
type Hook struct {
	Pipeline *hooks.Pipeline
	Verifier *Verifier
	Client   *ent.Client
	// LocationCode names the location Wix bookings belong to; empty: the
	// first location.
	LocationCode string

	mu  sync.Mutex
	loc pulid.ID
}

// Routes mounts POST /hooks/wix.
func (h *Hook) Routes(r chi.Router) { r.Post("/hooks/wix", h.ServeHTTP) }

const operation = "webhook.wix"

// ServeHTTP verifies, stores and acknowledges one Wix event. A body over
// MaxBody is 413 and a wrong content type 415 (audited: nothing is known
// of its sender); a token that does not verify is 401, audited, and
// nothing else is stored; an event type this integration does not handle
// is 422 and stored as rejected; a verified event is stored with its job
// and answered 200 (a repeat of its id too, with no second effect).
func (h *Hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := hooks.ReadBody(r, MaxBody, ContentTypes...)
	var eb *hooks.ErrBody
	if errors.As(err, &eb) {
		hooks.Refuse(w, r, operation, eb.Status, eb.Msg)
		return
	}
	data, err := h.Verifier.Verify(strings.TrimSpace(string(body)))
	if err != nil {
		// The reason goes to the trail, not to the sender.
		slog.Info("wix webhook refused", "err", err)
		hooks.Refuse(w, r, operation, http.StatusUnauthorized, "the token does not verify", err.Error())
		return
	}
	loc, err := h.location(r.Context())
	if err != nil {
		slog.Error("wix webhook: no location", "err", err)
		http.Error(w, "not stored, try again", http.StatusServiceUnavailable)
		return
	}
	env, err := wixwire.ParseEnvelope(data)
	if err != nil {
		h.reject(w, r, loc, hooks.Incoming{Payload: []byte(data)}, http.StatusBadRequest, err.Error())
		return
	}
	ev, err := wixwire.ParseEvent(env)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, wixwire.ErrUnknownType) {
			status = http.StatusUnprocessableEntity
		}
		h.reject(w, r, loc, hooks.Incoming{EventType: env.EventType, Payload: []byte(data), EventID: wixwire.EventID(env)}, status, err.Error())
		return
	}
	payload, err := wixwire.StoredPayload(env)
	if err != nil {
		h.reject(w, r, loc, hooks.Incoming{EventType: env.EventType, Payload: []byte(data)}, http.StatusBadRequest, err.Error())
		return
	}
	if _, _, err := h.Pipeline.Store(r.Context(), hooks.Incoming{
		LocationID: loc, Source: Source, Kind: KindBooking, EventID: ev.ID, EventType: ev.Type, Payload: payload,
	}); err != nil {
		slog.Error("webhook not stored", "source", Source, "err", err)
		http.Error(w, "not stored, try again", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "OK")
}

func (h *Hook) reject(w http.ResponseWriter, r *http.Request, loc pulid.ID, in hooks.Incoming, status int, msg string) {
	in.LocationID, in.Source = loc, Source
	if err := h.Pipeline.Reject(r.Context(), in, msg); err != nil {
		slog.Error("rejected webhook not recorded", "source", Source, "err", err)
	}
	hooks.Refuse(w, r, operation, status, msg)
}

// location finds the location Wix bookings belong to, once.
func (h *Hook) location(ctx context.Context) (pulid.ID, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.loc != "" {
		return h.loc, nil
	}
	loc, err := LocationOf(ctx, h.Client, h.LocationCode)
	if err != nil {
		return "", err
	}
	h.loc = loc
	return loc, nil
}

// LocationOf returns the location with code, or the first location when
// code is empty.
func LocationOf(ctx context.Context, c *ent.Client, code string) (pulid.ID, error) {
	ctx = viewer.Webhook.Grant(ctx, "webhook:"+Source)
	q := c.Location.Query()
	if code != "" {
		q.Where(location.Code(code))
	}
	id, err := q.Order(ent.Asc(location.FieldCreatedAt), ent.Asc(location.FieldID)).FirstID(ctx)
	if ent.IsNotFound(err) {
		return "", errors.New("no location with code " + code)
	}
	return id, err
}
