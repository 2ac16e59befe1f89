// Package badgeimage draws a badge's picture: a round seal in its sector's
// colour with the "Competenza Certificata" mark, the competence's code and
// title, the sector and the awarding Chamber — as an SVG whose title and
// description say all of it to a screen reader, and as a PNG of the same
// drawing. The pictures carry no credential: package bake bakes one in.
//
// Text is measured with the font the PNG is drawn in (DejaVu Sans
// Condensed, package fonts), so lines break in the same places in both; a
// line the SVG viewer might set wider (another font) is held to its width
// with textLength.
package badgeimage

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"

	"github.com/attesta/attesta/internal/fonts"
)

// Size is the side of the picture, in pixels.
const Size = 600

// Badge is what the picture says. Every field is text as the credential
// says it; Lang is the language of the words the picture adds (the mark
// and the kind of badge): it or en.
type Badge struct {
	Sector     string // the sector's id: its colour
	SectorName string
	Code       string // C1, or an area's name
	Title      string
	Chamber    string
	Area       bool // an area credential
	Tutor      bool // a tutor's course badge
	Lang       string
}

// words are the picture's own words.
var words = map[string]map[string]string{
	"it": {"mark": "COMPETENZA CERTIFICATA", "area": "AREA DI COMPETENZE", "tutor": "FORMAZIONE TUTOR",
		"badge": "Open Badge della competenza certificata", "areabadge": "Open Badge dell'area di competenze certificata",
		"tutorbadge": "Open Badge del corso per tutor", "sector": "settore", "by": "rilasciato da"},
	"en": {"mark": "CERTIFIED COMPETENCE", "area": "COMPETENCE AREA", "tutor": "TUTOR TRAINING",
		"badge": "Open Badge of the certified competence", "areabadge": "Open Badge of the certified competence area",
		"tutorbadge": "Open Badge of the tutor course", "sector": "sector", "by": "awarded by"},
}

// palette: dark colours on which white reads, and which read on white
// (contrast above 4.5:1 both ways).
var palette = []string{"#0059B3", "#00695C", "#6A1B9A", "#AD1457", "#A0361B", "#2E6B30", "#37474F", "#4527A0", "#006773", "#5D4037"}

// Colour is the sector's colour.
func Colour(sector string) string {
	h := fnv.New32a()
	h.Write([]byte(sector))
	return palette[h.Sum32()%uint32(len(palette))]
}

func (b Badge) words() map[string]string {
	if w, ok := words[b.Lang]; ok {
		return w
	}
	return words["it"]
}

// Label is the picture's text alternative: what it says, whole.
func (b Badge) Label() (title, desc string) {
	w := b.words()
	kind := w["badge"]
	switch {
	case b.Area:
		kind = w["areabadge"]
	case b.Tutor:
		kind = w["tutorbadge"]
	}
	title = strings.TrimSpace(b.Code + " " + b.Title)
	desc = kind
	if b.SectorName != "" {
		desc += ", " + w["sector"] + " " + b.SectorName
	}
	if b.Chamber != "" {
		desc += ", " + w["by"] + " " + b.Chamber
	}
	return title, desc + "."
}

// layout is the drawing: circles and lines of text, shared by the SVG and
// the PNG.
type layout struct {
	colour string
	lines  []textLine
}

type textLine struct {
	text  string
	y     float64 // baseline
	size  float64
	bold  bool
	fill  string
	width float64 // measured in DejaVu Sans Condensed
	space float64 // letter spacing
}

const (
	outer = 296.0
	inner = 262.0
	ring  = 252.0
)

func (b Badge) layout() layout {
	w := b.words()
	l := layout{colour: Colour(b.Sector)}
	add := func(text string, y, size float64, bold bool, fill string, space float64) {
		l.lines = append(l.lines, textLine{text: text, y: y, size: size, bold: bold, fill: fill, space: space,
			width: measure(text, size, bold) + space*float64(max(0, len([]rune(text))-1))})
	}
	mark := w["mark"]
	switch {
	case b.Area:
		mark = w["area"]
	case b.Tutor:
		mark = w["tutor"]
	}
	add(mark, 122, 23, true, l.colour, 1.5)
	code, codeSize := b.Code, 112.0
	if b.Area || b.Tutor || measure(code, codeSize, true) > 380 {
		code, codeSize = fitOne(code, 380, 64, 30, true)
	}
	add(code, 236, codeSize, true, l.colour, 0)
	if b.SectorName != "" {
		s, size := fitOne(strings.ToUpper(b.SectorName), 400, 28, 18, true)
		add(s, 290, size, true, "#1A1A1A", 0)
	}
	size, lines := 23.0, wrap(b.Title, 400, 23, false, 4)
	if len(lines) > 3 {
		size, lines = 20, wrap(b.Title, 410, 20, false, 4)
	}
	y := 334.0
	for _, t := range lines {
		add(t, y, size, false, "#1A1A1A", 0)
		y += size * 1.25
	}
	chamber := wrap(b.Chamber, 330, 17, false, 2)
	y = 488
	if len(chamber) == 1 {
		y = 500
	}
	for _, t := range chamber {
		add(t, y, 17, false, "#404040", 0)
		y += 21
	}
	return l
}

