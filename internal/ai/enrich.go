package ai

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/avatarimaging/avatarcrm/internal/ai/intent"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
)

// CatalogueService is one service of the location's catalogue.
type CatalogueService struct {
	ID, Name string
	// Modality takes the service modality enum's values: mri, ct, xray,
	// ultrasound, mammography, dexa, nuclear, other.
	Modality string
	// Aliases are other names patients use for it, if the clinic keeps
	// any.
	Aliases []string
}

// EnrichInput is what a web form or a chat bot sent about a lead.
type EnrichInput struct {
	LocationID string
	// Source names the sender (wix, manychat, web_form …), for the
	// prompt.
	Source string
	// Fields are the fields as received, any names ("Full Name",
	// "mobile", "last_input_text", "custom_fields.scan" …); untrusted.
	Fields map[string]string
	// Catalogue is the location's services.
	Catalogue []CatalogueService
	// Region reads local phone numbers; default "AU".
	Region string
	// Now dates the call (and bounds dates of birth); zero means the AI's
	// clock.
	Now time.Time
}

// Lead intents: what the lead wants.
const (
	LeadBook     = "book"
	LeadPrice    = "price"
	LeadQuestion = "question"
	LeadResults  = "results"
	LeadOther    = "other"
)

// Urgencies.
const (
	UrgencyLow    = "low"
	UrgencyNormal = "normal"
	UrgencyHigh   = "high"
	UrgencyUrgent = "urgent"
)

// FieldProblem is a field that could not be normalised.
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Enrichment is a lead's details, tidied.
type Enrichment struct {
	Answer
	// Normalised fields: names trimmed and cased, email lower case, phone
	// E.164, date of birth YYYY-MM-DD, Australian postcode. Always the
	// built-in engine's work; a model never writes them.
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	Email       string `json:"email"`
	Phone       string `json:"phone"`
	DateOfBirth string `json:"dateOfBirth"`
	Postcode    string `json:"postcode"`
	// Message is the lead's own words, as found.
	Message string `json:"message"`
	// Problems lists the fields that were there but could not be read.
	Problems []FieldProblem `json:"problems,omitempty"`
	// ServiceID and ServiceName are the catalogue service asked about, ""
	// when none could be told apart.
	ServiceID   string `json:"serviceId"`
	ServiceName string `json:"serviceName"`
	// Modality is the kind of scan asked about, even when the exact
	// service is unclear.
	Modality string `json:"modality"`
	// Intent is book, price, question, results or other.
	Intent string `json:"intent"`
	// Urgency is low, normal, high or urgent.
	Urgency string `json:"urgency"`
}

// fieldNames maps the field names senders use (lower case, letters and
// digits only) to ours.
var fieldNames = map[string]string{
	"firstname": "first", "fname": "first", "givenname": "first", "first": "first",
	"lastname": "last", "lname": "last", "surname": "last", "familyname": "last", "last": "last",
	"name": "name", "fullname": "name", "yourname": "name", "contactname": "name", "patientname": "name",
	"email": "email", "emailaddress": "email", "youremail": "email", "mail": "email",
	"phone": "phone", "mobile": "phone", "phonenumber": "phone", "mobilenumber": "phone", "tel": "phone", "telephone": "phone", "cell": "phone", "contactnumber": "phone", "mobilephone": "phone",
	"dob": "dob", "dateofbirth": "dob", "birthdate": "dob", "birthday": "dob",
	"postcode": "postcode", "zip": "postcode", "postalcode": "postcode",
	"message": "message", "enquiry": "message", "inquiry": "message", "comments": "message", "comment": "message", "notes": "message",
	"question": "message", "lastinputtext": "message", "details": "message", "yourmessage": "message", "howcanwehelp": "message",
	"service": "service", "scan": "service", "scantype": "service", "procedure": "service", "interestedin": "service", "exam": "service", "examination": "service",
}

