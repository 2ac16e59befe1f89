package api_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/attesta/attesta/internal/testserver"
)

// Status lists and DID documents are served in the type a client asks for
// among those they are: the same bytes.
func TestDocumentsAreNegotiated(t *testing.T) {
	srv := testserver.New(t)
	for _, tc := range []struct{ path, accept, want string }{
		{"/status/cciaa-milano/1/revocation", "", "application/vc"},
		{"/status/cciaa-milano/1/revocation", "*/*", "application/vc"},
		{"/status/cciaa-milano/1/revocation", "application/ld+json, application/json", "application/ld+json"},
		{"/status/cciaa-milano/1/revocation", "application/json", "application/json"},
		{"/status/cciaa-milano/1/revocation", "application/vc;q=0, */*;q=0.5", "application/vc+ld+json"},
		{"/status/cciaa-milano/1/revocation", "text/html", "application/vc"},
		{"/issuers/cciaa-milano/did.json", "", "application/did+json"},
		{"/issuers/cciaa-milano/did.json", "application/did+ld+json", "application/did+ld+json"},
		{"/issuers/cciaa-milano/did.json", "application/json;q=0.9, application/ld+json", "application/ld+json"},
		{"/issuers/vc-api/did.json", "application/json", "application/json"},
	} {
		rec := do(t, srv, "GET", tc.path, "", nil, "Accept", tc.accept)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != tc.want || !strings.Contains(rec.Header().Get("Vary"), "Accept") {
			t.Errorf("%s with Accept %q: %d %q, want %q", tc.path, tc.accept, rec.Code, rec.Header().Get("Content-Type"), tc.want)
		}
	}
}

// The JSON API refuses a body that is not JSON by its type (415), over the
// server's limit (413), not UTF-8 or with a member twice (400).
func TestJSONBodiesAreStrict(t *testing.T) {
	srv := testserver.New(t)
	post := func(ctype string, body []byte) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/credentials/verify", bytes.NewReader(body))
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		return rec
	}
	vc := []byte(`{"verifiableCredential":{"@context":["https://www.w3.org/ns/credentials/v2"]}}`)
	for _, tc := range []struct {
		name, ctype string
		body        []byte
		status      int
		code        string
	}{
		{"no content type", "", vc, 415, "media_type"},
		{"a form", "application/x-www-form-urlencoded", vc, 415, "media_type"},
		{"over the limit", "application/json", append(append([]byte(`{"verifiableCredential":"`), bytes.Repeat([]byte("a"), 2<<20)...), `"}`...), 413, "too_large"},
		{"invalid UTF-8", "application/json", []byte("{\"verifiableCredential\":\"\xc3\x28\"}"), 400, "invalid"},
		{"a member twice", "application/json", []byte(`{"verifiableCredential":{},"verifiableCredential":{}}`), 400, "invalid"},
		{"a member twice in the credential", "application/json", []byte(`{"verifiableCredential":{"issuer":"a","issuer":"b"}}`), 400, "invalid"},
	} {
		rec := post(tc.ctype, tc.body)
		var p struct{ Code string }
		json.Unmarshal(rec.Body.Bytes(), &p)
		if rec.Code != tc.status || p.Code != tc.code || rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
	}
}

// The VC-API issues a generic VC 2.0 credential with the deployment's
// issuer and its verifier verifies it, saying its issuer is not a Chamber;
// a Chamber's badge is said to be a Chamber's. A stringified credential is
// not a credential.
func TestVCAPIGenericRoundTrip(t *testing.T) {
	srv := testserver.New(t)
	unsigned := json.RawMessage(`{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],
		"type":["VerifiableCredential","ExampleDegreeCredential"],"issuer":"did:web:attesta.example:issuers:vc-api",
		"credentialSubject":{"id":"did:example:alice","degree":{"type":"ExampleBachelorDegree","name":"Bachelor of Science"}}}`)
	for _, suite := range []string{"eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt"} {
		rec := do(t, srv, "POST", "/credentials/issue", testserver.APIToken, map[string]any{"credential": unsigned, "options": map[string]any{"cryptosuite": suite}})
		if rec.Code != 201 {
			t.Fatalf("%s: issue: %d %s", suite, rec.Code, rec.Body)
		}
		var issued struct{ VerifiableCredential json.RawMessage }
		json.Unmarshal(rec.Body.Bytes(), &issued)
		rec = do(t, srv, "POST", "/credentials/verify", "", map[string]any{"verifiableCredential": issued.VerifiableCredential})
		var out struct {
			Verified bool
			Errors   []string
			Report   struct{ Chamber, Trusted bool }
		}
		json.Unmarshal(rec.Body.Bytes(), &out)
		if rec.Code != 200 || !out.Verified || len(out.Errors) > 0 || out.Report.Chamber || !out.Report.Trusted {
			t.Errorf("%s: verify: %d %s", suite, rec.Code, rec.Body)
		}
		if suite == "eddsa-rdfc-2022" {
			// The same credential as a JSON string is refused.
			rec = do(t, srv, "POST", "/credentials/verify", "", map[string]any{"verifiableCredential": string(issued.VerifiableCredential)})
			if rec.Code != 400 {
				t.Errorf("a stringified credential: %d %s", rec.Code, rec.Body)
			}
		}
	}
	rec := do(t, srv, "POST", "/api/v1/credentials", testserver.APIToken, issueReq)
	var badge struct{ Credential json.RawMessage }
	json.Unmarshal(rec.Body.Bytes(), &badge)
	rec = do(t, srv, "POST", "/credentials/verify", "", map[string]any{"verifiableCredential": badge.Credential})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"chamber": true`) {
		t.Errorf("a Chamber's badge: %d %s", rec.Code, rec.Body)
	}
}
