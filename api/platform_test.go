package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
)

// TestPlatformResponsesMatchSchemas reads the platform's API as the
// national body (a personal access token) along the links of the demo data
// and validates every answer against the schema the document gives for
// its status, then checks that a token of another organisation gets 404
// for the same objects.
func TestPlatformResponsesMatchSchemas(t *testing.T) {
	doc, raw := loadDoc(t)
	srv := testserver.New(t)
	token := func(email, org string, role auth.Role) string {
		p, err := srv.Services().People.PrincipalByEmail(t.Context(), email, org, role)
		if err != nil {
			t.Fatal(err)
		}
		_, secret, err := srv.Services().Accounts.CreateToken(t.Context(), p, "test", []auth.Scope{auth.ScopeRead}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	admin := token("admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	get := func(tok, path string) (int, any) {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		b, _ := io.ReadAll(rec.Body)
		var v any
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/") && strings.Contains(rec.Header().Get("Content-Type"), "json") {
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
		}
		// The operation's documented schema for the status.
		template := path
		if i := strings.IndexByte(template, '?'); i >= 0 {
			template = template[:i]
		}
		for p := range doc.Paths {
			if matchTemplate(p, template) {
				op, ok := doc.Paths[p]["get"]
				if !ok {
					t.Fatalf("GET %s is not documented", p)
				}
				resp, ok := op.Responses[fmt.Sprint(rec.Code)]
				if !ok {
					t.Errorf("GET %s: status %d is not documented", path, rec.Code)
				}
				for ctype, c := range resp.Content {
					if strings.Contains(ctype, "json") {
						for _, e := range validate(raw, c.Schema, v, "$") {
							t.Errorf("GET %s (%d): %s", path, rec.Code, e)
						}
					}
				}
				return rec.Code, v
			}
		}
		t.Fatalf("no documented path matches %s", path)
		return 0, nil
	}
	ids := func(v any, key string) []string {
		var out []string
		for _, it := range v.(map[string]any)["items"].([]any) {
			out = append(out, it.(map[string]any)[key].(string))
		}
		return out
	}
	checked := 0
	ok := func(path string) any {
		t.Helper()
		code, v := get(admin, path)
		if code != 200 {
			t.Fatalf("GET %s: %d", path, code)
		}
		checked++
		return v
	}
	ok("/api/v1/me")
	ok("/api/v1/audit?limit=50")
	orgs := ids(ok("/api/v1/organisations"), "id")
	var class, person string
	for _, o := range orgs {
		ok("/api/v1/organisations/" + o)
		members := ok("/api/v1/organisations/" + o + "/members")
		for _, m := range members.(map[string]any)["items"].([]any) {
			person = m.(map[string]any)["person"].(map[string]any)["id"].(string)
		}
		if strings.HasPrefix(o, "mitf") {
			cs := ids(ok("/api/v1/organisations/"+o+"/classes"), "id")
			class = cs[0]
		}
	}
	ok("/api/v1/classes/" + class)
	ok("/api/v1/people/" + person)
	for _, tb := range ids(ok("/api/v1/tables"), "id") {
		ok("/api/v1/tables/" + tb)
	}
	if checked < 20 {
		t.Errorf("only %d answers checked", checked)
	}
	// Another organisation's token: the same objects do not exist.
	tutor := token("tutor@officine-torinesi.example", "co-05832710965", auth.CompanyTutor)
	for _, path := range []string{"/api/v1/organisations/mitf01000a", "/api/v1/classes/" + class, "/api/v1/organisations/mitf01000a/classes"} {
		if code, _ := get(tutor, path); code != 404 {
			t.Errorf("GET %s with another organisation's token: %d, want 404", path, code)
		}
	}
}

// matchTemplate reports whether path fits an OpenAPI path template.
func matchTemplate(template, path string) bool {
	a, b := strings.Split(template, "/"), strings.Split(path, "/")
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(strings.HasPrefix(a[i], "{") && strings.HasSuffix(a[i], "}")) {
			return false
		}
	}
	return true
}
