package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/api"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/course"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/observation"
	"github.com/attesta/attesta/trust"
	"github.com/attesta/attesta/wallet"
)

type openAPIDoc struct {
	OpenAPI string                           `json:"openapi"`
	Paths   map[string]map[string]operation  `json:"paths"`
	Comps   struct{ Schemas map[string]any } `json:"components"`
}

type operation struct {
	OperationID string `json:"operationId"`
	Responses   map[string]struct {
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

func loadDoc(t *testing.T) (*openAPIDoc, map[string]any) {
	t.Helper()
	srv := testserver.New(t)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/api/openapi.json", nil))
	if rec.Code != 200 {
		t.Fatalf("/api/openapi.json: %d", rec.Code)
	}
	var doc openAPIDoc
	var raw map[string]any
	b := rec.Body.Bytes()
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(b, &raw)
	return &doc, raw
}

// TestOpenAPIMatchesRoutes: the document describes exactly the routes the
// API serves, method and path.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc, _ := loadDoc(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	var documented, served []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			if op.OperationID == "" {
				t.Errorf("%s %s has no operationId", method, path)
			}
		}
	}
	// Any non-nil values enable the credential, log, witness and trust
	// bundle routes.
	var creds api.Credentials = (*credential.Service)(nil)
	var log api.Log = (*notary.Log)(nil)
	var bundle api.TrustBundle = (*trust.Publisher)(nil)
	for _, r := range api.New(nil, api.CredentialOptions{Credentials: creds, Log: log, Witness: &api.Witness{}, Trust: bundle, Wallet: &wallet.Service{}, Stored: &credential.StoredReports{}}, api.Platform{Accounts: &account.Service{}, Keys: &issuer.Service{}, Experiences: &experience.Service{}, Sheets: &observation.Service{}, Dossiers: &dossier.Service{}, Items: &item.Service{}, Tests: &assessment.Service{}, Courses: &course.Service{}, MaxArtefact: 1}, slog.Default()).Routes() {
		served = append(served, strings.ReplaceAll(r.Pattern, "...}", "}")) // OpenAPI has no {rest...}
	}
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Errorf("OpenAPI paths and routes differ:\ndocumented %q\nserved     %q", documented, served)
	}
}

// TestResponsesMatchSchemas calls every route with real parameters and
// validates each response against the schema the document gives for its
// status.
func TestResponsesMatchSchemas(t *testing.T) {
	doc, raw := loadDoc(t)
	srv := testserver.New(t)
	params := regexp.MustCompile(`\{[a-z]+\}`)
	values := map[string][]string{
		"{sector}":  {"meccatronica", "turismo", "nessuno"},
		"{version}": {"1", "2", "x"},
		"{code}":    {"C1", "C7", "C99"},
		"{id}":      {"urn:uuid:00000000-0000-4000-8000-000000000000"},
		"{issuer}":  {"cciaa-milano", "nessuno"},
		"{list}":    {"1", "9"},
		"{purpose}": {"revocation", "suspension", "x"},
	}
	checked := 0
	for path, ops := range doc.Paths {
		op, ok := ops["get"]
		if !ok || path == "/api/openapi.json" {
			continue
		}
		targets := []string{path}
		for _, p := range params.FindAllString(path, -1) {
			var next []string
			for _, tgt := range targets {
				for _, v := range values[p] {
					next = append(next, strings.Replace(tgt, p, v, 1))
				}
			}
			targets = next
		}
		for _, target := range targets {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
			resp, ok := op.Responses[fmt.Sprint(rec.Code)]
			if !ok {
				t.Errorf("GET %s: status %d is not documented", target, rec.Code)
				continue
			}
			for ctype, c := range resp.Content {
				// A response documented in several types is asked for in each.
				if len(resp.Content) > 1 {
					rec = httptest.NewRecorder()
					req := httptest.NewRequest("GET", target, nil)
					req.Header.Set("Accept", ctype)
					srv.ServeHTTP(rec, req)
				}
				if got := rec.Header().Get("Content-Type"); got != ctype {
					t.Errorf("GET %s: content type %q, documented %q", target, got, ctype)
				}
				b, _ := io.ReadAll(rec.Body)
				var v any
				if strings.HasPrefix(ctype, "text/plain") {
					v = string(b)
				} else if err := json.Unmarshal(b, &v); err != nil {
					t.Errorf("GET %s: %v", target, err)
					continue
				}
				for _, e := range validate(raw, c.Schema, v, "$") {
					t.Errorf("GET %s (%d): %s", target, rec.Code, e)
				}
				checked++
			}
		}
	}
	if checked < 15 {
		t.Errorf("only %d responses checked", checked)
	}
}

