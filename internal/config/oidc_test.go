package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/config"
)

func oidcEnv(extra map[string]string) map[string]string {
	e := map[string]string{
		"AVATARCRM_OIDC_ISSUER":        "https://accounts.google.com",
		"AVATARCRM_OIDC_CLIENT_ID":     "1234.apps.googleusercontent.com",
		"AVATARCRM_OIDC_CLIENT_SECRET": "s3cret",
	}
	for k, v := range extra {
		if v == "" {
			delete(e, k)
			continue
		}
		e[k] = v
	}
	return e
}

func TestLoad_OIDC(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := config.Load(nil, env(oidcEnv(map[string]string{
		"AVATARCRM_BASE_URL":           "https://crm.avatarimaging.com.au/",
		"AVATARCRM_OIDC_HOSTED_DOMAIN": "AvatarImaging.com.au",
	})))
	if err != nil {
		t.Fatal(err)
	}
	if !c.OIDCEnabled() || c.OIDCClientSecret != "s3cret" || c.OIDCHostedDomain != "avatarimaging.com.au" {
		t.Fatalf("oidc settings: enabled=%v hd=%q", c.OIDCEnabled(), c.OIDCHostedDomain)
	}
	if got := c.OIDCRedirectURL(); got != "https://crm.avatarimaging.com.au/auth/callback" {
		t.Fatalf("redirect URL = %s", got)
	}
}

// A server with real sign-in has dev mode (and the demo data) off even on
// the zero-config address, unless AVATARCRM_DEV says otherwise.
func TestLoad_OIDCTurnsDevOff(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := config.Load(nil, env(oidcEnv(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if c.Dev || c.SeedDemo {
		t.Fatalf("dev=%v seed=%v with OIDC configured, want both off", c.Dev, c.SeedDemo)
	}
	c, err = config.Load(nil, env(oidcEnv(map[string]string{"AVATARCRM_DEV": "true"})))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Dev {
		t.Fatal("explicit AVATARCRM_DEV=true was overridden")
	}
	c, err = config.Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Dev || c.OIDCEnabled() {
		t.Fatalf("zero-config: dev=%v oidc=%v", c.Dev, c.OIDCEnabled())
	}
}

func TestLoad_OIDCSecretFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	f := filepath.Join(dir, "secret")
	if err := os.WriteFile(f, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(nil, env(oidcEnv(map[string]string{"AVATARCRM_OIDC_CLIENT_SECRET": "", "AVATARCRM_OIDC_CLIENT_SECRET_FILE": f})))
	if err != nil {
		t.Fatal(err)
	}
	if c.OIDCClientSecret != "from-file" {
		t.Fatalf("secret = %q", c.OIDCClientSecret)
	}
}

func TestLoad_OIDCErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"IssuerOnly", map[string]string{"AVATARCRM_OIDC_ISSUER": "https://accounts.google.com"}, "partly configured"},
		{"ClientIDOnly", map[string]string{"AVATARCRM_OIDC_CLIENT_ID": "x"}, "partly configured"},
		{"HostedDomainOnly", map[string]string{"AVATARCRM_OIDC_HOSTED_DOMAIN": "avatarimaging.com.au"}, "AVATARCRM_OIDC_HOSTED_DOMAIN"},
		{"NoSecret", oidcEnv(map[string]string{"AVATARCRM_OIDC_CLIENT_SECRET": ""}), "AVATARCRM_OIDC_CLIENT_SECRET"},
		{"BothSecrets", oidcEnv(map[string]string{"AVATARCRM_OIDC_CLIENT_SECRET_FILE": empty}), "both set"},
		{"MissingSecretFile", oidcEnv(map[string]string{"AVATARCRM_OIDC_CLIENT_SECRET": "", "AVATARCRM_OIDC_CLIENT_SECRET_FILE": filepath.Join(dir, "nope")}), "AVATARCRM_OIDC_CLIENT_SECRET_FILE"},
		{"EmptySecretFile", oidcEnv(map[string]string{"AVATARCRM_OIDC_CLIENT_SECRET": "", "AVATARCRM_OIDC_CLIENT_SECRET_FILE": empty}), "is empty"},
		{"PlainHTTPIssuer", oidcEnv(map[string]string{"AVATARCRM_OIDC_ISSUER": "http://accounts.google.com"}), "https://"},
		{"NotAURL", oidcEnv(map[string]string{"AVATARCRM_OIDC_ISSUER": "accounts.google.com"}), "AVATARCRM_OIDC_ISSUER"},
		{"BadHostedDomain", oidcEnv(map[string]string{"AVATARCRM_OIDC_HOSTED_DOMAIN": "not a domain"}), "AVATARCRM_OIDC_HOSTED_DOMAIN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(dir)
			_, err := config.Load(nil, env(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// A provider on this machine (a test double) may use plain HTTP.
func TestLoad_OIDCLoopbackHTTPIssuer(t *testing.T) {
	t.Chdir(t.TempDir())
	if _, err := config.Load(nil, env(oidcEnv(map[string]string{"AVATARCRM_OIDC_ISSUER": "http://127.0.0.1:5556/oidc"}))); err != nil {
		t.Fatal(err)
	}
}
