package jsonld

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestReferenceCredential checks attesta's reference OB 3.0 credential
// against the canonical N-Quads jsonld.js and rdf-canonize produce.
func TestReferenceCredential(t *testing.T) {
	p := newTestProcessor(t)
	in := readConformance(t, "reference/ob3-reference-credential.json")
	want := string(readConformance(t, "reference/ob3-reference-credential.canonical.nq"))
	got := canonical(t, p, in)
	if got != want {
		t.Errorf("canonical N-Quads differ\n%s", lineDiff(want, got))
	}
	if n := strings.Count(got, "\n"); n != 153 {
		t.Errorf("%d quads, want 153", n)
	}
}

// withoutProof returns the JSON document data without its "proof" member,
// and the proof itself with the document's @context, as Data Integrity
// canonicalizes them.
func withoutProof(t *testing.T, data []byte) (doc, proof []byte) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	pr, _ := m["proof"].(map[string]any)
	delete(m, "proof")
	doc, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if pr == nil {
		return doc, nil
	}
	delete(pr, "proofValue")
	pr["@context"] = m["@context"]
	proof, err = json.Marshal(pr)
	if err != nil {
		t.Fatal(err)
	}
	return doc, proof
}

func TestOB3TestVector(t *testing.T) {
	p := newTestProcessor(t)
	doc, proof := withoutProof(t, readConformance(t, "ob3-testvector/signed-credential.json"))
	if got, want := canonical(t, p, doc), string(readConformance(t, "ob3-testvector/document-canon.nq")); got != want {
		t.Errorf("document:\n%s", lineDiff(want, got))
	}
	if got, want := canonical(t, p, proof), string(readConformance(t, "ob3-testvector/proof-canon.nq")); got != want {
		t.Errorf("proof:\n%s", lineDiff(want, got))
	}
}

func TestEddsaRdfc2022Vectors(t *testing.T) {
	p := newTestProcessor(t)
	dir := "vc-di-eddsa-testvectors/eddsa-rdfc-2022/"
	if got, want := canonical(t, p, readConformance(t, "vc-di-eddsa-testvectors/unsigned.json")),
		string(readConformance(t, dir+"canonDocDataInt.txt")); got != want {
		t.Errorf("document:\n%s", lineDiff(want, got))
	}
	if got, want := canonical(t, p, readConformance(t, dir+"proofConfigDataInt.json")),
		string(readConformance(t, dir+"proofCanonDataInt.txt")); got != want {
		t.Errorf("proof:\n%s", lineDiff(want, got))
	}
}

// lineDiff lists the lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	w := map[string]int{}
	for _, l := range strings.Split(want, "\n") {
		w[l]++
	}
	g := map[string]int{}
	for _, l := range strings.Split(got, "\n") {
		g[l]++
	}
	var b strings.Builder
	for l, n := range w {
		if g[l] < n {
			b.WriteString("- " + l + "\n")
		}
	}
	for l, n := range g {
		if w[l] < n {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}
