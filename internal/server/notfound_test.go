package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
)

// TestEveryNotFoundIsStyled: an address that names nothing answers 404 as
// the surface it is under says it — the site's styled page in the reader's
// language (a path no route has, for a visitor or a signed-in user, whom it
// shows; a static file that does not exist), the API's problem document (a
// path under the API's prefixes) — never the bare text of net/http. A path
// that exists with another method still answers 405.
func TestEveryNotFoundIsStyled(t *testing.T) {
	ts, _ := testserver.StartServer(t)
	jar := signIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	for _, c := range []struct {
		method, path, lang string
		signedIn           bool
		want               string // "it", "en": the styled page in that language; "api": a problem document
	}{
		{"GET", "/no/such/page", "", false, "it"},
		{"GET", "/no/such/page", "en", false, "en"},
		{"GET", "/no/such/page", "en", true, "en"},
		{"POST", "/no/such/page", "", false, "it"},
		{"GET", "/sectors/meccatronica/nothing", "", false, "it"},
		{"GET", "/static/no-such-file.css", "", false, "it"},
		{"GET", "/static/", "en", false, "en"},
		{"GET", "/orgs/cciaa-milano/nothing", "", true, "it"},
		{"GET", "/api/v1/nothing", "", false, "api"},
		{"GET", "/api/nothing", "it", false, "api"},
		{"POST", "/api/v1/nothing", "", false, "api"},
		{"GET", "/api/v1/sectors/meccatronica/nothing", "", false, "api"},
		{"GET", "/issuers/cciaa-milano/nothing", "", false, "api"},
		{"GET", "/status/cciaa-milano", "", false, "api"},
		{"GET", "/log/nothing", "", false, "api"},
	} {
		req, _ := http.NewRequest(c.method, ts.URL+c.path, nil)
		if c.lang != "" {
			req.Header.Set("Accept-Language", c.lang)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		if c.signedIn {
			client.Jar = jar
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body, ctype := string(b), resp.Header.Get("Content-Type")
		name := c.method + " " + c.path + " " + c.lang
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, resp.StatusCode)
			continue
		}
		switch c.want {
		case "api":
			var p struct {
				Status int    `json:"status"`
				Code   string `json:"code"`
				Key    string `json:"key"`
			}
			if ctype != "application/problem+json" || json.Unmarshal(b, &p) != nil || p.Status != 404 || p.Code != "not_found" || p.Key == "" {
				t.Errorf("%s: %s %q, want a problem document", name, ctype, body)
			}
		default:
			title := map[string]string{"it": "Pagina non trovata", "en": "Page not found"}[c.want]
			if !strings.HasPrefix(ctype, "text/html") || resp.Header.Get("Content-Language") != c.want ||
				!strings.Contains(body, "bootstrap-italia") || !strings.Contains(body, "<h1>"+title+"</h1>") {
				t.Errorf("%s: %s %s, want the styled page in %s:\n%s", name, ctype, resp.Header.Get("Content-Language"), c.want, body)
			}
			if c.signedIn && !strings.Contains(body, `href="/dashboard">Luca Colombo</a>`) {
				t.Errorf("%s: the page does not show who is signed in", name)
			}
		}
	}
	// A path that exists answers another method with 405, as before.
	resp, err := http.Post(ts.URL+"/sectors/meccatronica", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") == "" {
		t.Errorf("POST to a page: %d, Allow %q; want 405", resp.StatusCode, resp.Header.Get("Allow"))
	}
}
