package europass

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"sync"
)

// placeholder is the picture of a credential exported without one: a
// card in the colours of attesta's pages, with no text (attesta draws no
// text without a font). It is drawn once, and the same bytes every time.
var placeholder = sync.OnceValue(func() []byte {
	const w, h = 800, 566 // A4, landscape
	var (
		blue  = color.NRGBA{0x00, 0x66, 0xcc, 0xff} // Bootstrap Italia's primary
		light = color.NRGBA{0xe6, 0xf0, 0xfa, 0xff}
		gold  = color.NRGBA{0xc9, 0xa2, 0x27, 0xff}
		white = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	)
	img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{white, blue, light, gold})
	for y := range h {
		for x := range w {
			var c uint8 // white
			switch {
			case x < 16 || y < 16 || x >= w-16 || y >= h-16:
				c = 1 // the border
			case y < 140:
				c = 2 // the band
			}
			// The seal: a ring centred in the band's lower edge.
			dx, dy := x-w/2, y-140
			if d := dx*dx + dy*dy; d <= 70*70 && d >= 56*56 {
				c = 3
			} else if d < 56*56 {
				c = 1
			}
			img.SetColorIndex(x, y, c)
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		panic("europass: drawing the placeholder: " + err.Error())
	}
	return buf.Bytes()
})
