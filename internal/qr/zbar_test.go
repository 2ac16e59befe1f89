package qr_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/attesta/attesta/internal/pdf/pdftext"
	"github.com/attesta/attesta/internal/qr"
)

// TestDecodedByZBar: what a code carries is what an outside reader, ZBar's
// zbarimg, decodes from its picture drawn with the quiet zone.
func TestDecodedByZBar(t *testing.T) {
	want := "https://attesta.example/verify?credential=urn%3Auuid%3A0b6f6b0e-5a43-4c3e-9d7e-6c1f0d2b9a01"
	m, err := qr.Matrix(want, qr.Medium)
	if err != nil {
		t.Fatal(err)
	}
	const scale = 6
	n := (len(m) + 2*qr.QuietZone) * scale
	img := image.NewGray(image.Rect(0, 0, n, n))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y, row := range m {
		for x, dark := range row {
			if dark {
				for dy := range scale {
					for dx := range scale {
						img.SetGray((x+qr.QuietZone)*scale+dx, (y+qr.QuietZone)*scale+dy, color.Gray{})
					}
				}
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if got := pdftext.Decode(t, b.Bytes()); len(got) != 1 || got[0] != want {
		t.Errorf("decoded %q, want %q", got, want)
	}
}
