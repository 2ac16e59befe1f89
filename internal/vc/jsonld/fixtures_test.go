package jsonld

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/attesta/attesta/internal/conformance"
	"github.com/attesta/attesta/internal/vc/rdf"
)

// TestOB30Fixtures converts the 1EdTech validator's OB 3.0 fixtures. The
// valid ones, and those broken for reasons outside JSON-LD (dates, proofs,
// issuer checks), must convert to what jsonld.js produces; those broken at
// the JSON-LD level must fail with the code jsonld.js reports.
func TestOB30Fixtures(t *testing.T) {
	p := newTestProcessor(t)
	dir := conformance.Path(t, "ob30-fixtures")
	const ed2020 = CodeLoadingContextFailed // https://w3id.org/security/suites/ed25519-2020/v1 is not pinned
	tests := []struct {
		file string
		code string // "" when it must convert
		why  string
	}{
		{"complete.json", "", ""},
		{"complete_v1.json", ed2020, "VC 1.1 with the Ed25519Signature2020 context, not pinned"},
		{"credential-status-revoked.json", ed2020, "VC 1.1 with the Ed25519Signature2020 context, not pinned"},
		{"endorsement-err-schema-status-refresh.json", ed2020, "VC 1.1 with the Ed25519Signature2020 context, not pinned"},
		{"endorsement-valid.json", "", ""},
		{"simple-context-alias.json", "", ""},
		{"simple-context-version.json", "", ""},
		{"simple-did-key-method.json", "", ""},
		{"simple-did-web-method.json", "", ""},
		{"simple-eddsa-2022.json", "", ""},
		{"simple-err-context.json", CodeInvalidProperty, "no VC context: credential terms undefined"},
		{"simple-err-credential-subject-achievement-result-description-type.json", CodeInvalidProperty, "undefined type, so its properties are undefined"},
		{"simple-err-credential-subject-identifier-type.json", CodeInvalidProperty, "undefined type, so its properties are undefined"},
		{"simple-err-credential-subject-profile-type.json", CodeRelativeType, "undefined type InvalidProfile"},
		{"simple-err-credential-subject-result-type.json", CodeInvalidProperty, "undefined type, so its properties are undefined"},
		{"simple-err-credential-subject-type.json", CodeInvalidProperty, "undefined type, so its properties are undefined"},
		{"simple-err-evidence-type.json", CodeInvalidProperty, "undefined type, so its properties are undefined"},
		{"simple-err-expired.json", "", "expiry is not a JSON-LD matter"},
		{"simple-err-issued.json", "", "issuance date is not a JSON-LD matter"},
		{"simple-err-issuer-otheridentifier-type.json", CodeInvalidProperty, "undefined type, so its properties are undefined"},
		{"simple-err-issuer-parentorg-type.json", CodeRelativeType, "undefined type InvalidProfile"},
		{"simple-err-issuer-type.json", CodeRelativeType, "undefined type InvalidProfile"},
		{"simple-err-issuer.json", "", "a missing issuer is not a JSON-LD matter"},
		{"simple-err-proof-method-no-scheme.json", CodeRelativeObject, "verificationMethod without a scheme"},
		{"simple-err-proof-method-unknown-did-method.json", "", "DID resolution is not a JSON-LD matter"},
		{"simple-err-proof-method-unknown-scheme.json", "", "key resolution is not a JSON-LD matter"},
		{"simple-err-proof-method.json", "", "key resolution is not a JSON-LD matter"},
		{"simple-err-proof-value.json", "", "the signature is not a JSON-LD matter"},
		{"simple-err-type.json", CodeRelativeType, "undefined credential type OtherCredential"},
		{"simple-multiple-proofs.json", CodeInvalidProperty, "proof of undefined type SomeProofType"},
		{"simple-noproof.json", ed2020, "VC 1.1 with the Ed25519Signature2020 context, not pinned"},
		{"simple.json", "", ""},
		{"simple_v1.json", ed2020, "VC 1.1 with the Ed25519Signature2020 context, not pinned"},
		{"sd/derivedcredential.json", "", ""},
		{"bit-string-list/credential-status-revoked-blank-nodes.json", "", ""},
		{"bit-string-list/credential-status-revoked.json", "", ""},
	}
	var js map[string]jsResult
	readJSON(t, "testdata/fixtures-jsonldjs.json", &js)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			quads, err := p.ToRDF(context.Background(), data)
			want := js[tt.file]
			if tt.code != "" {
				var e *Error
				if !errors.As(err, &e) || e.Code != tt.code {
					t.Fatalf("error %v; want code %q (%s)", err, tt.code, tt.why)
				}
				if want.Error != tt.code {
					t.Errorf("jsonld.js reports %q", want.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("ToRDF: %v", err)
			}
			got, err := rdf.CanonicalNQuads(quads, rdf.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if want.NQuads == nil || string(got) != *want.NQuads {
				t.Fatalf("differs from jsonld.js (%+v):\n%s", want.Error, lineDiff(deref(want.NQuads), string(got)))
			}
			// The decoded form gives the same dataset.
			var v any
			dec := json.NewDecoder(bytesReader(data))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			q2, err := p.ToRDFValue(context.Background(), v)
			if err != nil {
				t.Fatalf("ToRDFValue: %v", err)
			}
			got2, err := rdf.CanonicalNQuads(q2, rdf.Options{})
			if err != nil || string(got2) != string(got) {
				t.Fatalf("ToRDFValue differs (%v):\n%s", err, lineDiff(string(got), string(got2)))
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
