package rdf

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Default limits applied by [ParseNQuads] when a [Limits] field is zero.
const (
	DefaultMaxBytes   = 16 << 20
	DefaultMaxQuads   = 1 << 20
	DefaultMaxTermLen = 4 << 20
)

// ErrLimit is wrapped by errors reporting that input exceeded a [Limits] bound.
var ErrLimit = errors.New("limit exceeded")

// Limits bounds the resources [ParseNQuads] may use. A zero field selects the
// matching Default constant; a negative field means no bound.
type Limits struct {
	// MaxBytes bounds the size of the whole document.
	MaxBytes int
	// MaxQuads bounds the number of statements.
	MaxQuads int
	// MaxTermLen bounds the length in bytes of one term's decoded value (an
	// IRI, a blank node label, a literal's lexical form or language tag).
	MaxTermLen int
}

func limitOr(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return int(^uint(0) >> 1)
	}
	return v
}

// SyntaxError reports malformed N-Quads. Line and Column are 1-based; Column
// counts Unicode characters, not bytes.
type SyntaxError struct {
	Line, Column int
	Msg          string
	// Err is an underlying cause such as [ErrLimit], or nil.
	Err error
}

func (e *SyntaxError) Error() string {
	return "nquads: line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Column) + ": " + e.Msg
}

// Unwrap returns the underlying cause, if any.
func (e *SyntaxError) Unwrap() error { return e.Err }

// ParseNQuads parses an N-Quads document (RDF 1.1 grammar: comments, blank
// lines, UCHAR and ECHAR escapes, language tags and datatypes). It is strict:
// the input must be UTF-8, IRIs must be absolute, escapes must denote Unicode
// scalar values, and an escape in an IRI must not produce a character that
// IRIREF forbids. Errors are *[SyntaxError] values naming the line and column,
// or errors wrapping [ErrLimit].
//
// Literals are returned with Datatype empty for xsd:string and rdf:langString
// for language-tagged strings. Duplicate statements are kept.
func ParseNQuads(data []byte, lim Limits) ([]Quad, error) {
	maxBytes := limitOr(lim.MaxBytes, DefaultMaxBytes)
	if len(data) > maxBytes {
		return nil, fmt.Errorf("nquads: input is %d bytes, more than %d: %w", len(data), maxBytes, ErrLimit)
	}
	p := parser{
		data:     data,
		line:     1,
		maxQuads: limitOr(lim.MaxQuads, DefaultMaxQuads),
		maxTerm:  limitOr(lim.MaxTermLen, DefaultMaxTermLen),
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		p.seek(i)
		return nil, p.errAt(i, "invalid UTF-8")
	}
	return p.parse()
}

type parser struct {
	data      []byte
	pos       int
	line      int // current line number
	lineStart int // offset of the current line
	maxQuads  int
	maxTerm   int
	buf       []byte
	intern    map[string]string
	quads     []Quad
}

// seek advances the line bookkeeping to offset i (used on error paths only
// when the position is ahead of the scanner).
func (p *parser) seek(i int) {
	for j := p.pos; j < i; j++ {
		switch p.data[j] {
		case '\n':
			p.line++
			p.lineStart = j + 1
		case '\r':
			if j+1 < len(p.data) && p.data[j+1] == '\n' {
				continue
			}
			p.line++
			p.lineStart = j + 1
		}
	}
	p.pos = i
}

func (p *parser) errAt(i int, msg string) error {
	return &SyntaxError{Line: p.line, Column: utf8.RuneCount(p.data[p.lineStart:i]) + 1, Msg: msg}
}

func (p *parser) errf(i int, format string, args ...any) error {
	return p.errAt(i, fmt.Sprintf(format, args...))
}

func (p *parser) limitErr(i int, what string) error {
	return &SyntaxError{Line: p.line, Column: utf8.RuneCount(p.data[p.lineStart:i]) + 1,
		Msg: what, Err: ErrLimit}
}

