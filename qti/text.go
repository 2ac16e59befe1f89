package qti

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/attesta/attesta"
)

// A text of an item is plain: paragraphs apart by a blank line, lines apart
// by a line break. clean puts a text as attesta writes it and reads it
// back: each line with its runs of white space one space and none at its
// ends, no empty line first or last, never two empty lines in a row. What
// a browser shows of a text is what clean keeps, so clean(clean(s)) ==
// clean(s) and export → import → export is byte-identical.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.Join(strings.FieldsFunc(l, xmlSpace), " ")
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}

// oneLine is clean with the line breaks spaces: the text of an inline
// choice.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, xmlSpace), " ")
}

// xmlSpace reports whether r is XML's white space (not a no-break space,
// which is text).
func xmlSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// paragraphs splits a cleaned text into its paragraphs, each a list of
// lines.
func paragraphs(s string) [][]string {
	var out [][]string
	for p := range strings.SplitSeq(s, "\n\n") {
		if p != "" {
			out = append(out, strings.Split(p, "\n"))
		}
	}
	return out
}

// The break a block element makes in the raw text a bodyReader collects;
// clean turns it into a blank line. XML text cannot hold it.
const blockBreak = "\x00"

// The elements of the item body attesta reads as text, and those it
// refuses for a reason of their own.
var (
	blocks  = []string{"p", "div", "blockquote"}
	inlines = []string{"span", "strong", "em", "sub", "sup"}
	media   = []string{"img", "object", "video", "audio", "picture", "source", "track", "iframe", "embed", "canvas", "svg", "figure", "map", "area", "qti-media-interaction"}
	// interactions are QTI 3.0's interactions attesta does not deliver.
	interactions = []string{"qti-associate-interaction", "qti-custom-interaction", "qti-drawing-interaction",
		"qti-end-attempt-interaction", "qti-extended-text-interaction", "qti-gap-match-interaction",
		"qti-graphic-associate-interaction", "qti-graphic-gap-match-interaction", "qti-graphic-order-interaction",
		"qti-hotspot-interaction", "qti-hottext-interaction", "qti-portable-custom-interaction",
		"qti-position-object-stage", "qti-position-object-interaction", "qti-select-point-interaction",
		"qti-slider-interaction", "qti-upload-interaction"}
	feedbacks = []string{"qti-feedback-block", "qti-feedback-inline", "qti-modal-feedback", "qti-test-feedback"}
	templates = []string{"qti-template-block", "qti-template-inline", "qti-template-declaration",
		"qti-template-processing", "qti-printed-variable", "qti-template-constraint"}
	companions = []string{"qti-companion-materials-info", "qti-catalog-info", "qti-assessment-stimulus-ref",
		"qti-rubric-block", "qti-context-declaration"}
	// supported are the interactions of the subset.
	supported = []string{"qti-choice-interaction", "qti-order-interaction", "qti-match-interaction",
		"qti-inline-choice-interaction", "qti-text-entry-interaction"}
)

// refusal is the message refusing element n (an element of the item or
// the test attesta does not read), by its name and what kind of thing it
// is.
func refusal(n *node) attesta.Message {
	name := n.name.Local
	switch {
	case n.name.Space == mathNamespace:
		return attesta.M("err.qti.unsupported.math", name)
	case n.name.Space != ItemNamespace:
		return attesta.M("err.qti.unsupported.element", name)
	case slices.Contains(interactions, name) || strings.HasSuffix(name, "-interaction") && !slices.Contains(supported, name):
		return attesta.M("err.qti.unsupported.interaction", name)
	case slices.Contains(media, name):
		return attesta.M("err.qti.unsupported.media", name)
	case slices.Contains(feedbacks, name):
		return attesta.M("err.qti.unsupported.feedback", name)
	case slices.Contains(templates, name):
		return attesta.M("err.qti.unsupported.template", name)
	case name == "qti-stylesheet":
		return attesta.M("err.qti.unsupported.stylesheet", name)
	case slices.Contains(companions, name):
		return attesta.M("err.qti.unsupported.companion", name)
	}
	return attesta.M("err.qti.unsupported.element", name)
}

