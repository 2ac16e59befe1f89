package credential_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
)

const genericDID = "did:web:attesta.example:issuers:vc-api"

// generic returns a VC 2.0 credential of the generic issuer with the
// members of extra added.
func generic(extra string) []byte {
	doc := `{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],
		"type":["VerifiableCredential","ExampleAlumniCredential"],"issuer":"` + genericDID + `",
		"credentialSubject":{"id":"did:example:alice","alumniOf":"The School of Examples"}`
	if extra != "" {
		doc += "," + extra
	}
	return []byte(doc + "}")
}

// The VC-API issues any VC 2.0 credential whose contexts attesta knows
// (the W3C examples context here), with the deployment's generic issuer:
// it keeps the caller's credentialStatus and adds its own entries after it,
// gives an id and validFrom, and logs it like every credential it issues.
// Its verifier says the issuer is attesta's own, not a Chamber.
func TestGenericIssuance(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, f := range []credential.Format{credential.RDFC, credential.JCS, credential.JWT} {
		rec, err := e.creds.IssueDocument(ctx, operator, generic(`"credentialStatus":{"id":"https://status.example/1#5","type":"ExampleStatusList"},
			"termsOfUse":{"type":"ExamplePolicy","id":"https://policy.example/1"},"refreshService":{"type":"ExampleRefresh","id":"https://refresh.example/1"},
			"relatedResource":[{"id":"https://www.w3.org/ns/credentials/v2","digestSRI":"sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg"},
			  {"id":"https://www.w3.org/ns/credentials/examples/v2","digestMultibase":"uCp_FiatquJykGpABtQ5p415i8gJFZ5rktoAWJnIKDgc"}]`), f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if rec.IssuerID != "vc-api" || !strings.HasPrefix(rec.ID, "urn:uuid:") || rec.Achievement != "VerifiableCredential ExampleAlumniCredential" {
			t.Errorf("%s: record %+v", f, rec)
		}
		// Every check passes but the status, which attesta cannot check for
		// the caller's own status list.
		rep := e.verifier.Verify(ctx, rec.Body)
		for _, c := range rep.Checks {
			if (c.Outcome != credential.Pass) != (c.ID == credential.CheckStatus) {
				t.Errorf("%s: %+v", f, c)
			}
		}
		if !rep.Trusted || rep.Chamber {
			t.Errorf("%s: trusted %t, chamber %t", f, rep.Trusted, rep.Chamber)
		}
		if c, _ := rep.Check(credential.CheckIssuer); c.Reason.Key != "verify.issuer.service" {
			t.Errorf("%s: issuer check %+v", f, c)
		}
		var vc map[string]any
		json.Unmarshal(rep.Credential, &vc)
		status, _ := vc["credentialStatus"].([]any)
		if len(status) != 3 || status[0].(map[string]any)["type"] != "ExampleStatusList" || status[1].(map[string]any)["type"] != "BitstringStatusListEntry" {
			t.Errorf("%s: credentialStatus %v", f, vc["credentialStatus"])
		}
		if vc["validFrom"] != e.now.Format(time.RFC3339) || vc["id"] != rec.ID {
			t.Errorf("%s: validFrom %v, id %v", f, vc["validFrom"], vc["id"])
		}
		if _, err := e.db.Credentials().LogIndex(ctx, rec.ID); err != nil {
			t.Errorf("%s: not in the log: %v", f, err)
		}
	}
	// It is logged as an issue entry with its exact bytes.
	rec, err := e.creds.IssueDocument(ctx, operator, generic(`"id":"urn:uuid:0b1c2d3e-0000-4000-8000-000000000001"`), credential.RDFC)
	if err != nil {
		t.Fatal(err)
	}
	if rep := e.verifier.Verify(ctx, rec.Body); !rep.Verified || rep.Chamber {
		t.Errorf("verified %t, chamber %t: %+v", rep.Verified, rep.Chamber, rep.Checks)
	}
	idx, err := e.db.Credentials().LogIndex(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := e.db.Log().Entries(ctx, idx, idx+1)
	if err != nil || len(entries) != 1 || !bytes.Equal(entries[0], notary.NewEntry(notary.Issue, rec.ID, rec.Body, rec.IssuedAt).Marshal()) {
		t.Errorf("log entry %d: %v", idx, err)
	}
	// And in the audit trail, like every issuance, saying who asked.
	admin := &auth.Principal{Person: "p-admin", Name: "Admin", Membership: auth.Membership{Org: "unioncamere", Role: auth.NationalAdmin, OrgKind: auth.National}}
	trail, err := audit.NewService(e.db.Audit()).List(ctx, admin, audit.Filter{ObjectKind: auth.CredentialObject, ObjectID: rec.ID})
	if err != nil || len(trail) != 1 || trail[0].Action != "credential.issue" || trail[0].ActorName != operator.Name ||
		!strings.Contains(string(trail[0].After), `"digest":"`+rec.Digest+`"`) {
		t.Errorf("the audit trail of %s: %+v, %v", rec.ID, trail, err)
	}
	// An id given twice is a conflict.
	if _, err := e.creds.IssueDocument(ctx, operator, generic(`"id":"urn:uuid:0b1c2d3e-0000-4000-8000-000000000001"`), credential.RDFC); attesta.ErrorCode(err) != attesta.Conflict {
		t.Errorf("the same id again: %v", err)
	}
}

// A refused credential takes no status position: whatever is wrong with
// it is found before one is allocated.
func TestGenericRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		doc  []byte
		key  string
		want string
	}{
		{"termsOfUse without a type", generic(`"termsOfUse":{"id":"https://policy.example/1"}`), "err.credential.doc.invalid", "termsOfUse.type: is required"},
		{"refreshService without a type", generic(`"refreshService":{"id":"https://refresh.example/1"}`), "err.credential.doc.invalid", "refreshService.type: is required"},
		{"evidence without a type", generic(`"evidence":[{"id":"https://evidence.example/1"}]`), "err.credential.doc.invalid", "evidence[0].type: is required"},
		{"credentialStatus without a type", generic(`"credentialStatus":{"id":"https://status.example/1"}`), "err.credential.doc.invalid", "credentialStatus.type"},
		{"credentialSchema without an id", generic(`"credentialSchema":{"type":"JsonSchema"}`), "err.credential.doc.invalid", "credentialSchema.id"},
		{"VC 1.1", []byte(`{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential"],"issuer":"` + genericDID + `",
			"issuanceDate":"2020-01-01T00:00:00Z","credentialSubject":{"id":"did:example:alice"}}`), "err.credential.doc.vc1", ""},
		{"a proof", generic(`"proof":{"type":"DataIntegrityProof"}`), "err.credential.doc.absent", ""},
		{"another issuer", []byte(strings.Replace(string(generic("")), genericDID, "did:web:attesta.example:issuers:cciaa-milano", 1)), "err.credential.doc.issuer", ""},
		{"no issuer", []byte(strings.Replace(string(generic("")), `"issuer":"`+genericDID+`",`, "", 1)), "err.credential.doc.invalid", "issuer: is required"},
		{"no subject", []byte(strings.Replace(string(generic("")), `"credentialSubject":{"id":"did:example:alice","alumniOf":"The School of Examples"}`, `"credentialSubject":[{"id":"did:example:a"},{}]`, 1)), "err.credential.doc.invalid", "credentialSubject[1]: makes no claim"},
		{"validUntil before validFrom", generic(`"validFrom":"2026-01-02T00:00:00Z","validUntil":"2026-01-01T00:00:00Z"`), "err.credential.doc.invalid", "validUntil: is before validFrom"},
		{"a date without a time zone", generic(`"validFrom":"2026-01-02T00:00:00"`), "err.credential.doc.invalid", "validFrom"},
		{"an id that is not a URL", generic(`"id":"not a url"`), "err.credential.doc.invalid", "id:"},
		{"a name with an extra member", generic(`"name":{"@value":"x","@language":"en","url":"did:example:x"}`), "err.credential.doc.invalid", "name:"},
		{"a related resource's wrong digest", generic(`"relatedResource":[{"id":"https://www.w3.org/ns/credentials/v2","digestMultibase":"uM4RgWQc3RUDtjJCSgTJtTfvpZ7SPEg_LNO0ESlovQC0"}]`), "err.credential.doc.invalid", "does not match the resource"},
		{"a related resource twice", generic(`"relatedResource":[{"id":"https://x.example/1","digestSRI":"sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg"},{"id":"https://x.example/1","digestSRI":"sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg"}]`), "err.credential.doc.invalid", "listed twice"},
		{"a related resource without a digest", generic(`"relatedResource":[{"id":"https://x.example/1"}]`), "err.credential.doc.invalid", "needs a digestSRI"},
		{"a related resource as a string", generic(`"relatedResource":["https://x.example/1"]`), "err.credential.doc.invalid", "must be an object"},
		{"an undefined term", []byte(strings.Replace(string(generic("")), `,"https://www.w3.org/ns/credentials/examples/v2"`, "", 1)), "err.credential.doc.invalid", "alumniOf"},
		{"a redefined protected term", generic(`"@context":["https://www.w3.org/ns/credentials/v2",{"VerifiableCredential":"https://example.org/#Bad"}]`), "", ""},
		{"an unknown context", []byte(strings.Replace(string(generic("")), "https://www.w3.org/ns/credentials/examples/v2", "https://contexts.example/v1", 1)), "err.credential.doc.invalid", ""},
		{"not JSON", []byte(`{"@context":`), "err.credential.doc.invalid", ""},
		{"a member twice", generic(`"issuer":"` + genericDID + `"`), "err.credential.doc.invalid", "issuer"},
	} {
		_, err := e.creds.IssueDocument(ctx, operator, tc.doc, credential.RDFC)
		if attesta.ErrorCode(err) != attesta.Invalid || tc.key != "" && attesta.ErrorKey(err) != tc.key || !strings.Contains(fmt.Sprint(err), tc.want) {
			t.Errorf("%s: %v (%s), want %s with %q", tc.name, err, attesta.ErrorKey(err), tc.key, tc.want)
		}
	}
	if _, err := e.db.Credentials().StatusList(ctx, "vc-api", 1); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a status list was opened by refused credentials: %v", err)
	}
}

