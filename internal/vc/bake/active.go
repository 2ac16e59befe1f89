package bake

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// ActiveKind is what a piece of active content in an SVG image does.
type ActiveKind string

// The kinds of active content.
const (
	// ActiveScript runs code: a script element (or handler, listener), a
	// javascript: URL, a CSS expression.
	ActiveScript ActiveKind = "script"
	// ActiveHandler runs code on an event: an on… attribute, or an
	// animation that sets one or a link's target.
	ActiveHandler ActiveKind = "handler"
	// ActiveReference fetches or embeds something from outside the image,
	// or navigates to it: an href, src or CSS url() that is not a fragment
	// of the image itself or an inline raster picture, an embedded document
	// (iframe, object, embed), an xml-stylesheet.
	ActiveReference ActiveKind = "reference"
)

// Active is one piece of active content in an SVG image.
type Active struct {
	Line int        // of the end of the start tag it is in
	Kind ActiveKind //
	What string     // what it is, in English: "attribute onload of <svg>"
}

func (a Active) String() string { return fmt.Sprintf("line %d: %s %s", a.Line, a.Kind, a.What) }

// maxActive bounds the active content recorded; the rest is counted.
const maxActive = 20

// ActiveContent lists what the SVG image img would run or fetch if it were
// displayed as a document: scripts, event handlers and references to
// anything outside the image, at most 20 of them, and how many there are in
// all. A badge's credential is signed and checked apart from its picture,
// so active content does not make the credential invalid; but the picture
// should not be shown as it is. The image is parsed as [ExtractSVG] does.
func ActiveContent(img []byte) ([]Active, int, error) {
	doc, err := parseSVG(img)
	if err != nil {
		return nil, 0, err
	}
	return doc.active, doc.activeCount, nil
}

func (doc *svgDoc) found(line int, kind ActiveKind, what string) {
	doc.activeCount++
	if len(doc.active) < maxActive {
		doc.active = append(doc.active, Active{Line: line, Kind: kind, What: what})
	}
}

// activeElements are the elements that run code or load a document,
// compared without case, as an HTML parser would within foreignObject.
var activeElements = map[string]ActiveKind{
	"script": ActiveScript, "handler": ActiveScript, "listener": ActiveScript,
	"iframe": ActiveReference, "frame": ActiveReference, "frameset": ActiveReference, "object": ActiveReference,
	"embed": ActiveReference, "applet": ActiveReference, "portal": ActiveReference, "link": ActiveReference,
	"meta": ActiveReference, "base": ActiveReference,
}

// urlAttributes are the attributes whose value is a URL something is
// fetched from, embedded from or navigated to, in any namespace (href and
// xlink:href alike).
var urlAttributes = map[string]bool{
	"href": true, "src": true, "data": true, "action": true, "formaction": true, "poster": true,
	"background": true, "codebase": true, "archive": true, "srcset": true, "ping": true, "lowsrc": true,
}

// animations are the elements that set another attribute over time.
var animations = map[string]bool{"set": true, "animate": true, "animatemotion": true, "animatetransform": true, "animatecolor": true}

// inspect records the active content of a start tag.
func (doc *svgDoc) inspect(line int, tok xml.StartElement) {
	elem := "<" + tok.Name.Local + ">"
	local := strings.ToLower(tok.Name.Local)
	if kind, ok := activeElements[local]; ok {
		doc.found(line, kind, "element "+elem)
	}
	for _, a := range tok.Attr {
		if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
			continue // a namespace name is not fetched
		}
		name := strings.ToLower(a.Name.Local)
		attr := "attribute " + a.Name.Local + " of " + elem
		switch {
		case strings.HasPrefix(name, "on"):
			doc.found(line, ActiveHandler, attr)
		case name == "srcdoc":
			doc.found(line, ActiveReference, attr+" (an embedded document)")
		case urlAttributes[name]:
			doc.inspectURL(line, attr, a.Value)
		case name == "style":
			doc.inspectCSS(line, attr, a.Value)
		case animations[local] && name == "attributename":
			target := strings.ToLower(strings.TrimSpace(a.Value))
			if strings.HasPrefix(target, "on") || target == "href" || strings.HasSuffix(target, ":href") {
				doc.found(line, ActiveHandler, fmt.Sprintf("%s animating %s", elem, a.Value))
			}
		case animations[local] && (name == "to" || name == "from" || name == "by" || name == "values"):
			for v := range strings.SplitSeq(a.Value, ";") {
				if scheme(v) == "javascript" || scheme(v) == "vbscript" {
					doc.found(line, ActiveScript, attr+" (a "+scheme(v)+": URL)")
					break
				}
			}
		}
	}
}

// inspectURL records a URL that is not a fragment of the image itself or an
// inline raster picture.
func (doc *svgDoc) inspectURL(line int, where, value string) {
	v := strings.TrimSpace(value)
	switch s := scheme(v); {
	case v == "" || strings.HasPrefix(v, "#"):
	case s == "javascript" || s == "vbscript":
		doc.found(line, ActiveScript, where+" (a "+s+": URL)")
	case s == "data":
		if !rasterData(v) {
			doc.found(line, ActiveReference, where+" (a data: URL that is not a PNG, JPEG, GIF or WebP picture)")
		}
	default:
		doc.found(line, ActiveReference, fmt.Sprintf("%s (%.80q)", where, v))
	}
}

// inspectCSS records the active content of a style sheet or a style
// attribute: imports, url() references, expressions.
func (doc *svgDoc) inspectCSS(line int, where, css string) {
	lower := strings.ToLower(css)
	if strings.Contains(lower, "@import") {
		doc.found(line, ActiveReference, where+" (an @import)")
	}
	if strings.Contains(lower, "expression(") || strings.Contains(lower, "javascript:") {
		doc.found(line, ActiveScript, where+" (a CSS expression or javascript: URL)")
	}
	for rest := lower; ; {
		i := strings.Index(rest, "url(")
		if i < 0 {
			break
		}
		rest = rest[i+4:]
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			end = len(rest)
		}
		target := strings.Trim(strings.TrimSpace(rest[:end]), `"'`)
		if target != "" && !strings.HasPrefix(target, "#") && !(scheme(target) == "data" && rasterData(target)) {
			doc.found(line, ActiveReference, fmt.Sprintf("%s (url(%.80s))", where, target))
		}
		rest = rest[end:]
	}
}

// scheme returns the scheme of a URL in lower case, as a browser reads it:
// ASCII tabs, newlines and leading control characters and spaces are
// ignored. A URL without a scheme (relative) gives "relative".
func scheme(u string) string {
	var b strings.Builder
	for _, r := range strings.TrimLeft(u, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ") {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			continue
		case r == ':':
			if s := b.String(); s != "" {
				return s
			}
			return "relative"
		case 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || b.Len() > 0 && ('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.'):
			b.WriteRune(r | 0x20)
		default:
			return "relative"
		}
	}
	return "relative"
}

// rasterData reports whether a data: URL holds a raster picture, which
// runs nothing and fetches nothing.
func rasterData(u string) bool {
	mediaType, _, _ := strings.Cut(strings.TrimSpace(u)[len("data:"):], ",")
	mediaType, _, _ = strings.Cut(mediaType, ";")
	switch strings.ToLower(strings.TrimSpace(mediaType)) {
	case "image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp":
		return true
	}
	return false
}
