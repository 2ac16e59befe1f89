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

// TestPersonalTokenOnCredentialRoutes: a Chamber operator's personal access
// token, good on the platform's routes, is refused on the routes that
// issue credentials, change their status or read their records (which take
// the deployment's API token) with 403 and a message that says so, not
// with the 401 "a valid bearer token is required" that reads as if the
// token were wrong.
func TestPersonalTokenOnCredentialRoutes(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	_, secret := newToken(t, srv, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	call := func(method, path, body string) (int, string, string) {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
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
}
