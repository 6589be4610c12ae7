package gqlhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
)

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

// CheckQueryString checks a GET request's parameters the way DecodeBody
// checks a body.
func CheckQueryString(raw string) *RequestError {
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
	return &RequestError{Status: http.StatusBadRequest, Code: Invalid, Field: field,
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
