package normalize_test

import (
	"testing"
	"unicode/utf8"

	"github.com/avatarimaging/avatarcrm/internal/normalize"
)

func TestPhone(t *testing.T) {
	cases := []struct {
		in, region, want string
		ok               bool
	}{
		{"0412 345 678", "AU", "+61412345678", true},
		{"(02) 9876 5432", "AU", "+61298765432", true},
		{"+61 412 345 678", "AU", "+61412345678", true},
		{"61412345678", "AU", "+61412345678", true},
		{"0061 412 345 678", "AU", "+61412345678", true},
		{"+1 415 555 2671", "AU", "+14155552671", true},
		{"021 123 4567", "NZ", "+64211234567", true},
		{"12345", "AU", "", false},
		{"not a phone", "AU", "", false},
		{"", "AU", "", false},
	}
	for _, c := range cases {
		got, err := normalize.Phone(c.in, c.region)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("Phone(%q, %s) = %q, %v; want %q ok=%v", c.in, c.region, got, err, c.want, c.ok)
		}
		// What it returns reads back as itself in any region (the
		// second read is the remembered one).
		for _, region := range []string{c.region, "NZ", "US"} {
			if again, err := normalize.Phone(got, region); c.ok && (err != nil || again != got) {
				t.Errorf("Phone(%q, %s) = %q, %v; want it unchanged", got, region, again, err)
			}
		}
	}
	// A remembered number does not make a near one valid.
	if got, err := normalize.Phone("+6141234567", "AU"); err == nil {
		t.Errorf("Phone(+6141234567) = %q, want an error", got)
	}
}

func TestEmail(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"  Jane.Citizen@Example.COM ", "jane.citizen@example.com", true},
		{"jane@example", "", false},
		{"Jane <jane@example.com>", "", false},
		{"not-an-email", "", false},
	}
	for _, c := range cases {
		got, err := normalize.Email(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("Email(%q) = %q, %v; want %q ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestName(t *testing.T) {
	if got := normalize.Name("  Mary   Jane \t"); got != "Mary Jane" {
		t.Errorf("Name = %q", got)
	}
}

func TestDisplayPhone(t *testing.T) {
	for _, tc := range []struct{ in, region, want string }{
		{"+61412345678", "AU", "0412 345 678"},
		{"+61298765432", "AU", "(02) 9876 5432"},
		{"+61412345678", "NZ", "+61 412 345 678"},
		{"+442079460958", "AU", "+44 20 7946 0958"},
		{"not a phone", "AU", "not a phone"},
	} {
		if got := normalize.DisplayPhone(tc.in, tc.region); got != tc.want {
			t.Errorf("DisplayPhone(%q, %q) = %q, want %q", tc.in, tc.region, got, tc.want)
		}
	}
}

func TestTruncateAndFullName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"a longer sentence", 10, "a longe…"},
		{"Zoë Zoë Zoë", 8, "Zoë …"}, // never half of ë
		{"ééééé", 7, "éé…"},
	} {
		got := normalize.Truncate(tc.in, tc.n)
		if got != tc.want || len(got) > tc.n || !utf8.ValidString(got) {
			t.Errorf("Truncate(%q, %d) = %q (%d bytes), want %q", tc.in, tc.n, got, len(got), tc.want)
		}
	}
	if got := normalize.FullName("Olivia", ""); got != "Olivia" {
		t.Errorf("FullName without a last name = %q", got)
	}
	if got := normalize.FullName("Olivia", "Smith"); got != "Olivia Smith" {
		t.Errorf("FullName = %q", got)
	}
}
