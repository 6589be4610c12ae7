// Package textcheck refuses text that cannot be what a person meant: bytes
// that are not UTF-8, and control characters (NUL, escape, the C1 range…)
// in fields where they make no sense. Invalid UTF-8 breaks strict JSON
// clients and PostgreSQL refuses it; a NUL in a filter makes SQLite's LIKE
// match every row. One rule serves every road in: the GraphQL handler
// checks every string argument (graph/textargs.go), an ent hook checks every
// string field written (so services, imports and the UI are covered too),
// and the UI checks its query parameters.
//
// Line breaks and tabs (\n, \r, \t) are allowed only in multi-line fields:
// notes, descriptions, addresses, summaries, details, reasons, messages.
// Names, emails, phones, codes, tags, filters and search text are one line.
package textcheck

import (
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/textcheck/textrule"
)

// Multiline reports whether the field may hold line breaks and tabs. It
// takes the name as any road spells it: notes, cancel_reason, cancelReason.
// (The rule lives in textrule, which leaf parsers import without ent.)
func Multiline(field string) bool { return textrule.Multiline(field) }

// Problem says what is wrong with s as the value of a field (one line, or
// several when multiline), or "" when nothing is. The message reads after
// the field's name: "is not valid UTF-8 text".
func Problem(s string, multiline bool) string { return textrule.Problem(s, multiline) }

// Check returns an INVALID error naming field when s is not acceptable
// text for it, else nil.
func Check(field, s string) error {
	if p := Problem(s, Multiline(field)); p != "" {
		return apperr.Invalidf(field, "%s", p)
	}
	return nil
}
