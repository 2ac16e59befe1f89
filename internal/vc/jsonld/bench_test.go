package jsonld

import (
	"context"
	"github.com/attesta/attesta/internal/vc/rdf"
	"testing"
)

// BenchmarkToRDFReference converts the ~7 KB reference OB 3.0 credential
// (153 quads) from JSON bytes to quads, contexts cached.
func BenchmarkToRDFReference(b *testing.B) {
	p := newTestProcessor(b)
	in := readConformance(b, "reference/ob3-reference-credential.json")
	ctx := context.Background()
	if _, err := p.ToRDF(ctx, in); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.ToRDF(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExpandReference measures expansion alone.
func BenchmarkExpandReference(b *testing.B) {
	p := newTestProcessor(b)
	in := readConformance(b, "reference/ob3-reference-credential.json")
	ctx := context.Background()
	j := p.getJob()
	b.ReportAllocs()
	for b.Loop() {
		doc, err := p.decode(j, in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.expandDoc(ctx, j, &doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeReference measures JSON decoding alone.
func BenchmarkDecodeReference(b *testing.B) {
	p := newTestProcessor(b)
	in := readConformance(b, "reference/ob3-reference-credential.json")
	j := p.getJob()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.decode(j, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkToRDFCanonicalReference is ToRDF followed by RDFC-1.0
// canonicalization (package rdf): the data a Data Integrity proof signs.
func BenchmarkToRDFCanonicalReference(b *testing.B) {
	p := newTestProcessor(b)
	in := readConformance(b, "reference/ob3-reference-credential.json")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		q, err := p.ToRDF(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rdf.CanonicalNQuads(q, rdf.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendRDFReference is BenchmarkToRDFReference reusing the
// slice of quads.
func BenchmarkAppendRDFReference(b *testing.B) {
	p := newTestProcessor(b)
	in := readConformance(b, "reference/ob3-reference-credential.json")
	ctx := context.Background()
	var q []rdf.Quad
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if q, err = p.AppendRDF(ctx, q[:0], in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkColdReference converts the reference credential with a new
// Processor each time: context processing without the cache.
func BenchmarkColdReference(b *testing.B) {
	docs, err := NewDocuments(pinnedContexts(b))
	if err != nil {
		b.Fatal(err)
	}
	in := readConformance(b, "reference/ob3-reference-credential.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewProcessor(docs, Limits{}).ToRDF(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