func (p *parser) parse() ([]Quad, error) {
	// Preallocate for one statement a line; a statement takes 13 bytes or
	// more.
	n := min(bytes.Count(p.data, []byte{'\n'})+1, len(p.data)/13+1, 1<<16)
	p.quads = make([]Quad, 0, n)
	data := p.data
	for {
		p.skipWS()
		if p.pos >= len(data) {
			return p.quads, nil
		}
		switch data[p.pos] {
		case '#':
			p.skipComment()
			continue
		case '\n', '\r':
			p.eol()
			continue
		}
		if err := p.statement(); err != nil {
			return nil, err
		}
	}
}

func (p *parser) skipWS() {
	for p.pos < len(p.data) && (p.data[p.pos] == ' ' || p.data[p.pos] == '\t') {
		p.pos++
	}
}

func (p *parser) skipComment() {
	for p.pos < len(p.data) && p.data[p.pos] != '\n' && p.data[p.pos] != '\r' {
		p.pos++
	}
}

// eol consumes one line break at p.pos.
func (p *parser) eol() {
	if p.data[p.pos] == '\r' && p.pos+1 < len(p.data) && p.data[p.pos+1] == '\n' {
		p.pos++
	}
	p.pos++
	p.line++
	p.lineStart = p.pos
}

func (p *parser) statement() error {
	if len(p.quads) >= p.maxQuads {
		return p.limitErr(p.pos, fmt.Sprintf("more than %d statements", p.maxQuads))
	}
	var q Quad
	var err error
	switch c := p.data[p.pos]; c {
	case '<':
		q.Subject, err = p.iri()
	case '_':
		q.Subject, err = p.blank()
	default:
		err = p.unexpected("subject (IRI or blank node)")
	}
	if err != nil {
		return err
	}
	p.skipWS()
	if p.pos >= len(p.data) || p.data[p.pos] != '<' {
		return p.unexpected("predicate IRI")
	}
	if q.Predicate, err = p.iri(); err != nil {
		return err
	}
	p.skipWS()
	if p.pos >= len(p.data) {
		return p.unexpected("object (IRI, blank node or literal)")
	}
	switch p.data[p.pos] {
	case '<':
		q.Object, err = p.iri()
	case '_':
		q.Object, err = p.blank()
	case '"':
		q.Object, err = p.literal()
	default:
		err = p.unexpected("object (IRI, blank node or literal)")
	}
	if err != nil {
		return err
	}
	p.skipWS()
	if p.pos < len(p.data) {
		switch p.data[p.pos] {
		case '<':
			q.Graph, err = p.iri()
		case '_':
			q.Graph, err = p.blank()
		}
		if err != nil {
			return err
		}
		p.skipWS()
	}
	if p.pos >= len(p.data) || p.data[p.pos] != '.' {
		if q.Graph.Kind == None {
			return p.unexpected("graph label or '.'")
		}
		return p.unexpected("'.'")
	}
	p.pos++
	p.skipWS()
	if p.pos < len(p.data) {
		switch p.data[p.pos] {
		case '#':
			p.skipComment()
		case '\n', '\r':
		default:
			return p.unexpected("end of line after '.'")
		}
	}
	p.quads = append(p.quads, q)
	return nil
}

func (p *parser) unexpected(want string) error {
	return p.errf(p.pos, "expected %s, found %s", want, p.describe())
}

// describe names what is at p.pos for error messages.
func (p *parser) describe() string {
	if p.pos >= len(p.data) {
		return "end of input"
	}
	switch c := p.data[p.pos]; c {
	case '\n', '\r':
		return "end of line"
	case '#':
		return "comment"
	}
	r, _ := utf8.DecodeRune(p.data[p.pos:])
	return describeRune(r)
}

func describeRune(r rune) string {
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfeff {
		return fmt.Sprintf("U+%04X", r)
	}
	return fmt.Sprintf("%q", r)
}

func (p *parser) str(b []byte, keep bool) string {
	if keep && len(b) <= 256 {
		if s, ok := p.intern[string(b)]; ok {
			return s
		}
		s := string(b)
		if p.intern == nil {
			p.intern = make(map[string]string, 64)
		}
		if len(p.intern) < 1<<14 {
			p.intern[s] = s
		}
		return s
	}
	return string(b)
}

