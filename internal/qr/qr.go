// Package qr draws QR codes: the modules of a code (github.com/skip2/go-qrcode
// encodes) as a matrix, an SVG of rectangles and a PNG, for the badge's
// printout and the wallet's offer.
package qr

import (
	"bytes"
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// MaxContent bounds what a code carries: a link, never a credential.
const MaxContent = 1024

// Code is a QR code's modules, with the four-module quiet zone around them;
// true is dark.
type Code [][]bool

// Encode encodes content at error correction level M (15 %: a printout
// survives a fold or a stain).
func Encode(content string) (Code, error) {
	if len(content) == 0 || len(content) > MaxContent {
		return nil, fmt.Errorf("qr: content of %d bytes (1 to %d)", len(content), MaxContent)
	}
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	return Code(q.Bitmap()), nil
}

// SVG draws the code as an SVG image whose text alternative is label: one
// path of unit squares in a viewBox of the code's size, crisp at any scale.
func (c Code) SVG(label string) []byte {
	n := len(c)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s" shape-rendering="crispEdges">`, n, n, escape(label))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range c {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run - 1
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes()
}

// PNG draws the code as a PNG of scale pixels a module.
func (c Code) PNG(scale int) ([]byte, error) {
	return pngOf(c, scale)
}

func escape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