// validate checks v against the subset of JSON Schema the document uses.
func validate(doc map[string]any, schema map[string]any, v any, at string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		s, ok := doc["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)
		if !ok {
			return []string{at + ": unknown $ref " + ref}
		}
		return validate(doc, s, v, at)
	}
	var errs []string
	switch typ, _ := schema["type"].(string); typ {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want object, got %T", at, v)}
		}
		props, _ := schema["properties"].(map[string]any)
		for _, r := range asSlice(schema["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required property %q missing", at, r))
			}
		}
		for k, val := range obj {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if schema["additionalProperties"] == false {
					errs = append(errs, fmt.Sprintf("%s: property %q is not documented", at, k))
				}
				continue
			}
			errs = append(errs, validate(doc, ps, val, at+"."+k)...)
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want array, got %T", at, v)}
		}
		items, _ := schema["items"].(map[string]any)
		for i, it := range arr {
			errs = append(errs, validate(doc, items, it, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			return []string{fmt.Sprintf("%s: want string, got %T", at, v)}
		}
		if p, ok := schema["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(s) {
			errs = append(errs, fmt.Sprintf("%s: %q does not match %s", at, s, p))
		}
		if enum := asSlice(schema["enum"]); enum != nil && !slices.Contains(enum, any(s)) {
			errs = append(errs, fmt.Sprintf("%s: %q is not one of %v", at, s, enum))
		}
	case "integer", "number":
		n, ok := v.(float64)
		if !ok || (typ == "integer" && n != float64(int64(n))) {
			return []string{fmt.Sprintf("%s: want %s, got %v", at, typ, v)}
		}
		if m, ok := schema["minimum"].(float64); ok && n < m {
			errs = append(errs, fmt.Sprintf("%s: %v < minimum %v", at, n, m))
		}
		if m, ok := schema["maximum"].(float64); ok && n > m {
			errs = append(errs, fmt.Sprintf("%s: %v > maximum %v", at, n, m))
		}
	}
	return errs
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// TestProblemsSaidInTheAskedLanguage: a problem's detail is in the language
// the request asks for, English when it asks for none; its code and key
// are the same in every language.
func TestProblemsSaidInTheAskedLanguage(t *testing.T) {
	srv := testserver.New(t)
	for _, tc := range []struct {
		query, accept, lang, detail string
	}{
		{"", "", "en", `competence "C99" not found in meccatronica`},
		{"", "it-IT,it;q=0.9", "it", `competenza "C99" non trovata in meccatronica`},
		{"?lang=it", "en", "it", `competenza "C99" non trovata in meccatronica`},
		{"?lang=en", "it", "en", `competence "C99" not found in meccatronica`},
	} {
		r := httptest.NewRequest("GET", "/api/v1/sectors/meccatronica/competences/C99"+tc.query, nil)
		if tc.accept != "" {
			r.Header.Set("Accept-Language", tc.accept)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		var p struct {
			Status            int
			Detail, Code, Key string
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		if rec.Code != 404 || p.Status != 404 || p.Code != "not_found" || p.Key != "err.api.competence.notfound" ||
			p.Detail != tc.detail || rec.Header().Get("Content-Language") != tc.lang {
			t.Errorf("%s %q: %d %+v (%s)", tc.query, tc.accept, rec.Code, p, rec.Header().Get("Content-Language"))
		}
	}
}