// mark is where the text a bodyReader collected at off came from.
type mark struct {
	off       int
	line, col int
	elem      string
}

// bodyReader reads rich text as plain text, refusing what is not text by
// name. It collects the raw text (blockBreak between blocks, "\n" for a
// line break) and, when interactions are allowed, stops at each one: raw
// holds the text after the last.
type bodyReader struct {
	file  string
	c     *collector
	allow bool // whether an interaction of the subset may stand here

	raw    strings.Builder
	before []string // the raw text before each interaction
	found  []*node  // the interactions met
	marks  []mark

	refusedInteraction bool // whether an interaction not of the subset was refused
}

// walk reads the children of n.
func (r *bodyReader) walk(n *node) {
	for _, k := range n.kids {
		if k.isText() {
			if strings.TrimFunc(k.text, xmlSpace) != "" {
				r.marks = append(r.marks, mark{r.raw.Len(), k.line, k.col, n.name.Local})
			}
			r.raw.WriteString(strings.Map(func(c rune) rune {
				if xmlSpace(c) {
					return ' '
				}
				return c
			}, k.text))
			continue
		}
		r.element(k)
	}
}

func (r *bodyReader) element(n *node) {
	name := n.name.Local
	if n.name.Space != ItemNamespace {
		r.refuse(n)
		return
	}
	switch {
	case slices.Contains(blocks, name) || name == "li":
		r.raw.WriteString(blockBreak)
		r.walk(n)
		r.raw.WriteString(blockBreak)
	case name == "ul" || name == "ol":
		r.raw.WriteString(blockBreak)
		i := 0
		for _, k := range n.kids {
			switch {
			case k.isText() && strings.TrimFunc(k.text, xmlSpace) == "":
			case !k.isText() && k.name.Space == ItemNamespace && k.name.Local == "li":
				i++
				r.raw.WriteString(blockBreak)
				if name == "ol" {
					r.raw.WriteString(strconv.Itoa(i) + ". ")
				} else {
					r.raw.WriteString("- ")
				}
				r.walk(k)
				r.raw.WriteString(blockBreak)
			case k.isText():
				r.c.at(r.file, n, attesta.M("err.qti.item.list"))
			default:
				r.refuse(k)
			}
		}
		r.raw.WriteString(blockBreak)
	case slices.Contains(inlines, name):
		r.walk(n)
	case name == "br":
		r.raw.WriteString("\n")
	case slices.Contains(supported, name):
		if !r.allow {
			r.c.at(r.file, n, attesta.M("err.qti.item.nested", name))
			return
		}
		r.before = append(r.before, r.raw.String())
		r.raw.Reset()
		r.marks = nil
		r.found = append(r.found, n)
	default:
		r.refuse(n)
	}
}

// refuse records the refusal of n.
func (r *bodyReader) refuse(n *node) {
	m := refusal(n)
	if m.Key == "err.qti.unsupported.interaction" {
		r.refusedInteraction = true
	}
	r.c.at(r.file, n, m)
}

// text is the plain text of the raw text a bodyReader collected.
func text(raw string) string {
	return clean(strings.ReplaceAll(raw, blockBreak, "\n\n"))
}

// richText reads n's children as plain text (no interaction allowed).
func richText(file string, c *collector, n *node) string {
	r := &bodyReader{file: file, c: c}
	r.walk(n)
	return text(r.raw.String())
}

// gapSpace reports whether the text after a gap is written apart from it:
// not when it starts with a closing punctuation mark (".", ",", ";", ")"…).
func gapSpace(after string) bool {
	r, _ := utf8.DecodeRuneInString(after)
	return !unicode.IsPunct(r) || strings.ContainsRune("([{«“‘¿¡", r)
}
