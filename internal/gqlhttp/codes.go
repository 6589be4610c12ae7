package gqlhttp

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// codeWriter gives every error of a 4xx answer from gqlgen's transports a
// code: a few of their refusals (a multipart request it cannot read, a
// mutation sent with GET) carry only a message. 4xx answers are small JSON
// documents, so they are held back, completed and written at finish;
// everything else passes straight through.
type codeWriter struct {
	http.ResponseWriter
	status int
	held   *bytes.Buffer
}

func (c *codeWriter) WriteHeader(status int) {
	if status >= 400 && status < 500 && c.held == nil {
		c.status, c.held = status, new(bytes.Buffer)
		return
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *codeWriter) Write(b []byte) (int, error) {
	if c.held != nil {
		return c.held.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (c *codeWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *codeWriter) finish() {
	if c.held == nil {
		return
	}
	body := withCodes(c.held.Bytes(), c.status)
	c.ResponseWriter.WriteHeader(c.status)
	_, _ = c.ResponseWriter.Write(body)
}

// withCodes adds extensions.code to each error of a GraphQL response that
// has none: PAYLOAD_TOO_LARGE for a 413, BAD_REQUEST otherwise.
func withCodes(body []byte, status int) []byte {
	var resp map[string]any
	if json.Unmarshal(body, &resp) != nil {
		return body
	}
	errs, _ := resp["errors"].([]any)
	code := BadRequest
	if status == http.StatusRequestEntityTooLarge {
		code = PayloadTooLarge
	}
	changed := false
	for _, e := range errs {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		ext, _ := m["extensions"].(map[string]any)
		if _, has := ext["code"]; has {
			continue
		}
		if ext == nil {
			ext = map[string]any{}
			m["extensions"] = ext
		}
		ext["code"] = code
		changed = true
	}
	if !changed {
		return body
	}
	out, err := json.Marshal(resp)
	if err != nil {
		return body
	}
	return out
}
