package bake

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

const (
	svgNamespace = "http://www.w3.org/2000/svg"
	// ob2Namespace is the namespace of the Open Badges 2.0 SVG assertion.
	ob2Namespace = "http://openbadges.org"
	// maxSVGDepth bounds element nesting, so that a deep document cannot make
	// the decoder's element stack large.
	maxSVGDepth = 512
)

// svgDoc is what a pass over an SVG document found.
type svgDoc struct {
	rootStart, rootEnd int    // byte range of the root start tag
	rootName           string // qualified name of the root, as written
	selfClosing        bool   // root start tag ends with "/>"
	obPrefix           string // prefix the root binds to Namespace, if any
	openbadgesBound    bool   // the root binds the prefix "openbadges"
	creds              []svgCredential
	hint               string // why nothing was found, if something nearly was
	lookalikes         []svgLookalike
	active             []Active // at most maxActive
	activeCount        int      // all of them
}

// svgLookalike is an element a reader could take for a credential: named
// credential in another namespace, or an Open Badges 2.0 assertion.
type svgLookalike struct {
	start, end int // byte range of the element; end is 0 until it closes
	depth      int
	what       string
}

// svgCredential is a credential element.
type svgCredential struct {
	start, end int // byte range of the element
	line       int // line of the end of its start tag
	depth      int
	verify     []byte // value of the verify attribute
	hasVerify  bool
	text       []byte // character data inside, CDATA sections included
}

func (c *svgCredential) String() string {
	return fmt.Sprintf("credential element at line %d", c.line)
}

