package credential

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/internal/conformance"
)

// TestOB30Fixtures runs the verifier over every credential of 1EdTech's
// validator test resources. Valid fixtures verify, or are rejected only for
// the documented reason given here; every *-err-* fixture is rejected by the
// check its name states, with a detail naming the fault.
func TestOB30Fixtures(t *testing.T) {
	fixtures := conformance.Path(t, "ob30-fixtures")
	suite, err := NewSuite()
	if err != nil {
		t.Fatal(err)
	}
	lists, err := NewListStatus(map[string][]byte{
		"https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist": mustRead(t, fixtures+"/bit-string-list/testlist"),
	})
	if err != nil {
		t.Fatal(err)
	}
	v := &Verifier{
		Suite: suite, JWT: &JWTVerifier{}, Status: lists,
		Clock: func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) },
		// The example issuers of the fixtures, trusted as a verifier's
		// --trust would.
		Trust: []Trust{{Issuer: "https://example.com/issuers/876543"}, {Issuer: "https://1edtech.edu/issuers/565049"},
			{Issuer: "https://example.edu/issuers/565049"}, {Issuer: "https://state.gov/issuers/565049"}},
	}
	type want struct {
		check  CheckID // the failing check; "" for a credential that verifies
		detail string  // in the failing check's detail
		why    string  // for a valid fixture that is rejected: the justification
	}
	const (
		legacySuite = "VC 1.1 credential signed with the Ed25519Signature2020 suite, superseded by eddsa-rdfc-2022 for OB 3.0 certification; attesta verifies Data Integrity EdDSA proofs only"
		rs256       = "JWT signed with RS256 whose key is published only in the issuer's online profile: an offline verifier cannot obtain it, and attesta verifies EdDSA JWTs"
	)
	cases := map[string]want{
		"simple.json":                 {},
		"simple.1ob":                  {},
		"simple-json.png":             {},
		"simple-json.svg":             {},
		"simple-context-alias.json":   {},
		"simple-context-version.json": {},
		"simple-did-web-method.json":  {},
		"simple-multiple-proofs.json": {},
		"endorsement-valid.json":      {},

		"complete.json":                  {CheckStatus, "1EdTechRevocationList", "its status uses 1EdTech's revocation list service, which is only online and not a W3C status method: its status cannot be checked"},
		"complete_v1.json":               {CheckProof, "Ed25519Signature2020", legacySuite},
		"simple_v1.json":                 {CheckProof, "Ed25519Signature2020", legacySuite},
		"credential-status-revoked.json": {CheckProof, "Ed25519Signature2020", legacySuite},
		"simple-eddsa-2022.json":         {CheckProof, `cryptosuite "eddsa-2022"`, "signed with eddsa-2022, the draft name of eddsa-rdfc-2022 whose algorithm differs (VC 1.1 contexts)"},
		"simple-did-key-method.json":     {CheckIssuer, "issuer urn:uuid:", "signed by a did:key while its issuer is a urn:uuid: nothing binds the key to the issuer (Digital Bazaar's verifier rejects it too)"},
		"simple-noproof.json":            {CheckProof, "no proof", "has no proof: nothing can be verified"},
		"simple.jwt":                     {CheckProof, "RS256", rs256},
		"velocity.jwt":                   {CheckProof, "RS256", rs256},
		"simple-jwt.png":                 {CheckProof, "RS256", rs256},
		"simple-jwt.svg":                 {CheckProof, "RS256", rs256},
		"simple-jwt_v1.png":              {CheckProof, "RS256", rs256},
		"simple-jwt_v1.svg":              {CheckProof, "RS256", rs256},
		"bit-string-list/credential-status-revoked.json":             {CheckStatus, "testlist#", "revoked in its status list"},
		"bit-string-list/credential-status-revoked-blank-nodes.json": {CheckStatus, "testlist#", "revoked in its status list"},

		"simple-err-context.json": {CheckStructure, "@context: must begin with", ""},
		"simple-err-credential-subject-achievement-result-description-type.json": {CheckStructure, "resultDescription[2].type: must include ResultDescription", ""},
		"simple-err-credential-subject-identifier-type.json":                     {CheckStructure, "identifier[0].type: must include IdentityObject", ""},
		"simple-err-credential-subject-profile-type.json":                        {CheckStructure, "source.type: must include Profile", ""},
		"simple-err-credential-subject-result-type.json":                         {CheckStructure, "result[1].type: must include Result", ""},
		"simple-err-credential-subject-type.json":                                {CheckStructure, "credentialSubject.type: must include AchievementSubject", ""},
		"simple-err-evidence-type.json":                                          {CheckStructure, "evidence[1].type: must include Evidence", ""},
		"simple-err-expired.json":                                                {CheckValidity, "2010-01-01", ""},
		"simple-err-issued.json":                                                 {CheckValidity, "2040-01-01", ""},
		"simple-err-issuer-otheridentifier-type.json":                            {CheckStructure, "otherIdentifier[1].type: must include IdentifierEntry", ""},
		"simple-err-issuer-parentorg-type.json":                                  {CheckStructure, "parentOrg.type: must include Profile", ""},
		"simple-err-issuer-type.json":                                            {CheckStructure, "issuer.type: must include Profile", ""},
		"simple-err-issuer.json":                                                 {CheckStructure, "issuer: is required", ""},
		"simple-err-proof-method-no-scheme.json":                                 {CheckProof, "no scheme", ""},
		"simple-err-proof-method-unknown-did-method.json":                        {CheckProof, `DID method "example" is not supported`, ""},
		"simple-err-proof-method-unknown-scheme.json":                            {CheckProof, `scheme "xxx" is not supported`, ""},
		"simple-err-proof-method.json":                                           {CheckProof, "multibase key", ""},
		"simple-err-proof-value.json":                                            {CheckProof, "signature does not match", ""},
		"simple-err-type.json":                                                   {CheckStructure, "type: must include OpenBadgeCredential", ""},
		"endorsement-err-schema-status-refresh.json":                             {CheckStatus, "1EdTechRevocationList", ""},
	}
	files, _ := filepath.Glob(fixtures + "/*")
	more, _ := filepath.Glob(fixtures + "/bit-string-list/*.json")
	seen := 0
	for _, f := range append(files, more...) {
		name, _ := filepath.Rel(fixtures, f)
		if st, _ := os.Stat(f); st.IsDir() || name == "bit-string-list/testlist" {
			continue
		}
		seen++
		w, ok := cases[name]
		if !ok {
			t.Errorf("%s: fixture without an expectation", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			rep := v.Verify(context.Background(), mustRead(t, f))
			if w.check == "" {
				if !rep.Verified {
					t.Errorf("does not verify: %+v", rep.Checks)
				}
				return
			}
			if rep.Verified {
				t.Fatalf("verified, want a %s failure", w.check)
			}
			c, ok := rep.Check(w.check)
			if !ok || c.Outcome != Fail || !strings.Contains(c.Detail, w.detail) {
				t.Errorf("check %s = %+v, want a failure whose detail contains %q\nall checks: %+v", w.check, c, w.detail, rep.Checks)
			}
			if c.Reason.IT == "" || c.Reason.EN == "" {
				t.Errorf("check %s has no reason in both languages", w.check)
			}
		})
	}
	if seen != len(cases) {
		t.Errorf("%d fixtures on disk, %d expectations", seen, len(cases))
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
