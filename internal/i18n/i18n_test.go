package i18n

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestCataloguesMatch: every message is said in every language, with the
// same verbs in the same order. (The root package's TestMessageKeys checks
// that every key the code says is here.)
func TestCataloguesMatch(t *testing.T) {
	all := map[string]bool{}
	for _, lang := range Languages {
		if len(Keys(lang)) == 0 {
			t.Fatalf("empty catalogue %s", lang)
		}
		for _, k := range Keys(lang) {
			all[k] = true
		}
	}
	for k := range all {
		for _, lang := range Languages {
			msg, ok := catalogs[lang][k]
			switch {
			case !ok:
				t.Errorf("%s: no %s text", k, lang)
			case strings.TrimSpace(msg) == "":
				t.Errorf("%s: empty %s text", k, lang)
			case !slices.Equal(Verbs(msg), Verbs(catalogs[Default][k])):
				t.Errorf("%s: verbs %v in %s, %v in %s", k, Verbs(msg), lang, Verbs(catalogs[Default][k]), Default)
			}
		}
	}
}

func TestVerbs(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                       "",
		"%d di %s, 100%%":             "%d %s",
		"%02d %q %-5s %.2f %+v %c %%": "%02d %q %-5s %.2f %+v %c",
	} {
		if got := strings.Join(Verbs(in), " "); got != want {
			t.Errorf("Verbs(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct{ query, cookie, accept, want string }{
		{"", "", "", "it"},
		{"en", "", "", "en"},
		{"", "en", "", "en"},
		{"", "", "de-DE,en-US;q=0.8", "en"},
		{"xx", "yy", "fr", "it"},
		{"it", "en", "en", "it"},
	} {
		r := httptest.NewRequest("GET", "/?lang="+tc.query, nil)
		if tc.cookie != "" {
			r.Header.Set("Cookie", CookieName+"="+tc.cookie)
		}
		r.Header.Set("Accept-Language", tc.accept)
		if got := Negotiate(r); got != tc.want {
			t.Errorf("%+v: %s", tc, got)
		}
	}
	if got := T("it", "no.such.key"); got != "‹no.such.key›" {
		t.Errorf("missing key: %q", got)
	}
}
