package leadform

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/hooks"
	"github.com/avatarimaging/avatarcrm/internal/leadform/formwire"
	"github.com/avatarimaging/avatarcrm/internal/netguard"
)

// Handler serves the form's routes. Limit is the per-IP rate limit
// (internal/ratelimit); nil applies none.
type Handler struct {
	S     *Service
	Limit func(http.Handler) http.Handler
}

// Routes mounts POST and OPTIONS /hooks/lead/{key} and the double opt-in
// link, GET (a page with a button, so a mail scanner following links
// confirms nothing) and POST /hooks/lead/confirm/{token}.
func (h *Handler) Routes(r chi.Router) {
	lim := h.Limit
	if lim == nil {
		lim = func(next http.Handler) http.Handler { return next }
	}
	r.With(lim).Post(ConfirmPath+"{token}", h.confirm)
	r.Get(ConfirmPath+"{token}", h.confirmPage)
	r.With(lim).Post(Path+"{key}", h.submit)
	r.With(lim).Options(Path+"{key}", h.preflight)
}

// allowedOrigin reports whether origin is one of the location's.
func allowedOrigin(loc *ent.Location, origin string) bool {
	return origin != "" && slices.Contains(loc.LeadFormOrigins, strings.ToLower(origin))
}

func (h *Handler) preflight(w http.ResponseWriter, r *http.Request) {
	loc, ok := h.S.locationByKey(r.Context(), chi.URLParam(r, "key"))
	if !ok {
		h.refuse(r, http.StatusNotFound, "lead form with an unknown key")
		http.NotFound(w, r)
		return
	}
	origin := r.Header.Get("Origin")
	w.Header().Add("Vary", "Origin")
	if !allowedOrigin(loc, origin) {
		http.Error(w, "origin not allowed: add it on the CRM's lead form settings", http.StatusForbidden)
		return
	}
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", origin)
	hd.Set("Access-Control-Allow-Methods", "POST")
	hd.Set("Access-Control-Allow-Headers", "Content-Type")
	hd.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// answer is what a submission gets: JSON for scripts, a redirect back to
// the clinic's page (when it is on an allowed origin) or a small page for
// a plain form post.
type answer struct {
	w        http.ResponseWriter
	r        *http.Request
	json     bool
	redirect *url.URL
}

func (a answer) ok() {
	if a.json {
		a.w.Header().Set("Content-Type", "application/json")
		a.w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(a.w, `{"ok":true}`)
		return
	}
	if a.redirect != nil {
		u := *a.redirect
		q := u.Query()
		q.Set("lead", "ok")
		u.RawQuery = q.Encode()
		http.Redirect(a.w, a.r, u.String(), http.StatusSeeOther)
		return
	}
	page(a.w, http.StatusOK, "Thank you", "We have your details and will be in touch shortly.")
}

func (a answer) fail(status int, field, msg string) {
	if a.json {
		a.w.Header().Set("Content-Type", "application/json")
		a.w.WriteHeader(status)
		_ = json.NewEncoder(a.w).Encode(map[string]string{"error": msg, "field": field})
		return
	}
	if a.redirect != nil && status < 500 && status != http.StatusTooManyRequests {
		u := *a.redirect
		q := u.Query()
		q.Set("lead", "error")
		q.Set("field", field)
		q.Set("message", msg)
		u.RawQuery = q.Encode()
		http.Redirect(a.w, a.r, u.String(), http.StatusSeeOther)
		return
	}
	page(a.w, status, "The form was not sent", msg+" Please go back and try again.")
}

func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "<!doctype html><meta charset=utf-8><title>"+html.EscapeString(title)+"</title><h1>"+
		html.EscapeString(title)+"</h1><p>"+html.EscapeString(text)+"</p>")
}

