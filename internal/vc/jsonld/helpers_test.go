package jsonld

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/attesta/attesta/internal/vc/rdf"
)

// conformanceDir holds the shared conformance material, relative to the
// package directory.
const conformanceDir = "../../../../shared/conformance"

// conformance returns the path of a file of the conformance material, or
// skips the test when the material is missing (failing instead when
// ATTESTA_REQUIRE_CONFORMANCE=1).
func conformance(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(conformanceDir, rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("ATTESTA_REQUIRE_CONFORMANCE") == "1" {
			t.Fatalf("conformance material missing: %v", err)
		}
		t.Skipf("conformance material missing (%v); set ATTESTA_REQUIRE_CONFORMANCE=1 to fail instead", err)
	}
	return p
}

func readConformance(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(conformance(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	docsOnce sync.Once
	docsSet  map[string]Pinned
	docsErr  error
)

// pinnedContexts loads the contexts listed in contexts/index.json.
func pinnedContexts(t testing.TB) map[string]Pinned {
	t.Helper()
	dir := conformance(t, "contexts")
	docsOnce.Do(func() {
		raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
		if err != nil {
			docsErr = err
			return
		}
		var index map[string]struct {
			File   string `json:"file"`
			SHA256 string `json:"sha256"`
		}
		if err := json.Unmarshal(raw, &index); err != nil {
			docsErr = err
			return
		}
		docsSet = map[string]Pinned{}
		for u, e := range index {
			b, err := os.ReadFile(filepath.Join(dir, e.File))
			if err != nil {
				docsErr = err
				return
			}
			docsSet[u] = Pinned{Data: b, SHA256: e.SHA256}
		}
	})
	if docsErr != nil {
		t.Fatal(docsErr)
	}
	return docsSet
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
