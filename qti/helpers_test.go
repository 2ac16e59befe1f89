package qti_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/qti"
)

// zipOf zips files, in the order of their names.
func zipOf(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(files[n]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// manifestOf is a manifest listing items (files of the package) as item
// resources.
func manifestOf(items ...string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1" identifier="test">
  <metadata><schema>QTI Package</schema><schemaversion>3.0.0</schemaversion></metadata>
  <organizations/>
  <resources>
`)
	for i, it := range items {
		fmt.Fprintf(&b, "    <resource identifier=\"r%d\" type=\"imsqti_item_xmlv3p0\" href=\"%s\"><file href=\"%s\"/></resource>\n", i, it, it)
	}
	b.WriteString("  </resources>\n</manifest>\n")
	return []byte(b.String())
}

// packageOfItems is a package of the item documents, each under its name,
// with a manifest listing them.
func packageOfItems(t testing.TB, docs map[string][]byte) []byte {
	t.Helper()
	files := map[string][]byte{}
	var names []string
	for n, d := range docs {
		files[n] = d
		names = append(names, n)
	}
	sort.Strings(names)
	files[qti.Manifest] = manifestOf(names...)
	return zipOf(t, files)
}

// read reads a file of testdata.
func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// problemsOf returns the problems of an import's error, failing the test
// if there are none.
func problemsOf(t testing.TB, err error) qti.Problems {
	t.Helper()
	if err == nil {
		t.Fatal("the import succeeded")
	}
	var ps qti.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("the error %v holds no problems", err)
	}
	if attesta.ErrorCode(err) != attesta.Invalid || attesta.ErrorKey(err) != "err.qti.package.invalid" {
		t.Errorf("error code %s key %s, want invalid, err.qti.package.invalid", attesta.ErrorCode(err), attesta.ErrorKey(err))
	}
	return ps
}
