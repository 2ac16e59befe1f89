package jsonld

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/attesta/attesta/internal/conformance"
	"github.com/attesta/attesta/internal/vc/rdf"
)

// FuzzToRDF feeds arbitrary bytes to ToRDF, seeded with the conformance
// documents and the corpus. It must never panic, must report every
// rejection as an *Error, must respect the limits, must only produce valid
// quads, and must give the same quads for the same document decoded by
// encoding/json.
func FuzzToRDF(f *testing.F) {
	lim := Limits{MaxInputBytes: 64 << 10, MaxDepth: 32, MaxNodes: 5000, MaxQuads: 2000}
	docs, err := NewDocuments(pinnedContexts(f))
	if err != nil {
		f.Fatal(err)
	}
	p := NewProcessor(docs, lim)
	for _, s := range conformance.Glob(f, "ob30-fixtures/*.json") {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"reference/ob3-reference-credential.json", "ob3-testvector/signed-credential.json", "vc-di-eddsa-testvectors/unsigned.json"} {
		f.Add(conformance.Read(f, s))
	}
	if b, err := os.ReadFile("testdata/cases.json"); err == nil {
		var cases map[string]corpusCase
		if json.Unmarshal(b, &cases) == nil {
			for _, c := range cases {
				f.Add([]byte(c.Doc))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		quads, err := p.ToRDF(context.Background(), data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is not an *Error: %v", err)
			}
			return
		}
		if len(data) > lim.MaxInputBytes || len(quads) > lim.MaxQuads {
			t.Fatalf("limits not enforced: %d bytes, %d quads", len(data), len(quads))
		}
		for _, q := range quads {
			if err := q.Validate(); err != nil {
				t.Fatalf("invalid quad %s: %v", rdf.AppendQuad(nil, q), err)
			}
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("ToRDF accepted what encoding/json rejects: %v", err)
		}
		q2, err := p.ToRDFValue(context.Background(), v)
		if err != nil {
			t.Fatalf("ToRDFValue rejects what ToRDF accepts: %v", err)
		}
		if a, b := rdf.SerializeNQuads(quads), rdf.SerializeNQuads(q2); !bytes.Equal(a, b) {
			t.Fatalf("ToRDF and ToRDFValue differ:\n%s\n---\n%s", a, b)
		}
	})
}