func fieldKey(name string) string {
	name = strings.ToLower(name)
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:] // "custom_fields.scan"
	}
	var b strings.Builder
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return fieldNames[b.String()]
}

// EnrichContact implements Service.
func (a *AI) EnrichContact(ctx context.Context, in EnrichInput) (Enrichment, error) {
	now := a.nowOr(in.Now)
	b := a.builtinEnrich(in, now)
	return run(ctx, a, request[Enrichment]{
		uc: UseEnrich, location: in.LocationID, builtin: b,
		answer: func(r *Enrichment) *Answer { return &r.Answer },
		final:  strings.TrimSpace(b.Message) == "" && b.serviceText(in) == "",
		schema: a.schemas.byUseCase[UseEnrich],
		prompt: func() (string, string) { return a.enrichPrompt(in, b, now) },
		accept: func(raw []byte) (Enrichment, error) { return acceptEnrich(raw, in, b) },
	}), nil
}

func (e Enrichment) serviceText(in EnrichInput) string {
	var s []string
	for k, v := range in.Fields {
		if fieldKey(k) == "service" {
			s = append(s, v)
		}
	}
	slices.Sort(s)
	return strings.Join(s, " ")
}

func (a *AI) builtinEnrich(in EnrichInput, now time.Time) Enrichment {
	e := Enrichment{Answer: Answer{Engine: EngineBuiltin, Model: BuiltinModel}}
	region := in.Region
	if region == "" {
		region = "AU"
	}
	// Fields in a fixed order, so that two fields of one kind always
	// resolve the same way.
	keys := make([]string, 0, len(in.Fields))
	for k := range in.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var fullName string
	var msgs []string
	for _, k := range keys {
		v := strings.TrimSpace(in.Fields[k])
		if v == "" {
			continue
		}
		switch fieldKey(k) {
		case "first":
			e.FirstName = personName(v)
		case "last":
			e.LastName = personName(v)
		case "name":
			fullName = v
		case "email":
			if em, err := normalize.Email(v); err == nil {
				e.Email = em
			} else {
				e.Problems = append(e.Problems, FieldProblem{"email", fmt.Sprintf("%q %v", v, err)})
			}
		case "phone":
			if p, err := normalize.Phone(v, region); err == nil {
				e.Phone = p
			} else {
				e.Problems = append(e.Problems, FieldProblem{"phone", fmt.Sprintf("%q %v", v, err)})
			}
		case "dob":
			if d, ok := parseDOB(v, now); ok {
				e.DateOfBirth = d
			} else {
				e.Problems = append(e.Problems, FieldProblem{"dateOfBirth", fmt.Sprintf("%q is not a date of birth", v)})
			}
		case "postcode":
			if len(v) == 4 && strings.Trim(v, "0123456789") == "" {
				e.Postcode = v
			} else {
				e.Problems = append(e.Problems, FieldProblem{"postcode", fmt.Sprintf("%q is not an Australian postcode", v)})
			}
		case "message":
			msgs = append(msgs, v)
		}
	}
	if fullName != "" && e.FirstName == "" && e.LastName == "" {
		parts := strings.Fields(personName(fullName))
		if len(parts) == 1 {
			e.FirstName = parts[0]
		} else if len(parts) > 1 {
			e.FirstName, e.LastName = strings.Join(parts[:len(parts)-1], " "), parts[len(parts)-1]
		}
	}
	e.Message = strings.Join(msgs, "\n")
	text := e.serviceText(in) + "\n" + e.Message
	w := words(text)
	svc, modality, conf := matchService(w, in.Catalogue)
	e.Modality = modality
	if svc != nil {
		e.ServiceID, e.ServiceName = svc.ID, svc.Name
	}
	e.Intent, e.Urgency = leadIntent(text, w), urgency(w)
	e.Confidence = conf
	var why []string
	switch {
	case svc != nil:
		why = append(why, "asks about "+svc.Name)
	case modality != "":
		why = append(why, "asks about "+strings.ToUpper(modality)+" (which service is unclear)")
	default:
		why = append(why, "no service named")
	}
	why = append(why, "wants: "+e.Intent, "urgency: "+e.Urgency)
	if len(e.Problems) > 0 {
		why = append(why, fmt.Sprintf("%d field(s) unreadable", len(e.Problems)))
	}
	e.Reason = strings.Join(why, "; ")
	return e
}

