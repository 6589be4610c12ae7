package ai_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/ai/reportquery"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

func newBuiltin(t testing.TB) (*ai.AI, *ai.MemoryUsage) {
	t.Helper()
	usage := &ai.MemoryUsage{Zone: syd}
	return ai.New(ai.Options{Usage: usage, Budget: usage, Zone: syd, Now: func() time.Time { return now }, Redact: true}), usage
}

func days(n float64) time.Duration { return time.Duration(n * 24 * float64(time.Hour)) }

// warmInput is a Google Ads lead, contacted, who replied msg two days ago
// and has a booking in five days.
func warmInput(msg string) ai.WarmnessInput {
	return ai.WarmnessInput{
		LocationID: "SYD", Now: now,
		Contact: ai.WarmContact{FirstName: "Priya", LastName: "Raman", LeadSource: "google_ads", Stage: "contacted", SMSConsent: true},
		Touchpoints: []ai.Touchpoint{
			{Kind: "sms_out", At: now.Add(-days(5)), Text: "Hi Priya, your MRI is booked"},
			{Kind: "sms_in", At: now.Add(-days(2)), Text: msg},
		},
		Bookings: []ai.BookingFact{{Status: "pending", StartsAt: now.Add(days(5))}},
	}
}

func TestDetectSMSIntent_Builtin(t *testing.T) {
	a, usage := newBuiltin(t)
	tue := time.Date(2026, 3, 31, 12, 0, 0, 0, syd)
	for _, tc := range []struct {
		msg    string
		intent ai.Intent
		start  *time.Time
	}{
		{"Y", ai.IntentConfirm, nil},
		{"yep see you then 👍", ai.IntentConfirm, nil},
		{"can't make it sorry", ai.IntentCancel, nil},
		{"can we do Tues arvo instead", ai.IntentReschedule, &tue},
		{"do I need to fast?", ai.IntentQuestion, nil},
		{"STOP", ai.IntentOptOut, nil},
		{"START", ai.IntentOptIn, nil},
		{"wrong number", ai.IntentOther, nil},
	} {
		res, err := a.DetectSMSIntent(context.Background(), ai.SMSInput{LocationID: "SYD", Message: tc.msg})
		if err != nil {
			t.Fatal(err)
		}
		if res.Intent != tc.intent || res.Engine != ai.EngineBuiltin || res.Model != ai.BuiltinModel || res.Reason == "" {
			t.Errorf("%q: got %+v, want %s", tc.msg, res, tc.intent)
		}
		if tc.start != nil && (res.Proposed == nil || !res.Proposed.Start.Equal(*tc.start)) {
			t.Errorf("%q: proposed %+v, want from %s", tc.msg, res.Proposed, tc.start)
		}
		if res.Threshold != ai.DefaultIntentThreshold || res.NeedsReview != (res.Confidence < res.Threshold) && res.Intent != ai.IntentOther {
			t.Errorf("%q: threshold %v needsReview %v confidence %v", tc.msg, res.Threshold, res.NeedsReview, res.Confidence)
		}
	}
	if n := len(usage.Records()); n != 8 {
		t.Errorf("%d usage records, want one per call", n)
	}
	if rec := usage.Records()[0]; rec.Engine != ai.EngineBuiltin || rec.Model != ai.BuiltinModel || rec.Cost() != 0 || rec.Fallback != "" {
		t.Errorf("built-in usage record %+v", rec)
	}
}

func TestDetectSMSIntent_LowConfidenceNeedsReview(t *testing.T) {
	a := ai.New(ai.Options{IntentThreshold: 0.999})
	res, _ := a.DetectSMSIntent(context.Background(), ai.SMSInput{Message: "hmm maybe"})
	if res.Threshold != 0.999 || res.Confidence >= res.Threshold || !res.NeedsReview {
		t.Errorf("got %+v, want a confidence under the threshold flagged for review", res)
	}
	res, _ = a.DetectSMSIntent(context.Background(), ai.SMSInput{Message: ""})
	if res.Intent != ai.IntentOther || !res.NeedsReview {
		t.Errorf("empty message: %+v", res)
	}
	_, err := a.DetectSMSIntent(context.Background(), ai.SMSInput{Message: strings.Repeat("a", ai.MaxSMSLength+1)})
	if apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("an overlong message: %v, want INVALID", err)
	}
}

