package messaging_test

import (
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
)

func TestCountSMS(t *testing.T) {
	for _, tc := range []struct {
		name, body      string
		enc             string
		units, segments int
	}{
		{"Empty", "", messaging.GSM7, 0, 1},
		{"Short", "Hi Ava, see you at 2:30 pm", messaging.GSM7, 26, 1},
		{"GSM160", strings.Repeat("a", 160), messaging.GSM7, 160, 1},
		{"GSM161", strings.Repeat("a", 161), messaging.GSM7, 161, 2},
		{"GSM306", strings.Repeat("a", 306), messaging.GSM7, 306, 2},
		{"GSM307", strings.Repeat("a", 307), messaging.GSM7, 307, 3},
		{"AccentsAreGSM", "Café à Zürich ñ", messaging.GSM7, 15, 1},
		// The euro and brackets are in the extension table: two septets.
		{"Extension", strings.Repeat("€", 80), messaging.GSM7, 160, 1},
		{"ExtensionOver", strings.Repeat("€", 80) + "x", messaging.GSM7, 161, 2},
		{"UCS70", strings.Repeat("你", 70), messaging.UCS2, 70, 1},
		{"UCS71", strings.Repeat("你", 71), messaging.UCS2, 71, 2},
		{"UCS134", strings.Repeat("你", 134), messaging.UCS2, 134, 2},
		{"UCS135", strings.Repeat("你", 135), messaging.UCS2, 135, 3},
		// One emoji makes the whole text UCS-2, and counts two units.
		{"Emoji", "See you soon 😀", messaging.UCS2, 15, 1},
		{"CurlyQuote", "It’s time", messaging.UCS2, 9, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := messaging.CountSMS(tc.body)
			if c.Encoding != tc.enc || c.Units != tc.units || c.Segments != tc.segments {
				t.Errorf("CountSMS = %+v, want %s %d units %d segments", c, tc.enc, tc.units, tc.segments)
			}
		})
	}
}

func TestQuietHours_NextAllowed(t *testing.T) {
	q := messaging.QuietHoursOf(types.DefaultLocationSettings(), sydney)
	for _, tc := range []struct {
		name     string
		at, want time.Time
	}{
		{"Day", syd("2026-03-11", "12:00"), syd("2026-03-11", "12:00")},
		{"JustBeforeQuiet", syd("2026-03-11", "19:59"), syd("2026-03-11", "19:59")},
		{"Evening", syd("2026-03-11", "20:00"), syd("2026-03-12", "08:00")},
		{"ThreeAM", syd("2026-03-12", "03:00"), syd("2026-03-12", "08:00")},
		{"EightAM", syd("2026-03-12", "08:00"), syd("2026-03-12", "08:00")},
		// First Sunday of April: clocks go back at 3 am, the night is an
		// hour longer: 21:00 AEDT (10:00 UTC) to 08:00 AEST (22:00 UTC).
		{"DaylightSavingEnds", syd("2026-04-04", "21:00"), time.Date(2026, 4, 4, 22, 0, 0, 0, time.UTC)},
		// First Sunday of October: clocks go forward at 2 am, an hour
		// shorter: 21:00 AEST (11:00 UTC) to 08:00 AEDT (21:00 UTC).
		{"DaylightSavingStarts", syd("2026-10-03", "21:00"), time.Date(2026, 10, 3, 21, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := q.NextAllowed(tc.at); !got.Equal(tc.want) {
				t.Errorf("NextAllowed(%s) = %s, want %s", tc.at.In(sydney), got.In(sydney), tc.want.In(sydney))
			}
		})
	}
	if d := time.Date(2026, 4, 4, 22, 0, 0, 0, time.UTC).Sub(syd("2026-04-04", "21:00")); d != 12*time.Hour {
		t.Errorf("the April night lasts %s, want 12h", d)
	}
	none := messaging.QuietHoursOf(types.LocationSettings{QuietHoursStart: "00:00", QuietHoursEnd: "00:00"}, sydney)
	if at := syd("2026-03-12", "03:00"); !none.NextAllowed(at).Equal(at) {
		t.Error("equal start and end should mean no quiet hours")
	}
}

func TestRenderAndFinish(t *testing.T) {
	vars := messaging.BookingVars([]messaging.Appointment{{Service: "MRI Knee", StartsAt: syd("2026-12-09", "14:30")}}, sydney)
	if vars["booking_time"] != "Wed 9 Dec, 2:30 pm" {
		t.Errorf("booking_time = %q", vars["booking_time"])
	}
	vars["first_name"] = "Ava"
	out, unknown := messaging.Render("Hi {{first_name}}, {{ booking_time }} {{nope}}", vars)
	if out != "Hi Ava, Wed 9 Dec, 2:30 pm {{nope}}" || len(unknown) != 1 || unknown[0] != "nope" {
		t.Errorf("Render = %q, %v", out, unknown)
	}
	if got := messaging.Finish("Hi Ava", "Avatar Imaging Sydney", true); got != "Avatar Imaging Sydney: Hi Ava\n"+messaging.OptOutLine {
		t.Errorf("Finish = %q", got)
	}
	if got := messaging.Finish("Avatar Imaging Sydney here", "Avatar Imaging Sydney", false); got != "Avatar Imaging Sydney here" {
		t.Errorf("Finish names the clinic twice: %q", got)
	}
	if err := messaging.CheckTemplate("Hi {{first_nam}}"); err == nil || !strings.Contains(err.Error(), "first_nam") {
		t.Errorf("CheckTemplate accepted an unknown variable: %v", err)
	}
	two := messaging.BookingVars([]messaging.Appointment{
		{Service: "MRI Knee", StartsAt: syd("2026-12-09", "09:00")},
		{Service: "CT Chest", StartsAt: syd("2026-12-09", "11:30")},
	}, sydney)
	if two["appointments"] != "MRI Knee at 9:00 am and CT Chest at 11:30 am" {
		t.Errorf("appointments = %q", two["appointments"])
	}
}
