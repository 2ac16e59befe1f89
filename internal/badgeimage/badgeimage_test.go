package badgeimage_test

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/attesta/attesta/internal/badgeimage"
	"github.com/attesta/attesta/internal/vc/bake"
)

var c1 = badgeimage.Badge{
	Sector: "meccatronica", SectorName: "Meccatronica", Code: "C1",
	Title:   "Saper utilizzare strumenti avanzati di disegno meccanico assistito",
	Chamber: "Camera di Commercio di Milano Monza Brianza Lodi", Lang: "it",
}

// TestSVG: the picture is well-formed SVG whose title and description say
// the whole badge to a screen reader, which bake accepts as a badge's
// picture (no active content) and bakes a credential into.
func TestSVG(t *testing.T) {
	svg := c1.SVG()
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	for _, want := range []string{
		`role="img" aria-labelledby="badge-title badge-desc"`,
		`<title id="badge-title">C1 Saper utilizzare strumenti avanzati di disegno meccanico assistito</title>`,
		`<desc id="badge-desc">Open Badge della competenza certificata, settore Meccatronica, rilasciato da Camera di Commercio di Milano Monza Brianza Lodi.</desc>`,
		">COMPETENZA CERTIFICATA</text>", ">C1</text>", ">MECCATRONICA</text>",
	} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("the SVG lacks %s", want)
		}
	}
	if active, _, err := bake.ActiveContent(svg); err != nil || len(active) > 0 {
		t.Errorf("active content %v, %v", active, err)
	}
	baked, err := bake.BakeSVG(svg, []byte(`{"id":"urn:uuid:1","type":["VerifiableCredential"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := bake.ExtractSVG(baked); err != nil || !strings.Contains(string(got), "urn:uuid:1") {
		t.Errorf("extracted %s, %v", got, err)
	}
	en := c1
	en.Lang = "en"
	if !bytes.Contains(en.SVG(), []byte(">CERTIFIED COMPETENCE</text>")) {
		t.Error("the English picture does not say its mark in English")
	}
	if os.Getenv("BADGEIMAGE_WRITE") != "" {
		os.WriteFile("/tmp/badge.svg", svg, 0o644)
	}
}

// TestWrap: a long title breaks into lines within the seal, never more
// than four, the last cut with an ellipsis; markup in a title is text.
func TestWrap(t *testing.T) {
	b := c1
	b.Title = strings.Repeat("parola <lunga> ", 40)
	svg := string(b.SVG())
	if strings.Contains(svg, "<lunga>") {
		t.Error("markup in the title is not escaped")
	}
	lines := strings.Count(svg, `fill="#1A1A1A"`) - 1 // the sector's line
	if lines != 4 || !strings.Contains(svg, "…</text>") {
		t.Errorf("%d title lines, want 4 ending in an ellipsis", lines)
	}
}

// TestPNG: the PNG is the seal: 600 × 600, the sector's colour at the rim,
// white inside, transparent in the corners.
func TestPNG(t *testing.T) {
	data, err := c1.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != badgeimage.Size || b.Dy() != badgeimage.Size {
		t.Fatalf("size %v", b)
	}
	if _, _, _, a := img.At(2, 2).RGBA(); a != 0 {
		t.Error("the corner is not transparent")
	}
	r, g, b, _ := img.At(300, 20).RGBA()
	want := badgeimage.Colour("meccatronica")
	if got := rgbHex(r, g, b); got != want {
		t.Errorf("rim %s, want %s", got, want)
	}
	if r, g, b, _ := img.At(300, 560).RGBA(); rgbHex(r, g, b) != "#FFFFFF" {
		t.Errorf("inside the seal %s, want white", rgbHex(r, g, b))
	}
	dark := 0
	for x := 200; x < 400; x++ {
		if r, _, _, _ := img.At(x, 200).RGBA(); r < 0x8000 {
			dark++
		}
	}
	if dark == 0 {
		t.Error("no text drawn across the code's line")
	}
	if os.Getenv("BADGEIMAGE_WRITE") != "" {
		os.WriteFile("/tmp/badge.png", data, 0o644)
	}
}

func rgbHex(r, g, b uint32) string {
	const hex = "0123456789ABCDEF"
	out := []byte{'#'}
	for _, v := range []uint32{r >> 8, g >> 8, b >> 8} {
		out = append(out, hex[v>>4], hex[v&15])
	}
	return string(out)
}
