package messaging

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/smstemplate"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// Template keys (contracts: rules name them).
const (
	TemplateWelcome        = "welcome"
	TemplateConfirmation   = "confirmation"
	TemplateReminder24h    = "reminder_24h"
	TemplateReminder2h     = "reminder_2h"
	TemplateRecall         = "recall"
	TemplateNoShowFollowUp = "no_show_followup"
)

// DefaultTemplate is a standard template, seeded for every location.
type DefaultTemplate struct {
	Key, Name, Body string
	Marketing       bool
}

// DefaultTemplates are the six standard templates.
var DefaultTemplates = []DefaultTemplate{
	{TemplateWelcome, "Welcome (new lead)", "Hi {{first_name}}, thanks for contacting {{clinic}}. We'll call you shortly to help with your scan.", false},
	{TemplateConfirmation, "Booking confirmation", "Hi {{first_name}}, your {{appointments}} at {{clinic}} is booked for {{booking_date}}. Call us to change it.", false},
	{TemplateReminder24h, "Reminder 24 h before", "Reminder from {{clinic}}: hi {{first_name}}, see you on {{booking_date}} for your {{appointments}}.", false},
	{TemplateReminder2h, "Reminder 2 h before", "{{clinic}}: hi {{first_name}}, see you today for your {{appointments}}.", false},
	{TemplateRecall, "Recall", "Hi {{first_name}}, it's time for your follow-up {{service}} at {{clinic}}. Reply or call us to book.", true},
	{TemplateNoShowFollowUp, "No-show follow-up", "Hi {{first_name}}, we missed you at {{clinic}} today. Reply or call us to rebook your {{service}}.", false},
}

// Variables a template may use.
var Variables = []string{"first_name", "last_name", "clinic", "clinic_phone", "service", "booking_time", "booking_date", "booking_clock", "appointments"}

// OptOutLine ends every marketing message (Australian Spam Act).
const OptOutLine = "Reply STOP to opt out"

var varRE = regexp.MustCompile(`\{\{\s*([a-zA-Z_]+)\s*\}\}`)

// Layouts of dates and times in messages: "Tue 9 Dec, 2:30 pm".
const (
	layoutTime  = "Mon 2 Jan, 3:04 pm"
	layoutDate  = "Mon 2 Jan"
	layoutClock = "3:04 pm"
)

// Render fills body's variables from vars; unknown variables are left as
// written and listed.
func Render(body string, vars map[string]string) (string, []string) {
	var unknown []string
	out := varRE.ReplaceAllStringFunc(body, func(m string) string {
		name := varRE.FindStringSubmatch(m)[1]
		if v, ok := vars[name]; ok {
			return v
		}
		if !slices.Contains(unknown, name) {
			unknown = append(unknown, name)
		}
		return m
	})
	return out, unknown
}

// CheckTemplate refuses a body that is empty or uses an unknown variable
// (INVALID on the field "body").
func CheckTemplate(body string) error {
	if strings.TrimSpace(body) == "" {
		return apperr.Invalidf("body", "the text is empty")
	}
	for _, m := range varRE.FindAllStringSubmatch(body, -1) {
		if !slices.Contains(Variables, m[1]) {
			return apperr.Invalidf("body", "unknown variable {{%s}} (known: %s)", m[1], strings.Join(Variables, ", "))
		}
	}
	return nil
}

// Finish makes a rendered text ready to send: it names the clinic (every
// SMS must say who sends it) and, for marketing, ends with the opt-out line.
func Finish(text, clinic string, marketing bool) string {
	text = strings.TrimSpace(text)
	if clinic != "" && !strings.Contains(strings.ToLower(text), strings.ToLower(clinic)) {
		text = clinic + ": " + text
	}
	if marketing && !strings.Contains(strings.ToUpper(text), "STOP") {
		text += "\n" + OptOutLine
	}
	return text
}

// Appointment is one booking as a template shows it.
type Appointment struct {
	Service  string
	StartsAt time.Time
}

// BookingVars are the booking variables of one or more appointments on
// one day (a combined reminder), in zone.
func BookingVars(apps []Appointment, zone *time.Location) map[string]string {
	if len(apps) == 0 {
		return map[string]string{}
	}
	first := apps[0].StartsAt.In(zone)
	parts := make([]string, len(apps))
	services := make([]string, len(apps))
	for i, a := range apps {
		parts[i] = a.Service + " at " + a.StartsAt.In(zone).Format(layoutClock)
		services[i] = a.Service
	}
	return map[string]string{
		"service":       joinAnd(services),
		"booking_time":  first.Format(layoutTime),
		"booking_date":  first.Format(layoutDate),
		"booking_clock": first.Format(layoutClock),
		"appointments":  joinAnd(parts),
	}
}

func joinAnd(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// SeedTemplates creates the standard templates a location does not have
// yet (call it wherever a location is created; it is idempotent). c is the
// caller's client (its transaction's, when in one).
func SeedTemplates(ctx context.Context, c *ent.Client, locationID pulid.ID) error {
	have, err := c.SMSTemplate.Query().Where(smstemplate.LocationID(locationID)).Select(smstemplate.FieldKey).Strings(ctx)
	if err != nil {
		return fmt.Errorf("sms templates: %w", err)
	}
	for _, d := range DefaultTemplates {
		if slices.Contains(have, d.Key) {
			continue
		}
		if err := c.SMSTemplate.Create().SetLocationID(locationID).SetKey(d.Key).SetName(d.Name).SetBody(d.Body).SetMarketing(d.Marketing).Exec(ctx); err != nil {
			return fmt.Errorf("sms template %s: %w", d.Key, err)
		}
	}
	return nil
}

// template returns the location's template with key, or the standard one
// if the location has none (a location created before templates existed).
func template(ctx context.Context, c *ent.Client, locationID pulid.ID, key string) (DefaultTemplate, error) {
	t, err := c.SMSTemplate.Query().Where(smstemplate.LocationID(locationID), smstemplate.Key(key)).Only(ctx)
	if err == nil {
		return DefaultTemplate{Key: t.Key, Name: t.Name, Body: t.Body, Marketing: t.Marketing}, nil
	}
	if !ent.IsNotFound(err) {
		return DefaultTemplate{}, err
	}
	i := slices.IndexFunc(DefaultTemplates, func(d DefaultTemplate) bool { return d.Key == key })
	if i < 0 {
		return DefaultTemplate{}, apperr.NotFoundf("template", "no SMS template %q", key)
	}
	return DefaultTemplates[i], nil
}
