package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// MaxJSONDepth is how deeply a request's JSON may nest. Filters nest two
// levels per and/or/not, so 64 leaves room for any real one; a body of a
// hundred thousand brackets is refused at once.
const MaxJSONDepth = 64

// RequestError is a GraphQL-over-HTTP error about the request itself: its
// method, media type, size or encoding. No operation runs; the answer is
// {"errors":[{"message":…,"extensions":{"code":…}}]} with a 4xx status.
type RequestError struct {
	Status  int
	Code    apperr.Code
	Message string
	// Field names the JSON key or query parameter at fault, if one is.
	Field string
	// Extra goes into extensions beside the code (e.g. the size limit).
	Extra map[string]any
}

func (e *RequestError) Error() string { return e.Message }

func badRequest(format string, args ...any) *RequestError {
	return &RequestError{Status: http.StatusBadRequest, Code: apperr.BadRequest, Message: fmt.Sprintf(format, args...)}
}

// TooLarge is the error for a body over limit bytes.
func TooLarge(limit int64) *RequestError {
	return &RequestError{
		Status: http.StatusRequestEntityTooLarge, Code: apperr.PayloadTooLarge,
		Message: fmt.Sprintf("the request body is larger than the limit of %s", SizeText(limit)),
		Extra:   map[string]any{"limit": limit},
	}
}

// SizeText writes a byte count as people read it: "4 MiB (4194304 bytes)".
func SizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB (%d bytes)", n>>20, n)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB (%d bytes)", n>>10, n)
	}
	return fmt.Sprintf("%d bytes", n)
}

// WriteRequestError answers with e. The media type follows the client's
// Accept header: application/graphql-response+json when it asks for it,
// else application/json.
func WriteRequestError(w http.ResponseWriter, r *http.Request, e *RequestError) {
	ext := map[string]any{"code": string(e.Code)}
	if e.Field != "" {
		ext["field"] = e.Field
	}
	for k, v := range e.Extra {
		ext[k] = v
	}
	body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{"message": e.Message, "extensions": ext}}})
	ct := "application/json"
	if r != nil && strings.Contains(r.Header.Get("Accept"), "application/graphql-response+json") {
		ct = "application/graphql-response+json"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status)
	_, _ = w.Write(append(body, '\n'))
}

// checkRequests answers a request gqlgen's transports would mishandle
// (a decode error there reaches the error presenter without an operation
// and ends as "internal error", or as a panic in an extension) with a
// clear RequestError, and passes the rest on: GET with a readable query
// string, POST of one JSON object, or a multipart upload within the limit.
func checkRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e := checkRequest(r); e != nil {
			if e.Status == http.StatusMethodNotAllowed {
				w.Header().Set("Allow", "GET, POST, OPTIONS")
			}
			WriteRequestError(w, r, e)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func checkRequest(r *http.Request) *RequestError {
	switch r.Method {
	case http.MethodOptions:
		return nil
	case http.MethodGet:
		return checkQueryString(r.URL.RawQuery)
	case http.MethodPost:
	default:
		return &RequestError{Status: http.StatusMethodNotAllowed, Code: apperr.BadRequest,
			Message: fmt.Sprintf("method %s is not supported: send the operation with POST (or a query with GET)", r.Method)}
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case err == nil && mt == "multipart/form-data":
		// A file upload (the GraphQL multipart request spec); gqlgen reads
		// it, streaming the file to disk.
		if r.ContentLength > MaxUploadBytes {
			return TooLarge(MaxUploadBytes)
		}
		return nil
	case err != nil || mt != "application/json":
		return &RequestError{Status: http.StatusUnsupportedMediaType, Code: apperr.UnsupportedMediaType,
			Message: "send the operation as JSON, with Content-Type: application/json"}
	}
	if r.Body == nil || r.Body == http.NoBody {
		return emptyBody()
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return TooLarge(tooBig.Limit)
		}
		return badRequest("the request body could not be read: it ended early or the connection failed (%v)", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	_, e := DecodeBody(body)
	return e
}

func emptyBody() *RequestError {
	return badRequest(`the request body is empty: send one JSON object, such as {"query": "{ me { email } }"}`)
}

// DecodeBody reads a POST body as gqlgen will, but refuses what it would
// accept silently or answer unhelpfully: anything but one JSON object
// (a batch array, a bare value, data after the object), JSON nested deeper
// than MaxJSONDepth, text that is not UTF-8 (which encoding/json would
// quietly replace), and members of the wrong type.
func DecodeBody(body []byte) (*graphql.RawParams, *RequestError) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, emptyBody()
	}
	switch trimmed[0] {
	case '{':
	case '[':
		return nil, badRequest("batched operations (a JSON array) are not supported: send one operation per request, as one JSON object")
	default:
		return nil, badRequest(`the request body must be one JSON object with a "query"`)
	}
	if e := scanJSON(body, ""); e != nil {
		return nil, e
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var p graphql.RawParams
	if err := dec.Decode(&p); err != nil {
		return nil, jsonError(err)
	}
	if rest := bytes.TrimLeft(body[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, badRequest("unexpected data after the JSON object, at byte %d: send exactly one JSON object", len(body)-len(rest))
	}
	return &p, nil
}

// checkQueryString checks a GET request's parameters the way DecodeBody
// checks a body.
func checkQueryString(raw string) *RequestError {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return badRequest("the query string could not be read: %v", err)
	}
	for _, name := range []string{"query", "operationName"} {
		if s := q.Get(name); !utf8.ValidString(s) {
			return invalidUTF8(name)
		}
	}
	for _, name := range []string{"variables", "extensions"} {
		s := q.Get(name)
		if s == "" {
			continue
		}
		if t := strings.TrimLeft(s, " \t\r\n"); t == "" || t[0] != '{' {
			return badRequest("the %s parameter must be a JSON object", name)
		}
		if e := scanJSON([]byte(s), name); e != nil {
			return e
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			e := jsonError(err)
			e.Message = "the " + name + " parameter: " + e.Message
			return e
		}
	}
	return nil
}

func invalidUTF8(field string) *RequestError {
	return &RequestError{Status: http.StatusBadRequest, Code: apperr.Invalid, Field: field,
		Message: field + " is not valid UTF-8 text"}
}

// jsonError explains a decoding error of encoding/json.
func jsonError(err error) *RequestError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return badRequest("the request body is not valid JSON: %v (at byte %d)", syn, syn.Offset)
	case errors.As(err, &typ):
		want := "an object"
		if typ.Field == "query" || typ.Field == "operationName" {
			want = "a string"
		}
		e := badRequest("%q must be %s, not a JSON %s", typ.Field, want, typ.Value)
		e.Field = typ.Field
		return e
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return badRequest("the request body is not valid JSON: it ends before the object does")
	}
	return badRequest("the request body is not valid JSON: %v", err)
}