// parseSVG checks that img is a well-formed, UTF-8, SVG document without an
// internal DTD subset, and returns where its root start tag and credential
// elements are.
func parseSVG(img []byte) (*svgDoc, error) {
	if len(img) > MaxImageSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrImageTooLarge, len(img), MaxImageSize)
	}
	doc := &svgDoc{rootStart: -1}
	d := xml.NewDecoder(bytes.NewReader(img))
	d.Strict = true
	var (
		depth    int
		rootDone bool
		cur      *svgCredential
		open     []int // indexes in doc.lookalikes of the lookalikes open
		style    int   // depth of the <style> element open, 0 if none
	)
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformedSVG, err)
		}
		line, _ := d.InputPos()
		switch tok := tok.(type) {
		case xml.StartElement:
			if rootDone {
				return nil, fmt.Errorf("%w: line %d: element <%s> after the root element", ErrMalformedSVG, line, tok.Name.Local)
			}
			depth++
			if depth > maxSVGDepth {
				return nil, fmt.Errorf("%w: line %d: elements nested deeper than %d", ErrMalformedSVG, line, maxSVGDepth)
			}
			if err := checkAttrs(tok); err != nil {
				return nil, fmt.Errorf("%w: line %d: %v", ErrMalformedSVG, line, err)
			}
			if cur != nil {
				return nil, fmt.Errorf("%w: svg: %v: child element <%s>", ErrInvalidCredential, cur, tok.Name.Local)
			}
			doc.inspect(line, tok)
			if strings.EqualFold(tok.Name.Local, "style") && style == 0 {
				style = depth
			}
			if depth == 1 {
				if err := doc.setRoot(img, off, d.InputOffset(), tok); err != nil {
					return nil, fmt.Errorf("%w: line %d: %v", ErrMalformedSVG, line, err)
				}
				continue
			}
			switch {
			case tok.Name.Space == Namespace && tok.Name.Local == "credential":
				cur = &svgCredential{start: int(off), line: line, depth: depth}
				for _, a := range tok.Attr {
					if a.Name.Space == "" && a.Name.Local == "verify" {
						cur.verify, cur.hasVerify = []byte(a.Value), true
					}
				}
			case tok.Name.Space == ob2Namespace && tok.Name.Local == "assertion":
				what := fmt.Sprintf("the element at line %d is an Open Badges 2.0 assertion (namespace %s)", line, ob2Namespace)
				doc.hint = what + ", not an OB 3.0 credential"
				open = append(open, len(doc.lookalikes))
				doc.lookalikes = append(doc.lookalikes, svgLookalike{start: int(off), depth: depth, what: what})
			case strings.EqualFold(tok.Name.Local, "credential"):
				var what string
				switch {
				case tok.Name.Space == "":
					what = fmt.Sprintf("the credential element at line %d is in no namespace", line)
				case strings.Contains(tok.Name.Space, ":"):
					what = fmt.Sprintf("the credential element at line %d is in namespace %q", line, tok.Name.Space)
				default:
					// encoding/xml leaves an undeclared prefix in Space;
					// a prefix holds no colon, a namespace URI does.
					what = fmt.Sprintf("the credential element at line %d has prefix %q, bound to no namespace", line, tok.Name.Space)
				}
				if tok.Name.Local != "credential" {
					what = fmt.Sprintf("the element <%s> at line %d is named like the credential element in another case", tok.Name.Local, line)
				}
				if doc.hint == "" {
					doc.hint = what
					if tok.Name.Local == "credential" && tok.Name.Space == "" {
						doc.hint += ", not in " + Namespace
					} else if tok.Name.Local == "credential" && strings.Contains(tok.Name.Space, ":") {
						doc.hint += fmt.Sprintf(", not %q", Namespace)
					}
				}
				open = append(open, len(doc.lookalikes))
				doc.lookalikes = append(doc.lookalikes, svgLookalike{start: int(off), depth: depth, what: what})
			}
		case xml.EndElement:
			if cur != nil && depth == cur.depth {
				cur.end = int(d.InputOffset())
				doc.creds = append(doc.creds, *cur)
				cur = nil
			}
			if n := len(open); n > 0 && doc.lookalikes[open[n-1]].depth == depth {
				doc.lookalikes[open[n-1]].end = int(d.InputOffset())
				open = open[:n-1]
			}
			if style == depth {
				style = 0
			}
			depth--
			if depth == 0 {
				rootDone = true
			}
		case xml.CharData:
			if cur != nil {
				cur.text = append(cur.text, tok...)
			}
			if style > 0 {
				doc.inspectCSS(line, "a <style> element", string(tok))
			}
			if depth == 0 {
				text := []byte(tok)
				if off == 0 {
					text = bytes.TrimPrefix(text, []byte("\ufeff"))
				}
				if len(bytes.Trim(text, xmlSpace)) > 0 {
					return nil, fmt.Errorf("%w: line %d: text outside the root element", ErrMalformedSVG, line)
				}
			}
		case xml.Directive:
			if err := checkDirective(tok, depth > 0 || rootDone); err != nil {
				return nil, fmt.Errorf("%w: line %d: %v", ErrMalformedSVG, line, err)
			}
		case xml.ProcInst:
			// encoding/xml rejects an XML declaration naming an encoding
			// other than UTF-8, since no CharsetReader is set.
			if tok.Target == "xml-stylesheet" {
				doc.found(line, ActiveReference, "an xml-stylesheet processing instruction")
			}
		case xml.Comment:
		}
	}
	if doc.rootStart < 0 {
		return nil, fmt.Errorf("%w: no root element", ErrMalformedSVG)
	}
	return doc, nil
}

// setRoot records the root start tag, img[start:end].
func (doc *svgDoc) setRoot(img []byte, start, end int64, tok xml.StartElement) error {
	if tok.Name.Local != "svg" || tok.Name.Space != svgNamespace && tok.Name.Space != "" {
		return fmt.Errorf("root element is {%s}%s, not svg", tok.Name.Space, tok.Name.Local)
	}
	doc.rootStart, doc.rootEnd = int(start), int(end)
	tag := img[start:end]
	n := bytes.IndexAny(tag, " \t\r\n/>")
	if n < 0 || tag[0] != '<' {
		return errors.New("cannot locate the root start tag")
	}
	doc.rootName = string(tag[1:n])
	doc.selfClosing = bytes.HasSuffix(tag, []byte("/>"))
	for _, a := range tok.Attr {
		if a.Name.Space != "xmlns" {
			continue
		}
		if a.Name.Local == "openbadges" {
			doc.openbadgesBound = true
		}
		// The reserved prefixes xml and xmlns cannot be bound; encoding/xml
		// does not enforce that, so skip them.
		if a.Value == Namespace && a.Name.Local != "xml" && a.Name.Local != "xmlns" &&
			(doc.obPrefix == "" || a.Name.Local == "openbadges") {
			doc.obPrefix = a.Name.Local
		}
	}
	return nil
}

