package credential

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/attesta/attesta/internal/conformance"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/issuer"
)

// The benchmarks of the issue's targets, on the reference credential:
//
//	go test ./credential -run '^$' -bench Reference -cpu 1
//
// and, with the JavaScript stack measured in the same run,
//
//	go run ./cmd/attesta bench
func benchSetup(b *testing.B) (*dataintegrity.Suite, []byte, *issuer.Signer) {
	doc := conformance.Read(b, "reference/ob3-reference-credential.json")
	want := conformance.Read(b, "reference/ob3-reference-credential.canonical.nq")
	suite, err := NewSuite()
	if err != nil {
		b.Fatal(err)
	}
	// The canonical output must be the reference before anything is timed.
	if got, err := suite.CanonicalDocument(doc, dataintegrity.EdDSARDFC2022); err != nil || !bytes.Equal(got, want) {
		b.Fatalf("canonical N-Quads differ from the reference: %v", err)
	}
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	pub := priv.Public().(ed25519.PublicKey)
	vm := did.KeyDID(pub) + "#" + did.EncodePublicKey(pub)
	return suite, doc, issuer.NewSigner(issuer.Issuer{DID: did.KeyDID(pub)}, vm, priv)
}

var created = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)

// BenchmarkIssueReference: one eddsa-rdfc-2022 proof per operation.
func BenchmarkIssueReference(b *testing.B) {
	suite, doc, signer := benchSetup(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := suite.Sign(doc, signer, dataintegrity.Options{VerificationMethod: signer.VerificationMethod, Created: created}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyReference: one eddsa-rdfc-2022 proof checked per operation.
func BenchmarkVerifyReference(b *testing.B) {
	suite, doc, signer := benchSetup(b)
	signed, err := suite.Sign(doc, signer, dataintegrity.Options{VerificationMethod: signer.VerificationMethod, Created: created})
	if err != nil {
		b.Fatal(err)
	}
	v := &Verifier{}
	res := &keyResolver{v: v, keys: map[string]ed25519.PublicKey{}}
	b.ReportAllocs()
	for b.Loop() {
		r, err := suite.Verify(context.Background(), signed, res)
		if err != nil || r[0].Err != nil {
			b.Fatal(err, r[0].Err)
		}
	}
}

// BenchmarkVerifierReference: the whole verifier — structure, proof,
// issuer, dates, status — as the API and the CLI run it.
func BenchmarkVerifierReference(b *testing.B) {
	suite, doc, signer := benchSetup(b)
	signed, err := suite.Sign(doc, signer, dataintegrity.Options{VerificationMethod: signer.VerificationMethod, Created: created})
	if err != nil {
		b.Fatal(err)
	}
	v := &Verifier{Suite: suite, Trust: []Trust{{Key: signer.Public()}}, Clock: func() time.Time { return created }}
	b.ReportAllocs()
	for b.Loop() {
		if rep := v.Verify(context.Background(), signed); !rep.Verified && rep.Checks[2].Outcome != Pass {
			b.Fatal(rep.Checks)
		}
	}
}
