// Package jcs implements the JSON Canonicalization Scheme ([RFC 8785]): the one
// byte sequence of a JSON value that the eddsa-jcs-2022 cryptosuite signs.
//
// The input must be I-JSON ([RFC 7493]): valid UTF-8, no duplicate member
// names, numbers that are IEEE 754 doubles. Input that is not is rejected with
// an error, never repaired: a signature over a repaired document would cover
// something other than what the reader sees.
//
// [RFC 8785]: https://www.rfc-editor.org/rfc/rfc8785
// [RFC 7493]: https://www.rfc-editor.org/rfc/rfc7493
package jcs

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of arrays and objects accepted.
const MaxDepth = 128

// Canonicalize returns the canonical form of the JSON text data.
func Canonicalize(data []byte) ([]byte, error) {
	p := parser{data: data}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return nil, p.errorf("unexpected data after the JSON value")
	}
	return v.append(make([]byte, 0, len(data))), nil
}

// value is a parsed JSON value: exactly one of its fields describes it.
type value struct {
	kind    byte // 'n' null, 't' true, 'f' false, '#' number, 's' string, 'a' array, 'o' object
	num     float64
	str     string
	items   []value
	members []member
}

type member struct {
	name  string
	key   []uint16 // name in UTF-16 code units, the sort key
	value value
}

func (v *value) append(b []byte) []byte {
	switch v.kind {
	case 'n':
		return append(b, "null"...)
	case 't':
		return append(b, "true"...)
	case 'f':
		return append(b, "false"...)
	case '#':
		return AppendNumber(b, v.num)
	case 's':
		return AppendString(b, v.str)
	case 'a':
		b = append(b, '[')
		for i := range v.items {
			if i > 0 {
				b = append(b, ',')
			}
			b = v.items[i].append(b)
		}
		return append(b, ']')
	default:
		slices.SortFunc(v.members, func(x, y member) int { return slices.Compare(x.key, y.key) })
		b = append(b, '{')
		for i := range v.members {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendString(b, v.members[i].name)
			b = append(b, ':')
			b = v.members[i].value.append(b)
		}
		return append(b, '}')
	}
}

// AppendNumber appends f serialized as ECMAScript's Number.prototype.toString
// does, which is what RFC 8785 requires. f must be finite.
func AppendNumber(b []byte, f float64) []byte {
	if f == 0 {
		return append(b, '0') // also for -0
	}
	if f < 0 {
		b = append(b, '-')
		f = -f
	}
	// Shortest round-tripping digits and exponent: d.ddddde±x.
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	mark := slices.Index(e, 'e')
	digits := make([]byte, 0, 17)
	digits = append(digits, e[0])
	if mark > 1 {
		digits = append(digits, e[2:mark]...)
	}
	exp, _ := strconv.Atoi(string(e[mark+1:]))
	k := len(digits)
	n := exp + 1 // value = 0.digits × 10^n
	switch {
	case k <= n && n <= 21:
		b = append(b, digits...)
		for range n - k {
			b = append(b, '0')
		}
	case 0 < n && n <= 21:
		b = append(b, digits[:n]...)
		b = append(b, '.')
		b = append(b, digits[n:]...)
	case -6 < n && n <= 0:
		b = append(b, '0', '.')
		for range -n {
			b = append(b, '0')
		}
		b = append(b, digits...)
	default:
		b = append(b, digits[0])
		if k > 1 {
			b = append(b, '.')
			b = append(b, digits[1:]...)
		}
		b = append(b, 'e')
		if n-1 >= 0 {
			b = append(b, '+')
		}
		b = strconv.AppendInt(b, int64(n-1), 10)
	}
	return b
}

// AppendString appends s as a JSON string with the escaping of RFC 8785:
// only '"', '\\' and control characters are escaped, controls with their
// short forms where JSON has one and \u00xx (lower-case hex) otherwise.
func AppendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// SyntaxError reports where the input is not I-JSON.
type SyntaxError struct {
	Offset int // byte offset of the problem
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("jcs: at byte %d: %s", e.Offset, e.Msg)
}