// checkAttrs rejects duplicate attributes, which encoding/xml lets through.
func checkAttrs(tok xml.StartElement) error {
	seen := make(map[xml.Name]bool, len(tok.Attr))
	for _, a := range tok.Attr {
		if seen[a.Name] {
			name := a.Name.Local
			if a.Name.Space != "" {
				name = a.Name.Space + ":" + name
			}
			return fmt.Errorf("element <%s>: duplicate attribute %s", tok.Name.Local, name)
		}
		seen[a.Name] = true
	}
	return nil
}

// checkDirective allows only a DOCTYPE declaration without an internal
// subset, before the root element.
func checkDirective(dir xml.Directive, inDocument bool) error {
	if !bytes.HasPrefix(dir, []byte("DOCTYPE")) {
		return fmt.Errorf("markup declaration <!%.20s...> outside a DOCTYPE", dir)
	}
	if inDocument {
		return errors.New("DOCTYPE inside or after the root element")
	}
	// Look for '[' outside quoted literals.
	var quote byte
	for _, b := range dir {
		switch {
		case quote != 0:
			if b == quote {
				quote = 0
			}
		case b == '"' || b == '\'':
			quote = b
		case b == '[':
			return errors.New("DOCTYPE with an internal subset (entity declarations are not supported)")
		}
	}
	return nil
}

// ExtractSVG returns the credential baked into the SVG image img: the value of
// the verify attribute of its one credential element (namespace
// https://purl.imsglobal.org/ob/v3p0, any prefix) if it has one, otherwise the
// character data inside the element, without surrounding whitespace. The whole
// document is parsed, and an image with two credential elements is rejected,
// and so is one with an element that a reader could take for another
// credential ([ErrAmbiguousCredential]).
func ExtractSVG(img []byte) ([]byte, error) {
	doc, err := parseSVG(img)
	if err != nil {
		return nil, err
	}
	switch len(doc.creds) {
	case 0:
		if doc.hint != "" {
			return nil, fmt.Errorf("%w: svg: %s", ErrNoCredential, doc.hint)
		}
		return nil, fmt.Errorf("%w: svg: no credential element in namespace %s", ErrNoCredential, Namespace)
	case 1:
	default:
		return nil, fmt.Errorf("%w: svg: %v and %v", ErrMultipleCredentials, &doc.creds[0], &doc.creds[1])
	}
	c := &doc.creds[0]
	if len(doc.lookalikes) > 0 {
		return nil, fmt.Errorf("%w: svg: %s, besides the %v", ErrAmbiguousCredential, doc.lookalikes[0].what, c)
	}
	raw := c.text
	if c.hasVerify {
		if len(bytes.Trim(c.text, xmlSpace)) > 0 {
			return nil, fmt.Errorf("%w: svg: %v has both a verify attribute and content", ErrInvalidCredential, c)
		}
		raw = c.verify
	}
	cred, _, err := checkCredential(raw, "svg: "+c.String())
	if err != nil {
		return nil, err
	}
	return bytes.Clone(cred), nil
}

// BakeSVG bakes credential into the SVG image img: it adds a credential
// element as the first child of the <svg> root, with a JSON credential in a
// CDATA section and a compact JWS in the verify attribute, and declares
// xmlns:openbadges on the root unless a prefix is already bound to the
// namespace there. The rest of the document is unchanged. An image that
// already carries a credential is rejected with [ErrAlreadyBaked], and one
// with an element a reader could take for a credential with
// [ErrAmbiguousCredential]; use [Bake] with [Options.Replace] to replace the
// credential and drop those elements.
func BakeSVG(img, credential []byte) ([]byte, error) {
	return bakeSVG(img, credential, Options{})
}