// litPlain marks the bytes a string literal may hold unescaped.
var litPlain = func() (t [256]bool) {
	for c := range t {
		t[c] = c != '"' && c != '\\' && c != '\n' && c != '\r'
	}
	return t
}()

// iriForbidden marks the ASCII bytes IRIREF does not allow unescaped.
var iriForbidden = func() (t [256]bool) {
	for c := 0; c <= 0x20; c++ {
		t[c] = true
	}
	for _, c := range []byte("<>\"{}|^`\\") {
		t[c] = true
	}
	return t
}()

func (p *parser) iri() (Term, error) {
	start := p.pos
	data := p.data
	i := start + 1
	for i < len(data) && !iriForbidden[data[i]] {
		i++
	}
	var val []byte
	if i < len(data) && data[i] == '>' {
		val = data[start+1 : i]
	} else {
		// Slow path: escapes or an error.
		p.buf = append(p.buf[:0], data[start+1:i]...)
		for {
			if i >= len(data) {
				return Term{}, p.errAt(start, "unterminated IRI")
			}
			c := data[i]
			if c == '>' {
				break
			}
			if !iriForbidden[c] {
				p.buf = append(p.buf, c)
				i++
				continue
			}
			switch c {
			case '\\':
				if i+1 >= len(data) || (data[i+1] != 'u' && data[i+1] != 'U') {
					return Term{}, p.errAt(i, "invalid escape in IRI: only \\u and \\U are allowed")
				}
				r, n, err := p.uchar(data[i:], i)
				if err != nil {
					return Term{}, err
				}
				if r < 0x80 && iriForbidden[r] {
					return Term{}, p.errf(i, "escaped character %s is not allowed in an IRI", describeRune(r))
				}
				p.buf = utf8.AppendRune(p.buf, r)
				i += n
			case '\n', '\r':
				return Term{}, p.errAt(start, "unterminated IRI")
			default:
				return Term{}, p.errf(i, "character %s is not allowed in an IRI", describeRune(rune(c)))
			}
		}
		val = p.buf
	}
	if len(val) > p.maxTerm {
		return Term{}, p.limitErr(start, fmt.Sprintf("IRI longer than %d bytes", p.maxTerm))
	}
	if !hasScheme(val) {
		return Term{}, p.errAt(start, "IRI is not absolute (no scheme)")
	}
	p.pos = i + 1
	return Term{Kind: IRI, Value: p.str(val, true)}, nil
}

// hasScheme reports whether s starts with an IRI scheme and a colon.
func hasScheme[S string | []byte](s S) bool {
	if len(s) == 0 || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			return true
		case isAlpha(c), c >= '0' && c <= '9', c == '+', c == '-', c == '.':
		default:
			return false
		}
	}
	return false
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// uchar decodes \uXXXX or \UXXXXXXXX at the start of b; off is b's offset in
// the input.
func (p *parser) uchar(b []byte, off int) (rune, int, error) {
	n := 4
	if len(b) > 1 && b[1] == 'U' {
		n = 8
	}
	if len(b) < 2+n {
		return 0, 0, p.errf(off, "truncated %s escape", string(b[:min(2, len(b))]))
	}
	var r uint32
	for _, c := range b[2 : 2+n] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, 0, p.errf(off, "invalid hex digit in %s escape", string(b[:2]))
		}
		r = r<<4 | uint32(d)
	}
	if r > utf8.MaxRune || (r >= 0xd800 && r <= 0xdfff) {
		return 0, 0, p.errf(off, "escape %s is not a Unicode scalar value", string(b[:2+n]))
	}
	return rune(r), 2 + n, nil
}

func (p *parser) blank() (Term, error) {
	start := p.pos
	data := p.data
	if start+1 >= len(data) || data[start+1] != ':' {
		return Term{}, p.errAt(start, "expected '_:' starting a blank node label")
	}
	i := start + 2
	r, n := decodeRune(data, i)
	if n == 0 || !(isPNCharsU(r) || (r >= '0' && r <= '9')) {
		return Term{}, p.errAt(i, "invalid blank node label")
	}
	i += n
	end := i // end of label excluding trailing dots
	for i < len(data) {
		r, n := decodeRune(data, i)
		if r == '.' {
			i += n
			continue
		}
		if !isPNChars(r) {
			break
		}
		i += n
		end = i
	}
	label := data[start+2 : end]
	if len(label) > p.maxTerm {
		return Term{}, p.limitErr(start, fmt.Sprintf("blank node label longer than %d bytes", p.maxTerm))
	}
	p.pos = end
	return Term{Kind: Blank, Value: p.str(label, true)}, nil
}