type parser struct {
	data []byte
	pos  int
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (value, error) {
	if p.pos >= len(p.data) {
		return value{}, p.errorf("unexpected end of input")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, err := p.string()
		return value{kind: 's', str: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		for _, lit := range [...]string{"null", "true", "false"} {
			if len(p.data)-p.pos >= len(lit) && string(p.data[p.pos:p.pos+len(lit)]) == lit {
				p.pos += len(lit)
				return value{kind: lit[0]}, nil
			}
		}
		return value{}, p.errorf("invalid character %q", c)
	}
}

func (p *parser) object(depth int) (value, error) {
	if depth > MaxDepth {
		return value{}, p.errorf("nesting deeper than %d", MaxDepth)
	}
	p.pos++ // {
	v := value{kind: 'o'}
	seen := make(map[string]bool)
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return value{}, p.errorf("expected a member name")
		}
		at := p.pos
		name, err := p.string()
		if err != nil {
			return value{}, err
		}
		if seen[name] {
			p.pos = at
			return value{}, p.errorf("duplicate member name %q", name)
		}
		seen[name] = true
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return value{}, p.errorf("expected ':' after a member name")
		}
		p.pos++
		p.skipSpace()
		item, err := p.value(depth)
		if err != nil {
			return value{}, err
		}
		v.members = append(v.members, member{name: name, key: utf16.Encode([]rune(name)), value: item})
		p.skipSpace()
		if p.pos >= len(p.data) {
			return value{}, p.errorf("unexpected end of input in an object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return v, nil
		default:
			return value{}, p.errorf("expected ',' or '}' in an object")
		}
	}
}

func (p *parser) array(depth int) (value, error) {
	if depth > MaxDepth {
		return value{}, p.errorf("nesting deeper than %d", MaxDepth)
	}
	p.pos++ // [
	v := value{kind: 'a'}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return v, nil
	}
	for {
		p.skipSpace()
		item, err := p.value(depth)
		if err != nil {
			return value{}, err
		}
		v.items = append(v.items, item)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return value{}, p.errorf("unexpected end of input in an array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return v, nil
		default:
			return value{}, p.errorf("expected ',' or ']' in an array")
		}
	}
}

func (p *parser) number() (value, error) {
	start := p.pos
	if p.data[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	intStart := p.pos
	if n := digits(); n == 0 {
		return value{}, p.errorf("invalid number")
	} else if n > 1 && p.data[intStart] == '0' {
		return value{}, p.errorf("invalid number: leading zero")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return value{}, p.errorf("invalid number: no digits after '.'")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return value{}, p.errorf("invalid number: no digits in the exponent")
		}
	}
	f, err := strconv.ParseFloat(string(p.data[start:p.pos]), 64)
	if err != nil || math.IsInf(f, 0) {
		p.pos = start
		return value{}, p.errorf("number %s is not an IEEE 754 double", p.data[start:p.pos])
	}
	return value{kind: '#', num: f}, nil
}

var errSurrogate = errors.New("unpaired UTF-16 surrogate")

func (p *parser) string() (string, error) {
	p.pos++ // opening quote
	var out []byte
	start := p.pos
	for {
		if p.pos >= len(p.data) {
			return "", p.errorf("unterminated string")
		}
		c := p.data[p.pos]
		switch {
		case c == '"':
			s := string(append(out, p.data[start:p.pos]...))
			p.pos++
			return s, nil
		case c < 0x20:
			return "", p.errorf("control character in a string")
		case c == '\\':
			out = append(out, p.data[start:p.pos]...)
			r, err := p.escape()
			if err != nil {
				return "", err
			}
			out = utf8.AppendRune(out, r)
			start = p.pos
		case c < utf8.RuneSelf:
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errorf("invalid UTF-8")
			}
			p.pos += size
		}
	}
}

