package i18n

import (
	"net/http/httptest"
	"regexp"
	"slices"
	"testing"
)

func TestCataloguesMatch(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	it := Keys("it")
	if len(it) == 0 {
		t.Fatal("empty catalogue")
	}
	for _, lang := range Languages[1:] {
		if got := Keys(lang); !slices.Equal(got, it) {
			t.Errorf("%s has different keys from it", lang)
		}
		for _, k := range it {
			a, b := verbs.FindAllString(T("it", k), -1), verbs.FindAllString(T(lang, k), -1)
			if !slices.Equal(a, b) {
				t.Errorf("%s: verbs %v in it, %v in %s", k, a, b, lang)
			}
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
