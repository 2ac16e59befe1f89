package badgeimage

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// PNG draws the picture as a PNG of Size × Size pixels, its background
// transparent outside the seal.
func (b Badge) PNG() ([]byte, error) {
	l := b.layout()
	img := image.NewNRGBA(image.Rect(0, 0, Size, Size))
	c := rgb(l.colour)
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	disc(img, outer, c)
	disc(img, inner, white)
	circle(img, ring, 1.5, c)
	hline(img, 190, 410, 262, 1, c)
	facesMu.Lock()
	defer facesMu.Unlock()
	for _, t := range l.lines {
		fc := face(t.size, t.bold)
		d := font.Drawer{Dst: img, Src: image.NewUniform(rgb(t.fill)), Face: fc}
		x := 300 - t.width/2
		if t.space == 0 {
			d.Dot = fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6(t.y * 64)}
			d.DrawString(t.text)
			continue
		}
		// Letter-spaced: a glyph at a time.
		for _, r := range t.text {
			d.Dot = fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6(t.y * 64)}
			d.DrawString(string(r))
			x += float64(font.MeasureString(fc, string(r)))/64 + t.space
		}
	}
	var out bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// coverage is how much of the pixel (x, y) a circle of radius r centred on
// the picture covers, anti-aliased over one pixel.
func coverage(x, y int, r float64) float64 {
	dx, dy := float64(x)+0.5-300, float64(y)+0.5-300
	return math.Max(0, math.Min(1, r+0.5-math.Hypot(dx, dy)))
}

// disc fills a circle.
func disc(img *image.NRGBA, r float64, c color.NRGBA) {
	for y := range Size {
		for x := range Size {
			if a := coverage(x, y, r); a > 0 {
				blend(img, x, y, c, a)
			}
		}
	}
}

// circle strokes a circle of half-width w.
func circle(img *image.NRGBA, r, w float64, c color.NRGBA) {
	for y := range Size {
		for x := range Size {
			if a := coverage(x, y, r+w) - coverage(x, y, r-w); a > 0 {
				blend(img, x, y, c, a)
			}
		}
	}
}

func hline(img *image.NRGBA, x0, x1, y, w int, c color.NRGBA) {
	draw.Draw(img, image.Rect(x0, y-w, x1, y+w), image.NewUniform(c), image.Point{}, draw.Over)
}

// blend puts c over the pixel with coverage a.
func blend(img *image.NRGBA, x, y int, c color.NRGBA, a float64) {
	old := img.NRGBAAt(x, y)
	oa := float64(old.A) / 255
	na := a + oa*(1-a)
	mix := func(n, o uint8) uint8 {
		if na == 0 {
			return 0
		}
		return uint8(math.Round((float64(n)*a + float64(o)*oa*(1-a)) / na))
	}
	img.SetNRGBA(x, y, color.NRGBA{mix(c.R, old.R), mix(c.G, old.G), mix(c.B, old.B), uint8(math.Round(na * 255))})
}

// rgb reads #RRGGBB.
func rgb(hex string) color.NRGBA {
	v, _ := strconv.ParseUint(hex[1:], 16, 32)
	return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}
