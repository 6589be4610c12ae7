// Package textrule is textcheck's rule itself, with no dependencies
// beyond the standard library: which text a field may hold (UTF-8, no
// control characters, line breaks and tabs only in multi-line fields).
// Parsers in leaf packages (internal/leadform/formwire) use it directly;
// everything else calls it through internal/textcheck, which adds the
// INVALID error and the ent hook (docs/DECISIONS.md, "Wire parsers in
// leaf packages").
package textrule

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
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
