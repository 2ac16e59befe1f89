package qti_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/qti"
)

// checkImport is the property both fuzzers check: Import never panics;
// it refuses with problems, or what it accepts exports, imports back the
// same and exports the same bytes again.
func checkImport(t *testing.T, data []byte) {
	pkg, err := qti.Import(data)
	if err != nil {
		var ps qti.Problems
		if !errors.As(err, &ps) || len(ps) == 0 || attesta.ErrorCode(err) != attesta.Invalid {
			t.Fatalf("refused without problems: %v", err)
		}
		return
	}
	first, err := qti.Export(pkg.Items, pkg.Tests)
	if err != nil {
		t.Fatalf("accepted a package it cannot export: %v", err)
	}
	back, err := qti.Import(first)
	if err != nil {
		t.Fatalf("refused its own export: %v", err)
	}
	if !reflect.DeepEqual(back, pkg) {
		t.Fatalf("reimport differs:\n got %+v\nwant %+v", back, pkg)
	}
	second, err := qti.Export(back.Items, back.Tests)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatal("re-export differs")
	}
}

// FuzzImport reads packages: the golden one, 1EdTech's Beginner's Guide,
// and what the fuzzer makes of them.
func FuzzImport(f *testing.F) {
	data, err := qti.Export(goldenItems(), goldenTests())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(packageOfItems(f, map[string][]byte{"items/q.xml": []byte(choiceItem)}))
	f.Fuzz(checkImport)
}

// FuzzImportItem reads one item document in a package: the golden items,
// the outside examples, and what the fuzzer makes of them (the XML is
// where most of the parsing is; a zip's checksums hide it from a fuzzer).
func FuzzImportItem(f *testing.F) {
	f.Add([]byte(choiceItem))
	golden, _ := filepath.Glob(filepath.Join("testdata", "golden", "package", "items", "*.xml"))
	outside, _ := filepath.Glob(filepath.Join("testdata", "outside", "*", "*.xml"))
	more, _ := filepath.Glob(filepath.Join("testdata", "outside", "*", "*", "items", "*.xml"))
	for _, p := range append(append(golden, outside...), more...) {
		f.Add(read(f, filepath.ToSlash(p[len("testdata/"):])))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkImport(t, packageOfItems(t, map[string][]byte{"items/q.xml": doc}))
	})
}
