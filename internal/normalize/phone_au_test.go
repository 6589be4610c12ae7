package normalize

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestPhoneFastPathMatchesLibrary checks that the fast path for
// Australian numbers gives the library's answer for every input it
// takes, over every four-digit prefix of a national number (all of 0–9,
// not only the ones it takes; wrong lengths every three-digit prefix), the forms people type (0…, +61…, 61…,
// +61 0…, 0061…), with and without spaces, and lengths one short and one
// long.
func TestPhoneFastPathMatchesLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 4))
	taken, checked := 0, 0
	check := func(in, region string) {
		t.Helper()
		checked++
		want, werr := parsePhone(strings.TrimSpace(in), region)
		got, ok := fastAU(strings.TrimSpace(in), region)
		if !ok {
			return
		}
		taken++
		if werr != nil || got != want {
			t.Errorf("fast path %q (%s) = %q; library %q, %v", in, region, got, want, werr)
		}
	}
	spaced := func(s string, split []int) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			for _, at := range split {
				if i == at {
					b.WriteByte(' ')
				}
			}
			b.WriteByte(s[i])
		}
		return b.String()
	}
	for p := 0; p < 10000; p++ {
		for _, extra := range []int{5, 4, 6} { // nine digits, eight, ten
			if extra != 5 && p%10 != 0 {
				continue // wrong lengths: every third-digit prefix is enough
			}
			suffix := fmt.Sprintf("%0*d", extra, rng.IntN(pow10(extra)))
			nsn := fmt.Sprintf("%04d", p) + suffix
			forms := []string{
				"0" + nsn, "+61" + nsn, "61" + nsn, "+610" + nsn, "0061" + nsn, nsn,
				spaced("0"+nsn, []int{4, 7}),      // 0412 345 678
				spaced("0"+nsn, []int{2, 6}),      // (02) 9876 5432 without the brackets
				spaced("+61"+nsn, []int{3, 4, 8}), // +61 4 1234 5678
				spaced("+61"+nsn, []int{3, 6, 9}), // +61 412 345 678
				spaced("61"+nsn, []int{2, 5, 8}),  // 61 412 345 678
				" " + spaced("0"+nsn, []int{1, 3, 5}) + " ",
			}
			for _, in := range forms {
				check(in, "AU")
			}
			if extra == 5 {
				check("0"+nsn, "")
				check("0"+nsn, "au")
				check("61"+nsn, "NZ")
			}
		}
	}
	for _, in := range []string{
		"+6141234567", "0412345678", "+ 61 412 345 678", "+6 1412345678",
		"0412-345-678", "(02) 9876 5432", "04123456789", "+614123456789",
		"614 1234 5678", "0011 61 412 345 678", "1831 0412 345 678",
	} {
		check(in, "AU")
	}
	if taken < checked/10 {
		t.Errorf("fast path took %d of %d inputs; want the common forms taken", taken, checked)
	}
	t.Logf("fast path took %d of %d inputs", taken, checked)
}

func pow10(n int) int {
	r := 1
	for range n {
		r *= 10
	}
	return r
}

func BenchmarkPhoneAUMobile(b *testing.B) {
	for i := range b.N {
		_, _ = Phone(fmt.Sprintf("04%02d %03d %03d", 50+i%50, i/1000%1000, i%1000), "AU")
	}
}

func BenchmarkPhoneAUMobileLibrary(b *testing.B) {
	for i := range b.N {
		_, _ = parsePhone(fmt.Sprintf("04%02d %03d %03d", 50+i%50, i/1000%1000, i%1000), "AU")
	}
}
