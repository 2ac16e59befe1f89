package jsonld

import (
	"bytes"
	"context"
	"testing"

	"github.com/attesta/attesta/internal/conformance"
	"github.com/attesta/attesta/internal/vc/rdf"
)

// readConformance returns a file of the repository's conformance vectors.
func readConformance(t testing.TB, rel string) []byte {
	t.Helper()
	return conformance.Read(t, rel)
}

// pinnedContexts loads the contexts listed in contexts/index.json.
func pinnedContexts(t testing.TB) map[string]Pinned {
	t.Helper()
	out := map[string]Pinned{}
	for u, c := range conformance.Contexts(t) {
		out[u] = Pinned{Data: c.Data, SHA256: c.SHA256}
	}
	return out
}

// newTestProcessor returns a processor over the conformance contexts.
func newTestProcessor(t testing.TB) *Processor {
	t.Helper()
	docs, err := NewDocuments(pinnedContexts(t))
	if err != nil {
		t.Fatal(err)
	}
	return NewProcessor(docs, Limits{})
}

// canonical converts data and returns its canonical N-Quads.
func canonical(t testing.TB, p *Processor, data []byte) string {
	t.Helper()
	quads, err := p.ToRDF(context.Background(), data)
	if err != nil {
		t.Fatalf("ToRDF: %v", err)
	}
	for _, q := range quads {
		if err := q.Validate(); err != nil {
			t.Errorf("invalid quad %s: %v", rdf.AppendQuad(nil, q), err)
		}
	}
	out, err := rdf.CanonicalNQuads(quads, rdf.Options{})
	if err != nil {
		t.Fatalf("CanonicalNQuads: %v", err)
	}
	return string(out)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
