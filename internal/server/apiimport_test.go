package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
)

// apiCall sends a CSV body (or none) with a personal access token.
func apiCall(t *testing.T, ts *httptest.Server, method, path, token, body string, header ...string) (*http.Response, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, ts.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "text/csv")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("%s %s: %d, %v", method, path, resp.StatusCode, err)
	}
	return resp, v
}

// TestAPIImport: the API imports a file at once (or previews it with
// dry_run), as before; asked with "Prefer: respond-async" it imports it
// as a job, which its holder follows at /api/v1/jobs/{id} and no one else
// sees.
func TestAPIImport(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	_, token := newToken(t, srv, "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	_, other := newToken(t, srv, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	const path = "/api/v1/organisations/mitf01000a/import/classes"
	file := "anno_scolastico,classe,matricola,cognome,nome\n2027/28,1Z,API-1,Bianchi,Anna\n2027/28,1Z,API-2,Neri,Luca\n"

	resp, plan := apiCall(t, ts, "POST", path+"?dry_run=true", token, file, "Prefer", "respond-async")
	if resp.StatusCode != 200 || plan["created"] != 2.0 {
		t.Fatalf("dry run: %d %v", resp.StatusCode, plan)
	}
	resp, problem := apiCall(t, ts, "POST", path, token, "anno_scolastico,classe,matricola,cognome,nome\n2027/28,1Z,API-3,,Eva\n", "Prefer", "respond-async")
	if resp.StatusCode != 400 || len(problem["errors"].([]any)) != 1 {
		t.Fatalf("a file with a problem, asynchronously: %d %v", resp.StatusCode, problem)
	}

	resp, doc := apiCall(t, ts, "POST", path, token, file, "Prefer", "respond-async")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 202 || !strings.HasPrefix(loc, "/api/v1/jobs/") || doc["kind"] != "import.classes" || doc["total"] != 2.0 {
		t.Fatalf("asynchronous import: %d %s %v", resp.StatusCode, loc, doc)
	}
	deadline := time.Now().Add(30 * time.Second)
	for doc["state"] != "done" {
		if doc["state"] == "failed" || time.Now().After(deadline) {
			t.Fatalf("the job: %v", doc)
		}
		time.Sleep(20 * time.Millisecond)
		_, doc = apiCall(t, ts, "GET", loc, token, "")
	}
	if r := doc["result"].(map[string]any); r["created"] != 2.0 || doc["done"] != 2.0 {
		t.Errorf("the job done: %v", doc)
	}
	if resp, _ := apiCall(t, ts, "GET", loc, other, ""); resp.StatusCode != 404 {
		t.Errorf("another person's job: %d", resp.StatusCode)
	}
	// Synchronously, the same file again changes nothing.
	resp, res := apiCall(t, ts, "POST", path, token, file)
	if resp.StatusCode != 200 || res["unchanged"] != 2.0 {
		t.Errorf("synchronous import: %d %v", resp.StatusCode, res)
	}
}
