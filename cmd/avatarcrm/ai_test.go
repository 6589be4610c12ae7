package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/ai/aitest"
)

var accuracyRE = regexp.MustCompile(`^accuracy: (\d\.\d{3}) \((\d+)/(\d+)\)$`)

// evalRun runs "avatarcrm ai eval …" and returns stdout and the accuracy
// read from its last line.
func evalRun(t *testing.T, env map[string]string, args ...string) (string, float64) {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run(context.Background(), append([]string{"ai", "eval"}, args...), envOf(env), &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	m := accuracyRE.FindStringSubmatch(lines[len(lines)-1])
	if m == nil {
		t.Fatalf("the last line %q is not \"accuracy: 0.953 (110/116)\"\n%s", lines[len(lines)-1], out.String())
	}
	acc, _ := strconv.ParseFloat(m[1], 64)
	return out.String(), acc
}

// The held-out SMS replies: the built-in classifier's bar is 90%, and
// every STOP is caught.
func TestAIEval_IntentHeldOut(t *testing.T) {
	out, acc := evalRun(t, nil, "intent", "--file", "../../testdata/ai/intent_heldout.csv")
	if acc < 0.90 {
		t.Errorf("accuracy %.3f, want at least 0.90\n%s", acc, out)
	}
	if !strings.Contains(out, "opt-out recall: 1.000") || !strings.Contains(out, "confusion (rows: labelled, columns: predicted)") {
		t.Errorf("output:\n%s", out)
	}
}

func TestAIEval_WarmnessAndReportQuery(t *testing.T) {
	if out, acc := evalRun(t, nil, "warmness", "--file", "../../testdata/ai/warmness.json"); acc < 0.8 || !strings.Contains(out, "64 scenarios") {
		t.Errorf("warmness accuracy %.3f\n%s", acc, out)
	}
	if out, acc := evalRun(t, nil, "reportquery", "--file", "../../testdata/ai/reportquery.json"); acc < 0.9 {
		t.Errorf("report query accuracy %.3f\n%s", acc, out)
	}
	// The reports' own 60 questions (issue 18).
	if out, acc := evalRun(t, nil, "reportquery", "--file", "../../testdata/reports/questions.json"); acc < 0.9 || !strings.Contains(out, "/60)") {
		t.Errorf("reports' questions: accuracy %.3f\n%s", acc, out)
	}
}

// With a remote engine that fails, the evaluation still runs, on the
// built-in engine, and says so.
func TestAIEval_RemoteEngineFallingBack(t *testing.T) {
	fake := aitest.NewServer(t, func(aitest.Request) aitest.Response { return aitest.Response{Status: 500} })
	out, acc := evalRun(t, map[string]string{
		"AVATARCRM_AI_PROVIDER": "openai", "AVATARCRM_AI_BASE_URL": fake.BaseURL(), "AVATARCRM_AI_MODEL_FAST": "llama3.2:1b",
		"AVATARCRM_AI_PRICES": "llama3.2:1b=0/0",
	}, "intent", "--file", "../../testdata/ai/intent_heldout.csv")
	if acc < 0.90 || !strings.Contains(out, "fallback server_error") || !strings.Contains(out, "engine: openai at "+fake.BaseURL()) {
		t.Errorf("accuracy %.3f\n%s", acc, out)
	}
	if len(fake.Requests()) == 0 {
		t.Error("the remote engine was never asked")
	}
}

func TestAIEval_BadInvocations(t *testing.T) {
	for _, args := range [][]string{
		{"ai"}, {"ai", "eval", "intent"}, {"ai", "eval", "poetry", "--file", "x"}, {"ai", "eval", "intent", "--file", "nope.csv"},
		{"ai", "eval", "intent", "--file", "../../testdata/ai/warmness.json"},
	} {
		var out, errb bytes.Buffer
		if err := run(context.Background(), args, envOf(nil), &out, &errb); err == nil {
			t.Errorf("%q: want an error", args)
		}
	}
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"ai", "eval", "intent", "--file", "x.csv"}, envOf(map[string]string{"AVATARCRM_AI_PROVIDER": "openai"}), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "AVATARCRM_AI_BASE_URL is required") {
		t.Errorf("openai without a base URL: %v", err)
	}
}
