package jsonld

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/attesta/attesta/internal/vc/rdf"
)

// TestELMSample converts the European Learning Model's Annex I
// micro-credential sample (111 KB, VC 1.1 with the EDC application profile
// context) and compares with jsonld.js (testdata/elm-annex1-unsigned.jsonldjs.nq).
// The signed sample carries a proof with terms no context defines, which
// jsonld.js rejects too.
func TestELMSample(t *testing.T) {
	docs := pinnedContexts(t)
	all := map[string]Pinned{"http://data.europa.eu/snb/model/context/edc-ap": {
		Data:   readConformance(t, "elm-v3/edc-ap-context.jsonld"),
		SHA256: "528f8a0e86dbbec7db2216c61806e6311feedac77a51d1a38b0a1d49e4c337fb",
	}}
	for u, d := range docs {
		all[u] = d
	}
	d, err := NewDocuments(all)
	if err != nil {
		t.Fatal(err)
	}
	p := NewProcessor(d, Limits{})
	q, err := p.ToRDF(context.Background(), readConformance(t, "elm-v3/Sample-MC-Annex1-unsigned.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := rdf.CanonicalNQuads(q, rdf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/elm-annex1-unsigned.jsonldjs.nq")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("differs from jsonld.js:\n%s", lineDiff(string(want), string(got)))
	}
	_, err = p.ToRDF(context.Background(), readConformance(t, "elm-v3/Sample-MC-Annex1-signed.jsonld"))
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalidProperty {
		t.Errorf("signed sample: %v", err)
	}
}
