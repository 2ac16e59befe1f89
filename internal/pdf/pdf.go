// Package pdf lays out the printable documents attesta offers (the
// observation sheet, the evidence dossier): A4 pages of headings,
// paragraphs, lists of facts and tables whose rows wrap and continue on the
// next page with their header repeated, a footer with the page's number.
//
// The text is set in DejaVu Sans Condensed, embedded (only the glyphs
// used), so that every name prints as written — Ştefan, Łukasz, Nguyễn —
// and can be selected, copied and searched: the font carries its Unicode
// map. internal/fonts/LICENSE says where the font comes from and its licence.
package pdf

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/attesta/attesta/internal/fonts"
)

var (
	regular = fonts.Regular
	bold    = fonts.Bold
)

// The page, in millimetres, and the type sizes, in points.
const (
	margin   = 18.0
	body     = 9.5
	small    = 8.0
	line     = 4.6 // the height of a line of body text
	smallLn  = 3.9
	cellPad  = 1.4
	family   = "DejaVu"
	pagesKey = "{pages}"
)

// Doc is a document being laid out.
type Doc struct {
	f     *fpdf.Fpdf
	width float64 // between the margins
}

// Meta is what a document says about itself: its title and language
// (it, en) in the document's properties, the author, and the text of the
// footer, which the page's number follows: Page says it ("Pagina 2 di 5")
// from the page's number and a stand-in for the number of pages, put in
// when the document is complete.
type Meta struct {
	Title, Lang, Author string
	Footer              string
	Page                func(n int, pages string) string
	Created             time.Time
}

