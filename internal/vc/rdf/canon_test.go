package rdf

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/attesta/attesta/internal/conformance"
)

// suiteDir is the W3C RDFC-1.0 test suite's folder among the repository's
// conformance vectors.
const suiteDir = "rdf-canon-tests"

type manifestEntry struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	Name          string `json:"name"`
	Action        string `json:"action"`
	Result        string `json:"result"`
	HashAlgorithm string `json:"hashAlgorithm"`
}

// loadManifest reads the test suite manifest.
func loadManifest(tb testing.TB) []manifestEntry {
	tb.Helper()
	data := conformance.Read(tb, suiteDir+"/manifest.jsonld")
	var m struct {
		Entries []manifestEntry `json:"entries"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		tb.Fatalf("manifest: %v", err)
	}
	if len(m.Entries) == 0 {
		tb.Fatal("manifest has no entries")
	}
	return m.Entries
}

func readSuiteFile(tb testing.TB, name string) []byte {
	tb.Helper()
	return conformance.Read(tb, suiteDir+"/"+name)
}

func hashFor(tb testing.TB, alg string) func() hash.Hash {
	switch alg {
	case "", "SHA256":
		return sha256.New
	case "SHA384":
		return sha512.New384
	}
	tb.Fatalf("unknown hash algorithm %q", alg)
	return nil
}

func TestConformance(t *testing.T) {
	entries := loadManifest(t)
	var passed int
	for _, e := range entries {
		ok := t.Run(strings.TrimPrefix(e.ID, "#")+"/"+e.Name, func(t *testing.T) {
			quads, err := ParseNQuads(readSuiteFile(t, e.Action), Limits{})
			if err != nil {
				t.Fatalf("parse %s: %v", e.Action, err)
			}
			opts := Options{Hash: hashFor(t, e.HashAlgorithm)}
			switch e.Type {
			case "rdfc:RDFC10EvalTest":
				got, err := CanonicalNQuads(quads, opts)
				if err != nil {
					t.Fatal(err)
				}
				want := readSuiteFile(t, e.Result)
				if !bytes.Equal(got, want) {
					t.Fatalf("canonical N-Quads differ\n got:\n%s\nwant:\n%s", got, want)
				}
				res, err := Canonicalize(quads, opts)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(res.NQuads, want) {
					t.Fatalf("Result.NQuads differs from CanonicalNQuads")
				}
				if s := SerializeNQuads(res.Quads); !bytes.Equal(s, want) {
					t.Fatalf("Result.Quads serialize to\n%s", s)
				}
			case "rdfc:RDFC10MapTest":
				res, err := Canonicalize(quads, opts)
				if err != nil {
					t.Fatal(err)
				}
				var want map[string]string
				if err := json.Unmarshal(readSuiteFile(t, e.Result), &want); err != nil {
					t.Fatal(err)
				}
				if !maps.Equal(res.Issued, want) {
					t.Fatalf("issued identifiers %v, want %v", res.Issued, want)
				}
			case "rdfc:RDFC10NegativeEvalTest":
				_, err := Canonicalize(quads, opts)
				if !errors.Is(err, ErrWorkLimit) {
					t.Fatalf("got error %v, want the work limit exceeded", err)
				}
				if !strings.Contains(err.Error(), "work limit exceeded") {
					t.Fatalf("error %q does not say the work limit was exceeded", err)
				}
			default:
				t.Fatalf("unknown test type %q", e.Type)
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("RDFC-1.0 conformance: %d/%d passed", passed, len(entries))
}

// TestConformanceRelabelled checks that renaming the input blank nodes does
// not change the canonical output of any evaluation test.
func TestConformanceRelabelled(t *testing.T) {
	for _, e := range loadManifest(t) {
		if e.Type != "rdfc:RDFC10EvalTest" {
			continue
		}
		quads, err := ParseNQuads(readSuiteFile(t, e.Action), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		opts := Options{Hash: hashFor(t, e.HashAlgorithm)}
		want := readSuiteFile(t, e.Result)
		for _, rename := range []func(string) string{
			func(s string) string { return "x" + s },
			func(s string) string { return "n" + reverse(s) + "q" },
		} {
			got, err := CanonicalNQuads(relabel(quads, rename), opts)
			if err != nil {
				t.Fatalf("%s: %v", e.ID, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: output changed when blank nodes were renamed", e.ID)
			}
			// Reversing the input order must not matter either.
			rev := slices.Clone(quads)
			slices.Reverse(rev)
			got, err = CanonicalNQuads(relabel(rev, rename), opts)
			if err != nil {
				t.Fatalf("%s: %v", e.ID, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: output changed when the input order was reversed", e.ID)
			}
		}
	}
}

func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}

func relabel(quads []Quad, rename func(string) string) []Quad {
	out := slices.Clone(quads)
	for i := range out {
		for _, t := range []*Term{&out[i].Subject, &out[i].Object, &out[i].Graph} {
			if t.Kind == Blank {
				t.Value = rename(t.Value)
			}
		}
	}
	return out
}

func TestCanonicalizeDoesNotMutate(t *testing.T) {
	in := []Quad{
		{Subject: NewBlank("x"), Predicate: NewIRI("http://ex/p"), Object: NewBlank("y")},
		{Subject: NewBlank("y"), Predicate: NewIRI("http://ex/p"), Object: NewLiteral("v", XSDString), Graph: NewBlank("g")},
		{Subject: NewBlank("y"), Predicate: NewIRI("http://ex/p"), Object: NewLiteral("v", ""), Graph: NewBlank("g")},
	}
	orig := slices.Clone(in)
	res, err := Canonicalize(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(in, orig) {
		t.Fatal("input quads were modified")
	}
	// The two last quads are the same quad: xsd:string is the default.
	if len(res.Quads) != 2 || bytes.Count(res.NQuads, []byte("\n")) != 2 {
		t.Fatalf("duplicates kept:\n%s", res.NQuads)
	}
	if len(res.Issued) != 3 {
		t.Fatalf("issued %v", res.Issued)
	}
}

func TestCanonicalizeDuplicates(t *testing.T) {
	base, err := ParseNQuads([]byte(`_:a <http://ex/p> _:b .
_:b <http://ex/p> _:a .
_:a <http://ex/q> "x" _:g .
<http://ex/s> <http://ex/p> "ground" .
`), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := CanonicalNQuads(base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dup := append(slices.Clone(base), base...)
	dup = append(dup, base[0], base[2])
	got, err := CanonicalNQuads(dup, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("duplicates changed the result:\n%s\nwant\n%s", got, want)
	}
}

func TestCanonicalizeInvalid(t *testing.T) {
	p := NewIRI("http://ex/p")
	tests := []struct {
		name string
		q    Quad
		want string
	}{
		{"literal subject", Quad{Subject: NewLiteral("x", ""), Predicate: p, Object: p}, "subject: literal term not allowed"},
		{"missing object", Quad{Subject: p, Predicate: p}, "object: missing term not allowed"},
		{"blank predicate", Quad{Subject: p, Predicate: NewBlank("b"), Object: p}, "predicate: blank node term not allowed"},
		{"relative IRI", Quad{Subject: NewIRI("foo"), Predicate: p, Object: p}, "not absolute"},
		{"IRI injection", Quad{Subject: p, Predicate: p, Object: NewIRI("http://a> <http://b")}, "not allowed in IRI"},
		{"empty blank", Quad{Subject: NewBlank(""), Predicate: p, Object: p}, "empty blank node label"},
		{"bad language", Quad{Subject: p, Predicate: p, Object: NewLangString("x", "en .\n")}, "invalid language tag"},
		{"langString without language", Quad{Subject: p, Predicate: p, Object: NewLiteral("x", RDFLangStr)}, "without a language tag"},
		{"invalid UTF-8", Quad{Subject: p, Predicate: p, Object: NewLiteral("\xff", "")}, "UTF-8"},
		{"literal graph", Quad{Subject: p, Predicate: p, Object: p, Graph: NewLiteral("g", "")}, "graph: literal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Canonicalize([]Quad{{Subject: p, Predicate: p, Object: p}, tt.q}, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "quad 1") {
				t.Fatalf("got %v, want error containing %q", err, tt.want)
			}
			if tt.q.Validate() == nil {
				t.Fatal("Validate accepted the quad")
			}
		})
	}
	// Canonicalize accepts any non-empty blank node label; Validate does not.
	q := Quad{Subject: NewBlank("has space"), Predicate: p, Object: p}
	if _, err := Canonicalize([]Quad{q}, Options{}); err != nil {
		t.Fatal(err)
	}
	if q.Validate() == nil {
		t.Fatal("Validate accepted a blank node label with a space")
	}
}

func TestWorkLimit(t *testing.T) {
	// A clique of blank nodes is the classic poison graph.
	var quads []Quad
	const n = 8
	for i := range n {
		for j := range n {
			quads = append(quads, Quad{Subject: NewBlank(fmt.Sprint("n", i)),
				Predicate: NewIRI("http://ex/p"), Object: NewBlank(fmt.Sprint("n", j))})
		}
	}
	_, err := Canonicalize(quads, Options{MaxWork: 1000})
	if !errors.Is(err, ErrWorkLimit) || !strings.Contains(err.Error(), "work limit exceeded (more than 1000 units)") {
		t.Fatalf("got %v, want ErrWorkLimit", err)
	}
	if _, err := Canonicalize(quads[:4*n], Options{MaxWork: -1}); err != nil {
		t.Fatal(err)
	}
}

// identicalList returns an RDF list of n equal items: all but its first and
// last node share their first-degree hash.
func identicalList(n int) []Quad {
	quads := []Quad{{Subject: NewIRI("http://ex/s"), Predicate: NewIRI("http://ex/p"), Object: NewBlank("l0")}}
	for i := range n {
		rest := NewIRI(RDFNil)
		if i+1 < n {
			rest = NewBlank(fmt.Sprint("l", i+1))
		}
		quads = append(quads,
			Quad{Subject: NewBlank(fmt.Sprint("l", i)), Predicate: NewIRI(RDFFirst), Object: NewLiteral("x", "")},
			Quad{Subject: NewBlank(fmt.Sprint("l", i)), Predicate: NewIRI(RDFRest), Object: rest})
	}
	return quads
}

// TestWorkLimitBoundsTime checks that the work bound also bounds time for a
// long chain of indistinguishable blank nodes, where each call of Hash
// N-Degree Quads recurses deeper and copies larger issuers.
func TestWorkLimitBoundsTime(t *testing.T) {
	if _, err := Canonicalize(identicalList(40), Options{}); err != nil {
		t.Fatalf("a list of 40 equal items: %v", err)
	}
	// How long giving up takes is BenchmarkWorkLimit's to measure: a
	// test that times itself fails on a busy machine.
	_, err := Canonicalize(identicalList(20000), Options{})
	if !errors.Is(err, ErrWorkLimit) {
		t.Fatalf("got %v, want ErrWorkLimit", err)
	}
}

// BenchmarkWorkLimit measures how long canonicalization takes to give up
// on a dataset too symmetrical to canonicalize: a list of 20,000 equal
// items.
func BenchmarkWorkLimit(b *testing.B) {
	list := identicalList(20000)
	for b.Loop() {
		if _, err := Canonicalize(list, Options{}); !errors.Is(err, ErrWorkLimit) {
			b.Fatalf("got %v, want ErrWorkLimit", err)
		}
	}
}

// TestReferenceCredential canonicalizes the Open Badges reference credential
// after renaming its blank nodes and shuffling it.
func TestReferenceCredential(t *testing.T) {
	for _, shuffle := range []bool{false, true} {
		want, quads := referenceDataset(t, shuffle)
		got, err := CanonicalNQuads(quads, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("canonical form differs:\n%s", got)
		}
	}
}

// referenceDataset returns the canonical N-Quads of the reference credential
// and its quads with non-canonical blank node labels, in canonical order or
// shuffled.
func referenceDataset(tb testing.TB, shuffle bool) ([]byte, []Quad) {
	tb.Helper()
	data := conformance.Read(tb, "reference/ob3-reference-credential.canonical.nq")
	quads, err := ParseNQuads(data, Limits{})
	if err != nil {
		tb.Fatal(err)
	}
	quads = relabel(quads, func(s string) string { return "b" + reverse(s) })
	if shuffle { // deterministically
		for i := range quads {
			j := (i*7919 + 13) % len(quads)
			quads[i], quads[j] = quads[j], quads[i]
		}
	}
	return data, quads
}

// BenchmarkCanonicalize canonicalizes the reference credential (153 quads,
// 16 blank nodes) given in canonical order with other blank node labels
// (close to what a JSON-LD processor emits) and shuffled.
func BenchmarkCanonicalize(b *testing.B) {
	for _, order := range []string{"Ordered", "Shuffled"} {
		_, quads := referenceDataset(b, order == "Shuffled")
		b.Run("CanonicalNQuads/"+order, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := CanonicalNQuads(quads, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Canonicalize/"+order, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Canonicalize(quads, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("SHA384/"+order, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := CanonicalNQuads(quads, Options{Hash: sha512.New384}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
