package bake

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/attesta/attesta/internal/conformance"
)

// addFixtureSeeds adds the conformance fixtures with the extension ext to
// the seed corpus.
func addFixtureSeeds(f *testing.F, ext string) {
	for _, name := range conformance.Glob(f, "ob30-fixtures/simple-*"+ext) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkRebake checks that a credential extracted from img bakes into fresh,
// and into img itself with Replace, and comes back unchanged.
func checkRebake(t *testing.T, img, fresh, cred []byte, extract func([]byte) ([]byte, error)) {
	out, _, err := Bake(fresh, cred, Options{})
	if err != nil {
		t.Fatalf("extracted credential %q does not bake into a fresh image: %v", cred, err)
	}
	got, err := extract(out)
	if err != nil || !bytes.Equal(got, cred) {
		t.Fatalf("fresh image: extracted %q, %v; want %q", got, err, cred)
	}
	out, _, err = Bake(img, cred, Options{Replace: true})
	if errors.Is(err, ErrImageTooLarge) {
		return
	}
	if err != nil {
		t.Fatalf("extracted credential does not bake back into its image: %v", err)
	}
	got, err = extract(out)
	if err != nil || !bytes.Equal(got, cred) {
		t.Fatalf("rebaked image: extracted %q, %v; want %q", got, err, cred)
	}
}

func FuzzExtractPNG(f *testing.F) {
	addFixtureSeeds(f, ".png")
	base := testPNG()
	f.Add(base)
	for _, cred := range []string{sampleJSON, sampleJWS} {
		baked, err := BakePNG(base, []byte(cred))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(baked)
	}
	f.Add(insertBeforeIEND(base, pngChunkBytes("iTXt", itxtData(PNGKeyword, 1, 0, "", "", "x\x9c"))))
	f.Add(insertBeforeIEND(base, pngChunkBytes("iTXt", itxtData(PNGKeyword, 0, 0, "en", "x", " "+sampleJWS+"\n"))))
	f.Fuzz(func(t *testing.T, data []byte) {
		cred, err := ExtractPNG(data)
		if err != nil {
			return
		}
		checkRebake(t, data, base, cred, ExtractPNG)
	})
}

func FuzzExtractSVG(f *testing.F) {
	addFixtureSeeds(f, ".svg")
	f.Add([]byte(testSVG))
	for _, cred := range []string{sampleJSON, sampleJWS} {
		baked, err := BakeSVG([]byte(testSVG), []byte(cred))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(baked)
	}
	f.Add([]byte(`<svg xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><g><ob:credential verify=" a.b.c "/></g></svg>`))
	f.Add([]byte(`<s:svg xmlns:s="http://www.w3.org/2000/svg" xmlns:openbadges="x"><credential xmlns="https://purl.imsglobal.org/ob/v3p0"><![CDATA[{]]>&#13;}</credential></s:svg>`))
	f.Add([]byte(`<!DOCTYPE svg [<!ENTITY a "b">]><svg>&a;</svg>`))
	fresh := []byte(testSVG)
	f.Fuzz(func(t *testing.T, data []byte) {
		cred, err := ExtractSVG(data)
		if err != nil {
			return
		}
		checkRebake(t, data, fresh, cred, ExtractSVG)
	})
}