func bakeSVG(img, credential []byte, opts Options) ([]byte, error) {
	cred, k, err := checkCredential(credential, "")
	if err != nil {
		return nil, err
	}
	doc, err := parseSVG(img)
	if err != nil {
		return nil, err
	}
	var old *svgCredential
	switch len(doc.creds) {
	case 0:
	case 1:
		old = &doc.creds[0]
		if !opts.Replace {
			return nil, fmt.Errorf("%w: svg: %v", ErrAlreadyBaked, old)
		}
	default:
		return nil, fmt.Errorf("%w: svg: %v and %v", ErrMultipleCredentials, &doc.creds[0], &doc.creds[1])
	}
	if len(doc.lookalikes) > 0 && !opts.Replace {
		return nil, fmt.Errorf("%w: svg: %s; bake with Replace to drop it", ErrAmbiguousCredential, doc.lookalikes[0].what)
	}

	const decl = ` xmlns:openbadges="` + Namespace + `"`
	prefix, rootDecl, elemDecl := doc.obPrefix, "", ""
	switch {
	case prefix != "":
	case !doc.openbadgesBound:
		prefix, rootDecl = "openbadges", decl
	default:
		// The root binds openbadges to another namespace: declare ours on
		// the element, where it shadows that binding.
		prefix, elemDecl = "openbadges", decl
	}
	elem := appendCredentialElement(nil, prefix+":credential", elemDecl, cred, k)

	var out bytes.Buffer
	out.Grow(len(img) + len(rootDecl) + len(elem) + len(doc.rootName) + 3)
	nameEnd := doc.rootStart + 1 + len(doc.rootName)
	out.Write(img[:nameEnd])
	out.WriteString(rootDecl)
	rest := img[doc.rootEnd:]
	if doc.selfClosing {
		out.Write(img[nameEnd : doc.rootEnd-2])
		out.WriteString(">")
		out.Write(elem)
		out.WriteString("</" + doc.rootName + ">")
	} else {
		out.Write(img[nameEnd:doc.rootEnd])
		out.Write(elem)
	}
	// Replace drops the old credential and the lookalikes: the ranges,
	// in order, without those inside another.
	var drop [][2]int
	if old != nil {
		drop = append(drop, [2]int{old.start, old.end})
	}
	for _, l := range doc.lookalikes {
		drop = append(drop, [2]int{l.start, l.end})
	}
	slices.SortFunc(drop, func(a, b [2]int) int { return a[0] - b[0] })
	at := doc.rootEnd
	for _, r := range drop {
		if r[0] < at {
			continue // inside a range already dropped
		}
		out.Write(img[at:r[0]])
		at = r[1]
	}
	if len(drop) > 0 {
		rest = img[at:]
	}
	out.Write(rest)
	if out.Len() > MaxImageSize {
		return nil, fmt.Errorf("%w: baked svg would be %d bytes, limit %d", ErrImageTooLarge, out.Len(), MaxImageSize)
	}
	return out.Bytes(), nil
}

// appendCredentialElement appends the element name, with the attributes in
// attrs, holding cred: in a verify attribute for a compact JWS, in a CDATA
// section for JSON.
func appendCredentialElement(b []byte, name, attrs string, cred []byte, k kind) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, attrs...)
	if k == kindJWS {
		// A compact JWS holds only base64url characters and dots, which
		// need no escaping in an attribute value.
		b = append(b, ` verify="`...)
		b = append(b, cred...)
		b = append(b, `">`...)
	} else {
		b = append(b, "><![CDATA["...)
		for i := 0; i < len(cred); i++ {
			switch {
			case cred[i] == '\r':
				// XML turns CR into LF; a character reference keeps it.
				b = append(b, "]]>&#13;<![CDATA["...)
			case cred[i] == ']' && bytes.HasPrefix(cred[i:], []byte("]]>")):
				// "]]>" would end the section: end it between "]]" and ">".
				b = append(b, "]]]]><![CDATA[>"...)
				i += 2
			default:
				b = append(b, cred[i])
			}
		}
		b = append(b, "]]>"...)
	}
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}