// Without a generic issuer nothing is issued; naming a Chamber signs with
// its key, and its verifier then says the issuer is a Chamber.
func TestGenericIssuerChoice(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	suite, _ := credential.NewSuite()
	off := credential.NewService(e.db.Credentials(), e.issuers, nil, credential.ServiceOptions{Suite: suite, BaseURL: "https://attesta.example"})
	if _, err := off.IssueDocument(ctx, operator, generic(""), credential.RDFC); attesta.ErrorCode(err) != attesta.Forbidden || attesta.ErrorKey(err) != "err.credential.generic.off" {
		t.Errorf("without a generic issuer: %v", err)
	}
	closed := credential.NewService(e.db.Credentials(), e.issuers, nil, credential.ServiceOptions{Suite: suite, BaseURL: "https://attesta.example", GenericIssuer: "vc-api",
		Gate: haltedGate{}})
	if _, err := closed.IssueDocument(ctx, operator, generic(""), credential.RDFC); attesta.ErrorCode(err) != attesta.Unavailable {
		t.Errorf("with the log halted: %v", err)
	}
	chamber := credential.NewService(e.db.Credentials(), e.issuers, nil, credential.ServiceOptions{Suite: suite, BaseURL: "https://attesta.example", GenericIssuer: "cciaa-milano",
		Clock: func() time.Time { return e.now }})
	doc := []byte(strings.Replace(string(generic("")), genericDID, "did:web:attesta.example:issuers:cciaa-milano", 1))
	rec, err := chamber.IssueDocument(ctx, operator, doc, credential.RDFC)
	if err != nil {
		t.Fatal(err)
	}
	if rep := e.verifier.Verify(ctx, rec.Body); !rep.Verified || !rep.Chamber || rec.IssuerID != "cciaa-milano" {
		t.Errorf("a Chamber as the generic issuer: %t %t %+v", rep.Verified, rep.Chamber, rep.Checks)
	}
}

