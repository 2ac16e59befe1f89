package dataintegrity_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/did"
)

// eddsa-jcs-2022 holds a document to the rules of eddsa-rdfc-2022: one
// whose JSON-LD safe mode refuses (an undefined term, an undefined type) is
// neither signed nor verified, although its JSON could be.
func TestJCSSafeMode(t *testing.T) {
	strict := suite(t)
	jsonOnly := dataintegrity.NewSuite(nil) // signs the JSON alone
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := priv.Public().(ed25519.PublicKey)
	vm := did.KeyDID(pub) + "#" + did.EncodePublicKey(pub)
	opts := dataintegrity.Options{Cryptosuite: dataintegrity.EdDSAJCS2022, VerificationMethod: vm, Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	for _, doc := range []string{
		`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s","undefinedTerm":1}}`,
		`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","UndefinedType"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s"}}`,
	} {
		if _, err := strict.Sign([]byte(doc), keySigner(priv), opts); err == nil {
			t.Errorf("signed with eddsa-jcs-2022: %s", doc)
		}
		signed, err := jsonOnly.Sign([]byte(doc), keySigner(priv), opts)
		if err != nil {
			t.Fatal(err)
		}
		results, err := strict.Verify(context.Background(), signed, resolver{})
		if err != nil {
			t.Fatal(err)
		}
		var pe *dataintegrity.ProofError
		if !errors.As(results[0].Err, &pe) || pe.Step != dataintegrity.StepTransform {
			t.Errorf("verified %s: %v, want a canonicalization error", doc, results[0].Err)
		}
	}
	// A document within the rules signs and verifies as before.
	ok := `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s"}}`
	signed, err := strict.Sign([]byte(ok), keySigner(priv), opts)
	if err != nil {
		t.Fatal(err)
	}
	if results, err := strict.Verify(context.Background(), signed, resolver{}); err != nil || results[0].Err != nil {
		t.Errorf("a valid document: %v %v", err, results)
	}
	if !strings.Contains(string(signed), `"cryptosuite":"eddsa-jcs-2022"`) {
		t.Errorf("not a jcs proof: %s", signed)
	}
}
