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
	for _, k := range ks {
		words = append(words, fmt.Sprintf("%d/%d:%s", k.kind, k.part, k.key))
	}
	// No deletions: they are in the dictionary, once per word.
	want := []string{"0/0:olivia", "0/1:obrien",
		"0/2:oliviaobrienexamplenet", "0/2:oliviaobrien",
		"0/3:61412345678", "0/3:0412345678", "0/3:412345678", "2/3:876543214"}
	if !slices.Equal(words, want) {
		t.Errorf("words = %q\nwant    %q", words, want)
	}
	if got := deletions("anna"); !slices.Equal(got, []string{"nna", "ana", "ann"}) {
		t.Errorf("deletions(anna) = %q", got)
	}
}

func TestDictKeys(t *testing.T) {
	for _, tc := range []struct {
		word string
		want []string
	}{
		{"olivia", []string{"olivia", "livia", "oivia", "olvia", "oliia", "oliva", "olivi"}},
		{"anna", []string{"anna", "nna", "ana", "ann"}},
		// Three letters: the word only (its deletions would be two
		// letters, which take no typos).
		{"leo", []string{"leo"}},
		// Past maxDeletionWord letters: the word only.
		{strings.Repeat("ab", 13), []string{strings.Repeat("ab", 13)}},
	} {
		if got := dictKeys(tc.word); !slices.Equal(got, tc.want) {
			t.Errorf("dictKeys(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
	if got := contactNameWords(&ent.Contact{FirstName: "Mary-Anne", LastName: "O'Brien Mary"}); !slices.Equal(got, []string{"mary", "anne", "obrien"}) {
		t.Errorf("contactNameWords = %q", got)
	}
}

func TestTyposOf(t *testing.T) {
	dict := []string{"john", "joan", "johnson", "jon", "robinson", "robertson", "smith", "smyth", "smithers"}
	for _, tc := range []struct {
		q        string
		one, two []string
	}{
		{"jhon", []string{"john", "jon"}, nil}, // joan is two edits, and jhon too short for two
		{"jon", []string{"john", "joan"}, nil}, // a letter missing only
		{"smtih", []string{"smith"}, nil},
		{"robinsn", []string{"robinson"}, nil},
		{"obertsona", nil, []string{"robertson"}}, // a letter missing and one too many: they share "obertson"
		{"smith", []string{"smyth"}, nil},         // smithers starts with smith: read by the prefix
	} {
		tok := parseQuery(tc.q)[0]
		got := typosOf(tok, dict)
		if !slices.Equal(got.one, tc.one) || !slices.Equal(got.two, tc.two) {
			t.Errorf("typosOf(%q) = %q / %q, want %q / %q", tc.q, got.one, got.two, tc.one, tc.two)
		}
	}
}
