package web

import "testing"

func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"":                      "/dashboard",
		"/orgs/mitf01000a":      "/orgs/mitf01000a",
		"/orgs?kind=school":     "/orgs?kind=school",
		"//evil.example":        "/dashboard",
		"/\t/evil.example":      "/dashboard",
		"/\\evil.example":       "/dashboard",
		"https://evil.example":  "/dashboard",
		"evil.example":          "/dashboard",
		"/%0a/evil.example":     "/%0a/evil.example", // escaped: a path of this site
		"///evil.example":       "/dashboard",
		"/ok\x7f":               "/dashboard",
		"javascript:alert(1)":   "/dashboard",
		"/login?next=//evil.ex": "/login?next=//evil.ex",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