// personName trims a name and fixes shouting and all-lower case ("JOHN
// o'brien" → "John O'Brien"); mixed case is left as typed ("McDonald").
func personName(s string) string {
	s = normalize.Name(s)
	if s != strings.ToUpper(s) && s != strings.ToLower(s) {
		return s
	}
	rs := []rune(strings.ToLower(s))
	for i := range rs {
		if i == 0 || rs[i-1] == ' ' || rs[i-1] == '-' || rs[i-1] == '\'' {
			rs[i] = unicode.ToUpper(rs[i])
		}
	}
	return string(rs)
}

// parseDOB reads a date of birth written day first, as Australians do,
// or as ISO; it must lie between 1900 and today.
func parseDOB(s string, now time.Time) (string, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006", "02-01-2006", "2-1-2006", "02.01.2006", "2 January 2006", "2 Jan 2006", "January 2 2006", "January 2, 2006", "02/01/06", "2/1/06"} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if t.Year() < 1900 || t.After(now) {
			return "", false
		}
		return t.Format("2006-01-02"), true
	}
	return "", false
}

// modalityWords name each modality in patients' words.
var modalityWords = map[string][]string{
	"mri":         {"mri", "m r i", "magnetic resonance", "mr scan"},
	"ct":          {"ct", "cat scan", "ct scan", "computed tomography", "c t"},
	"xray":        {"xray", "x ray", "xr", "radiograph"},
	"ultrasound":  {"ultrasound", "u s", "sonogram", "sono", "pregnancy scan", "baby scan", "doppler"},
	"mammography": {"mammogram", "mammo", "mammography", "breast screen", "breastscreen", "breast scan"},
	"dexa":        {"dexa", "dxa", "bone density"},
	"nuclear":     {"nuclear", "bone scan", "pet scan", "pet ct", "spect"},
}

// bodyParts maps patients' words to the words services are named with.
var bodyParts = map[string]string{
	"knee": "knee", "knees": "knee", "brain": "brain", "head": "brain", "spine": "spine", "back": "spine", "lumbar": "lumbar",
	"lower back": "lumbar", "neck": "cervical", "cervical": "cervical", "chest": "chest", "lung": "chest", "lungs": "chest",
	"abdomen": "abdomen", "abdominal": "abdomen", "stomach": "abdomen", "tummy": "abdomen", "belly": "abdomen", "liver": "abdomen",
	"pelvis": "pelvis", "pelvic": "pelvis", "hand": "hand", "wrist": "wrist", "finger": "hand", "shoulder": "shoulder",
	"hip": "hip", "ankle": "ankle", "foot": "foot", "breast": "breast", "thyroid": "thyroid", "bone": "bone", "density": "density",
}

// words returns the lower-case words of s with punctuation as spaces,
// padded with spaces for phrase matching.
func words(s string) string {
	return " " + intent.Normalize(wordBreaks.Replace(s)) + " "
}

// wordBreaks are the punctuation words() reads as spaces (built once: a
// Replacer per call cost more than the rest of the enrichment).
var wordBreaks = strings.NewReplacer("-", " ", "/", " ", ".", " ")

// modalityOrder is the order modalities are looked for in.
var modalityOrder = []string{"mri", "ct", "xray", "ultrasound", "mammography", "dexa", "nuclear"}

// paddedModality and paddedParts are modalityWords and bodyParts with
// their words padded with spaces for phrase matching, built once.
var (
	paddedModality = map[string][]string{}
	paddedParts    []struct{ word, part string }
)

