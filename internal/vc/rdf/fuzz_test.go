package rdf

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/attesta/attesta/internal/conformance"
)

// fuzzLimits keep fuzzed inputs small enough for many iterations a second.
var fuzzLimits = Limits{MaxBytes: 1 << 14, MaxQuads: 256, MaxTermLen: 1 << 10}

// addSuiteSeeds adds the inputs of the test suite and a few hand-written
// documents to the seed corpus.
func addSuiteSeeds(f *testing.F) {
	for _, name := range conformance.Glob(f, suiteDir+"/rdfc10/*-in.nq") {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"# comment only\n",
		"<http://ex/s> <http://ex/p> \"\\u00E9\\t\"@en <http://ex/g> .\n",
		"_:a <http://ex/p> _:b .\n_:b <http://ex/p> _:a .\n",
		"_:a <http://ex/p> _:a _:a .\r\n_:a <http://ex/q> \"x\"^^<urn:dt> _:a .",
		"_:s<http://ex/p>_:o.\n",
	} {
		f.Add([]byte(s))
	}
}

func FuzzParseNQuads(f *testing.F) {
	addSuiteSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		quads, err := ParseNQuads(data, fuzzLimits)
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				if se.Line < 1 || se.Column < 1 || se.Msg == "" {
					t.Fatalf("bad error position: %v", err)
				}
			} else if !errors.Is(err, ErrLimit) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		for i, q := range quads {
			if err := q.Validate(); err != nil {
				t.Fatalf("parsed quad %d is invalid: %v", i, err)
			}
		}
		out := SerializeNQuads(quads)
		again, err := ParseNQuads(out, Limits{})
		if err != nil {
			t.Fatalf("reparsing %q: %v", out, err)
		}
		if len(quads) != len(again) || (len(quads) > 0 && !reflect.DeepEqual(quads, again)) {
			t.Fatalf("round trip changed the quads:\n%v\n%v", quads, again)
		}
		if out2 := SerializeNQuads(again); !bytes.Equal(out, out2) {
			t.Fatalf("serialization not stable:\n%q\n%q", out, out2)
		}
	})
}

// fuzzMaxWork keeps poison inputs from slowing the fuzzer down.
const fuzzMaxWork = 20_000

func FuzzCanonicalize(f *testing.F) {
	addSuiteSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		quads, err := ParseNQuads(data, fuzzLimits)
		if err != nil {
			return
		}
		opts := Options{MaxWork: fuzzMaxWork}
		res, err := Canonicalize(quads, opts)
		if err != nil {
			if !errors.Is(err, ErrWorkLimit) {
				t.Fatalf("parsed input rejected: %v", err)
			}
			return
		}

		// The issued identifiers are c14n0 … c14nN-1, one per blank node.
		labels := map[string]bool{}
		for _, q := range quads {
			for _, t := range []Term{q.Subject, q.Object, q.Graph} {
				if t.Kind == Blank {
					labels[t.Value] = true
				}
			}
		}
		issued := slices.Sorted(maps.Values(res.Issued))
		if len(res.Issued) != len(labels) || len(issued) != len(labels) {
			t.Fatalf("issued %v for %d blank nodes", res.Issued, len(labels))
		}
		for i := range issued {
			if !slices.Contains(issued, "c14n"+strconv.Itoa(i)) {
				t.Fatalf("issued identifiers %v are not c14n0…", issued)
			}
		}
		if got := SerializeNQuads(res.Quads); !bytes.Equal(got, res.NQuads) {
			t.Fatalf("Result.Quads and Result.NQuads differ")
		}
		lines := bytes.SplitAfter(res.NQuads, []byte("\n"))
		lines = lines[:len(lines)-1] // after the last line break
		if !slices.IsSortedFunc(lines, bytes.Compare) {
			t.Fatalf("canonical lines not sorted:\n%s", res.NQuads)
		}
		for i := 1; i < len(lines); i++ {
			if bytes.Equal(lines[i-1], lines[i]) {
				t.Fatalf("duplicate canonical line %q", lines[i])
			}
		}

		// Canonical N-Quads are their own canonical form.
		again, err := ParseNQuads(res.NQuads, Limits{})
		if err != nil {
			t.Fatalf("canonical output does not parse: %v", err)
		}
		if out, err := CanonicalNQuads(again, opts); err == nil && !bytes.Equal(out, res.NQuads) {
			t.Fatalf("canonicalization not idempotent:\n%s\n%s", res.NQuads, out)
		}

		// Renaming the blank nodes or reordering the quads changes nothing,
		// unless the different order of work hits the bound.
		renamed := relabel(quads, func(s string) string { return "r" + reverse(s) + "x" })
		slices.Reverse(renamed)
		out, err := CanonicalNQuads(renamed, opts)
		if err != nil {
			if !errors.Is(err, ErrWorkLimit) {
				t.Fatal(err)
			}
			return
		}
		if !bytes.Equal(out, res.NQuads) {
			t.Fatalf("renaming blank nodes changed the canonical form:\n%s\n%s", res.NQuads, out)
		}
	})
}
