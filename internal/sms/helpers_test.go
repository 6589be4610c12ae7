package sms_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture reads testdata/name and fills in vars: URL-encoded for the form
// and query fixtures, JSON strings for .json.
func fixture(tb testing.TB, name string, vars map[string]string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	s := string(b)
	for k, v := range vars {
		enc := url.QueryEscape(v)
		if strings.HasSuffix(name, ".json") {
			j, _ := json.Marshal(v)
			enc = string(j)
		}
		s = strings.ReplaceAll(s, "{{"+k+"}}", enc)
	}
	return strings.TrimSpace(s)
}

// post sends a ClickSend webhook: variant post (form), get or json.
func post(tb testing.TB, hc *http.Client, base, kind, token, variant, fixtureName string, vars map[string]string) int {
	tb.Helper()
	u := base + "/hooks/clicksend/" + kind + "/" + token
	body := fixture(tb, fixtureName, vars)
	var req *http.Request
	var err error
	switch variant {
	case "get":
		req, err = http.NewRequest(http.MethodGet, u+"?"+body, nil)
	case "json":
		req, err = http.NewRequest(http.MethodPost, u, strings.NewReader(body))
		if req != nil {
			req.Header.Set("Content-Type", "application/json")
		}
	default:
		req, err = http.NewRequest(http.MethodPost, u, strings.NewReader(body))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	res, err := hc.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
