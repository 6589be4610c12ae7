package manychat

import (
	"context"
	"crypto/subtle"
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
	"github.com/avatarimaging/avatarcrm/internal/manychat/mcwire"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Hook is the /hooks/manychat endpoint.
type Hook struct {
	Pipeline *hooks.Pipeline
	Client   *ent.Client
	// Secret is the global secret, standing for Location (a code; empty:
	// the first location). Secrets are per location code.
	Secret   string
	Location string
	Secrets  map[string]string

	mu   sync.Mutex
	keys []key // resolved once
}

type key struct {
	secret []byte
	loc    pulid.ID
}

// Routes mounts POST /hooks/manychat.
func (h *Hook) Routes(r chi.Router) { r.Post("/hooks/manychat", h.ServeHTTP) }

const operation = "webhook.manychat"

// ServeHTTP authenticates, stores and acknowledges one subscriber. A
// missing or wrong secret is 401 and audited, nothing stored; once the
// sender is known, a body over MaxBody (413), not JSON (415) or not a
// subscriber (400) is answered so and stored as rejected.
func (h *Hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	loc, err := h.authenticate(r)
	if err != nil {
		if errors.Is(err, errNoSecret) {
			hooks.Refuse(w, r, operation, http.StatusUnauthorized, "missing or wrong secret")
			return
		}
		slog.Error("manychat webhook: locations", "err", err)
		http.Error(w, "not stored, try again", http.StatusServiceUnavailable)
		return
	}
	body, err := hooks.ReadBody(r, MaxBody, "application/json")
	var eb *hooks.ErrBody
	if errors.As(err, &eb) {
		h.reject(w, r, loc, nil, eb.Status, eb.Msg)
		return
	}
	sub, err := mcwire.Parse(body)
	if err != nil {
		h.reject(w, r, loc, body, http.StatusBadRequest, err.Error())
		return
	}
	if _, _, err := h.Pipeline.Store(r.Context(), hooks.Incoming{
		LocationID: loc, Source: Source, Kind: KindSubscriber, EventID: sub.EventID(), EventType: "subscriber", Payload: body,
	}); err != nil {
		slog.Error("webhook not stored", "source", Source, "err", err)
		http.Error(w, "not stored, try again", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

func (h *Hook) reject(w http.ResponseWriter, r *http.Request, loc pulid.ID, body []byte, status int, msg string) {
	if err := h.Pipeline.Reject(r.Context(), hooks.Incoming{LocationID: loc, Source: Source, Payload: body, EventType: "subscriber"}, msg); err != nil {
		slog.Error("rejected webhook not recorded", "source", Source, "err", err)
	}
	hooks.Refuse(w, r, operation, status, msg)
}

var errNoSecret = errors.New("no matching secret")

// authenticate compares the Authorization header (Bearer <secret>, or the
// bare secret) with every configured secret in constant time.
func (h *Hook) authenticate(r *http.Request) (pulid.ID, error) {
	got := strings.TrimSpace(r.Header.Get("Authorization"))
	if b, ok := strings.CutPrefix(got, "Bearer "); ok {
		got = strings.TrimSpace(b)
	}
	if got == "" {
		return "", errNoSecret
	}
	keys, err := h.resolve(r.Context())
	if err != nil {
		return "", err
	}
	var found pulid.ID
	for _, k := range keys {
		if subtle.ConstantTimeCompare(k.secret, []byte(got)) == 1 {
			found = k.loc
		}
	}
	if found == "" {
		return "", errNoSecret
	}
	return found, nil
}

// resolve maps the configured secrets to location IDs, once.
func (h *Hook) resolve(ctx context.Context) ([]key, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.keys != nil {
		return h.keys, nil
	}
	ctx = viewer.Webhook.Grant(ctx, "webhook:"+Source)
	locs, err := h.Client.Location.Query().Order(ent.Asc(location.FieldCreatedAt), ent.Asc(location.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	keys := []key{}
	for _, l := range locs {
		if s := h.Secrets[l.Code]; s != "" {
			keys = append(keys, key{[]byte(s), l.ID})
		}
	}
	if h.Secret != "" {
		for _, l := range locs {
			if h.Location == "" || l.Code == h.Location {
				keys = append(keys, key{[]byte(h.Secret), l.ID})
				break
			}
		}
	}
	h.keys = keys
	return keys, nil
}

// Enabled reports whether any secret is configured (no secret: the route
// is not mounted).
func (h *Hook) Enabled() bool { return h.Secret != "" || len(h.Secrets) > 0 }
