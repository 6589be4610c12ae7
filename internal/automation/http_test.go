package automation_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

func get(t *testing.T, srv *testutil.Server, c *http.Client, path string) string {
	t.Helper()
	resp, err := c.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, b)
	}
	return string(b)
}

// post posts an empty form (following the redirect) and returns the page.
func post(t *testing.T, srv *testutil.Server, c *http.Client, path string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(url.Values{}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusSeeOther {
		return get(t, srv, c, resp.Header.Get("Location"))
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d\n%s", path, resp.StatusCode, b)
	}
	return string(b)
}