// submit reads, checks and stores one submission. The honeypot answers as
// a success and stores nothing.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	ans := answer{w: w, r: r, json: formwire.JSONType(r.Header.Get("Content-Type")) || strings.Contains(r.Header.Get("Accept"), "application/json")}
	loc, ok := h.S.locationByKey(r.Context(), chi.URLParam(r, "key"))
	if !ok {
		h.refuse(r, http.StatusNotFound, "lead form with an unknown key")
		ans.fail(http.StatusNotFound, "key", "This form's address is not known (was its key rotated?).")
		return
	}
	origin := r.Header.Get("Origin")
	w.Header().Add("Vary", "Origin")
	if origin != "" && origin != "null" {
		if !allowedOrigin(loc, origin) {
			ans.fail(http.StatusForbidden, "origin", "This site ("+origin+") may not send the form: add it to the allowed origins on the CRM's lead form settings.")
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", origin)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, formwire.MaxBody+1))
	if err != nil {
		ans.fail(http.StatusBadRequest, "body", "The form could not be read.")
		return
	}
	sub, err := formwire.Parse(r.Header.Get("Content-Type"), body, loc.Region)
	if sub.Redirect != "" {
		if u, perr := url.Parse(sub.Redirect); perr == nil && allowedOrigin(loc, u.Scheme+"://"+u.Host) {
			ans.redirect = u
		}
	}
	var fe *formwire.FieldError
	switch {
	case errors.As(err, &fe) && fe.Field == "content_type":
		ans.fail(http.StatusUnsupportedMediaType, fe.Field, fe.Message)
		return
	case errors.As(err, &fe) && fe.Field == "body" && len(body) > formwire.MaxBody:
		ans.fail(http.StatusRequestEntityTooLarge, fe.Field, fe.Message)
		return
	case errors.As(err, &fe):
		ans.fail(http.StatusUnprocessableEntity, fe.Field, fe.Message)
		return
	case err != nil:
		ans.fail(http.StatusBadRequest, "body", err.Error())
		return
	}
	if sub.Honeypot {
		slog.Info("lead form: honeypot filled, nothing stored", "location", loc.ID)
		ans.ok()
		return
	}
	payload, _ := json.Marshal(sub)
	_, _, err = h.S.Hooks.Store(r.Context(), hooks.Incoming{
		LocationID: loc.ID, Source: Source, Kind: Kind, EventID: eventID(sub, payload, r, h.S.Now.Now()), Payload: payload,
	})
	if err != nil {
		slog.Error("lead form not stored", "location", loc.ID, "err", err)
		ans.fail(http.StatusServiceUnavailable, "", "The form could not be saved just now.")
		return
	}
	ans.ok()
}

// eventID deduplicates a form sent twice: the page's submission_id, or
// the same fields from the same address within ten minutes.
func eventID(sub formwire.Submission, payload []byte, r *http.Request, now time.Time) string {
	if sub.SubmissionID != "" {
		return "id:" + sub.SubmissionID
	}
	h := sha256.New()
	h.Write(payload)
	if ip := netguard.IPFrom(r.Context()); ip.IsValid() {
		h.Write([]byte(ip.String()))
	}
	h.Write([]byte(strconv.FormatInt(now.Unix()/600, 10)))
	return "sha256:" + hex.EncodeToString(h.Sum(nil)[:16])
}

func (h *Handler) confirmPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_, _ = io.WriteString(w, `<!doctype html><meta charset=utf-8><title>Confirm</title><h1>Confirm your email</h1>`+
		`<form method="post"><p>Press the button to receive news and offers by email.</p><button type="submit">Yes, send me news and offers</button></form>`)
}

func (h *Handler) confirm(w http.ResponseWriter, r *http.Request) {
	ok, err := h.S.Confirm(r.Context(), chi.URLParam(r, "token"))
	switch {
	case err != nil:
		slog.Error("lead form consent not recorded", "err", err)
		page(w, http.StatusServiceUnavailable, "Not confirmed", "Something went wrong; please open the link again later.")
	case !ok:
		h.refuse(r, http.StatusNotFound, "lead form confirmation with an unknown token")
		page(w, http.StatusNotFound, "Link not known", "This link was used already or is not known.")
	default:
		page(w, http.StatusOK, "Thank you", "Your email address is confirmed.")
	}
}

// refuse audits a request with an unknown key or token (never the key).
func (h *Handler) refuse(r *http.Request, status int, detail string) {
	if h.S.Audit == nil {
		return
	}
	e := audit.Entry{
		Action: audit.ActionDenied, ResourceType: "webhooks", Operation: Source,
		Method: r.Method, Path: Path + "…", UserAgent: r.UserAgent(), Status: status, Detail: detail,
	}
	if ip := netguard.IPFrom(r.Context()); ip.IsValid() {
		e.IP = ip.String()
	}
	h.S.Audit.Record(e)
}
