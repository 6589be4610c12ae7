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
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// multiline are the field names (lower case, without _ and -) that may
// hold line breaks and tabs.
var multiline = map[string]bool{
	"notes": true, "note": true, "description": true, "address": true,
	"summary": true, "detail": true, "details": true, "body": true,
	"message": true, "text": true, "reason": true, "cancelreason": true,
	"comment": true, "comments": true,
	// Email campaigns: the bodies are whole emails, the goal is staff's words.
	"htmlbody": true, "textbody": true, "goal": true,
	// An automation rule's condition: an expression may span lines.
	"condition": true,
}

// Multiline reports whether the field may hold line breaks and tabs. It
// takes the name as any road spells it: notes, cancel_reason, cancelReason.
func Multiline(field string) bool {
	return multiline[key(field)]
}

func key(field string) string {
	f := strings.ToLower(field)
	if strings.ContainsAny(f, "_-") {
		f = strings.NewReplacer("_", "", "-", "").Replace(f)
	}
	return f
}

// Problem says what is wrong with s as the value of a field (one line, or
// several when multiline), or "" when nothing is. The message reads after
// the field's name: "is not valid UTF-8 text".
func Problem(s string, multiline bool) string {
	// The common case, printable ASCII, needs one pass and no decoding.
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			ascii = false
			break
		}
	}
	if ascii {
		return ""
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8 text"
	}
	for _, r := range s {
		if !unicode.IsControl(r) {
			continue
		}
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if r == '\n' || r == '\r' || r == '\t' {
			return "must be one line, without line breaks or tabs"
		}
		return fmt.Sprintf("contains a control character (U+%04X), which text here cannot hold", r)
	}
	return ""
}

// Check returns an INVALID error naming field when s is not acceptable
// text for it, else nil.
func Check(field, s string) error {
	if p := Problem(s, Multiline(field)); p != "" {
		return apperr.Invalidf(field, "%s", p)
	}
	return nil
}
