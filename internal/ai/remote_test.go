package ai_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/ai/aitest"
	"github.com/avatarimaging/avatarcrm/internal/ai/openai"
)

const (
	fastModel  = "@cf/meta/llama-3.2-1b-instruct"
	smartModel = "@cf/meta/llama-3.1-8b-instruct"
)

var (
	syd, _ = time.LoadLocation("Australia/Sydney")
	// Monday 30 March 2026, 10 am in Sydney.
	now = time.Date(2026, 3, 30, 10, 0, 0, 0, syd)
)

// newRemote returns an AI layer talking to the fake, with usage kept in
// memory, and that memory.
func newRemote(t *testing.T, fake *aitest.Server, change ...func(*ai.Options)) (*ai.AI, *ai.MemoryUsage) {
	t.Helper()
	usage := &ai.MemoryUsage{Zone: syd}
	o := ai.Options{
		Model:     openai.New(openai.Config{BaseURL: fake.BaseURL(), APIKey: "test-key"}),
		FastModel: fastModel, SmartModel: smartModel,
		Prices: ai.DefaultPrices, JSONModes: ai.DefaultJSONModes,
		Timeout: 2 * time.Second, Redact: true,
		Usage: usage, Budget: usage, Zone: syd,
		Now:    func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, c := range change {
		c(&o)
	}
	return ai.New(o), usage
}

func intentJSON(intent string, conf float64) aitest.Response {
	return aitest.JSON(map[string]any{"intent": intent, "confidence": conf, "proposed": nil}, 120, 20)
}

func lastRecord(t *testing.T, u *ai.MemoryUsage) ai.UsageRecord {
	t.Helper()
	rs := u.Records()
	if len(rs) == 0 {
		t.Fatal("no usage record")
	}
	return rs[len(rs)-1]
}

func TestRemote_Success(t *testing.T) {
	fake := aitest.NewServer(t, func(aitest.Request) aitest.Response { return intentJSON("question", 0.93) })
	a, usage := newRemote(t, fake)
	res, err := a.DetectSMSIntent(context.Background(), ai.SMSInput{LocationID: "SYD", Message: "is there parking near you", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Engine != ai.EngineOpenAI || res.Model != fastModel || res.Intent != ai.IntentQuestion || res.Fallback != "" || res.Confidence != 0.93 {
		t.Fatalf("got %+v, want the model's question (0.93) from %s", res, fastModel)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 || reqs[0].Model != fastModel || reqs[0].Authorization != "Bearer test-key" {
		t.Fatalf("requests %+v", reqs)
	}
	// Llama 3.2 1B has no JSON mode: no response_format, the schema is in
	// the prompt.
	if reqs[0].ResponseFormat != nil || !strings.Contains(reqs[0].User(), `"opt_out"`) {
		t.Errorf("fast model: response_format %+v; the prompt should carry the schema: %s", reqs[0].ResponseFormat, reqs[0].User())
	}
	rec := lastRecord(t, usage)
	// 120 prompt tokens at $0.027/M = 3,240 n$; 20 completion tokens at
	// $0.201/M = 4,020 n$.
	if rec.Engine != ai.EngineOpenAI || rec.Model != fastModel || rec.InputTokens != 120 || rec.OutputTokens != 20 ||
		rec.CostIn != 3240 || rec.CostOut != 4020 || rec.CacheHit || rec.Fallback != "" || rec.UseCase != ai.UseSMSIntent || rec.LocationID != "SYD" {
		t.Errorf("usage record %+v", rec)
	}
}

// The smart model has JSON mode: the schema goes as response_format.
func TestRemote_JSONSchemaMode(t *testing.T) {
	fake := aitest.NewServer(t, func(aitest.Request) aitest.Response {
		return aitest.JSON(map[string]any{"adjustment": 5, "reasons": []string{"wants_to_book"}, "confidence": 0.8}, 400, 30)
	})
	a, usage := newRemote(t, fake)
	w, err := a.AnalyzeWarmness(context.Background(), warmInput("can I book the MRI for next week?"))
	if err != nil {
		t.Fatal(err)
	}
	req := fake.Requests()[0]
	if req.Model != smartModel || req.ResponseFormat == nil || req.ResponseFormat.Type != "json_schema" || req.ResponseFormat.JSONSchema.Schema["properties"] == nil {
		t.Fatalf("request %s", req.Raw)
	}
	b, _ := a.Builtin().AnalyzeWarmness(context.Background(), warmInput("can I book the MRI for next week?"))
	if w.Engine != ai.EngineOpenAI || w.Score != b.Score+5 || w.RulesScore != b.RulesScore || w.Reasons[len(w.Reasons)-1].Factor != ai.FactorModel {
		t.Errorf("got %+v: want the built-in %d +5 from the model", w, b.Score)
	}
	if rec := usage.Records()[0]; rec.CostIn != 400*282 || rec.CostOut != 30*827 {
		t.Errorf("cost %d + %d, want %d + %d", rec.CostIn, rec.CostOut, 400*282, 30*827)
	}
}

func TestRemote_Fallbacks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		respond  aitest.Response
		fallback string
	}{
		{"Timeout", aitest.Response{Hang: true}, ai.FallbackTimeout},
		{"RateLimited", aitest.Response{Status: 429}, ai.FallbackRateLimited},
		{"ServerError", aitest.Response{Status: 500}, ai.FallbackServerError},
		{"Unauthorised", aitest.Response{Status: 401}, ai.FallbackHTTPError},
		{"MalformedJSON", aitest.Response{Content: `{"intent": "cancel", "confidence": 0.9`, PromptTokens: 100, CompletionTokens: 10}, ai.FallbackInvalidJSON},
		{"NotJSON", aitest.Response{Content: "Sure! The patient wants to cancel.", PromptTokens: 100, CompletionTokens: 10}, ai.FallbackInvalidJSON},
		{"SchemaInvalid", aitest.JSON(map[string]any{"intent": "cancel_all_bookings", "confidence": 1, "proposed": nil}, 100, 10), ai.FallbackSchemaInvalid},
		{"ExtraField", aitest.JSON(map[string]any{"intent": "cancel", "confidence": 1, "proposed": nil, "action": "delete"}, 100, 10), ai.FallbackSchemaInvalid},
		{"ProposedInThePast", aitest.JSON(map[string]any{"intent": "reschedule", "confidence": 0.9, "proposed": map[string]any{"date": "2020-01-01", "start": nil, "end": nil}}, 100, 10), ai.FallbackRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := aitest.NewServer(t, func(aitest.Request) aitest.Response { return tc.respond })
			a, usage := newRemote(t, fake, func(o *ai.Options) { o.Timeout = 300 * time.Millisecond })
			res, err := a.DetectSMSIntent(context.Background(), ai.SMSInput{LocationID: "SYD", Message: "can't make it sorry", Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if res.Engine != ai.EngineBuiltin || res.Fallback != tc.fallback || res.Intent != ai.IntentCancel {
				t.Fatalf("got %+v, want the built-in cancel with fallback %s", res, tc.fallback)
			}
			rec := lastRecord(t, usage)
			if rec.Engine != ai.EngineBuiltin || rec.Fallback != tc.fallback || rec.Model != fastModel {
				t.Errorf("usage record %+v", rec)
			}
			// A call that was answered is paid for, even when the answer
			// was useless.
			if tc.respond.PromptTokens > 0 && rec.Cost() == 0 {
				t.Errorf("an answered call should be costed: %+v", rec)
			}
		})
	}
}

// A slow model is abandoned at the timeout: the reply is answered by the
// built-in engine while the fake is still holding its answer.
func TestRemote_SlowAnswerFallsBackWithinTheBudget(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var done atomic.Bool
	fake := aitest.NewServer(t, func(aitest.Request) aitest.Response { return aitest.Response{Hang: true} })
	a, usage := newRemote(t, fake, func(o *ai.Options) { o.Timeout = 200 * time.Millisecond })
	go func() {
		select {
		case <-release:
		case <-time.After(30 * time.Second):
			if !done.Load() {
				panic("DetectSMSIntent waited for a model that never answers")
			}
		}
	}()
	res, _ := a.DetectSMSIntent(context.Background(), ai.SMSInput{Message: "yep see you then", Now: now})
	done.Store(true)
	if res.Fallback != ai.FallbackTimeout || res.Intent != ai.IntentConfirm {
		t.Fatalf("got %+v", res)
	}
	if rec := lastRecord(t, usage); rec.Latency < 200*time.Millisecond {
		t.Errorf("latency %s: the call returned before its timeout", rec.Latency)
	}
}

func TestRemote_ExhaustedBudgetMeansBuiltinOnly(t *testing.T) {
	fake := aitest.NewServer(t, func(aitest.Request) aitest.Response { return intentJSON("confirm", 0.9) })
	a, usage := newRemote(t, fake)
	usage.SetLimit("SYD", ai.Cents(100))
	// Earlier this month the location spent its dollar.
	_ = usage.RecordUsage(context.Background(), ai.UsageRecord{At: now.AddDate(0, 0, -3), LocationID: "SYD", CostIn: ai.Cents(60), CostOut: ai.Cents(40)})
	res, _ := a.DetectSMSIntent(context.Background(), ai.SMSInput{LocationID: "SYD", Message: "yes", Now: now})
	if res.Engine != ai.EngineBuiltin || res.Fallback != ai.FallbackBudgetExhausted {
		t.Fatalf("got %+v", res)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("the fake got %d request(s); an exhausted budget sends none", n)
	}
	// Another location, another budget.
	res, _ = a.DetectSMSIntent(context.Background(), ai.SMSInput{LocationID: "PAR", Message: "yes", Now: now})
	if res.Engine != ai.EngineOpenAI {
		t.Errorf("PAR has no budget set: got %+v", res)
	}
	// Last month's spending does not count.
	_ = usage.RecordUsage(context.Background(), ai.UsageRecord{At: now.AddDate(0, 0, -31), LocationID: "PAR", CostIn: ai.Dollar})
	usage.SetLimit("PAR", ai.Dollar)
	if res, _ = a.DetectSMSIntent(context.Background(), ai.SMSInput{LocationID: "PAR", Message: "yes please", Now: now}); res.Engine != ai.EngineOpenAI {
		t.Errorf("PAR spent its budget last month, not this one: got %+v", res)
	}
}

func TestRemote_BudgetAlerts(t *testing.T) {
	// Each call costs 120×27 + 20×201 = 7,260 n$.
	fake := aitest.NewServer(t, func(aitest.Request) aitest.Response { return intentJSON("confirm", 0.9) })
	a, usage := newRemote(t, fake)
	usage.SetLimit("SYD", 20_000)
	var alerts []int
	for i, msg := range []string{"yes", "yep", "ok", "sure"} {
		res, _ := a.DetectSMSIntent(context.Background(), ai.SMSInput{LocationID: "SYD", Message: msg, Now: now})
		rec := lastRecord(t, usage)
		alerts = append(alerts, rec.Alert)
		if i == 3 && res.Fallback != ai.FallbackBudgetExhausted {
			t.Errorf("call 4 after 21,780 n$ of 20,000: got %+v", res)
		}
	}
	// 7,260 (36%), 14,520 (73%), 21,780 (109%: crosses 80 and 100 at once, reported as 100), then no call.
	if want := []int{0, 0, 100, 0}; !equalInts(alerts, want) {
		t.Errorf("alerts %v, want %v", alerts, want)
	}
	st, _ := usage.BudgetStatus(context.Background(), "SYD", now)
	if st.Level() != ai.AlertExhausted || st.Percent() != 108 {
		t.Errorf("status %+v level %d percent %d", st, st.Level(), st.Percent())
	}
	if (ai.BudgetStatus{Limit: 100, Spent: 70}).Crossed(10) != ai.AlertWarn {
		t.Error("70 → 80 of 100 crosses the 80% alert")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRemote_IdenticalInputsAreCached(t *testing.T) {
	fake := aitest.NewServer(t, func(aitest.Request) aitest.Response { return intentJSON("question", 0.9) })
	a, usage := newRemote(t, fake)
	in := ai.SMSInput{LocationID: "SYD", Message: "do I need to fast?", Now: now}
	first, _ := a.DetectSMSIntent(context.Background(), in)
	second, _ := a.DetectSMSIntent(context.Background(), in)
	if n := len(fake.Requests()); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	if first.CacheHit || !second.CacheHit || second.Intent != ai.IntentQuestion || second.Engine != ai.EngineOpenAI {
		t.Errorf("first %+v second %+v", first, second)
	}
	if rec := lastRecord(t, usage); !rec.CacheHit || rec.Cost() != 0 || rec.InputTokens != 0 {
		t.Errorf("cache hit record %+v", rec)
	}
}

// The rules' STOP is final: no model is asked, whatever it would say.
func TestRemote_OptOutNeverAsksTheModel(t *testing.T) {
	fake := aitest.NewServer(t, func(aitest.Request) aitest.Response { return intentJSON("confirm", 1) })
	a, _ := newRemote(t, fake)
	for _, msg := range []string{"STOP", "please stop texting me", "unsubscibe"} {
		res, _ := a.DetectSMSIntent(context.Background(), ai.SMSInput{Message: msg, Now: now})
		if res.Intent != ai.IntentOptOut || res.Engine != ai.EngineBuiltin || res.Confidence != 1 {
			t.Errorf("%q: %+v", msg, res)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("the model was asked %d time(s)", n)
	}
}

// A model may read an opt-out the rules missed; a person confirms it.
func TestRemote_ModelOptOutNeedsReview(t *testing.T) {
	fake := aitest.NewServer(t, func(aitest.Request) aitest.Response { return intentJSON("opt_out", 0.95) })
	a, _ := newRemote(t, fake)
	res, _ := a.DetectSMSIntent(context.Background(), ai.SMSInput{Message: "I'd rather not hear from you people", Now: now})
	if res.Intent != ai.IntentOptOut || !res.NeedsReview {
		t.Errorf("got %+v, want opt_out for a person to confirm", res)
	}
}

func TestRemote_ProposedTimeFromTheModel(t *testing.T) {
	fake := aitest.NewServer(t, func(aitest.Request) aitest.Response {
		return aitest.JSON(map[string]any{"intent": "reschedule", "confidence": 0.9, "proposed": map[string]any{"date": "2026-04-02", "start": "13:00", "end": "15:00"}}, 100, 30)
	})
	a, _ := newRemote(t, fake)
	res, _ := a.DetectSMSIntent(context.Background(), ai.SMSInput{Message: "could you fit me in around lunch on the second?", Now: now})
	if res.Proposed == nil || !res.Proposed.Start.Equal(time.Date(2026, 4, 2, 13, 0, 0, 0, syd)) || !res.Proposed.End.Equal(time.Date(2026, 4, 2, 15, 0, 0, 0, syd)) {
		t.Fatalf("got %+v", res.Proposed)
	}
}

func TestCost(t *testing.T) {
	p, err := ai.ParsePrices("@cf/meta/llama-3.1-8b-instruct=0.282/0.827, llama3.2:1b=0/0,gpt=1.25/10")
	if err != nil {
		t.Fatal(err)
	}
	in, out := p["@cf/meta/llama-3.1-8b-instruct"].Cost(1_000_000, 1_000_000)
	if in != 282_000_000 || out != 827_000_000 || (in+out).String() != "$1.109" {
		t.Errorf("a million tokens each way: %d + %d = %s", in, out, in+out)
	}
	in, out = p["gpt"].Cost(1234, 567)
	if in != 1_542_500 || out != 5_670_000 {
		t.Errorf("gpt: %d, %d", in, out)
	}
	if in, out = p["llama3.2:1b"].Cost(5000, 5000); in != 0 || out != 0 {
		t.Error("a free model costs nothing")
	}
	if ai.Cents(150).String() != "$1.50" || ai.Nanodollars(3240).String() != "$0.00000324" {
		t.Errorf("%s %s", ai.Cents(150), ai.Nanodollars(3240))
	}
	for _, bad := range []string{"model", "m=0.1", "m=abc/1", "m=0.1234567/1", "m=-1/1"} {
		if _, err := ai.ParsePrices(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

// decodeUser returns the data block of a request's user message.
func decodeUser(t *testing.T, r aitest.Request) map[string]any {
	t.Helper()
	u := r.User()
	if i := strings.Index(u, "\n\nAnswer with one JSON object"); i >= 0 {
		u = u[:i]
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(u), &m); err != nil {
		t.Fatalf("the user message is not a JSON data block: %v\n%s", err, u)
	}
	return m
}