func decodeRune(b []byte, i int) (rune, int) {
	if i >= len(b) {
		return 0, 0
	}
	if c := b[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRune(b[i:])
}

func isPNCharsBase(r rune) bool {
	switch {
	case r < 0x80:
		return r|0x20 >= 'a' && r|0x20 <= 'z'
	case r >= 0xC0 && r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0x2FF,
		r >= 0x370 && r <= 0x37D, r >= 0x37F && r <= 0x1FFF, r >= 0x200C && r <= 0x200D,
		r >= 0x2070 && r <= 0x218F, r >= 0x2C00 && r <= 0x2FEF, r >= 0x3001 && r <= 0xD7FF,
		r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFFD, r >= 0x10000 && r <= 0xEFFFF:
		return true
	}
	return false
}

func isPNCharsU(r rune) bool { return r == '_' || r == ':' || isPNCharsBase(r) }

func isPNChars(r rune) bool {
	return isPNCharsU(r) || r == '-' || (r >= '0' && r <= '9') || r == 0xB7 ||
		(r >= 0x300 && r <= 0x36F) || (r >= 0x203F && r <= 0x2040)
}

func (p *parser) literal() (Term, error) {
	start := p.pos
	data := p.data
	i := start + 1
	for i < len(data) && litPlain[data[i]] {
		i++
	}
	var value string
	if i < len(data) && data[i] == '"' {
		raw := data[start+1 : i]
		if len(raw) > p.maxTerm {
			return Term{}, p.limitErr(start, fmt.Sprintf("literal longer than %d bytes", p.maxTerm))
		}
		value = p.str(raw, len(raw) <= 32)
	} else {
		// Slow path: escapes or an error.
		p.buf = append(p.buf[:0], data[start+1:i]...)
		for {
			if i >= len(data) {
				return Term{}, p.errAt(start, "unterminated string literal")
			}
			c := data[i]
			if c == '"' {
				break
			}
			if litPlain[c] {
				p.buf = append(p.buf, c)
				i++
				continue
			}
			if c == '\n' || c == '\r' {
				return Term{}, p.errAt(start, "unterminated string literal")
			}
			// c == '\\'
			if i+1 >= len(data) {
				return Term{}, p.errAt(start, "unterminated string literal")
			}
			switch e := data[i+1]; e {
			case 't':
				p.buf = append(p.buf, '\t')
			case 'b':
				p.buf = append(p.buf, '\b')
			case 'n':
				p.buf = append(p.buf, '\n')
			case 'r':
				p.buf = append(p.buf, '\r')
			case 'f':
				p.buf = append(p.buf, '\f')
			case '"', '\'', '\\':
				p.buf = append(p.buf, e)
			case 'u', 'U':
				r, n, err := p.uchar(data[i:], i)
				if err != nil {
					return Term{}, err
				}
				p.buf = utf8.AppendRune(p.buf, r)
				i += n
				continue
			default:
				if e == '\n' || e == '\r' {
					return Term{}, p.errAt(start, "unterminated string literal")
				}
				r, _ := decodeRune(data, i+1)
				return Term{}, p.errf(i, "invalid escape \\%s in string literal", strings.Trim(describeRune(r), "'"))
			}
			i += 2
		}
		if len(p.buf) > p.maxTerm {
			return Term{}, p.limitErr(start, fmt.Sprintf("literal longer than %d bytes", p.maxTerm))
		}
		value = string(p.buf)
	}
	i++ // closing quote
	t := Term{Kind: Literal, Value: value}
	// White space may separate the string from its language tag or datatype.
	k := i
	for k < len(data) && (data[k] == ' ' || data[k] == '\t') {
		k++
	}
	if k < len(data) && (data[k] == '@' || data[k] == '^') {
		i = k
		switch data[i] {
		case '@':
			j := i + 1
			for j < len(data) && isAlpha(data[j]) {
				j++
			}
			if j == i+1 {
				return Term{}, p.errAt(i, "invalid language tag")
			}
			for j < len(data) && data[j] == '-' {
				k := j + 1
				for k < len(data) && (isAlpha(data[k]) || data[k] >= '0' && data[k] <= '9') {
					k++
				}
				if k == j+1 {
					return Term{}, p.errAt(i, "invalid language tag")
				}
				j = k
			}
			if j-i-1 > p.maxTerm {
				return Term{}, p.limitErr(i, fmt.Sprintf("language tag longer than %d bytes", p.maxTerm))
			}
			t.Language = p.str(data[i+1:j], true)
			t.Datatype = RDFLangStr
			i = j
		case '^':
			if i+1 >= len(data) || data[i+1] != '^' {
				return Term{}, p.errAt(i, "expected '^^' introducing a datatype IRI")
			}
			p.pos = i + 2
			p.skipWS()
			if p.pos >= len(data) || data[p.pos] != '<' {
				return Term{}, p.unexpected("datatype IRI after '^^'")
			}
			dtPos := p.pos
			dt, err := p.iri()
			if err != nil {
				return Term{}, err
			}
			switch dt.Value {
			case XSDString:
			case RDFLangStr:
				return Term{}, p.errAt(dtPos, "rdf:langString literal without a language tag")
			default:
				t.Datatype = dt.Value
			}
			return t, nil
		}
	}
	p.pos = i
	return t, nil
}

// AppendTerm appends the N-Quads form of t to dst: <iri>, _:label, or a quoted
// literal with its datatype (omitted for xsd:string) or language tag. Literals
// are escaped as canonical N-Quads requires: \" \\ \n \r \t \b \f as ECHAR,
// other characters U+0000–U+001F and U+007F as \u00XX with uppercase hex, all
// else verbatim. Characters an IRIREF cannot hold are written as UCHAR escapes;
// they only occur in IRIs that [Quad.Validate] rejects. A None term appends
// nothing.
func AppendTerm(dst []byte, t Term) []byte {
	switch t.Kind {
	case IRI:
		return appendIRI(dst, t.Value)
	case Blank:
		dst = append(dst, "_:"...)
		return append(dst, t.Value...)
	case Literal:
		dst = appendString(dst, t.Value)
		switch {
		case t.Language != "":
			dst = append(dst, '@')
			dst = append(dst, t.Language...)
		case t.Datatype != "" && t.Datatype != XSDString:
			dst = append(dst, "^^"...)
			dst = appendIRI(dst, t.Datatype)
		}
	}
	return dst
}

const hexUpper = "0123456789ABCDEF"

func appendIRI(dst []byte, s string) []byte {
	dst = append(dst, '<')
	for i := 0; i < len(s); i++ {
		if iriForbidden[s[i]] {
			return appendIRISlow(dst, s, i)
		}
	}
	dst = append(dst, s...)
	return append(dst, '>')
}

func appendIRISlow(dst []byte, s string, i int) []byte {
	dst = append(dst, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if iriForbidden[c] {
			dst = append(dst, '\\', 'u', '0', '0', hexUpper[c>>4], hexUpper[c&15])
		} else {
			dst = append(dst, c)
		}
	}
	return append(dst, '>')
}

// litEscape maps bytes needing an escape in a canonical string literal to the
// ECHAR letter, or 'u' for a \u00XX escape.
var litEscape = func() (t [256]byte) {
	for c := 0; c < 0x20; c++ {
		t[c] = 'u'
	}
	t[0x7f] = 'u'
	t['\b'], t['\t'], t['\n'], t['\f'], t['\r'] = 'b', 't', 'n', 'f', 'r'
	t['"'], t['\\'] = '"', '\\'
	return t
}()

func appendString(dst []byte, s string) []byte {
	dst, _ = appendStringUTF8(dst, s)
	return dst
}

// litClass classifies bytes of literals: classForbidden for those written
// escaped, classHigh for bytes of non-ASCII characters.
var litClass = func() (t [256]uint8) {
	for c := range t {
		if litEscape[c] != 0 {
			t[c] = classForbidden
		}
		if c >= utf8.RuneSelf {
			t[c] = classHigh
		}
	}
	return t
}()

// appendStringUTF8 is appendString that also reports whether s is valid UTF-8.
func appendStringUTF8(dst []byte, s string) ([]byte, bool) {
	dst = append(dst, '"')
	var acc uint8
	start := 0 // s[start:i] is yet to be written
	i := 0
	for i < len(s) {
		if i+8 <= len(s) {
			t := s[i : i+8]
			x := litClass[t[0]] | litClass[t[1]] | litClass[t[2]] | litClass[t[3]] |
				litClass[t[4]] | litClass[t[5]] | litClass[t[6]] | litClass[t[7]]
			acc |= x
			if x&classForbidden == 0 {
				i += 8
				continue
			}
		}
		// Escape byte by byte up to the next multiple of 8.
		end := min(i+8, len(s))
		for ; i < end; i++ {
			c := s[i]
			acc |= litClass[c]
			e := litEscape[c]
			if e == 0 {
				continue
			}
			dst = append(dst, s[start:i]...)
			if e == 'u' {
				dst = append(dst, '\\', 'u', '0', '0', hexUpper[c>>4], hexUpper[c&15])
			} else {
				dst = append(dst, '\\', e)
			}
			start = i + 1
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), acc&classHigh == 0 || utf8.ValidString(s)
}

// AppendQuad appends q to dst as one canonical N-Quads statement followed by
// "\n", exactly as RDF Dataset Canonicalization writes it: terms separated by
// single spaces, the graph label omitted for the default graph, and " .\n" at
// the end. See [AppendTerm] for the form of each term.
func AppendQuad(dst []byte, q Quad) []byte {
	dst = AppendTerm(dst, q.Subject)
	dst = append(dst, ' ')
	dst = AppendTerm(dst, q.Predicate)
	dst = append(dst, ' ')
	dst = AppendTerm(dst, q.Object)
	if q.Graph.Kind != None {
		dst = append(dst, ' ')
		dst = AppendTerm(dst, q.Graph)
	}
	return append(dst, " .\n"...)
}

// SerializeNQuads writes quads as an N-Quads document, one [AppendQuad] line
// each, in the given order.
func SerializeNQuads(quads []Quad) []byte {
	n := 0
	for i := range quads {
		q := &quads[i]
		n += len(q.Subject.Value) + len(q.Predicate.Value) + len(q.Object.Value) +
			len(q.Object.Datatype) + len(q.Graph.Value) + 16
	}
	dst := make([]byte, 0, n)
	for _, q := range quads {
		dst = AppendQuad(dst, q)
	}
	return dst
}

// String returns t in N-Quads form, or "" for a None term.
func (t Term) String() string { return string(AppendTerm(nil, t)) }

// String returns q as an N-Quads statement without the trailing line break.
func (q Quad) String() string {
	b := AppendQuad(nil, q)
	return string(b[:len(b)-1])
}

// Validate reports whether q is a well-formed RDF quad that [AppendQuad]
// writes faithfully: subject an IRI or blank node, predicate an IRI, object an
// IRI, blank node or literal, graph None, an IRI or a blank node; IRIs absolute
// and free of characters IRIREF forbids; blank node labels matching the
// N-Quads grammar; literals in UTF-8 with a well-formed language tag exactly
// when the datatype is rdf:langString.
func (q Quad) Validate() error {
	if err := validateTerm(&q.Subject, posSubject); err != nil {
		return err
	}
	if err := validateTerm(&q.Predicate, posPredicate); err != nil {
		return err
	}
	if err := validateTerm(&q.Object, posObject); err != nil {
		return err
	}
	return validateTerm(&q.Graph, posGraph)
}

const (
	posSubject = iota
	posPredicate
	posObject
	posGraph
)

var posNames = [...]string{"subject", "predicate", "object", "graph"}

func validateTerm(t *Term, pos int) error {
	switch t.Kind {
	case None:
		if pos == posGraph {
			return nil
		}
	case IRI:
		if err := validateIRI(t.Value); err != nil {
			return fmt.Errorf("%s: %w", posNames[pos], err)
		}
		return nil
	case Blank:
		if pos == posPredicate {
			break
		}
		if t.Value == "" {
			return fmt.Errorf("%s: empty blank node label", posNames[pos])
		}
		if !validBlankLabel(t.Value) {
			return fmt.Errorf("%s: invalid blank node label %q", posNames[pos], t.Value)
		}
		return nil
	case Literal:
		if pos != posObject {
			break
		}
		return validateLiteral(t)
	}
	return fmt.Errorf("%s: %s term not allowed", posNames[pos], kindName(t.Kind))
}

func kindName(k Kind) string {
	switch k {
	case None:
		return "missing"
	case IRI:
		return "IRI"
	case Blank:
		return "blank node"
	case Literal:
		return "literal"
	}
	return "unknown (kind " + strconv.Itoa(int(k)) + ")"
}

// iriClass classifies bytes of IRIs: classForbidden for those IRIREF does
// not allow, classHigh for bytes of non-ASCII characters.
var iriClass = func() (t [256]uint8) {
	for c := range t {
		if iriForbidden[c] {
			t[c] = classForbidden
		}
		if c >= utf8.RuneSelf {
			t[c] = classHigh
		}
	}
	return t
}()

const (
	classForbidden = 1 << iota
	classHigh
)

func validateIRI(s string) error {
	// Classify eight bytes per step without branching.
	var acc uint8
	i := 0
	for ; i+8 <= len(s); i += 8 {
		t := s[i : i+8]
		acc |= iriClass[t[0]] | iriClass[t[1]] | iriClass[t[2]] | iriClass[t[3]] |
			iriClass[t[4]] | iriClass[t[5]] | iriClass[t[6]] | iriClass[t[7]]
	}
	for ; i < len(s); i++ {
		acc |= iriClass[s[i]]
	}
	if acc&classForbidden != 0 {
		for i := 0; i < len(s); i++ {
			if iriForbidden[s[i]] {
				return fmt.Errorf("character %s not allowed in IRI %q", describeRune(rune(s[i])), s)
			}
		}
	}
	if !hasScheme(s) {
		return fmt.Errorf("IRI %q is not absolute", s)
	}
	if acc&classHigh != 0 && !utf8.ValidString(s) {
		return fmt.Errorf("IRI %q is not valid UTF-8", s)
	}
	return nil
}

func validateLiteral(t *Term) error {
	if !utf8.ValidString(t.Value) {
		return errors.New("object: literal is not valid UTF-8")
	}
	if t.Language != "" {
		if t.Datatype != "" && t.Datatype != RDFLangStr {
			return fmt.Errorf("object: literal with language tag has datatype %q", t.Datatype)
		}
		if !validLangTag(t.Language) {
			return fmt.Errorf("object: invalid language tag %q", t.Language)
		}
		return nil
	}
	if t.Datatype == "" {
		return nil
	}
	if t.Datatype == RDFLangStr {
		return errors.New("object: rdf:langString literal without a language tag")
	}
	if err := validateIRI(t.Datatype); err != nil {
		return fmt.Errorf("object: datatype: %w", err)
	}
	return nil
}

// validLangTag matches [a-zA-Z]+ ('-' [a-zA-Z0-9]+)*.
func validLangTag(s string) bool {
	i := 0
	for i < len(s) && isAlpha(s[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	for i < len(s) {
		if s[i] != '-' {
			return false
		}
		j := i + 1
		for j < len(s) && (isAlpha(s[j]) || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		if j == i+1 {
			return false
		}
		i = j
	}
	return true
}

func validBlankLabel(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n <= 1 || !(isPNCharsU(r) || r >= '0' && r <= '9') {
		return false
	}
	last := r
	for _, r := range s[n:] {
		if r != '.' && !isPNChars(r) {
			return false
		}
		last = r
	}
	return last != '.'
}
