package hooks

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"

	"github.com/avatarimaging/avatarcrm/internal/audit"
)

// ErrBody is a request body refused before it is read further: too large
// (413) or of a content type the route does not take (415).
type ErrBody struct {
	Status int
	Msg    string
}

func (e *ErrBody) Error() string { return e.Msg }

// ReadBody reads a webhook request's body of at most limit bytes and one
// of the content types (media types without parameters; "" allows a
// request that names none). A refusal is an *ErrBody with its status.
func ReadBody(r *http.Request, limit int64, types ...string) ([]byte, error) {
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return nil, &ErrBody{http.StatusUnsupportedMediaType, "the Content-Type does not parse"}
	}
	if !slices.Contains(types, ct) {
		want := slices.DeleteFunc(slices.Clone(types), func(s string) bool { return s == "" })
		return nil, &ErrBody{http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q is not accepted here; send %v", ct, want)}
	}
	if r.ContentLength > limit {
		return nil, &ErrBody{http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", limit)}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe), err == nil && int64(len(body)) > limit:
		return nil, &ErrBody{http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", limit)}
	case err != nil:
		return nil, &ErrBody{http.StatusBadRequest, "reading the body: " + err.Error()}
	}
	return body, nil
}

// Refuse answers a refused webhook request with status and msg, and names
// the refusal in the request's audit entry (the audit middleware writes
// one per request: a 401 or 403, or any Deny, is recorded as denied).
// msg must carry no secret and no payload; detail (such as why a token
// did not verify) goes to the trail only.
func Refuse(w http.ResponseWriter, r *http.Request, operation string, status int, msg string, detail ...string) {
	if m := audit.MetaFrom(r.Context()); m != nil {
		m.SetOperation(operation)
		reason := fmt.Sprintf("%d %s", status, msg)
		for _, d := range detail {
			reason += ": " + d
		}
		m.Deny(reason)
	}
	http.Error(w, msg, status)
}
