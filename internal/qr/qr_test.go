package qr_test

import (
	"strings"
	"testing"

	"github.com/attesta/attesta/internal/pdf/pdftext"
	"github.com/attesta/attesta/internal/qr"
)

// TestDecodedByZBar: what the code carries is what an outside reader
// (ZBar's zbarimg) decodes from its picture.
func TestDecodedByZBar(t *testing.T) {
	want := "https://attesta.example/verify?credential=urn%3Auuid%3A0b6f6b0e-5a43-4c3e-9d7e-6c1f0d2b9a01"
	c, err := qr.Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	img, err := c.PNG(6)
	if err != nil {
		t.Fatal(err)
	}
	if got := pdftext.Decode(t, img); len(got) != 1 || got[0] != want {
		t.Errorf("decoded %q, want %q", got, want)
	}
	if svg := string(c.SVG(`a "link"`)); !strings.Contains(svg, `aria-label="a &quot;link&quot;"`) || !strings.Contains(svg, "<path") {
		t.Errorf("svg: %s", svg[:min(200, len(svg))])
	}
}

func TestBounds(t *testing.T) {
	if _, err := qr.Encode(""); err == nil {
		t.Error("an empty code was encoded")
	}
	if _, err := qr.Encode(strings.Repeat("x", qr.MaxContent+1)); err == nil {
		t.Error("a code over the bound was encoded")
	}
}
