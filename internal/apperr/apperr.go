// Package apperr is the application's one error type. Every error a user or
// integrator can see carries a machine-readable code; anything without a
// code is an internal error, logged in full and shown only as
// "internal error".
package apperr

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"entgo.io/ent/privacy"

	"github.com/avatarimaging/avatarcrm/ent"
)

// Code classifies an error for callers. GraphQL puts it in extensions.code;
// the UI and webhooks map it to an HTTP status.
type Code string

// Codes.
const (
	NotFound        Code = "NOT_FOUND"
	Invalid         Code = "INVALID"
	Forbidden       Code = "FORBIDDEN"
	Unauthenticated Code = "UNAUTHENTICATED"
	Conflict        Code = "CONFLICT"
	RateLimited     Code = "RATE_LIMITED"
	Internal        Code = "INTERNAL"
	// ConsentWithdrawn refuses to turn email marketing consent back on
	// for a contact who unsubscribed: under the Spam Act consent must be
	// the person's own, not a ticked box (docs/EMAIL.md).
	ConsentWithdrawn Code = "CONSENT_WITHDRAWN"
	// IntrospectionDisabled refuses __schema and __type while schema
	// introspection is off. (Requests that cannot be taken at all get
	// BAD_REQUEST, PAYLOAD_TOO_LARGE or UNSUPPORTED_MEDIA_TYPE from
	// internal/gqlhttp.)
	IntrospectionDisabled Code = "INTROSPECTION_DISABLED"
)

// Error is an error with a code, a message safe to show, and optionally the
// input field it is about.
type Error struct {
	Code    Code
	Message string
	// Field names the input field at fault, in the caller's terms
	// (e.g. "phone"), so a form can show the message beside it.
	Field string
	// Err is an underlying error or decision, such as privacy.Deny, that
	// errors.Is should see through this one.
	Err error
	// Details are extra machine-readable facts for the caller, e.g. the ID
	// of the contact a new one duplicates; GraphQL puts them in
	// extensions beside the code.
	Details map[string]any
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf returns an Error with code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf returns an INVALID error about field.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf returns a NOT_FOUND error about field (which may be empty).
func NotFoundf(field, format string, args ...any) *Error {
	return &Error{Code: NotFound, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Conflictf returns a CONFLICT error.
func Conflictf(format string, args ...any) *Error {
	return &Error{Code: Conflict, Message: fmt.Sprintf(format, args...)}
}

// From classifies any error. Errors of ent and of the privacy layer are
// mapped to codes; an error it cannot classify is Internal, and its message
// must not be shown.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var ve *ent.ValidationError
	switch {
	case errors.As(err, &ve):
		return &Error{Code: Invalid, Field: ve.Name, Message: validationMessage(ve)}
	case ent.IsNotFound(err), errors.Is(err, sql.ErrNoRows):
		return &Error{Code: NotFound, Message: "not found"}
	case ent.IsConstraintError(err):
		return &Error{Code: Conflict, Message: "this conflicts with an existing record"}
	case ent.IsNotSingular(err):
		return &Error{Code: Conflict, Message: "more than one record matches"}
	case errors.Is(err, privacy.Deny):
		return &Error{Code: Forbidden, Message: "not allowed"}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: Internal, Message: "request cancelled or timed out"}
	}
	return &Error{Code: Internal, Message: "internal error"}
}

// CodeOf returns the code of err.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return From(err).Code
}

// Unauthenticatedf returns an UNAUTHENTICATED error.
func Unauthenticatedf(format string, args ...any) *Error {
	return &Error{Code: Unauthenticated, Message: fmt.Sprintf(format, args...)}
}

// Forbiddenf returns a FORBIDDEN error.
func Forbiddenf(format string, args ...any) *Error {
	return &Error{Code: Forbidden, Message: fmt.Sprintf(format, args...)}
}
