package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad_ZeroConfig(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := config.Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || !c.Dev || !c.SeedDemo || c.SessionIdle != 15*time.Minute || c.Timezone != "Australia/Sydney" {
		t.Fatalf("zero-config: %+v", c)
	}
	if _, err := os.Stat("data"); err != nil {
		t.Fatalf("data directory not prepared: %v", err)
	}
}

func TestLoad_DevOffOutsideZeroConfig(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]map[string]string{
		"DatabaseSet":   {"AVATARCRM_DATABASE_URL": "sqlite:" + filepath.Join(dir, "x.db")},
		"PublicAddr":    {"AVATARCRM_ADDR": "0.0.0.0:8080"},
		"ExplicitFalse": {"AVATARCRM_DEV": "false"},
	}
	for name, e := range cases {
		t.Run(name, func(t *testing.T) {
			t.Chdir(dir)
			c, err := config.Load(nil, env(e))
			if err != nil {
				t.Fatal(err)
			}
			if c.Dev || c.SeedDemo {
				t.Fatalf("dev=%v seed=%v, want both off", c.Dev, c.SeedDemo)
			}
		})
	}
}

func TestLoad_FlagsOverrideEnv(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := config.Load([]string{"--addr", "127.0.0.1:9090"}, env(map[string]string{"AVATARCRM_ADDR": "127.0.0.1:7070"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9090" {
		t.Fatalf("addr = %s", c.Addr)
	}
}

func TestLoad_Errors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"BadPort", map[string]string{"AVATARCRM_ADDR": "127.0.0.1:99999"}, "port"},
		{"NoPort", map[string]string{"AVATARCRM_ADDR": "localhost"}, "host:port"},
		{"UnknownTimezone", map[string]string{"AVATARCRM_TIMEZONE": "Mars/Olympus_Mons"}, "unknown time zone"},
		{"UnwritableDB", map[string]string{"AVATARCRM_DATABASE_URL": "sqlite:" + filepath.Join(file, "sub", "x.db")}, "database"},
		{"DBIsDirectory", map[string]string{"AVATARCRM_DATABASE_URL": "sqlite:" + dir}, "is a directory"},
		{"UnknownScheme", map[string]string{"AVATARCRM_DATABASE_URL": "mysql://x"}, "want sqlite"},
		{"BadDev", map[string]string{"AVATARCRM_DEV": "maybe"}, "AVATARCRM_DEV"},
		{"BadIdle", map[string]string{"AVATARCRM_SESSION_IDLE": "soon"}, "AVATARCRM_SESSION_IDLE"},
		{"BadLevel", map[string]string{"AVATARCRM_LOG_LEVEL": "loud"}, "AVATARCRM_LOG_LEVEL"},
		{"BadBaseURL", map[string]string{"AVATARCRM_BASE_URL": "crm.example.com"}, "AVATARCRM_BASE_URL"},
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

func TestSettingsDocumentedInREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Settings {
		if !strings.Contains(string(readme), "`"+s.Env+"`") {
			t.Errorf("README.md does not document %s", s.Env)
		}
	}
}
