package jsonld

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"testing"

	"github.com/attesta/attesta/internal/vc/rdf"
)

// corpusCase is a document of testdata/cases.json. Ours, when set, is the
// error code this package must report where it is deliberately stricter
// than jsonld.js.
type corpusCase struct {
	Doc  json.RawMessage `json:"doc"`
	Ours string          `json:"ours"`
	Note string          `json:"note"`
}

// jsResult is what jsonld.js produced for a case (testdata/jsonldjs.json,
// made by testdata/jsonldjs.mjs).
type jsResult struct {
	NQuads *string `json:"nquads"`
	Error  string  `json:"error"`
}

// TestCorpusAgainstJsonldJS converts every case of testdata/cases.json and
// compares the canonical N-Quads with those jsonld.js produced, or the
// error with the one it reported.
func TestCorpusAgainstJsonldJS(t *testing.T) {
	p := newTestProcessor(t)
	var cases map[string]corpusCase
	readJSON(t, "testdata/cases.json", &cases)
	var js map[string]jsResult
	readJSON(t, "testdata/jsonldjs.json", &js)
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		c := cases[name]
		t.Run(name, func(t *testing.T) {
			want, ok := js[name]
			if !ok {
				t.Fatal("no jsonld.js result: run testdata/jsonldjs.mjs")
			}
			quads, err := p.ToRDF(context.Background(), c.Doc)
			var got string
			if err == nil {
				for _, q := range quads {
					if verr := q.Validate(); verr != nil {
						t.Errorf("invalid quad %s: %v", rdf.AppendQuad(nil, q), verr)
					}
				}
				b, cerr := rdf.CanonicalNQuads(quads, rdf.Options{})
				if cerr != nil {
					t.Fatalf("CanonicalNQuads: %v", cerr)
				}
				got = string(b)
			}
			var jerr *Error
			if err != nil && !errors.As(err, &jerr) {
				t.Fatalf("error is not an *Error: %v", err)
			}
			switch {
			case c.Ours != "":
				if err == nil {
					t.Fatalf("accepted; want %q (%s)", c.Ours, c.Note)
				}
				if jerr.Code != c.Ours {
					t.Fatalf("error %v; want code %q", err, c.Ours)
				}
			case want.NQuads != nil:
				if err != nil {
					t.Fatalf("rejected (%v); jsonld.js accepts it", err)
				}
				if got != *want.NQuads {
					t.Fatalf("canonical N-Quads differ from jsonld.js:\n%s", lineDiff(*want.NQuads, got))
				}
			default:
				if err == nil {
					t.Fatalf("accepted; jsonld.js rejects it with %q\n%s", want.Error, got)
				}
				if jerr.Code != want.Error {
					t.Errorf("error %v; jsonld.js reports %q", err, want.Error)
				}
			}
		})
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
