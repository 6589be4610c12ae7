package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/config"
)

func TestLoad_AIDefaults(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := config.Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	a := c.AI
	if a.Provider != "builtin" || !a.Redact || a.Timeout != 2*time.Second || a.ModelFast != "@cf/meta/llama-3.2-1b-instruct" || a.ModelSmart != "@cf/meta/llama-3.1-8b-instruct" {
		t.Errorf("defaults %+v", a)
	}
	if a.Prices["@cf/meta/llama-3.1-8b-instruct"] != (ai.Price{InputPerMillion: 282_000, OutputPerMillion: 827_000}) || a.JSONModes["@cf/meta/llama-3.2-1b-instruct"] != ai.JSONNone {
		t.Errorf("prices %v modes %v", a.Prices, a.JSONModes)
	}
}

func TestLoad_AIOpenAI(t *testing.T) {
	t.Chdir(t.TempDir())
	key := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(key, []byte("cf-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load([]string{"--ai-timeout", "1500ms"}, env(map[string]string{
		"AVATARCRM_AI_PROVIDER": "openai", "AVATARCRM_AI_BASE_URL": "https://api.cloudflare.com/client/v4/accounts/abc/ai/v1",
		"AVATARCRM_AI_API_KEY_FILE": key, "AVATARCRM_AI_REDACT": "false",
		"AVATARCRM_AI_MODEL_FAST": "llama3.2:1b", "AVATARCRM_AI_PRICES": "llama3.2:1b=0/0, @cf/meta/llama-3.1-8b-instruct=0.3/0.9",
		"AVATARCRM_AI_JSON_MODES": "llama3.2:1b=json_object",
	}))
	if err != nil {
		t.Fatal(err)
	}
	a := c.AI
	if a.APIKey != "cf-token" || a.Redact || a.Timeout != 1500*time.Millisecond || a.Prices["llama3.2:1b"] != (ai.Price{}) ||
		a.Prices["@cf/meta/llama-3.1-8b-instruct"].OutputPerMillion != 900_000 || a.JSONModes["llama3.2:1b"] != ai.JSONObject {
		t.Errorf("got %+v", a)
	}
}

func TestLoad_AIErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"AVATARCRM_AI_PROVIDER": "claude"}, "is not builtin or openai"},
		{map[string]string{"AVATARCRM_AI_PROVIDER": "openai"}, "AVATARCRM_AI_BASE_URL is required"},
		{map[string]string{"AVATARCRM_AI_PROVIDER": "openai", "AVATARCRM_AI_BASE_URL": "http://api.example.com/v1"}, "must use https://"},
		{map[string]string{"AVATARCRM_AI_PROVIDER": "openai", "AVATARCRM_AI_BASE_URL": "ftp://x/v1"}, "is not a URL"},
		{map[string]string{"AVATARCRM_AI_PROVIDER": "openai", "AVATARCRM_AI_BASE_URL": "http://ollama:11434/v1", "AVATARCRM_AI_MODEL_FAST": "llama3.2"}, `no price for model "llama3.2"`},
		{map[string]string{"AVATARCRM_AI_TIMEOUT": "2"}, "AVATARCRM_AI_TIMEOUT"},
		{map[string]string{"AVATARCRM_AI_TIMEOUT": "5m"}, "between 100ms and 1m"},
		{map[string]string{"AVATARCRM_AI_REDACT": "maybe"}, "AVATARCRM_AI_REDACT"},
		{map[string]string{"AVATARCRM_AI_PRICES": "llama=cheap"}, "AVATARCRM_AI_PRICES"},
		{map[string]string{"AVATARCRM_AI_JSON_MODES": "llama=yaml"}, "AVATARCRM_AI_JSON_MODES"},
		{map[string]string{"AVATARCRM_AI_API_KEY": "a", "AVATARCRM_AI_API_KEY_FILE": "b"}, "both set"},
	} {
		_, err := config.Load(nil, env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error containing %q", tc.env, err, tc.want)
		}
	}
	// Ollama on this machine or a private address is fine over http.
	for _, u := range []string{"http://localhost:11434/v1", "http://10.0.0.5:11434/v1", "http://ollama:11434/v1"} {
		if _, err := config.Load(nil, env(map[string]string{"AVATARCRM_AI_PROVIDER": "openai", "AVATARCRM_AI_BASE_URL": u})); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}