// keyCredential is a VC 2.0 credential signed by a did:key issuer.
func keyCredential(t *testing.T, seed byte, vmOf func(did, mb string) string) ([]byte, string) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))
	pub := priv.Public().(ed25519.PublicKey)
	id := did.KeyDID(pub)
	vm := vmOf(id, did.EncodePublicKey(pub))
	suite, _ := credential.NewSuite()
	doc := []byte(strings.Replace(string(generic(`"validFrom":"2026-01-01T00:00:00Z"`)), genericDID, id, 1))
	signed, err := suite.Sign(doc, issuer.NewSigner(issuer.Issuer{DID: id}, vm, priv), dataintegrity.Options{VerificationMethod: vm, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return signed, id
}

// fakeWeb serves did:web documents from memory.
type fakeWeb map[string]did.Document

func (f fakeWeb) ResolveDID(_ context.Context, id string) (did.Document, error) {
	doc, ok := f[id]
	if !ok {
		return did.Document{}, fmt.Errorf("no document for %s", id)
	}
	return doc, nil
}

// The VC-API's verifier verifies a credential of any issuer whose own DID
// document lists the key that signed (did:key; did:web fetched), saying it
// is not a Chamber; the strict verifier does not. A did:web key named by
// its multibase binds no issuer: without its document, it is not enough.
func TestVerifyAnyIssuer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	open := *e.verifier
	open.AnyIssuer = true

	byKey, issuerID := keyCredential(t, 3, func(id, mb string) string { return id + "#" + mb })
	if rep := e.verifier.Verify(ctx, byKey); rep.Verified {
		t.Errorf("the strict verifier accepted an outside issuer: %+v", rep.Checks)
	}
	rep := open.Verify(ctx, byKey)
	if !rep.Verified || rep.Trusted || rep.Chamber || rep.Issuer != issuerID {
		t.Fatalf("did:key issuer: verified %t trusted %t chamber %t %+v", rep.Verified, rep.Trusted, rep.Chamber, rep.Checks)
	}
	if c, _ := rep.Check(credential.CheckIssuer); c.Reason.Key != "verify.issuer.outside" {
		t.Errorf("issuer check %+v", c)
	}

	// A did:web issuer: its key in the fragment is not enough; its fetched
	// document is, when it lists the key as an assertion method.
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, 32))
	pub := priv.Public().(ed25519.PublicKey)
	web := "did:web:issuer.example"
	vm := web + "#" + did.EncodePublicKey(pub)
	suite, _ := credential.NewSuite()
	doc := []byte(strings.Replace(string(generic(`"validFrom":"2026-01-01T00:00:00Z"`)), genericDID, web, 1))
	signed, err := suite.Sign(doc, issuer.NewSigner(issuer.Issuer{DID: web}, vm, priv), dataintegrity.Options{VerificationMethod: vm, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if rep := open.Verify(ctx, signed); rep.Verified {
		t.Errorf("a did:web issuer without its document: %+v", rep.Checks)
	}
	open.DIDWeb = fakeWeb{web: did.NewDocument(web, pub)}
	if rep := open.Verify(ctx, signed); !rep.Verified || rep.Chamber {
		t.Errorf("a did:web issuer whose document lists the key: %+v", rep.Checks)
	}
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, 32)).Public().(ed25519.PublicKey)
	open.DIDWeb = fakeWeb{web: did.NewDocument(web, other)}
	if rep := open.Verify(ctx, signed); rep.Verified {
		t.Errorf("a did:web issuer whose document does not list the key: %+v", rep.Checks)
	}

	// A Chamber's badge verifies as a Chamber's.
	badge := e.issue(t, credential.RDFC)
	if rep := open.Verify(ctx, badge.Body); !rep.Verified || !rep.Chamber || !rep.Trusted {
		t.Errorf("a Chamber's badge: %+v", rep.Checks)
	}
	// A key of someone else than the issuer does not make the issuer.
	forged, _ := keyCredential(t, 6, func(id, mb string) string {
		return "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
	})
	if rep := open.Verify(ctx, forged); rep.Verified {
		t.Errorf("signed by a key of another DID: %+v", rep.Checks)
	}
}

