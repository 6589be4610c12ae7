package textcheck_test

import (
	"context"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/ent/session"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/auth"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/textcheck"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

func TestProblem(t *testing.T) {
	for _, tc := range []struct {
		s         string
		multiline bool
		want      string // "" means fine
	}{
		{"Ann-Marie O'Brien", false, ""},
		{"Zoë Ñúñez 李小龍 👩‍⚕️", false, ""},
		{"", false, ""},
		{"\u200bzero width", false, ""}, // a format character, not a control
		{"A\xffB", false, "is not valid UTF-8 text"},
		{"\xc3", true, "is not valid UTF-8 text"},
		{"a\x00b", false, "contains a control character (U+0000)"},
		{"a\x1bb", true, "contains a control character (U+001B)"},
		{"a\x7fb", false, "contains a control character (U+007F)"},
		{"a\u0085b", false, "contains a control character (U+0085)"},
		{"line\nbreak", false, "must be one line"},
		{"tab\there", false, "must be one line"},
		{"line one\r\n\tline two", true, ""},
		{"nul\x00in notes", true, "contains a control character (U+0000)"},
	} {
		if got := textcheck.Problem(tc.s, tc.multiline); !strings.Contains(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("Problem(%q, %v) = %q, want %q", tc.s, tc.multiline, got, tc.want)
		}
	}
	for name, want := range map[string]bool{"notes": true, "Notes": true, "cancel_reason": true, "cancelReason": true, "description": true,
		"firstName": false, "first_name": false, "firstNameContains": false, "notesContains": false, "query": false, "tags": false} {
		if textcheck.Multiline(name) != want {
			t.Errorf("Multiline(%q) = %v", name, !want)
		}
	}
	err := textcheck.Check("first_name", "A\x00")
	if ae := apperr.From(err); ae.Code != apperr.Invalid || ae.Field != "first_name" {
		t.Errorf("Check: %#v", err)
	}
}

// TestHook: whatever road a write takes, text is checked before it is
// stored; the system's own records (sessions) are left alone.
func TestHook(t *testing.T) {
	d := testutil.DemoDB(t)
	// The hook is installed with the others by internal/entclient.
	testutil.Client(t, d)
	ctx := testutil.As(t, d.Client, "staff@example.com")
	for _, tc := range []struct {
		name, field string
		save        func() error
	}{
		{"create, not UTF-8", "first_name", func() error { return d.Client.Contact.Create().SetFirstName("Ren\xe9e").Exec(ctx) }},
		{"create, NUL", "last_name", func() error { return d.Client.Contact.Create().SetFirstName("Ann").SetLastName("B\x00").Exec(ctx) }},
		{"create, tag", "tags", func() error {
			return d.Client.Contact.Create().SetFirstName("Ann").SetTags([]string{"ok", "b\x07"}).Exec(ctx)
		}},
		{"update, line break in a name", "first_name", func() error {
			return d.Client.Contact.Update().Where().SetFirstName("Two\nLines").Exec(ctx)
		}},
		{"append, tag", "tags", func() error { return d.Client.Contact.Update().AppendTags([]string{"\x1b[31m"}).Exec(ctx) }},
		{"task title", "title", func() error { return d.Client.Task.Create().SetTitle("Call\x00back").Exec(ctx) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.save()
			if ae := apperr.From(err); ae.Code != apperr.Invalid || ae.Field != tc.field {
				t.Fatalf("got %v (%s, field %q), want INVALID about %s", err, ae.Code, ae.Field, tc.field)
			}
		})
	}
	// Notes may hold line breaks.
	if err := d.Client.Contact.Create().SetFirstName("Ann").SetNotes("Line one\r\n\tLine two").Exec(ctx); err != nil {
		t.Errorf("notes with line breaks: %v", err)
	}
	// A session keeps a browser's odd User-Agent (made valid, not refused).
	sys := viewer.Identity.Grant(context.Background(), "test")
	u := d.Client.User.Query().Where(user.Email("staff@example.com")).OnlyX(sys)
	loc := u.QueryMemberships().QueryLocation().FirstIDX(sys)
	_, sess, err := auth.NewSessions(d.Client, 15*60e9, 12*3600e9).Create(sys, u.ID, loc, session.MethodDev, auth.Meta{UserAgent: "Mozilla\xff/5.0"})
	if err != nil || sess.UserAgent != "Mozilla\uFFFD/5.0" {
		t.Errorf("session with an odd User-Agent: %v, %q", err, sess.UserAgent)
	}
}
