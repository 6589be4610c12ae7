package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// client talks to the server for everything but the measured steps:
// sign-in, bulk loading, the import, picking IDs.
type client struct {
	base string
	// auth is the header that authenticates every request: Cookie (dev
	// sign-in) or Authorization (API token).
	authKey, authValue string
	http               *http.Client
}

// sessionCookie is the server's session cookie.
const sessionCookie = "avatarcrm_session"

func newClient(base string, conns int) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conns
	tr.MaxConnsPerHost = conns
	return &client{
		base: strings.TrimRight(base, "/"),
		http: &http.Client{
			Transport: tr,
			Timeout:   2 * time.Minute,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}
}

// signIn authenticates: with an API token as a bearer token, else through
// the development sign-in (POST /auth/dev email=…) and its session cookie.
func (c *client) signIn(ctx context.Context, email, token string) error {
	if token != "" {
		c.authKey, c.authValue = "Authorization", "Bearer "+token
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/auth/dev",
		strings.NewReader(url.Values{"email": {email}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie && ck.Value != "" {
			c.authKey, c.authValue = "Cookie", sessionCookie+"="+ck.Value
			return nil
		}
	}
	return fmt.Errorf("dev sign-in as %s: status %d, no session cookie (is the server in dev mode, with the demo data?): %s",
		email, resp.StatusCode, strings.TrimSpace(string(body)))
}

// gqlError is one entry of a GraphQL response's errors.
type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// gqlResponse is a GraphQL response.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

func (r *gqlResponse) err() error {
	if len(r.Errors) == 0 {
		return nil
	}
	e := r.Errors[0]
	code, _ := e.Extensions["code"].(string)
	return &apiError{Code: code, Message: e.Message}
}

// apiError is a GraphQL error with its code.
type apiError struct{ Code, Message string }

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func codeOf(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}

// gqlBody is the JSON body of a GraphQL request.
func gqlBody(query string, vars map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err) // only maps of plain values are marshalled
	}
	return b
}

// graphql runs an operation and decodes data into out (may be nil).
func (c *client) graphql(ctx context.Context, query string, vars map[string]any, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/graphql", bytes.NewReader(gqlBody(query, vars)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(req, out)
}

// upload runs a GraphQL multipart request (the GraphQL multipart request
// spec) with file as the variable "file".
func (c *client) upload(ctx context.Context, query, fileName string, file []byte, out any) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"file": nil}})
	_ = mw.WriteField("operations", string(ops))
	_ = mw.WriteField("map", `{"0":["variables.file"]}`)
	fw, err := mw.CreateFormFile("0", fileName)
	if err != nil {
		return err
	}
	_, _ = fw.Write(file)
	if err := mw.Close(); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/graphql", &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req, out)
}

func (c *client) do(req *http.Request, out any) error {
	req.Header.Set(c.authKey, c.authValue)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %d: %.300s", req.Method, req.URL.Path, resp.StatusCode, body)
	}
	var r gqlResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("%s %s: %w: %.300s", req.Method, req.URL.Path, err, body)
	}
	if err := r.err(); err != nil {
		return err
	}
	if out != nil {
		return json.Unmarshal(r.Data, out)
	}
	return nil
}
