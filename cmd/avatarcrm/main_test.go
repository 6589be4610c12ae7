package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestServe_ZeroConfigStartsWithDemoData(t *testing.T) {
	t.Chdir(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		// Port 0 instead of 8080 so tests never collide; everything else is
		// the zero-config start.
		done <- run(ctx, []string{"serve"}, envOf(map[string]string{"AVATARCRM_ADDR": "127.0.0.1:0", "AVATARCRM_LOG_LEVEL": "warn"}), io.Discard, pw)
		pw.Close()
	}()
	addr := ""
	re := regexp.MustCompile(`ready in (\S+) at (http://\S+)`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			addr = m[2]
			t.Logf("started in %s", m[1])
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if addr == "" {
		cancel()
		t.Fatalf("server did not start: %v", <-done)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Post(addr+"/auth/dev", "application/x-www-form-urlencoded", strings.NewReader("email=staff%40example.com"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookie := resp.Header.Get("Set-Cookie")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(cookie, "HttpOnly") {
		t.Fatalf("dev sign-in: %d %q", resp.StatusCode, cookie)
	}
	req, _ := http.NewRequest(http.MethodPost, addr+"/graphql", strings.NewReader(`{"query":"{ contacts(first: 3) { totalCount edges { node { firstName } } } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", strings.Split(cookie, ";")[0])
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte(`"totalCount":160`)) {
		t.Fatalf("contacts query: %s", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("graceful stop: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop")
	}
}

func TestServe_BadSettings(t *testing.T) {
	t.Chdir(t.TempDir())
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:70000", "--timezone", "Nowhere/Land"}, envOf(nil), io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "port") || !strings.Contains(err.Error(), "unknown time zone") {
		t.Fatalf("err = %v, want both problems named", err)
	}
}

func TestSeedAndMigrate(t *testing.T) {
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "crm.db")
	env := envOf(map[string]string{"AVATARCRM_DATABASE_URL": url})
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "applied") {
		t.Fatalf("migrate: %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"seed", "--demo"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "210 contacts") {
		t.Fatalf("first seed: %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"seed", "--demo"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 locations, 0 users, 0 services, 0 contacts") {
		t.Fatalf("second seed must create nothing: %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"migrate", "status"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "pending") || !strings.Contains(out.String(), "applied") {
		t.Fatalf("status: %q", out.String())
	}
	if err := run(ctx, []string{"seed"}, env, io.Discard, io.Discard); err == nil {
		t.Fatal("seed without --demo should say what to seed")
	}
	if err := run(ctx, []string{"frobnicate"}, env, io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}
}