func init() {
	for m, syns := range modalityWords {
		for _, syn := range syns {
			paddedModality[m] = append(paddedModality[m], " "+syn+" ")
		}
	}
	for word, part := range bodyParts {
		paddedParts = append(paddedParts, struct{ word, part string }{" " + word + " ", part})
	}
	// A fixed order, so that nothing depends on the map's.
	slices.SortFunc(paddedParts, func(a, b struct{ word, part string }) int { return strings.Compare(a.word, b.word) })
}

// nameCache keeps words() of catalogue service names: a location's
// catalogue is a few dozen names, read on every enrichment.
var nameCache sync.Map // string → string

// nameWords is words(name), cached. The cache stops growing at 4,096
// names (a clinic group's catalogues are far smaller).
func nameWords(name string) string {
	if v, ok := nameCache.Load(name); ok {
		return v.(string)
	}
	w := words(name)
	if nameCacheSize.Add(1) <= 4096 {
		nameCache.Store(name, w)
	}
	return w
}

var nameCacheSize atomic.Int64

// matchService finds the catalogue service a text (as words() gives it)
// asks about. It returns
// the service (nil when none stands out), the modality asked about, and
// a confidence.
func matchService(w string, cat []CatalogueService) (*CatalogueService, string, float64) {
	modality := ""
	for _, m := range modalityOrder {
		for _, syn := range paddedModality[m] {
			if strings.Contains(w, syn) {
				modality = m
				break
			}
		}
		if modality != "" {
			break
		}
	}
	// The padded words ("  knee ") of every body part the text names,
	// found once rather than per service.
	var asked []string
	for _, bp := range paddedParts {
		if strings.Contains(w, bp.word) {
			for _, other := range paddedParts {
				if other.part == bp.part && !slices.Contains(asked, other.word) {
					asked = append(asked, other.word)
				}
			}
		}
	}
	best, bestScore, tie := -1, 0, false
	for i, s := range cat {
		score := 0
		name := nameWords(s.Name)
		if strings.Contains(w, name) {
			score += 10 // the service named in full
		}
		for _, al := range s.Aliases {
			if al != "" && strings.Contains(w, words(al)) {
				score += 6
			}
		}
		if modality != "" && (s.Modality == modality || slices.ContainsFunc(paddedModality[modality], func(syn string) bool { return strings.Contains(name, syn) })) {
			score += 3
		}
		if slices.ContainsFunc(asked, func(word string) bool { return strings.Contains(name, word) }) {
			score += 2
		}
		switch {
		case score > bestScore:
			best, bestScore, tie = i, score, false
		case score == bestScore && score > 0:
			tie = true
		}
	}
	if best >= 0 && modality == "" {
		modality = cat[best].Modality
	}
	switch {
	case best < 0:
		return nil, modality, 0.5
	case tie:
		// Several services fit equally ("MRI" at a clinic with three).
		return nil, modality, 0.5
	case bestScore >= 10:
		return &cat[best], modality, 0.95
	case bestScore >= 5:
		return &cat[best], modality, 0.85
	}
	return &cat[best], modality, 0.65
}

var (
	priceWords   = []string{"how much", "cost", "costs", "price", "prices", "pricing", "fee", "fees", "bulk bill", "bulk billed", "bulk billing", "gap", "out of pocket", "rebate", "medicare", "$", "charge", "expensive", "quote"}
	resultsWords = []string{"results", "result", "report", "images", "films", "cd", "copy of my"}
	bookWords    = []string{"book", "booking", "appointment", "appt", "available", "availability", "slot", "come in", "schedule", "get a scan", "get an", "need a", "need an", "referral", "referred", "when can", "next available", "earliest"}
)