// escape decodes the escape sequence at p.pos (at the backslash).
func (p *parser) escape() (rune, error) {
	if p.pos+1 >= len(p.data) {
		return 0, p.errorf("unterminated escape")
	}
	c := p.data[p.pos+1]
	p.pos += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
		r, err := p.hex4()
		if err != nil {
			return 0, err
		}
		if !utf16.IsSurrogate(r) {
			return r, nil
		}
		if r >= 0xdc00 || p.pos+1 >= len(p.data) || p.data[p.pos] != '\\' || p.data[p.pos+1] != 'u' {
			return 0, p.errorf("%v", errSurrogate)
		}
		p.pos += 2
		r2, err := p.hex4()
		if err != nil {
			return 0, err
		}
		if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
			return d, nil
		}
		return 0, p.errorf("%v", errSurrogate)
	default:
		p.pos -= 2
		return 0, p.errorf("invalid escape \\%c", c)
	}
}

func (p *parser) hex4() (rune, error) {
	if p.pos+4 > len(p.data) {
		return 0, p.errorf("short \\u escape")
	}
	v, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 16)
	if err != nil {
		return 0, p.errorf("invalid \\u escape")
	}
	p.pos += 4
	return rune(v), nil
}

// Decode parses I-JSON strictly, as Canonicalize does (valid UTF-8, no
// duplicate member names, numbers that are doubles, bounded depth), into
// map[string]any, []any, string, json.Number, bool and nil. It is the
// decoder for documents whose signatures are checked: what it accepts, every
// conforming reader reads the same way.
func Decode(data []byte) (any, error) {
	p := parser{data: data}
	p.skipSpace()
	v, err := p.anyValue(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return nil, p.errorf("unexpected data after the JSON value")
	}
	return v, nil
}

func (p *parser) anyValue(depth int) (any, error) {
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end of input")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		if depth+1 > MaxDepth {
			return nil, p.errorf("nesting deeper than %d", MaxDepth)
		}
		p.pos++
		obj := map[string]any{}
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == '}' {
			p.pos++
			return obj, nil
		}
		for {
			p.skipSpace()
			if p.pos >= len(p.data) || p.data[p.pos] != '"' {
				return nil, p.errorf("expected a member name")
			}
			at := p.pos
			name, err := p.string()
			if err != nil {
				return nil, err
			}
			if _, dup := obj[name]; dup {
				p.pos = at
				return nil, p.errorf("duplicate member name %q", name)
			}
			p.skipSpace()
			if p.pos >= len(p.data) || p.data[p.pos] != ':' {
				return nil, p.errorf("expected ':' after a member name")
			}
			p.pos++
			p.skipSpace()
			if obj[name], err = p.anyValue(depth + 1); err != nil {
				return nil, err
			}
			p.skipSpace()
			if p.pos >= len(p.data) {
				return nil, p.errorf("unexpected end of input in an object")
			}
			switch p.data[p.pos] {
			case ',':
				p.pos++
			case '}':
				p.pos++
				return obj, nil
			default:
				return nil, p.errorf("expected ',' or '}' in an object")
			}
		}
	case c == '[':
		if depth+1 > MaxDepth {
			return nil, p.errorf("nesting deeper than %d", MaxDepth)
		}
		p.pos++
		arr := []any{}
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == ']' {
			p.pos++
			return arr, nil
		}
		for {
			p.skipSpace()
			item, err := p.anyValue(depth + 1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, item)
			p.skipSpace()
			if p.pos >= len(p.data) {
				return nil, p.errorf("unexpected end of input in an array")
			}
			switch p.data[p.pos] {
			case ',':
				p.pos++
			case ']':
				p.pos++
				return arr, nil
			default:
				return nil, p.errorf("expected ',' or ']' in an array")
			}
		}
	case c == '"':
		return p.string()
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		if _, err := p.number(); err != nil {
			return nil, err
		}
		return json.Number(p.data[start:p.pos]), nil
	default:
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		switch v.kind {
		case 't':
			return true, nil
		case 'f':
			return false, nil
		}
		return nil, nil
	}
}
