// Package gqlhttp answers GraphQL-over-HTTP requests that cannot be taken
// (wrong method or media type, too large, not one JSON object, nested too
// deeply, not UTF-8) before gqlgen's transports see them, with a 4xx and a
// JSON error that says what is wrong. gqlgen would answer most of them
// with "internal error", or panic in an extension that expects an
// operation. It depends on nothing else in the module, so fuzzing it
// (FuzzDecodeBody, FuzzCheck) builds quickly.
package gqlhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Codes in extensions.code. Invalid is apperr.Invalid's code: text that is
// not UTF-8 is refused like any other bad input, naming the field.
const (
	BadRequest           = "BAD_REQUEST"
	PayloadTooLarge      = "PAYLOAD_TOO_LARGE"
	UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	Invalid              = "INVALID"
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
	Code    string
	Message string
	// Field names the JSON key or query parameter at fault, if one is.
	Field string
	// Extra goes into extensions beside the code (e.g. the size limit).
	Extra map[string]any
}

func (e *RequestError) Error() string { return e.Message }

func badRequest(format string, args ...any) *RequestError {
	return &RequestError{Status: http.StatusBadRequest, Code: BadRequest, Message: fmt.Sprintf(format, args...)}
}

// TooLarge is the error for a body over limit bytes.
func TooLarge(limit int64) *RequestError {
	return &RequestError{
		Status: http.StatusRequestEntityTooLarge, Code: PayloadTooLarge,
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

// WriteError answers with e. The media type follows the client's
// Accept header: application/graphql-response+json when it asks for it,
// else application/json.
func WriteError(w http.ResponseWriter, r *http.Request, e *RequestError) {
	ext := map[string]any{"code": e.Code}
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

// Check answers a request gqlgen's transports would mishandle (a decode
// error there reaches the error presenter without an operation and ends as
// "internal error", or as a panic in an extension) with a clear
// RequestError, and passes the rest on to next: GET with a readable query
// string, POST of one JSON object, or a multipart upload of at most
// maxUpload bytes. A POST body is read whole (the server caps its size)
// and handed on unchanged.
func Check(next http.Handler, maxUpload int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e := CheckRequest(r, maxUpload); e != nil {
			if e.Status == http.StatusMethodNotAllowed {
				w.Header().Set("Allow", "GET, POST, OPTIONS")
			}
			WriteError(w, r, e)
			return
		}
		cw := &codeWriter{ResponseWriter: w}
		next.ServeHTTP(cw, r)
		cw.finish()
	})
}

// CheckRequest is Check's test of one request; nil means pass it on.
func CheckRequest(r *http.Request, maxUpload int64) *RequestError {
	switch r.Method {
	case http.MethodOptions:
		return nil
	case http.MethodGet:
		return CheckQueryString(r.URL.RawQuery)
	case http.MethodPost:
	default:
		return &RequestError{Status: http.StatusMethodNotAllowed, Code: BadRequest,
			Message: fmt.Sprintf("method %s is not supported: send the operation with POST (or a query with GET)", r.Method)}
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case err == nil && mt == "multipart/form-data":
		// A file upload (the GraphQL multipart request spec); gqlgen reads
		// it, streaming the file to disk.
		if r.ContentLength > maxUpload {
			return TooLarge(maxUpload)
		}
		return nil
	case err != nil || mt != "application/json":
		return &RequestError{Status: http.StatusUnsupportedMediaType, Code: UnsupportedMediaType,
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