// A presentation's holder is a URL or an object with one, and its
// credentials are objects: a JWT given as a string is not one (VC 2.0
// §4.13), while an enveloped one is unwrapped.
func TestPresentationShape(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	open := *e.verifier
	open.AnyIssuer = true
	vc, _ := keyCredential(t, 7, func(id, mb string) string { return id + "#" + mb })
	jwtRec, err := e.creds.IssueDocument(ctx, operator, generic(""), credential.JWT)
	if err != nil {
		t.Fatal(err)
	}
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32))
	pub := priv.Public().(ed25519.PublicKey)
	holder := did.KeyDID(pub)
	vm := holder + "#" + did.EncodePublicKey(pub)
	suite, _ := credential.NewSuite()
	sign := func(vp map[string]any) []byte {
		data, _ := json.Marshal(vp)
		signed, err := suite.Sign(data, issuer.NewSigner(issuer.Issuer{DID: holder}, vm, priv), dataintegrity.Options{
			VerificationMethod: vm, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ProofPurpose: "authentication", Challenge: "c"})
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}
	envelope := map[string]any{"@context": credential.ContextVC, "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt," + string(jwtRec.Body)}
	for _, tc := range []struct {
		name   string
		holder any
		vcs    []any
		ok     bool
	}{
		{"holder as a URL", holder, []any{json.RawMessage(vc)}, true},
		{"holder as an object", map[string]any{"id": holder}, []any{json.RawMessage(vc), envelope}, true},
		{"holder not a URL", did.EncodePublicKey(pub), []any{json.RawMessage(vc)}, false},
		{"holder without an id", map[string]any{"name": "Acme"}, []any{json.RawMessage(vc)}, false},
		{"a credential as a string", holder, []any{string(jwtRec.Body)}, false},
	} {
		vp := map[string]any{"@context": []string{credential.ContextVC}, "type": []string{"VerifiablePresentation"}, "holder": tc.holder, "verifiableCredential": tc.vcs}
		// A presentation safe mode refuses cannot be signed: it is sent
		// unsigned, and the verifier refuses its shape.
		var rep *credential.PresentationReport
		if tc.ok {
			rep = open.VerifyPresentation(ctx, sign(vp), "c", "")
		} else {
			data, _ := json.Marshal(vp)
			rep = open.VerifyPresentation(ctx, data, "", "")
		}
		if rep.Verified != tc.ok {
			t.Errorf("%s: verified %t: %+v", tc.name, rep.Verified, rep.Checks)
			for _, c := range rep.Credentials {
				t.Logf("  %+v", c.Checks)
			}
		}
	}
}

// haltedGate stops everything, as a halted log does.
type haltedGate struct{}

func (haltedGate) Writable(context.Context) error {
	return attesta.E(attesta.Unavailable, "err.notary.rollback", 2, 3)
}