// scanJSON walks raw JSON once, without decoding it, for what
// encoding/json would refuse unhelpfully or accept silently: nesting
// deeper than MaxJSONDepth, string bytes that are not UTF-8, and \u
// escapes of lone UTF-16 surrogates (both of which encoding/json turns into
// U+FFFD, changing the text that was sent). The key of the innermost
// object around the bad string names the field; outer names the whole
// value (a query parameter), "" for a body. Syntax is left to the decoder.
func scanJSON(b []byte, outer string) *RequestError {
	type level struct {
		object, wantKey bool
		key             string
	}
	stack := make([]level, 0, 8)
	field := func() string {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].object && stack[i].key != "" {
				return stack[i].key
			}
		}
		return outer
	}
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '{', '[':
			if len(stack) >= MaxJSONDepth {
				return badRequest("the JSON is nested more than %d levels deep", MaxJSONDepth)
			}
			stack = append(stack, level{object: c == '{', wantKey: c == '{'})
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case ',':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].wantKey = true
			}
		case '"':
			end, ok := scanString(b, i+1)
			n := len(stack)
			isKey := n > 0 && stack[n-1].object && stack[n-1].wantKey
			if isKey {
				stack[n-1].key, stack[n-1].wantKey = string(b[i+1:end]), false
			}
			if !ok {
				name := field()
				if isKey || name == "" {
					name = outer
				}
				if name == "" {
					return badRequest("the request body is not valid UTF-8 text")
				}
				return invalidUTF8(name)
			}
			i = end
		}
	}
	return nil
}

// scanString scans the JSON string whose content starts at b[i] and
// returns the index of its closing quote (len(b) if there is none) and
// whether its text is valid: UTF-8 bytes, and \u escapes that pair their
// surrogates.
func scanString(b []byte, i int) (end int, ok bool) {
	ok = true
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return i, ok
		case c == '\\':
			if i+1 < len(b) && b[i+1] == 'u' {
				r, good := hex4(b, i+2)
				switch {
				case !good:
					// Malformed: the decoder says so.
				case r >= 0xD800 && r < 0xDC00:
					// A high surrogate must be followed by a low one.
					lo, paired := rune(0), false
					if i+12 <= len(b) && b[i+6] == '\\' && b[i+7] == 'u' {
						lo, paired = hex4(b, i+8)
					}
					if paired && lo >= 0xDC00 && lo <= 0xDFFF {
						i += 6 // the low half too
					} else {
						ok = false
					}
				case r >= 0xDC00 && r <= 0xDFFF:
					ok = false
				}
				i += 6
				continue
			}
			i += 2
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				ok = false
			}
			i += size
		}
	}
	return len(b), ok
}

// hex4 reads four hex digits at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	return r, true
}