// leadIntent reads what a lead wants from their text and its words().
func leadIntent(text, w string) string {
	has := func(list []string) bool {
		return slices.ContainsFunc(list, func(p string) bool { return strings.Contains(w, " "+p+" ") })
	}
	switch {
	case has(resultsWords) && !has(bookWords):
		return LeadResults
	case has(priceWords) || strings.Contains(text, "$"):
		return LeadPrice
	case has(bookWords):
		return LeadBook
	case strings.Contains(text, "?"):
		return LeadQuestion
	case strings.TrimSpace(text) == "":
		return LeadOther
	}
	return LeadBook // a lead who wrote in about a scan wants one
}

var (
	urgentWords = []string{"urgent", "urgently", "asap", "emergency", "as soon as possible", "severe", "cant walk", "immediately", "right away", "today", "straight away", "excruciating"}
	highWords   = []string{"soon", "this week", "pain", "painful", "tomorrow", "quickly", "next few days", "worried", "sore", "hurts", "specialist appointment"}
	lowWords    = []string{"no rush", "no hurry", "whenever", "sometime", "some time", "next month", "just wondering", "planning", "in a few weeks", "not urgent", "later in the year"}
)

// urgency reads how urgent a lead is from words(text).
func urgency(w string) string {
	has := func(list []string) bool {
		return slices.ContainsFunc(list, func(p string) bool { return strings.Contains(w, " "+p+" ") })
	}
	switch {
	case has(lowWords):
		return UrgencyLow
	case has(urgentWords):
		return UrgencyUrgent
	case has(highWords):
		return UrgencyHigh
	}
	return UrgencyNormal
}

func (a *AI) enrichPrompt(in EnrichInput, b Enrichment, now time.Time) (string, string) {
	red := a.redactor(now, b.FirstName, b.LastName)
	var cat []map[string]string
	for _, s := range in.Catalogue {
		cat = append(cat, map[string]string{"id": s.ID, "name": s.Name, "modality": s.Modality})
	}
	data := map[string]any{
		"source":          in.Source,
		"service_field":   red.Redact(truncate(b.serviceText(in), 200)),
		"message":         red.Redact(truncate(b.Message, 1500)),
		"catalogue":       cat,
		"today":           now.Format("2006-01-02"),
		"builtin_service": b.ServiceID,
	}
	sys := `You read an enquiry a medical imaging clinic received from a web form or chat bot. Say which service of the catalogue it asks about (service_id from the catalogue, or null when it is unclear), what the person wants (intent: book, price, question, results, other) and how urgent it is (urgency: low, normal, high, urgent), with your confidence, 0 to 1.
` + guard
	return sys, promptJSON(data)
}

type enrichAnswer struct {
	ServiceID  *string `json:"service_id"`
	Intent     string  `json:"intent"`
	Urgency    string  `json:"urgency"`
	Confidence float64 `json:"confidence"`
}

// acceptEnrich takes a model's service (only one of the catalogue),
// intent and urgency; the normalised fields stay the built-in engine's.
func acceptEnrich(raw []byte, in EnrichInput, b Enrichment) (Enrichment, error) {
	var m enrichAnswer
	if err := json.Unmarshal(raw, &m); err != nil {
		return Enrichment{}, reject("%v", err)
	}
	e := b
	e.Intent, e.Urgency, e.Confidence = m.Intent, m.Urgency, m.Confidence
	e.ServiceID, e.ServiceName = "", ""
	if m.ServiceID != nil && *m.ServiceID != "" {
		i := slices.IndexFunc(in.Catalogue, func(s CatalogueService) bool { return s.ID == *m.ServiceID })
		if i < 0 {
			return Enrichment{}, reject("service %q is not in the catalogue", *m.ServiceID)
		}
		e.ServiceID, e.ServiceName, e.Modality = in.Catalogue[i].ID, in.Catalogue[i].Name, in.Catalogue[i].Modality
	}
	svc := "no service named"
	if e.ServiceName != "" {
		svc = "asks about " + e.ServiceName
	}
	e.Reason = fmt.Sprintf("The model: %s; wants: %s; urgency: %s", svc, e.Intent, e.Urgency)
	return e, nil
}
