package api_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
)

func do(t *testing.T, h http.Handler, method, path, token string, body any, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	if body != nil {
		data, _ := json.Marshal(body)
		r = httptest.NewRequest(method, path, bytes.NewReader(data))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

var issueReq = map[string]any{
	"issuer": "cciaa-milano", "sector": "meccatronica", "version": 1, "competence": "C7",
	"learner":  map[string]any{"identity": "studente-api"},
	"decision": map[string]any{"date": "2026-06-25T00:00:00Z", "reference": "Verbale n. 9/2026"},
}

func TestIssueRevokeVerifyOverHTTP(t *testing.T) {
	srv := testserver.New(t)
	if rec := do(t, srv, "POST", "/api/v1/credentials", "", issueReq); rec.Code != 401 {
		t.Errorf("issue without a token: %d", rec.Code)
	}
	if rec := do(t, srv, "POST", "/api/v1/credentials", "wrong", issueReq); rec.Code != 401 {
		t.Errorf("issue with a wrong token: %d", rec.Code)
	}
	bad := map[string]any{"issuer": "cciaa-milano", "sector": "meccatronica", "version": 1, "competence": "C99"}
	if rec := do(t, srv, "POST", "/api/v1/credentials", testserver.APIToken, bad); rec.Code != 400 {
		t.Errorf("issue an unknown competence: %d %s", rec.Code, rec.Body)
	}
	rec := do(t, srv, "POST", "/api/v1/credentials", testserver.APIToken, issueReq)
	if rec.Code != 201 {
		t.Fatalf("issue: %d %s", rec.Code, rec.Body)
	}
	var out struct {
		ID         string          `json:"id"`
		Credential json.RawMessage `json:"credential"`
		Revoked    bool            `json:"revoked"`
	}
	json.Unmarshal(rec.Body.Bytes(), &out)
	verify := func() (bool, []string) {
		rec := do(t, srv, "POST", "/credentials/verify", "", map[string]any{"verifiableCredential": out.Credential})
		var v struct {
			Verified bool
			Errors   []string
		}
		json.Unmarshal(rec.Body.Bytes(), &v)
		if (rec.Code == 200) != v.Verified {
			t.Errorf("verify status %d for verified=%t", rec.Code, v.Verified)
		}
		return v.Verified, v.Errors
	}
	if ok, errs := verify(); !ok {
		t.Fatalf("fresh credential does not verify: %v", errs)
	}
	// Its notarization receipt, once the log has a checkpoint with it.
	if rec := do(t, srv, "GET", "/api/v1/credentials/"+out.ID+"/receipt", "", nil); rec.Code != 404 || !strings.Contains(rec.Body.String(), `"key":"err.server.receipt.pending"`) {
		t.Errorf("receipt before sequencing: %d %s", rec.Code, rec.Body)
	}
	if _, err := srv.SequenceLog(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec = do(t, srv, "GET", "/api/v1/credentials/"+out.ID+"/receipt", "", nil)
	receipt, err := notary.ParseReceipt(rec.Body.Bytes())
	if rec.Code != 200 || err != nil {
		t.Fatalf("receipt: %d %v %s", rec.Code, err, rec.Body)
	}
	if v, err := receipt.Verify(out.ID, out.Credential, notary.ReceiptPolicy{LogKey: receipt.LogKey}); err != nil || v.Entry.Kind != notary.Issue {
		t.Errorf("receipt does not verify: %v", err)
	}
	if cp := do(t, srv, "GET", "/log/checkpoint", "", nil); cp.Code != 200 || !strings.HasPrefix(cp.Body.String(), "attesta.example/log\n") {
		t.Errorf("checkpoint: %d %q", cp.Code, cp.Body)
	}
	if rec := do(t, srv, "POST", "/api/v1/credentials/"+out.ID+"/status", testserver.APIToken, map[string]any{"action": "revoke"}); rec.Code != 400 {
		t.Errorf("revoke without a reason: %d", rec.Code)
	}
	if rec := do(t, srv, "POST", "/api/v1/credentials/"+out.ID+"/status", testserver.APIToken, map[string]any{"action": "revoke", "reason": "Errore"}); rec.Code != 200 {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	if ok, errs := verify(); ok || len(errs) != 1 || !strings.Contains(errs[0], "revoked: Errore") {
		t.Errorf("after revocation: verified=%t %v", ok, errs)
	}
	if rec := do(t, srv, "POST", "/api/v1/credentials/"+out.ID+"/status", testserver.APIToken, map[string]any{"action": "reinstate", "reason": "ripensamento"}); rec.Code != 409 {
		t.Errorf("reinstate a revoked credential: %d", rec.Code)
	}
	rec = do(t, srv, "GET", "/api/v1/credentials/"+out.ID+"/events", testserver.APIToken, nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"action": "revoke"`) || !strings.Contains(rec.Body.String(), `"actor": "api-token"`) {
		t.Errorf("events: %d %s", rec.Code, rec.Body)
	}
}

func TestVCAPIIssueAndPresentations(t *testing.T) {
	srv := testserver.New(t)
	unsigned := json.RawMessage(`{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
	 "type":["VerifiableCredential","OpenBadgeCredential"],"name":"Badge",
	 "issuer":{"id":"did:web:attesta.example:issuers:vc-api","type":["Profile"],"name":"attesta"},
	 "credentialSubject":{"id":"did:example:learner","type":["AchievementSubject"],
	   "achievement":{"id":"urn:uuid:5c1d0a8e-0000-4000-8000-000000000001","type":["Achievement"],"name":"C1","description":"d","criteria":{"narrative":"n"}}}}`)
	rec := do(t, srv, "POST", "/credentials/issue", testserver.APIToken, map[string]any{"credential": unsigned, "options": map[string]any{"cryptosuite": "eddsa-jcs-2022"}})
	if rec.Code != 201 {
		t.Fatalf("VC-API issue: %d %s", rec.Code, rec.Body)
	}
	var issued struct{ VerifiableCredential json.RawMessage }
	json.Unmarshal(rec.Body.Bytes(), &issued)

	// An unsigned presentation of it verifies; with a challenge, a holder proof is required.
	vp := map[string]any{"@context": []string{credential.ContextVC}, "type": []string{"VerifiablePresentation"},
		"verifiableCredential": []json.RawMessage{issued.VerifiableCredential}}
	if rec := do(t, srv, "POST", "/presentations/verify", "", map[string]any{"verifiablePresentation": vp}); rec.Code != 200 {
		t.Errorf("unsigned presentation: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, srv, "POST", "/presentations/verify", "", map[string]any{"verifiablePresentation": vp, "options": map[string]any{"challenge": "c-1"}}); rec.Code != 400 {
		t.Errorf("unsigned presentation with a challenge: %d", rec.Code)
	}
	// The holder signs it with a did:key for the challenge.
	suite, _ := credential.NewSuite()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	pub := priv.Public().(ed25519.PublicKey)
	holder := did.KeyDID(pub)
	vm := holder + "#" + did.EncodePublicKey(pub)
	vp["holder"] = holder
	vpJSON, _ := json.Marshal(vp)
	withID := bytes.Replace(vpJSON, []byte(`"type"`), []byte(`"id":"urn:uuid:0f0e0d0c-0000-4000-8000-000000000001","type"`), 1)
	signedVP, err := suite.Sign(withID, issuer.NewSigner(issuer.Issuer{DID: holder}, vm, priv), dataintegrity.Options{
		VerificationMethod: vm, Created: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), ProofPurpose: "authentication", Challenge: "c-1", Domain: "attesta.example"})
	if err != nil {
		t.Fatal(err)
	}
	if rec := do(t, srv, "POST", "/presentations/verify", "", map[string]any{"verifiablePresentation": json.RawMessage(signedVP), "options": map[string]any{"challenge": "c-1", "domain": "attesta.example"}}); rec.Code != 200 {
		t.Errorf("holder-signed presentation: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, srv, "POST", "/presentations/verify", "", map[string]any{"verifiablePresentation": json.RawMessage(signedVP), "options": map[string]any{"challenge": "other"}}); rec.Code != 400 {
		t.Errorf("presentation signed for another challenge: %d", rec.Code)
	}
	tampered := bytes.Replace(signedVP, []byte(`"c-1"`), []byte(`"c-2"`), 1)
	if rec := do(t, srv, "POST", "/presentations/verify", "", map[string]any{"verifiablePresentation": json.RawMessage(tampered), "options": map[string]any{"challenge": "c-2"}}); rec.Code != 400 {
		t.Errorf("presentation whose signed challenge was edited: %d", rec.Code)
	}
	if rec := do(t, srv, "POST", "/credentials/issue", testserver.APIToken, map[string]any{"credential": issued.VerifiableCredential}); rec.Code != 400 {
		t.Errorf("VC-API issue of a signed credential: %d", rec.Code)
	}
	if rec := do(t, srv, "POST", "/credentials/verify", "", map[string]any{"verifiableCredential": "not a credential"}); rec.Code != 400 {
		t.Errorf("verify garbage: %d", rec.Code)
	}
	if rec := do(t, srv, "POST", "/credentials/verify", "", map[string]any{"nope": 1}); rec.Code != 400 {
		t.Errorf("verify with an unknown member: %d", rec.Code)
	}
}

func TestPublicDocumentsAreCacheable(t *testing.T) {
	srv := testserver.New(t)
	for _, tc := range []struct{ path, ctype, cache string }{
		{"/status/cciaa-milano/1/revocation", "application/vc", "public, max-age=60"},
		{"/status/cciaa-torino/1/suspension", "application/vc", "public, max-age=60"},
		{"/issuers/cciaa-milano/did.json", "application/did+json", "public, max-age=300"},
		{credential.AttestaContextPath, "application/ld+json", "public, max-age=31536000, immutable"},
	} {
		rec := do(t, srv, "GET", tc.path, "", nil)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != tc.ctype || rec.Header().Get("Cache-Control") != tc.cache {
			t.Errorf("%s: %d %q %q", tc.path, rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
			continue
		}
		etag := rec.Header().Get("ETag")
		if rec := do(t, srv, "GET", tc.path, "", nil, "If-None-Match", etag); rec.Code != 304 || rec.Body.Len() != 0 {
			t.Errorf("%s with If-None-Match: %d", tc.path, rec.Code)
		}
	}
	if !bytes.Equal(do(t, srv, "GET", credential.AttestaContextPath, "", nil).Body.Bytes(), credential.AttestaContext()) {
		t.Error("the served context differs from the embedded one")
	}
	for _, p := range []string{"/status/cciaa-milano/2/revocation", "/status/cciaa-milano/1/message", "/status/nessuno/1/revocation", "/status/cciaa-milano/x/revocation", "/issuers/nessuno/did.json"} {
		if rec := do(t, srv, "GET", p, "", nil); rec.Code != 404 {
			t.Errorf("%s: %d, want 404", p, rec.Code)
		}
	}
}

// A credential attesta returns in its enveloped JWT form (an
// EnvelopedVerifiableCredential, from the issue and record routes) verifies
// as it is, through the VC-API and on its own.
func TestEnvelopedJWTVerifiesAsReturned(t *testing.T) {
	srv := testserver.New(t)
	req := map[string]any{}
	for k, v := range issueReq {
		req[k] = v
	}
	req["format"] = "vc-jwt"
	rec := do(t, srv, "POST", "/api/v1/credentials", testserver.APIToken, req)
	if rec.Code != 201 {
		t.Fatalf("issue: %d %s", rec.Code, rec.Body)
	}
	var out struct {
		ID         string          `json:"id"`
		Credential json.RawMessage `json:"credential"`
	}
	json.Unmarshal(rec.Body.Bytes(), &out)
	if !bytes.Contains(out.Credential, []byte(`"EnvelopedVerifiableCredential"`)) {
		t.Fatalf("the issued JWT credential is not enveloped: %s", out.Credential)
	}
	got := do(t, srv, "GET", "/api/v1/credentials/"+out.ID, testserver.APIToken, nil)
	var again struct {
		Credential json.RawMessage `json:"credential"`
	}
	json.Unmarshal(got.Body.Bytes(), &again)
	for name, cred := range map[string]json.RawMessage{"as issued": out.Credential, "as read back": again.Credential} {
		rec := do(t, srv, "POST", "/credentials/verify", "", map[string]any{"verifiableCredential": cred})
		var v struct {
			Verified bool
			Errors   []string
			Report   struct{ Input string }
		}
		json.Unmarshal(rec.Body.Bytes(), &v)
		if rec.Code != 200 || !v.Verified || v.Report.Input != "jwt" {
			t.Errorf("the enveloped credential %s: %d verified=%t input=%q %v", name, rec.Code, v.Verified, v.Report.Input, v.Errors)
		}
	}
	// An envelope of something else is refused, saying so.
	var env map[string]any
	json.Unmarshal(out.Credential, &env)
	env["id"] = "data:application/vc+sd-jwt," + strings.TrimPrefix(env["id"].(string), "data:application/vc+jwt,")
	rec = do(t, srv, "POST", "/credentials/verify", "", map[string]any{"verifiableCredential": env})
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "format: The enveloped credential (EnvelopedVerifiableCredential) does not hold a readable JWT") {
		t.Errorf("an envelope of another media type: %d %s", rec.Code, rec.Body)
	}
}
