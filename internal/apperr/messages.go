package apperr

import (
	"errors"
	"strings"

	"github.com/avatarimaging/avatarcrm/ent"
)

// validationMessage turns an ent validation error into a sentence a person
// can act on, without the "ent: validator failed for field" prefix.
func validationMessage(ve *ent.ValidationError) string {
	inner := errors.Unwrap(ve)
	if inner == nil {
		return "is invalid"
	}
	msg := inner.Error()
	switch {
	case strings.Contains(msg, "value is less than the required length"), strings.Contains(msg, "empty"):
		return "is required"
	case strings.Contains(msg, "value is greater than the required length"):
		return "is too long"
	case strings.Contains(msg, "value out of range"):
		return "is out of range"
	case strings.HasPrefix(msg, "invalid enum value"):
		return "is not one of the allowed values"
	case strings.Contains(msg, "missing required field"):
		return "is required"
	}
	return msg
}
