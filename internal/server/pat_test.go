package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
)

// TestPersonalTokenOnCredentialRoutes: a Chamber operator's personal access
// token, good on the platform's routes, is refused on the routes that
// issue credentials, change their status or read their records (which take
// the deployment's API token) with 403 and a message that says so, not
// with the 401 "a valid bearer token is required" that reads as if the
// token were wrong.
func TestPersonalTokenOnCredentialRoutes(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	_, secret := newToken(t, srv, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	scheme := "Bearer "
	call := func(method, path, body string) (int, string, string) {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", scheme+secret)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var p struct{ Key, Detail string }
		json.Unmarshal(b, &p)
		return resp.StatusCode, p.Key, p.Detail
	}
	if status, _, _ := call("GET", "/api/v1/organisations/cciaa-milano", ""); status != http.StatusOK {
		t.Fatalf("the token on a platform route: %d", status)
	}
	for _, r := range [][2]string{
		{"POST", "/api/v1/credentials"},
		{"POST", "/credentials/issue"},
		{"GET", "/api/v1/credentials/urn:uuid:5b0c8a2e-0d7a-4f5e-9d0b-1c2d3e4f5a6b"},
		{"GET", "/api/v1/credentials/urn:uuid:5b0c8a2e-0d7a-4f5e-9d0b-1c2d3e4f5a6b/events"},
		{"POST", "/api/v1/credentials/urn:uuid:5b0c8a2e-0d7a-4f5e-9d0b-1c2d3e4f5a6b/status"},
	} {
		status, key, detail := call(r[0], r[1], "{}")
		if status != http.StatusForbidden || key != "err.api.token.personal" || !strings.Contains(detail, "personal access token") {
			t.Errorf("%s %s with a personal access token: %d %s %q", r[0], r[1], status, key, detail)
		}
	}
	// The scheme's name is case-insensitive (RFC 9110, 11.1): a client that
	// writes it in lower case is not told that a token is missing.
	scheme = "bearer "
	if status, key, detail := call("GET", "/api/v1/me", ""); status != http.StatusOK {
		t.Errorf("the token after %q: %d %s %q", scheme, status, key, detail)
	}
	if status, key, _ := call("POST", "/api/v1/credentials", "{}"); key != "err.api.token.personal" {
		t.Errorf("the token after %q on a credential route: %d %s", scheme, status, key)
	}
}

// TestRefusedChangeAnswers403: a Chamber operator who changes the provinces
// its Chamber covers, over the API or on its page, gets 403 naming the
// field, and the Chamber keeps them — not 200 with the change dropped.
func TestRefusedChangeAnswers403(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	_, secret := newToken(t, srv, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	body := `{"name":"Camera di Commercio di Milano Monza Brianza Lodi","province":"MI","provinces":["MI","MB","LO","PV"],"tax_code":"80050050154"}`
	req, _ := http.NewRequest("PUT", ts.URL+"/api/v1/organisations/cciaa-milano", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "provinces: only the national body") {
		t.Errorf("API: %d %s", resp.StatusCode, b)
	}
	jar := signIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = client.PostForm(ts.URL+"/orgs/cciaa-milano?lang=en", map[string][]string{
		"name": {"Camera di Commercio di Milano Monza Brianza Lodi"}, "province": {"MI"}, "provinces": {"MI MB LO PV"}, "tax_code": {"80050050154"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), `id="org-provinces-error">only the national body`) {
		t.Errorf("page: %d %s", resp.StatusCode, snippet(string(b)))
	}
	o, err := srv.Services().Orgs.Get(t.Context(), mustPrincipal(t, srv, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin), "cciaa-milano")
	if err != nil || strings.Join(o.Provinces, " ") != "MI MB LO" {
		t.Errorf("after the refusals: %v %v", o, err)
	}
}

func mustPrincipal(t *testing.T, srv *server.Server, email, org string, role auth.Role) *auth.Principal {
	t.Helper()
	p, err := srv.Services().People.PrincipalByEmail(t.Context(), email, org, role)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
