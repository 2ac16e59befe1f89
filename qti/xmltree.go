package qti

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/attesta/attesta"
)

// node is an element or a text of a parsed XML file, with where it starts.
type node struct {
	name      xml.Name // Space is the namespace's URI; "" Local for a text
	attrs     []xml.Attr
	kids      []*node
	text      string
	line, col int
}

func (n *node) isText() bool { return n.name.Local == "" }

// attr returns the value of the unqualified attribute local.
func (n *node) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// elems returns the element children of n.
func (n *node) elems() []*node {
	var out []*node
	for _, k := range n.kids {
		if !k.isText() {
			out = append(out, k)
		}
	}
	return out
}

// textContent is the text of n and its descendants, as it is.
func (n *node) textContent() string {
	if n.isText() {
		return n.text
	}
	var b strings.Builder
	for _, k := range n.kids {
		b.WriteString(k.textContent())
	}
	return b.String()
}

// hasText reports whether n has a text child other than white space.
func (n *node) hasText() bool {
	for _, k := range n.kids {
		if k.isText() && strings.TrimSpace(k.text) != "" {
			return true
		}
	}
	return false
}

// maxProblems is how many problems an import says: past them, a package
// is said to have more.
const maxProblems = 1000

// collector gathers the problems of a package.
type collector struct {
	ps    Problems
	extra int // problems past maxProblems
}

func (c *collector) add(p Problem) {
	if len(c.ps) < maxProblems {
		c.ps = append(c.ps, p)
		return
	}
	c.extra++
}

// count is how many problems were found.
func (c *collector) count() int { return len(c.ps) + c.extra }

// at records m at n of file.
func (c *collector) at(file string, n *node, m attesta.Message) {
	if n == nil {
		c.add(newProblem(file, 0, 0, "", m))
		return
	}
	c.add(newProblem(file, n.line, n.col, n.name.Local, m))
}

// file records m about file as a whole.
func (c *collector) file(file string, m attesta.Message) {
	c.add(newProblem(file, 0, 0, "", m))
}

// lineIndex turns byte offsets of a file into lines and columns. The
// parser asks for offsets in increasing order: the column is counted from
// the last one asked on the same line, so a file on one long line costs
// no more than many short ones.
type lineIndex struct {
	data   []byte
	starts []int // the offset where each line starts

	line, off, col int // the last answer: a 0-based line, an offset, its 1-based column
}

func newLineIndex(data []byte) *lineIndex {
	li := &lineIndex{data: data, starts: []int{0}, col: 1}
	for i, b := range data {
		if b == '\n' {
			li.starts = append(li.starts, i+1)
		}
	}
	return li
}

// pos returns the 1-based line and column (in characters) of off.
func (li *lineIndex) pos(off int) (int, int) {
	off = min(max(off, 0), len(li.data))
	i := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > off }) - 1
	from, col := li.starts[i], 1
	if i == li.line && off >= li.off {
		from, col = li.off, li.col
	}
	col += utf8.RuneCount(li.data[from:off])
	li.line, li.off, li.col = i, off, col
	return i + 1, col
}

// parseXML reads data, the file name of the package, into a tree. It
// refuses a DTD (and so any entity but XML's five), an encoding other than
// UTF-8, more than one root, nesting deeper than MaxDepth and more than
// maxNodes nodes, recording the problem in c and returning nil.
func parseXML(name string, data []byte, c *collector) *node {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	li := newLineIndex(data)
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	fail := func(off int64, m attesta.Message) *node {
		line, col := li.pos(int(off))
		c.add(newProblem(name, line, col, "", m))
		return nil
	}
	var root *node
	var stack []*node
	count := 0
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return fail(d.InputOffset(), attesta.M("err.qti.xml.syntax", se.Msg))
			}
			return fail(d.InputOffset(), attesta.M("err.qti.xml.syntax", err.Error()))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > maxNodes {
				return fail(off, attesta.M("err.qti.xml.nodes", maxNodes))
			}
			if len(stack) >= MaxDepth {
				return fail(off, attesta.M("err.qti.xml.depth", MaxDepth))
			}
			line, col := li.pos(int(off))
			n := &node{name: t.Name, attrs: t.Copy().Attr, line: line, col: col}
			switch {
			case len(stack) > 0:
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			case root != nil:
				return fail(off, attesta.M("err.qti.xml.roots"))
			default:
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return fail(off, attesta.M("err.qti.xml.outside"))
				}
				continue
			}
			count++
			if count > maxNodes {
				return fail(off, attesta.M("err.qti.xml.nodes", maxNodes))
			}
			p := stack[len(stack)-1]
			line, col := li.pos(int(off))
			p.kids = append(p.kids, &node{text: string(t), line: line, col: col})
		case xml.Directive:
			return fail(off, attesta.M("err.qti.xml.dtd"))
		case xml.ProcInst, xml.Comment:
			// The XML declaration (its encoding is checked by the
			// decoder), xml-model and xml-stylesheet instructions and
			// comments say nothing attesta reads.
		}
	}
	if root == nil {
		c.file(name, attesta.M("err.qti.xml.empty"))
	}
	return root
}
