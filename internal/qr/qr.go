// Package qr draws QR codes: the matrix of modules of a text, and that
// matrix as an SVG image to put inline in a page. The encoding is
// github.com/skip2/go-qrcode's; what is drawn, and how, is here, so that
// the pages and the printed certificates draw the same code.
package qr

import (
	"fmt"
	"html"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Level is how much of a code may be damaged and still read: Medium (15 %)
// suits a screen or paper; Low (7 %) gives the smallest code.
type Level = qrcode.RecoveryLevel

// The recovery levels.
const (
	Low     = qrcode.Low
	Medium  = qrcode.Medium
	High    = qrcode.High
	Highest = qrcode.Highest
)

// QuietZone is the margin, in modules, that readers need around a code
// (ISO/IEC 18004): SVG draws it; Matrix leaves it to the caller.
const QuietZone = 4

// Matrix returns the modules of text's QR code, row by row, true for a
// dark module, without the quiet zone.
func Matrix(text string, level Level) ([][]bool, error) {
	q, err := qrcode.New(text, level)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	q.DisableBorder = true
	return q.Bitmap(), nil
}

// SVG returns text's QR code as an SVG element to put in a page: one module
// per user unit, the quiet zone included, dark modules drawn as one path of
// rectangles, scaled to size CSS pixels (0: as the viewBox). The image has
// the role img and title as its accessible name (said by screen readers in
// place of the code), escaped here.
func SVG(text string, level Level, size int, title string) (string, error) {
	m, err := Matrix(text, level)
	if err != nil {
		return "", err
	}
	return DrawSVG(m, size, title), nil
}

// DrawSVG draws a matrix of modules as SVG (see SVG).
func DrawSVG(m [][]bool, size int, title string) string {
	n := len(m) + 2*QuietZone
	var d strings.Builder
	for y, row := range m {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			run := 0
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&d, "M%d %dh%dv1h-%dz", x+QuietZone, y+QuietZone, run, run)
			x += run
		}
	}
	dims := ""
	if size > 0 {
		dims = fmt.Sprintf(` width="%d" height="%d"`, size, size)
	}
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d"%s role="img" shape-rendering="crispEdges"><title>%s</title><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		n, n, dims, html.EscapeString(title), n, n, d.String())
}
