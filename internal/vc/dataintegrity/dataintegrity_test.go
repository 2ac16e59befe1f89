package dataintegrity_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/internal/conformance"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/internal/vc/jsonld"
)

func read(t *testing.T, path string) []byte {
	t.Helper()
	return conformance.Read(t, path)
}

// suite builds a Suite over every context of the conformance index (the W3C
// vectors use the examples context, which attesta does not embed).
func suite(t testing.TB) *dataintegrity.Suite {
	t.Helper()
	docs := map[string]jsonld.Pinned{}
	for url, c := range conformance.Contexts(t) {
		docs[url] = jsonld.Pinned{Data: c.Data, SHA256: c.SHA256}
	}
	d, err := jsonld.NewDocuments(docs)
	if err != nil {
		t.Fatal(err)
	}
	return dataintegrity.NewSuite(jsonld.NewProcessor(d, jsonld.Limits{}))
}

type keyPair struct{ PublicKeyMultibase, PrivateKeyMultibase string }

func vectorKey(t *testing.T) (ed25519.PrivateKey, string) {
	var kp keyPair
	if err := json.Unmarshal(read(t, "vc-di-eddsa-testvectors/keyPair.json"), &kp); err != nil {
		t.Fatal(err)
	}
	priv, err := did.DecodePrivateKey(kp.PrivateKeyMultibase)
	if err != nil {
		t.Fatal(err)
	}
	return priv, "did:key:" + kp.PublicKeyMultibase + "#" + kp.PublicKeyMultibase
}

type keySigner ed25519.PrivateKey

func (k keySigner) Sign(m []byte) []byte { return ed25519.Sign(ed25519.PrivateKey(k), m) }

// resolver resolves did:key and {id}#{publicKeyMultibase} methods.
type resolver struct{}

func (resolver) ResolveKey(_ context.Context, vm string) (ed25519.PublicKey, error) {
	_, frag, ok := strings.Cut(vm, "#")
	if !ok {
		return nil, errors.New("no fragment")
	}
	return did.DecodePublicKey(frag)
}

