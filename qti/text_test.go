package qti

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"":                            "",
		"  a  b\t c ":                 "a b c",
		"a\r\nb\rc":                   "a\nb\nc",
		"\n\n a \n\n\n\n b \n\n":      "a\n\nb",
		"a \u00a0 b":                  "a \u00a0 b", // a no-break space is text
		"one\n \n\t\ntwo\nthree\n\n ": "one\n\ntwo\nthree",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzClean: clean is idempotent, so a text exported, imported and
// exported again is the same.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"a  b", "\n\na\r\n\r\nb\n", " x \n y "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := clean(s)
		if clean(c) != c {
			t.Fatalf("clean(%q) = %q, clean of that %q", s, c, clean(c))
		}
		if strings.Contains(c, "\n\n\n") || strings.HasPrefix(c, "\n") || strings.HasSuffix(c, "\n") {
			t.Fatalf("clean(%q) = %q", s, c)
		}
	})
}

func TestGapSpace(t *testing.T) {
	for after, want := range map[string]bool{".": false, ", poi": false, ")": false, "diedro.": true, "(nota)": true, "«sì»": true, "": true} {
		if got := gapSpace(after); got != want {
			t.Errorf("gapSpace(%q) = %v", after, got)
		}
	}
}
