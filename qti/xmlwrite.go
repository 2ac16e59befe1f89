package qti

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"unicode"
)

// writer writes an XML document indented by two spaces, one element a
// line: the same input gives the same bytes.
type writer struct {
	b     bytes.Buffer
	depth int
}

func newWriter() *writer {
	w := &writer{}
	w.b.WriteString(xml.Header)
	return w
}

// esc is s escaped for a text: &, < and > as entities, a carriage return
// as a character reference (a parser would read a literal one as a line
// feed), and what XML cannot hold (control characters, invalid UTF-8) as
// U+FFFD.
func esc(s string) string { return escape(s, false) }

// escAttr is s escaped for an attribute's value: as esc, and ", tab and
// line feed as references (a parser turns literal ones into spaces).
func escAttr(s string) string { return escape(s, true) }

func escape(s string, attr bool) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\r':
			b.WriteString("&#xD;")
		case attr && r == '"':
			b.WriteString("&quot;")
		case attr && r == '\n':
			b.WriteString("&#xA;")
		case attr && r == '\t':
			b.WriteString("&#x9;")
		case r == '\n' || r == '\t' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF:
			b.WriteRune(r)
		default:
			b.WriteRune(unicode.ReplacementChar)
		}
	}
	return b.String()
}

// tag is <name a="v"…> (or …/> when empty); attrs are names and values,
// and an attribute whose value is "" is left out unless its name ends
// with "!" (which is dropped).
func tag(name string, empty bool, attrs ...string) string {
	var b strings.Builder
	b.WriteString("<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		k, v := attrs[i], attrs[i+1]
		if kept, ok := strings.CutSuffix(k, "!"); ok {
			k = kept
		} else if v == "" {
			continue
		}
		b.WriteString(" " + k + `="` + escAttr(v) + `"`)
	}
	if empty {
		b.WriteString("/")
	}
	b.WriteString(">")
	return b.String()
}

func (w *writer) line(s string) {
	w.b.WriteString(strings.Repeat("  ", w.depth))
	w.b.WriteString(s)
	w.b.WriteString("\n")
}

func (w *writer) open(name string, attrs ...string) {
	w.line(tag(name, false, attrs...))
	w.depth++
}

func (w *writer) close(name string) {
	w.depth--
	w.line("</" + name + ">")
}

func (w *writer) empty(name string, attrs ...string) { w.line(tag(name, true, attrs...)) }

// leaf writes <name attrs>text</name>, text escaped.
func (w *writer) leaf(name, text string, attrs ...string) {
	w.line(tag(name, false, attrs...) + esc(text) + "</" + name + ">")
}

// inline writes <name attrs>content</name>, content already XML.
func (w *writer) inline(name, content string, attrs ...string) {
	w.line(tag(name, false, attrs...) + content + "</" + name + ">")
}

func (w *writer) bytes() []byte { return w.b.Bytes() }

// lines is a cleaned paragraph's lines as XML: escaped, apart by <br/>.
func lines(ls []string) string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = esc(l)
	}
	return strings.Join(out, "<br/>")
}

// richXML is a cleaned text as the content of an element: its only
// paragraph's lines, or each paragraph a <p>.
func richXML(s string) string {
	ps := paragraphs(s)
	if len(ps) == 1 {
		return lines(ps[0])
	}
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("<p>" + lines(p) + "</p>")
	}
	return b.String()
}

// number writes v as the shortest decimal that reads back as v.
func number(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