// New starts an A4 document.
func New(m Meta) *Doc {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes(family, "", regular)
	f.AddUTF8FontFromBytes(family, "B", bold)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, margin+6)
	f.SetTitle(m.Title, true)
	f.SetAuthor(m.Author, true)
	f.SetCreator("attesta", true)
	f.SetProducer("attesta", true)
	f.SetLang(m.Lang)
	f.SetCreationDate(m.Created)
	f.SetModificationDate(m.Created)
	f.SetCatalogSort(true)
	f.AliasNbPages(pagesKey)
	f.SetFooterFunc(func() {
		f.SetY(-margin)
		f.SetFont(family, "", small)
		f.SetTextColor(90, 90, 90)
		w, _ := f.GetPageSize()
		f.CellFormat((w-2*margin)*0.75, smallLn, m.Footer, "", 0, "L", false, 0, "")
		f.CellFormat((w-2*margin)*0.25, smallLn, m.Page(f.PageNo(), pagesKey), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()
	w, _ := f.GetPageSize()
	return &Doc{f: f, width: w - 2*margin}
}

// Title sets the document's title at the top of the first page.
func (d *Doc) Title(s string) {
	d.f.SetFont(family, "B", 15)
	d.f.MultiCell(d.width, 6.5, clean(s), "", "L", false)
	d.f.Ln(2)
}

// Heading starts a section; it moves to a new page when too little of this
// one is left for the heading and a few lines after it.
func (d *Doc) Heading(s string) {
	d.room(6 + 4*line)
	d.f.Ln(3)
	d.f.SetFont(family, "B", 11.5)
	d.f.MultiCell(d.width, 5.5, clean(s), "", "L", false)
	d.f.Ln(1)
}

// Text sets a paragraph.
func (d *Doc) Text(s string) {
	d.f.SetFont(family, "", body)
	d.f.MultiCell(d.width, line, clean(s), "", "L", false)
	d.f.Ln(1)
}

// Small sets a paragraph in smaller type.
func (d *Doc) Small(s string) {
	d.f.SetFont(family, "", small)
	d.f.MultiCell(d.width, smallLn, clean(s), "", "L", false)
	d.f.Ln(1)
}

// List sets items, one per line, each after a bullet.
func (d *Doc) List(items []string) {
	d.f.SetFont(family, "", body)
	for _, it := range items {
		x := d.f.GetX()
		d.f.CellFormat(5, line, "•", "", 0, "L", false, 0, "")
		d.f.MultiCell(d.width-5, line, clean(it), "", "L", false)
		d.f.SetX(x)
	}
	d.f.Ln(1)
}

// Fact is a label and its value.
type Fact struct{ Label, Value string }

// Facts sets labels and values in two columns.
func (d *Doc) Facts(facts []Fact) {
	var rows [][]string
	for _, f := range facts {
		rows = append(rows, []string{f.Label, f.Value})
	}
	d.table([]float64{0.28, 0.72}, nil, rows, false, true)
	d.f.Ln(1)
}

// Table sets a table: widths are the columns' shares of the line (they add
// up to 1), header the columns' names, repeated on each page the table
// runs onto. A row too tall for what is left of a page starts on the next.
func (d *Doc) Table(widths []float64, header []string, rows [][]string) {
	d.table(widths, header, rows, true, false)
	d.f.Ln(2)
}

func (d *Doc) table(widths []float64, header []string, rows [][]string, borders, boldFirst bool) {
	w := make([]float64, len(widths))
	for i, s := range widths {
		w[i] = s * d.width
	}
	if header != nil {
		d.room(2*line + 4*cellPad)
		d.row(w, header, true, borders, false)
	}
	for _, r := range rows {
		_, h := d.layout(w, r, false, boldFirst)
		_, pageH := d.f.GetPageSize()
		if d.f.GetY()+h > pageH-margin-6 && d.f.GetY() > margin+1 {
			d.f.AddPage()
			if header != nil {
				d.row(w, header, true, borders, false)
			}
		}
		d.row(w, r, false, borders, boldFirst)
	}
}

// cell is a cell's text laid out at a width: its lines, in a type size
// and line height.
type cell struct {
	lines      []string
	size, lead float64
}

// fit lays out a cell's text at width w: in body type, or in small type
// when it is one long word (a digest, an identifier) that fits whole on a
// line only so, and a reader can then copy it in one piece.
func (d *Doc) fit(text, style string, w float64) cell {
	d.f.SetFont(family, style, body)
	c := cell{lines: d.lines(text, w), size: body, lead: line}
	if len(c.lines) > 1 && !strings.ContainsAny(strings.TrimSpace(text), " \n") {
		d.f.SetFont(family, style, small)
		if d.f.GetStringWidth(text) <= w {
			c = cell{lines: []string{text}, size: small, lead: smallLn}
		}
	}
	return c
}

// layout lays out a row's cells, and returns them with the row's height.
func (d *Doc) layout(w []float64, cells []string, head, boldFirst bool) ([]cell, float64) {
	out := make([]cell, len(w))
	h := line
	for i := range w {
		text := ""
		if i < len(cells) {
			text = clean(cells[i])
		}
		style := ""
		if head || boldFirst && i == 0 {
			style = "B"
		}
		out[i] = d.fit(text, style, w[i]-2*cellPad)
		if ch := float64(len(out[i].lines)) * out[i].lead; ch > h {
			h = ch
		}
	}
	return out, h + 2*cellPad
}

// lines breaks a cell's text into the lines it takes at width w in the
// current font, keeping its own line breaks.
func (d *Doc) lines(s string, w float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		if para == "" {
			out = append(out, "")
			continue
		}
		out = append(out, d.f.SplitText(para, w)...)
	}
	return out
}

func (d *Doc) row(w []float64, cells []string, head, borders, boldFirst bool) {
	laid, h := d.layout(w, cells, head, boldFirst)
	x, y := d.f.GetX(), d.f.GetY()
	if head {
		d.f.SetFillColor(230, 234, 240)
		d.f.Rect(x, y, d.width, h, "F")
	}
	cx := x
	for i, c := range laid {
		style := ""
		if head || boldFirst && i == 0 {
			style = "B"
		}
		d.f.SetFont(family, style, c.size)
		if borders {
			d.f.SetDrawColor(170, 170, 170)
			d.f.Rect(cx, y, w[i], h, "D")
		}
		ly := y + cellPad
		for _, l := range c.lines {
			d.f.SetXY(cx+cellPad, ly)
			d.f.CellFormat(w[i]-2*cellPad, c.lead, l, "", 0, "L", false, 0, "")
			ly += c.lead
		}
		cx += w[i]
	}
	d.f.SetXY(x, y+h)
}

// room moves to a new page unless h millimetres are left on this one.
func (d *Doc) room(h float64) {
	_, pageH := d.f.GetPageSize()
	if d.f.GetY()+h > pageH-margin-6 {
		d.f.AddPage()
	}
}

// Attach embeds a file in the document (PDF 1.7, 7.11.4): a reader lists
// it among the document's attachments; a verifier reads a credential from
// it.
func (d *Doc) Attach(name, description string, content []byte) {
	d.f.SetAttachments([]fpdf.Attachment{{Content: content, Filename: name, Description: description}})
}

// Image draws a PNG at (x, y) millimetres from the page's top left, w wide
// (its height in proportion), with no text of its own: the text beside it
// says what it shows.
func (d *Doc) Image(name string, png []byte, x, y, w float64) {
	opt := fpdf.ImageOptions{ImageType: "PNG", ReadDpi: false}
	d.f.RegisterImageOptionsReader(name, opt, bytes.NewReader(png))
	d.f.ImageOptions(name, x, y, w, 0, false, opt, 0, "")
}

// Squares draws a matrix of dark modules (a QR code) at (x, y), each
// module size millimetres.
func (d *Doc) Squares(m [][]bool, x, y, size float64) {
	d.f.SetFillColor(0, 0, 0)
	for r, row := range m {
		for c := 0; c < len(row); c++ {
			if !row[c] {
				continue
			}
			run := 1
			for c+run < len(row) && row[c+run] {
				run++
			}
			d.f.Rect(x+float64(c)*size, y+float64(r)*size, float64(run)*size, size, "F")
			c += run - 1
		}
	}
}

// Narrow takes mm off the right of what follows (beside a picture);
// the returned function restores the width.
func (d *Doc) Narrow(mm float64) func() {
	d.width -= mm
	return func() { d.width += mm }
}

// Y is where the next line goes, in millimetres from the page's top; SetY
// moves it.
func (d *Doc) Y() float64     { return d.f.GetY() }
func (d *Doc) SetY(y float64) { d.f.SetY(y) }

// Bytes returns the document.
func (d *Doc) Bytes() ([]byte, error) {
	var b bytes.Buffer
	if err := d.f.Output(&b); err != nil {
		return nil, fmt.Errorf("laying out a PDF: %w", err)
	}
	return b.Bytes(), nil
}

// clean drops what a PDF line cannot show: control characters (a tab is a
// space, a carriage return nothing).
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case r < ' ' || r == 0x7f:
			return -1
		}
		return r
	}, s)
}