// Only the patient's own contact is "last contact" (issue 11): a patient
// who never got in touch, cancelled once and missed an appointment is
// cold, however busy the clinic was messaging them.
func TestAnalyzeWarmness_OwnContactOnly(t *testing.T) {
	a, _ := newBuiltin(t)
	in := ai.WarmnessInput{
		Now:     now,
		Contact: ai.WarmContact{LeadSource: "meta_ads", Stage: "booked", SMSConsent: true},
		Touchpoints: []ai.Touchpoint{
			{Kind: "sms_out", At: now.Add(-time.Hour)},
			{Kind: "booking_event", At: now.Add(-2 * time.Hour)}, // staff made the booking
			{Kind: "call_out", At: now.Add(-days(1))},
		},
		Bookings: []ai.BookingFact{{Status: "cancelled", StartsAt: now.Add(-days(10))}, {Status: "no_show", StartsAt: now.Add(-days(3))}},
	}
	w, err := a.AnalyzeWarmness(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range w.Reasons {
		if r.Factor == "recency" && (r.Points != 0 || !strings.HasPrefix(r.Detail, "No contact")) {
			t.Errorf("recency %+v: the clinic's own messages are not the patient's contact", r)
		}
	}
	if w.Band != ai.BandCold || w.Score > 20 {
		t.Errorf("got %d (%s): %+v", w.Score, w.Band, w.Reasons)
	}
	// The same patient booking online themselves has been in touch.
	in.Touchpoints[1].ByContact = true
	w2, _ := a.AnalyzeWarmness(context.Background(), in)
	if w2.Score <= w.Score {
		t.Errorf("a booking the patient made counts as their contact: %d, not above %d", w2.Score, w.Score)
	}
}

func TestAnalyzeWarmness_MessageIntent(t *testing.T) {
	a, _ := newBuiltin(t)
	keen, _ := a.AnalyzeWarmness(context.Background(), warmInput("yes please book me in, see you then"))
	stop, _ := a.AnalyzeWarmness(context.Background(), warmInput("STOP"))
	if keen.RulesScore != stop.RulesScore {
		t.Fatalf("same history, rules %d and %d", keen.RulesScore, stop.RulesScore)
	}
	if keen.Score != keen.RulesScore+ai.MessageIntentPoints[ai.IntentConfirm] || stop.Score != stop.RulesScore+ai.MessageIntentPoints[ai.IntentOptOut] {
		t.Errorf("keen %d, stop %d, rules %d", keen.Score, stop.Score, keen.RulesScore)
	}
	last := stop.Reasons[len(stop.Reasons)-1]
	if last.Factor != ai.FactorMessageIntent || !strings.Contains(last.Detail, "opt-out") {
		t.Errorf("reason %+v", last)
	}
	if _, err := a.AnalyzeWarmness(context.Background(), ai.WarmnessInput{Contact: ai.WarmContact{LeadSource: "tiktok"}}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("unknown lead source: %v", err)
	}
}

func TestEnrichContact_Builtin(t *testing.T) {
	a, _ := newBuiltin(t)
	cat := []ai.CatalogueService{
		{ID: "s1", Name: "MRI Brain", Modality: "mri"}, {ID: "s2", Name: "MRI Knee", Modality: "mri"},
		{ID: "s3", Name: "CT Chest", Modality: "ct"}, {ID: "s4", Name: "Screening Mammogram", Modality: "mammography"},
	}
	e, err := a.EnrichContact(context.Background(), ai.EnrichInput{
		Source: "wix", Catalogue: cat,
		Fields: map[string]string{"Full Name": "  JANE   O'BRIEN ", "Mobile": "0412 345 678", "E-mail": "Jane.OBrien@Example.COM ", "DOB": "04/07/1979",
			"How can we help?": "Hi, my GP referred me for an MRI of my knee, it's quite painful. How much will it cost?", "postcode": "2150"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.FirstName != "Jane" || e.LastName != "O'Brien" || e.Phone != "+61412345678" || e.Email != "jane.obrien@example.com" || e.DateOfBirth != "1979-07-04" || e.Postcode != "2150" {
		t.Errorf("fields %+v", e)
	}
	if e.ServiceID != "s2" || e.Modality != "mri" || e.Intent != ai.LeadPrice || e.Urgency != ai.UrgencyHigh {
		t.Errorf("service %s (%s), intent %s, urgency %s", e.ServiceID, e.Modality, e.Intent, e.Urgency)
	}
	e, _ = a.EnrichContact(context.Background(), ai.EnrichInput{Fields: map[string]string{"first_name": "mary-jane", "last_name": "McDonald"}})
	if e.FirstName != "Mary-Jane" || e.LastName != "McDonald" {
		t.Errorf("names %q %q", e.FirstName, e.LastName)
	}
	// "MRI" alone at a clinic with two MRIs names the modality, not a
	// service.
	e, _ = a.EnrichContact(context.Background(), ai.EnrichInput{Catalogue: cat, Fields: map[string]string{"last_input_text": "need an MRI asap", "phone": "12"}})
	if e.ServiceID != "" || e.Modality != "mri" || e.Urgency != ai.UrgencyUrgent || e.Intent != ai.LeadBook || len(e.Problems) != 1 || e.Problems[0].Field != "phone" {
		t.Errorf("got %+v", e)
	}
}

func TestGenerateEmailCampaign_Builtin(t *testing.T) {
	a, _ := newBuiltin(t)
	c, err := a.GenerateEmailCampaign(context.Background(), ai.CampaignInput{
		Goal: "patients due for their annual mammogram", Tone: ai.ToneFriendly,
		Audience: ai.Audience{Service: "Screening Mammogram", Clinic: "Avatar Imaging Sydney", Phone: "(02) 9200 0100", BookingURL: "https://avatarimaging.com.au/book?s=mammo&utm=x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Template != ai.GoalRecall || !strings.Contains(c.Subject, "Screening Mammogram") || !strings.Contains(c.Subject, ai.FirstNamePlaceholder) {
		t.Errorf("subject %q (template %s)", c.Subject, c.Template)
	}
	for _, want := range []string{`href="` + ai.UnsubscribePlaceholder + `"`, `href="https://avatarimaging.com.au/book?s=mammo&amp;utm=x"`, "(02) 9200 0100", "<p>Hi {{first_name}},</p>"} {
		if !strings.Contains(c.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, c.HTML)
		}
	}
	if !strings.Contains(c.Text, "Unsubscribe: "+ai.UnsubscribePlaceholder) || strings.Contains(c.Text, "<") {
		t.Errorf("text:\n%s", c.Text)
	}
	for _, tone := range ai.Tones {
		for _, goal := range ai.Goals {
			if _, err := a.GenerateEmailCampaign(context.Background(), ai.CampaignInput{Goal: goal, Tone: tone}); err != nil {
				t.Errorf("%s/%s: %v", goal, tone, err)
			}
		}
	}
	if _, err := a.GenerateEmailCampaign(context.Background(), ai.CampaignInput{Goal: "recall", Tone: "shouty"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("unknown tone: %v", err)
	}
	if _, err := a.GenerateEmailCampaign(context.Background(), ai.CampaignInput{Goal: "recall", Audience: ai.Audience{BookingURL: "javascript:alert(1)"}}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("a javascript: link: %v", err)
	}
}

func f64(v float64) *float64 { return &v }

func noShowFacts() ai.InsightsInput {
	return ai.InsightsInput{
		LocationID: "SYD", Report: "NO_SHOWS", Period: "March 2026", Compare: "February 2026",
		Facts: []ai.Fact{
			{ID: "no_show_rate", Label: "No-show rate", Unit: ai.UnitPercent, Value: 12.5, Previous: f64(8), Significant: true, Count: 25, N: 200, LowerIsBetter: true},
			{ID: "no_show_rate", Label: "No-show rate", Unit: ai.UnitPercent, Kind: ai.FactOutlier, Segment: "Friday 4 pm", Value: 30, Previous: f64(12.5), Count: 9, N: 30, LowerIsBetter: true},
			{ID: "revenue", Label: "Revenue", Unit: ai.UnitCents, Kind: ai.FactBest, Segment: "Meta Ads", Value: 1_240_000},
		},
	}
}

func TestGenerateReportInsights_Builtin(t *testing.T) {
	a, _ := newBuiltin(t)
	r, err := a.GenerateReportInsights(context.Background(), noShowFacts())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"No-show rate was 12.5% (25 of 200), up from 8% in February 2026.",
		"Meta Ads had the highest revenue: $12,400.",
	}
	if strings.Join(r.Insights, "|") != strings.Join(want, "|") {
		t.Errorf("insights %q", r.Insights)
	}
	if len(r.Anomalies) != 2 || r.Anomalies[1] != "Friday 4 pm has a no-show rate of 30% (9 of 30), against 12.5% overall." {
		t.Errorf("anomalies %q", r.Anomalies)
	}
	if len(r.Recommendations) != 3 || !strings.Contains(r.Recommendations[0], "second reminder") || !strings.Contains(r.Recommendations[1], "Friday 4 pm") {
		t.Errorf("recommendations %q", r.Recommendations)
	}
	if _, err := a.GenerateReportInsights(context.Background(), ai.InsightsInput{Facts: []ai.Fact{{ID: "x", Label: "X", Unit: "furlongs"}}}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("unknown unit: %v", err)
	}
}

func TestPrioritizeTask_Builtin(t *testing.T) {
	a, _ := newBuiltin(t)
	due := now.Add(2 * time.Hour)
	p, err := a.PrioritizeTask(context.Background(), ai.PriorityInput{Task: ai.TaskInfo{Kind: "call", DueAt: &due}, Contact: &ai.TaskContact{Warmness: 90}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Priority != "urgent" || p.RulesPriority != "urgent" || p.Reason != "Urgent: due within 4 hours" {
		t.Errorf("got %+v", p)
	}
	p, _ = a.PrioritizeTask(context.Background(), ai.PriorityInput{Task: ai.TaskInfo{Kind: "no_show_follow_up"}})
	if p.Priority != "high" || !strings.Contains(p.Reason, "no-show follow-up") {
		t.Errorf("got %+v", p)
	}
	if _, err := a.PrioritizeTask(context.Background(), ai.PriorityInput{Task: ai.TaskInfo{Kind: "dance"}}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("unknown kind: %v", err)
	}
}

func staff() []ai.StaffLoad {
	return []ai.StaffLoad{
		{ID: "u1", Name: "Sam Patel", Skills: []string{"mri", "calls"}, Workload: 9, OpenTasks: 4},
		{ID: "u2", Name: "Chloe Nguyen", Skills: []string{"MRI "}, Workload: 5, OpenTasks: 2},
		{ID: "u3", Name: "Alex Wong", Skills: []string{"calls"}, Workload: 1, OpenTasks: 1},
		{ID: "u4", Name: "Bea Costa", Skills: []string{"mri"}, Workload: 5, OpenTasks: 3},
	}
}

func TestSuggestAssignee_Builtin(t *testing.T) {
	a, _ := newBuiltin(t)
	s, err := a.SuggestAssignee(context.Background(), ai.AssigneeInput{Task: ai.TaskInfo{Skill: "mri"}, Staff: staff()})
	if err != nil {
		t.Fatal(err)
	}
	if s.StaffID != "u2" || len(s.Ranked) != 3 || !strings.HasPrefix(s.Reason, "Chloe Nguyen: lowest workload with skill mri, tied with Bea Costa and fewer open tasks") {
		t.Errorf("got %+v", s)
	}
	s, _ = a.SuggestAssignee(context.Background(), ai.AssigneeInput{Task: ai.TaskInfo{Skill: "ct"}, Staff: staff()})
	if s.StaffID != "" || !strings.Contains(s.Reason, "has the skill ct") {
		t.Errorf("nobody with ct: %+v", s)
	}
}

func catalogue() reportquery.Static {
	return reportquery.Static{
		KindSpecs: reportquery.DefaultKinds(), SourceNames: reportquery.DefaultSources,
		Locs:         []reportquery.Location{{ID: "SYD", Code: "SYD", Name: "Avatar Imaging Sydney"}, {ID: "PAR", Code: "PAR", Name: "Avatar Imaging Parramatta"}},
		ServiceNames: []string{"MRI Knee", "CT Chest"},
	}
}

func TestParseReportQuery_Builtin(t *testing.T) {
	a, _ := newBuiltin(t)
	q, err := a.ParseReportQuery(context.Background(), ai.ReportQueryInput{Text: "no-shows for last quarter at Sydney by service", Catalogue: catalogue()})
	if err != nil {
		t.Fatal(err)
	}
	if !q.OK || q.Request.Kind != "NO_SHOWS" || q.Request.Period.From != "2025-10-01" || q.Request.Locations[0] != "SYD" || q.Request.GroupBy[0] != "service" {
		t.Errorf("got %+v %+v", q, q.Request)
	}
	q, _ = a.ParseReportQuery(context.Background(), ai.ReportQueryInput{Text: "SELECT * FROM contacts", Catalogue: catalogue()})
	if q.OK || len(q.Suggestions) == 0 {
		t.Errorf("got %+v, want suggestions", q)
	}
	if _, err := a.ParseReportQuery(context.Background(), ai.ReportQueryInput{Text: "no-shows"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("without a catalogue: %v", err)
	}
}

func BenchmarkDetectSMSIntent(b *testing.B) {
	a := ai.New(ai.Options{Zone: syd})
	in := ai.SMSInput{LocationID: "SYD", Message: "yes but can we do Tues arvo instead?", Now: now}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.DetectSMSIntent(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAnalyzeWarmness(b *testing.B) {
	a := ai.New(ai.Options{Zone: syd})
	in := warmInput("can I book the MRI for next week?")
	for i := range 20 {
		in.Touchpoints = append(in.Touchpoints, ai.Touchpoint{Kind: "sms_out", At: now.Add(-days(float64(i * 4)))})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.AnalyzeWarmness(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// benchCatalogue is the demo clinic's catalogue.
var benchCatalogue = []ai.CatalogueService{
	{ID: "svc_1", Name: "MRI Brain", Modality: "mri"}, {ID: "svc_2", Name: "MRI Knee", Modality: "mri"},
	{ID: "svc_3", Name: "MRI Lumbar Spine", Modality: "mri"}, {ID: "svc_4", Name: "CT Chest", Modality: "ct"},
	{ID: "svc_5", Name: "CT Abdomen & Pelvis", Modality: "ct"}, {ID: "svc_6", Name: "X-Ray Chest", Modality: "xray"},
	{ID: "svc_7", Name: "X-Ray Hand & Wrist", Modality: "xray"}, {ID: "svc_8", Name: "Ultrasound Abdomen", Modality: "ultrasound"},
	{ID: "svc_9", Name: "Ultrasound Pelvis", Modality: "ultrasound"}, {ID: "svc_10", Name: "Screening Mammogram", Modality: "mammography"},
	{ID: "svc_11", Name: "DEXA Bone Density", Modality: "dexa"},
}

// BenchmarkEnrichContact is the built-in reading of a contact's notes as
// the create path does it (internal/aiwire.Enricher): the notes alone,
// the location's catalogue, no usage sink.
func BenchmarkEnrichContact(b *testing.B) {
	a := ai.New(ai.Options{Zone: syd}).Builtin()
	in := ai.EnrichInput{LocationID: "SYD", Source: "contact notes", Catalogue: benchCatalogue, Now: now,
		Fields: map[string]string{"notes": "GP referral for an MRI of my left knee, in a lot of pain since footy on Saturday. How much is it and can I book this week?"}}
	b.ReportAllocs()
	for b.Loop() {
		e, err := a.EnrichContact(context.Background(), in)
		if err != nil || e.ServiceID != "svc_2" {
			b.Fatalf("%+v %v", e, err)
		}
	}
}