// The W3C vc-di-eddsa test vectors: signing unsigned.json with the vector
// key and creation time reproduces the signed document byte for byte in the
// proof value, for both cryptosuites; the canonical document matches.
func TestW3CVectors(t *testing.T) {
	s := suite(t)
	priv, vm := vectorKey(t)
	unsigned := read(t, "vc-di-eddsa-testvectors/unsigned.json")
	for _, tc := range []struct{ suite, dir, signed, canon string }{
		{dataintegrity.EdDSARDFC2022, "eddsa-rdfc-2022", "signedDataInt.json", "canonDocDataInt.txt"},
		{dataintegrity.EdDSAJCS2022, "eddsa-jcs-2022", "signedJCS.json", "canonDocJCS.txt"},
	} {
		t.Run(tc.suite, func(t *testing.T) {
			canon, err := s.CanonicalDocument(unsigned, tc.suite)
			if err != nil {
				t.Fatal(err)
			}
			if want := read(t, "vc-di-eddsa-testvectors/"+tc.dir+"/"+tc.canon); strings.TrimSpace(string(canon)) != strings.TrimSpace(string(want)) {
				t.Errorf("canonical document:\n%s\nwant:\n%s", canon, want)
			}
			out, err := s.Sign(unsigned, keySigner(priv), dataintegrity.Options{Cryptosuite: tc.suite, VerificationMethod: vm,
				Created: time.Date(2023, 2, 24, 23, 36, 38, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			var got, want struct{ Proof map[string]any }
			json.Unmarshal(out, &got)
			json.Unmarshal(read(t, "vc-di-eddsa-testvectors/"+tc.dir+"/"+tc.signed), &want)
			if got.Proof["proofValue"] != want.Proof["proofValue"] {
				t.Errorf("proofValue %v, want %v", got.Proof["proofValue"], want.Proof["proofValue"])
			}
			res, err := s.Verify(context.Background(), read(t, "vc-di-eddsa-testvectors/"+tc.dir+"/"+tc.signed), resolver{})
			if err != nil || res[0].Err != nil {
				t.Errorf("the published vector does not verify: %v %v", err, res)
			}
			res, err = s.Verify(context.Background(), out, resolver{})
			if err != nil || res[0].Err != nil {
				t.Errorf("our signed document does not verify: %v %v", err, res)
			}
		})
	}
}

// 1EdTech's OB 3.0 test vector verifies, and its canonical N-Quads match.
func TestOB3Vector(t *testing.T) {
	s := suite(t)
	signed := read(t, "ob3-testvector/signed-credential.json")
	canon, err := s.CanonicalDocument(signed, dataintegrity.EdDSARDFC2022)
	if err != nil {
		t.Fatal(err)
	}
	if want := read(t, "ob3-testvector/document-canon.nq"); !bytes.Equal(bytes.TrimSpace(canon), bytes.TrimSpace(want)) {
		t.Errorf("canonical document:\n%s\nwant:\n%s", canon, want)
	}
	res, err := s.Verify(context.Background(), signed, resolver{})
	if err != nil || res[0].Err != nil {
		t.Fatalf("1EdTech vector does not verify: %v %v", err, res[0].Err)
	}
}

func TestTamperingDetected(t *testing.T) {
	s := suite(t)
	priv, vm := vectorKey(t)
	unsigned := read(t, "vc-di-eddsa-testvectors/unsigned.json")
	for _, cs := range []string{dataintegrity.EdDSARDFC2022, dataintegrity.EdDSAJCS2022} {
		out, err := s.Sign(unsigned, keySigner(priv), dataintegrity.Options{Cryptosuite: cs, VerificationMethod: vm, Created: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		tampered := bytes.Replace(out, []byte("The School of Examples"), []byte("The School of Exampler"), 1)
		res, err := s.Verify(context.Background(), tampered, resolver{})
		var pe *dataintegrity.ProofError
		if err != nil || !errors.As(res[0].Err, &pe) || pe.Step != dataintegrity.StepSignature {
			t.Errorf("%s: tampered document: %v %v", cs, err, res[0].Err)
		}
		if _, err := s.Sign(out, keySigner(priv), dataintegrity.Options{VerificationMethod: vm, Created: time.Now()}); err == nil {
			t.Errorf("%s: signing a signed document succeeded", cs)
		}
	}
}

// A term the contexts do not define is rejected when signing, never
// dropped from the signed data (json-gold's failure 1 in the notes).
func TestUndefinedTermRejected(t *testing.T) {
	s := suite(t)
	priv, vm := vectorKey(t)
	doc := []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:example:1",` +
		`"credentialSubject":{"id":"did:example:2","undefinedThing":"x"}}`)
	_, err := s.Sign(doc, keySigner(priv), dataintegrity.Options{VerificationMethod: vm, Created: time.Now()})
	if err == nil || !strings.Contains(err.Error(), "undefinedThing") {
		t.Errorf("Sign = %v, want an error naming undefinedThing", err)
	}
}

func BenchmarkSignReference(b *testing.B) {
	s, doc, signer, vm := benchSetup(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sign(doc, signer, dataintegrity.Options{VerificationMethod: vm, Created: time.Unix(1e9, 0)}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyReference(b *testing.B) {
	s, doc, signer, vm := benchSetup(b)
	signed, err := s.Sign(doc, signer, dataintegrity.Options{VerificationMethod: vm, Created: time.Unix(1e9, 0)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := s.Verify(context.Background(), signed, resolver{})
		if err != nil || res[0].Err != nil {
			b.Fatal(err, res[0].Err)
		}
	}
}

func benchSetup(b *testing.B) (*dataintegrity.Suite, []byte, keySigner, string) {
	data := conformance.Read(b, "reference/ob3-reference-credential.json")
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))
	mb := did.EncodePublicKey(priv.Public().(ed25519.PublicKey))
	return suite(b), data, keySigner(priv), "did:key:" + mb + "#" + mb
}

// FuzzSplitProof: the byte-level scan that takes the proof out of a
// document (package-internal, exercised through CanonicalDocument with the
// JCS suite, which needs no contexts) must never panic and must leave valid
// JSON without a proof.
func FuzzCanonicalDocumentJCS(f *testing.F) {
	f.Add([]byte(`{"a":1,"proof":{"x":[1,2,{"y":"}"}]},"b":"\"proof\""}`))
	f.Add([]byte(`{"proof":1}`))
	f.Add([]byte(`{ "b" : [ ] , "proof" : "z" }`))
	s := dataintegrity.NewSuite(nil)
	f.Fuzz(func(t *testing.T, doc []byte) {
		out, err := s.CanonicalDocument(doc, dataintegrity.EdDSAJCS2022)
		if err != nil {
			return
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("output is not a JSON object: %v\n%s", err, out)
		}
		if _, ok := m["proof"]; ok {
			t.Fatalf("proof left in %s", out)
		}
	})
}

// A member name written with escapes is the same name: "pro\u006ff" is a
// proof, and a document carrying one is not signed again.
func TestEscapedProofName(t *testing.T) {
	s := dataintegrity.NewSuite(nil)
	doc := []byte(`{"a":1,"pro\u006ff":{"x":1}}`)
	if _, err := s.Sign(doc, keySigner(ed25519.NewKeyFromSeed(make([]byte, 32))), dataintegrity.Options{VerificationMethod: "did:key:x#y", Created: time.Now()}); err == nil || !strings.Contains(err.Error(), "already has a proof") {
		t.Errorf("Sign = %v", err)
	}
	out, err := s.CanonicalDocument(doc, dataintegrity.EdDSAJCS2022)
	if err != nil || string(out) != `{"a":1}` {
		t.Errorf("CanonicalDocument = %s, %v", out, err)
	}
}