// SVG draws the picture.
func (b Badge) SVG() []byte {
	l := b.layout()
	title, desc := b.Label()
	var s bytes.Buffer
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="badge-title badge-desc">`+"\n", Size, Size, Size, Size)
	fmt.Fprintf(&s, "<title id=\"badge-title\">%s</title>\n<desc id=\"badge-desc\">%s</desc>\n", escape(title), escape(desc))
	fmt.Fprintf(&s, "<circle cx=\"300\" cy=\"300\" r=\"%g\" fill=\"%s\"/>\n<circle cx=\"300\" cy=\"300\" r=\"%g\" fill=\"#FFFFFF\"/>\n", outer, l.colour, inner)
	fmt.Fprintf(&s, "<circle cx=\"300\" cy=\"300\" r=\"%g\" fill=\"none\" stroke=\"%s\" stroke-width=\"3\"/>\n", ring, l.colour)
	fmt.Fprintf(&s, "<path d=\"M190 %g H410\" stroke=\"%s\" stroke-width=\"2\"/>\n", 262.0, l.colour)
	s.WriteString(`<g font-family="'DejaVu Sans Condensed', 'Arial Narrow', Arial, sans-serif" text-anchor="middle" aria-hidden="true">` + "\n")
	for _, t := range l.lines {
		weight := ""
		if t.bold {
			weight = ` font-weight="bold"`
		}
		spacing := ""
		if t.space > 0 {
			spacing = fmt.Sprintf(` letter-spacing="%g"`, t.space)
		}
		fmt.Fprintf(&s, `<text x="300" y="%g" font-size="%g"%s%s fill="%s" textLength="%.0f" lengthAdjust="spacingAndGlyphs">%s</text>`+"\n",
			t.y, t.size, weight, spacing, t.fill, t.width, escape(t.text))
	}
	s.WriteString("</g>\n</svg>\n")
	return s.Bytes()
}

// --- text ---

var (
	fontOnce        sync.Once
	regularF, boldF *sfnt.Font
	fontErr         error
	facesMu         sync.Mutex
	faces           = map[faceKey]font.Face{}
)

type faceKey struct {
	size float64
	bold bool
}

func loadFonts() {
	fontOnce.Do(func() {
		if regularF, fontErr = opentype.Parse(fonts.Regular); fontErr != nil {
			return
		}
		boldF, fontErr = opentype.Parse(fonts.Bold)
	})
}

// face returns the font at size (pixels), shared: faces are not safe for
// concurrent use, so callers hold facesMu while drawing.
func face(size float64, bold bool) font.Face {
	loadFonts()
	if fontErr != nil {
		panic(fontErr) // the embedded font is part of the binary
	}
	k := faceKey{size, bold}
	if f, ok := faces[k]; ok {
		return f
	}
	f := regularF
	if bold {
		f = boldF
	}
	fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic(err)
	}
	faces[k] = fc
	return fc
}

// measure is the width of text at size in pixels.
func measure(text string, size float64, bold bool) float64 {
	facesMu.Lock()
	defer facesMu.Unlock()
	return float64(font.MeasureString(face(size, bold), text)) / 64
}

// fitOne sets text on one line of at most width: at size, smaller down to
// min, cut with an ellipsis below that.
func fitOne(text string, width, size, min float64, bold bool) (string, float64) {
	for ; size > min; size -= 2 {
		if measure(text, size, bold) <= width {
			return text, size
		}
	}
	return cut(text, width, min, bold), min
}

// cut shortens text with an ellipsis to fit width.
func cut(text string, width, size float64, bold bool) string {
	r := []rune(text)
	for len(r) > 1 && measure(string(r)+"…", size, bold) > width {
		r = r[:len(r)-1]
	}
	if len(r) == len([]rune(text)) {
		return text
	}
	return strings.TrimSpace(string(r)) + "…"
}

// wrap breaks text into at most n lines of width, the last cut with an
// ellipsis if the text goes on.
func wrap(text string, width, size float64, bold bool, n int) []string {
	var lines []string
	cur := ""
	words := strings.Fields(text)
	for i, w := range words {
		next := strings.TrimSpace(cur + " " + w)
		if cur != "" && measure(next, size, bold) > width {
			if len(lines) == n-1 {
				return append(lines, cut(strings.Join(append([]string{cur}, words[i:]...), " "), width, size, bold))
			}
			lines = append(lines, cur)
			cur = w
			continue
		}
		cur = next
	}
	if cur != "" {
		lines = append(lines, cut(cur, width, size, bold))
	}
	return lines
}

func escape(s string) string {
	var b strings.Builder
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
