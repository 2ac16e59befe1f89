package api_test

import (
	"strings"
	"testing"

	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
)

// TestIssueRefusesUnboundedText: over the API, a request whose texts a
// credential would carry with control characters, or longer than their
// bound, is refused with 400 saying where each is, and nothing is issued.
func TestIssueRefusesUnboundedText(t *testing.T) {
	srv := testserver.New(t)
	req := map[string]any{
		"issuer": "cciaa-milano", "sector": "meccatronica", "version": 1, "competence": "C7",
		"learner":  map[string]any{"identity": "studente-api"},
		"evidence": map[string]any{"name": "Dossier", "narrative": strings.Repeat("evidenza ", 300), "digest": make([]int, 32)},
		"decision": map[string]any{"date": "2026-06-25T00:00:00Z", "reference": "Verbale\r\nn. 9/2026"},
	}
	admin, err := srv.Services().People.PrincipalByEmail(t.Context(), "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	if err != nil {
		t.Fatal(err)
	}
	// The demo's own (its commission's and its course's badges) are
	// issued before.
	issuedBefore, err := srv.Services().Audit.List(t.Context(), admin, audit.Filter{ObjectKind: auth.CredentialObject, Action: "credential.issue"})
	if err != nil {
		t.Fatal(err)
	}
	rec := do(t, srv, "POST", "/api/v1/credentials", testserver.APIToken, req)
	body := rec.Body.String()
	if rec.Code != 400 || !strings.Contains(body, `"key": "err.credential.award"`) && !strings.Contains(body, `"key":"err.credential.award"`) ||
		!strings.Contains(body, "decision.reference holds characters that are not allowed") || !strings.Contains(body, "evidence.narrative is longer than 2000 characters") {
		t.Fatalf("%d %s", rec.Code, body)
	}
	issued, err := srv.Services().Audit.List(t.Context(), admin, audit.Filter{ObjectKind: auth.CredentialObject, Action: "credential.issue"})
	if err != nil {
		t.Fatal(err)
	}
	if len(issued) != len(issuedBefore) {
		t.Errorf("a credential was issued: %d issuances, %d before", len(issued), len(issuedBefore))
	}
}
