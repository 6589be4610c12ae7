package reports_test

import (
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/ai/aitest"
	"github.com/avatarimaging/avatarcrm/internal/ai/openai"
	"github.com/avatarimaging/avatarcrm/internal/reports"
)

func remoteAI(t *testing.T, fake *aitest.Server) *ai.AI {
	t.Helper()
	return ai.New(ai.Options{
		Model:     openai.New(openai.Config{BaseURL: fake.BaseURL(), APIKey: "test-key"}),
		FastModel: "fast", SmartModel: "smart",
		Prices: ai.DefaultPrices, JSONModes: ai.DefaultJSONModes,
		Timeout: 2 * time.Second, Zone: sydney,
		Now:    func() time.Time { return fixtureNow },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

// The built-in engine words the no-show report's facts; a model's
// rewording keeps its sentences that cite the facts' numbers and loses
// the one that cites a number no code computed.
func TestInsightsDropNumbersNotAmongTheFacts(t *testing.T) {
	f := sharedFixture(t)
	req := request(reports.NoShows, "2026-03-30", "2026-04-12")

	// Built in: the sentences come from the facts.
	f.svcReports.AI = ai.New(ai.Options{Zone: sydney, Now: func() time.Time { return fixtureNow }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	res, err := f.svcReports.Generate(f.managerCtx(), req)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, in := range res.Insights {
		texts = append(texts, string(in.Kind)+": "+in.Text)
	}
	joined := strings.Join(texts, "\n")
	for _, want := range []string{"ANOMALY: Friday 4 pm has a no-show rate of 40% (8 of 20), against 20.3% overall.", "FINDING: No-show rate was 20.3% (14 of 69), up from 18.2%"} {
		if !strings.Contains(joined, want) {
			t.Errorf("built-in insights lack %q:\n%s", want, joined)
		}
	}
	if res.InsightsEngine != ai.EngineBuiltin {
		t.Errorf("engine %q", res.InsightsEngine)
	}

	// A model rephrases; "About 25 patients" is nowhere in the facts.
	fake := aitest.NewServer(t, func(aitest.Request) aitest.Response {
		return aitest.JSON(map[string]any{
			"insights": []string{
				"The no-show rate rose to 20.3%, from 18.2% in the previous fortnight.",
				"About 25 patients missed their scans.",
			},
			"recommendations": []string{"Call Friday afternoon patients the day before."},
			"anomalies":       []string{"Friday 4 pm stands out: 8 of 20 patients did not come, 40%."},
		}, 400, 90)
	})
	f.svcReports.AI = remoteAI(t, fake)
	res, err = f.svcReports.Generate(f.managerCtx(), req)
	if err != nil {
		t.Fatal(err)
	}
	texts = nil
	for _, in := range res.Insights {
		texts = append(texts, in.Text)
	}
	want := []string{
		"Friday 4 pm stands out: 8 of 20 patients did not come, 40%.",
		"The no-show rate rose to 20.3%, from 18.2% in the previous fortnight.",
		"Call Friday afternoon patients the day before.",
	}
	if !slices.Equal(texts, want) || res.InsightsEngine != ai.EngineOpenAI {
		t.Errorf("insights %q (engine %s), want %q", texts, res.InsightsEngine, want)
	}
	if len(fake.Requests()) != 1 {
		t.Errorf("%d model calls, want 1", len(fake.Requests()))
	}
	// The model was sent facts, never rows: no contact names.
	if u := fake.Requests()[0].User(); strings.Contains(u, "Lead1") || !strings.Contains(u, "Friday 4 pm") {
		t.Errorf("sent: %s", u)
	}
}
