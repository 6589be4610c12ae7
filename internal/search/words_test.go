package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/ent"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Zoë": "zoe", "ZOE": "zoe", "José": "jose", "Łukasz": "lukasz", "Straße": "strasse",
		"Søren": "soren", "Ærø": "aero", "Nguyễn": "nguyen", "Đặng": "dang", "Иван": "иван",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNameWords(t *testing.T) {
	for in, want := range map[string][]string{
		"O'Brien":        {"obrien"},
		"O’Brien":        {"obrien"},
		"Smith-Jones":    {"smith", "jones"},
		"  Mary   Jane ": {"mary", "jane"},
		"D'Arcy-O'Neil":  {"darcy", "oneil"},
		"Zoë":            {"zoe"},
		"-":              nil,
	} {
		if got := nameWords(in); !slices.Equal(got, want) {
			t.Errorf("nameWords(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	show := func(ts []token) string {
		var b []string
		for _, t := range ts {
			b = append(b, fmt.Sprintf("%d:%s", t.kind, t.text))
		}
		return strings.Join(b, " ")
	}
	for in, want := range map[string]string{
		"Jhon Smtih":           "0:jhon 0:smtih",
		"0412 345 678":         "2:0412345678",
		"+61 412-345-678":      "2:61412345678",
		"(02) 9876 5432":       "2:0298765432",
		"john 0412 345":        "0:john 2:0412345",
		"olivia.sm":            "1:oliviasm",
		"Olivia.Smith@Example": "1:oliviasmithexample",
		"O'Brien":              "0:obrien",
		"smith smith":          "0:smith",
		"Zoë":                  "0:zoe",
		"  ":                   "",
	} {
		if got := show(parseQuery(in)); got != want {
			t.Errorf("parseQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOSA(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"john", "john", 0}, {"jhon", "john", 1}, {"kohn", "john", 1}, {"jon", "john", 1},
		{"johnn", "john", 1}, {"smtih", "smith", 1}, {"smth", "smith", 1}, {"xavier", "olivia", 3},
		{"ca", "abc", 3}, {"papadopuolos", "papadopoulos", 1}, {"papadoupolos", "papadopoulos", 2},
	} {
		if got := osa([]rune(tc.a), []rune(tc.b), 2); got != min(tc.want, 3) {
			t.Errorf("osa(%q, %q) = %d, want %d", tc.a, tc.b, got, min(tc.want, 3))
		}
	}
}

func TestSuccessor(t *testing.T) {
	for in, want := range map[string]string{"smi": "smj", "az": "b", "419": "41a", "a9": "aa", "zz": ""} {
		got, ok := successor(in)
		if got != want || ok != (want != "") {
			t.Errorf("successor(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestContactKeys(t *testing.T) {
	email, phone := "Olivia.OBrien@example.net", "+61412345678"
	ks := contactKeys(&ent.Contact{FirstName: "Olivia", LastName: "O'Brien", Email: &email, Phone: &phone})
	var words []string
	dels := 0
	for _, k := range ks {
		switch k.kind {
		case kindWord, kindPhoneSuffix:
			words = append(words, fmt.Sprintf("%d/%d:%s", k.kind, k.part, k.key))
		case kindDeletion:
			dels++
			if k.word == "" {
				t.Errorf("deletion %q without its word", k.key)
			}
		}
	}
	want := []string{"0/0:olivia", "0/1:obrien",
		"0/2:oliviaobrienexamplenet", "0/2:oliviaobrien",
		"0/3:61412345678", "0/3:0412345678", "0/3:412345678", "2/3:876543214"}
	if !slices.Equal(words, want) {
		t.Errorf("words = %q\nwant    %q", words, want)
	}
	// olivia, obrien: 6 each.
	if dels != 6+6 {
		t.Errorf("%d deletions, want 12", dels)
	}
	// Three letters: no deletions (theirs would be two letters).
	for _, k := range contactKeys(&ent.Contact{FirstName: "Leo", LastName: "Anna"}) {
		if k.kind == kindDeletion && k.word == "leo" {
			t.Errorf("deletion %q of a three-letter word", k.key)
		}
	}
	if got := deletions("anna"); !slices.Equal(got, []string{"nna", "ana", "ann"}) {
		t.Errorf("deletions(anna) = %q", got)
	}
}
