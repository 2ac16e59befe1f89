package server_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
)

// TestLinksLeadWherePeopleMayGo walks the site as each demo account in each
// of its roles, from the dashboard and the home page, following every link
// of every page the person opens: each must open (200), so that a page never
// shows a link to a page its user may not see. Links that leave the site
// and anchors are not followed.
func TestLinksLeadWherePeopleMayGo(t *testing.T) {
	ts, _ := testserver.StartServer(t)
	accounts := []struct {
		email, org string
		role       auth.Role
	}{
		{"admin@unioncamere.example", "unioncamere", auth.NationalAdmin},
		{"operatore@milomb.example", "cciaa-milano", auth.ChamberOperator},
		{"referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent},
		{"docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor},
		{"tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor},
		{"studente@feltrinelli.example", "mitf01000a", auth.Student},
		{"docente@feltrinelli.example", "cciaa-torino", auth.CommissionMember},
	}
	for _, a := range accounts {
		t.Run(string(a.role), func(t *testing.T) {
			jar := signIn(t, ts, a.email, a.org, a.role)
			pages := crawl(t, ts.URL, jar, []string{"/dashboard", "/"})
			t.Logf("%d pages", pages)
			if pages < 5 {
				t.Errorf("only %d pages opened", pages)
			}
		})
	}
	t.Run("visitor", func(t *testing.T) {
		if pages := crawl(t, ts.URL, nil, []string{"/"}); pages < 5 {
			t.Errorf("only %d pages opened", pages)
		}
	})
}

var hrefs = regexp.MustCompile(`href="([^"]*)"`)

// crawl opens every page reachable from start by the links of the pages,
// reporting each link that does not answer 200, and returns how many pages
// it opened. The language switch is followed once per page, not crawled:
// it shows the same page.
func crawl(t *testing.T, base string, jar http.CookieJar, start []string) int {
	t.Helper()
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	seen := map[string]bool{}
	type link struct{ href, from string }
	queue := []link{}
	for _, s := range start {
		queue = append(queue, link{s, "(start)"})
	}
	opened := 0
	for len(queue) > 0 && opened < 2000 {
		l := queue[0]
		queue = queue[1:]
		u, err := url.Parse(l.href)
		if err != nil || u.Host != "" || u.Scheme != "" || u.Path == "" {
			continue
		}
		q := u.Query()
		lang := q.Has("lang")
		q.Del("lang")
		u.RawQuery, u.Fragment = q.Encode(), ""
		key := u.String()
		if lang {
			key += " (lang)"
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		resp, err := client.Get(base + l.href)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		opened++
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s links to %s, which answers %d", l.from, l.href, resp.StatusCode)
			continue
		}
		if lang || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		for _, m := range hrefs.FindAllStringSubmatch(string(body), -1) {
			h := strings.ReplaceAll(m[1], "&amp;", "&")
			if !strings.HasPrefix(h, "/") || strings.HasPrefix(h, "//") {
				continue
			}
			queue = append(queue, link{h, u.Path})
		}
	}
	return opened
}
