package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
)

// TestUnreadableFiltersAnswer400: a listing's filter that cannot be read —
// a date, a number, a value outside its list, a text too long — answers
// 400 on the site and the API alike, and is never taken as no filter (a
// listing of everything) nor as another filter. The same filters, well
// written, answer 200.
func TestUnreadableFiltersAnswer400(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	jar := signIn(t, ts, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	_, token := newToken(t, srv, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	long := strings.Repeat("x", 101)
	for _, c := range []struct {
		method, path string
		want         int
	}{
		// The site.
		{"GET", "/sectors/meccatronica?version=x", 400},
		{"GET", "/sectors/meccatronica/competences/C1?version=0", 400},
		{"GET", "/orgs?kind=widget", 400},
		{"GET", "/orgs?q=" + long, 400},
		{"GET", "/orgs?kind=school&q=feltrinelli", 200},
		{"GET", "/audit?since=2026-13-01", 400},
		{"GET", "/audit?until=yesterday", 400},
		{"GET", "/audit?since=2026-11-03&until=2026-11-01", 400},
		{"GET", "/audit?before=x", 400},
		{"GET", "/audit?before=0", 400},
		{"GET", "/audit?kind=widget", 400},
		{"GET", "/audit?actor=" + long, 400},
		{"GET", "/audit?action=organisation%20create", 400},
		{"GET", "/audit?kind=organisation&action=organisation.create&since=2026-11-01&until=2026-11-02&before=1000", 200},
		{"GET", "/audit?kind=credential", 200},
		// The API.
		{"GET", "/api/v1/organisations?kind=widget", 400},
		{"GET", "/api/v1/organisations?limit=x", 400},
		{"GET", "/api/v1/organisations?limit=0", 400},
		{"GET", "/api/v1/organisations?offset=-1", 400},
		{"GET", "/api/v1/organisations?q=" + long, 400},
		{"GET", "/api/v1/organisations?kind=school&q=feltrinelli&limit=10&offset=0", 200},
		{"GET", "/api/v1/audit?kind=widget", 400},
		{"GET", "/api/v1/audit?object=" + long, 400},
		{"GET", "/api/v1/audit?action=organisation%20create", 400},
		{"GET", "/api/v1/audit?before=x", 400},
		{"GET", "/api/v1/audit?limit=501", 400},
		{"GET", "/api/v1/audit?since=2026-13-01", 400},
		{"GET", "/api/v1/audit?until=2026-11-02T10:00", 400},
		{"GET", "/api/v1/audit?since=2026-11-03&until=2026-11-01", 400},
		{"GET", "/api/v1/audit?kind=organisation&action=organisation.create&since=2026-11-01&until=2026-11-02&before=1000&limit=10", 200},
		{"GET", "/api/v1/tables?status=paused", 400},
		{"GET", "/api/v1/tables?year=2026", 400},
		{"GET", "/api/v1/tables?year=2026/28", 400},
		{"GET", "/api/v1/tables?sector=Meccatronica%21", 400},
		{"GET", "/api/v1/tables?sector=meccatronica&year=2026/27&status=active", 200},
		{"GET", "/api/v1/log/consistency?old=x&new=1", 400},
		{"POST", "/api/v1/import/schools?dry_run=maybe", 400},
	} {
		req, _ := http.NewRequest(c.method, ts.URL+c.path, strings.NewReader("codice_meccanografico,denominazione,tipo,provincia\n"))
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		if strings.HasPrefix(c.path, "/api/") {
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "text/csv")
		} else {
			client.Jar = jar
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s %s: %d, want %d\n%s", c.method, c.path, resp.StatusCode, c.want, snippet(string(b)))
		}
	}
}
