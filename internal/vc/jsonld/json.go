package jsonld

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/attesta/attesta/internal/vc/jcs"
)

// kind is the JSON type of a jv.
type kind uint8

const (
	kNull kind = iota
	kBool
	kNum
	kStr
	kArr
	kObj
)

// jv is a decoded JSON value. Numbers are IEEE 754 doubles, as JSON.parse
// gives them to jsonld.js. The items of an array and the members of an
// object are in a; a member's name is in its key. Members keep the order of
// the document and are unique.
type jv struct {
	k   kind
	b   bool
	n   float64
	s   string
	key string // member name, for members of an object
	a   []jv
}

// get returns the member of object v named key.
func (v *jv) get(key string) (*jv, bool) {
	for i := range v.a {
		if v.a[i].key == key {
			return &v.a[i], true
		}
	}
	return nil, false
}

func (v *jv) has(key string) bool {
	_, ok := v.get(key)
	return ok
}

// typeName names the JSON type of v for error messages.
func (v *jv) typeName() string {
	switch v.k {
	case kNull:
		return "null"
	case kBool:
		return "boolean"
	case kNum:
		return "number"
	case kStr:
		return "string"
	case kArr:
		return "array"
	}
	return "object"
}

// utf16Compare compares a and b as sequences of UTF-16 code units, the order
// in which jsonld.js sorts keys and types. It differs from byte (code point)
// order only where a supplementary character, encoded with surrogates
// D800–DFFF, meets a character in U+E000–U+FFFF.
func utf16Compare(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return len(a) - len(b)
	}
	x, y := a[i], b[i]
	// Differing lead bytes: a 4-byte sequence (>= 0xF0) against a 3-byte one
	// for U+E000–U+FFFF (0xEE, 0xEF) sorts first in UTF-16.
	if x >= 0xF0 && (y == 0xEE || y == 0xEF) {
		return -1
	}
	if y >= 0xF0 && (x == 0xEE || x == 0xEF) {
		return 1
	}
	return int(x) - int(y)
}

// sortedMembers returns the members of object v in UTF-16 order.
func sortedMembers(v *jv) []*jv {
	m := make([]*jv, len(v.a))
	for i := range v.a {
		m[i] = &v.a[i]
	}
	slices.SortFunc(m, func(a, b *jv) int { return utf16Compare(a.key, b.key) })
	return m
}

// duplicateKey returns a member name that occurs twice in members, if any.
func duplicateKey(members []jv) (string, bool) {
	if len(members) <= 16 {
		for i := 1; i < len(members); i++ {
			for j := 0; j < i; j++ {
				if members[i].key == members[j].key {
					return members[i].key, true
				}
			}
		}
		return "", false
	}
	keys := make([]string, len(members))
	for i := range members {
		keys[i] = members[i].key
	}
	slices.Sort(keys)
	for i := 1; i < len(keys); i++ {
		if keys[i] == keys[i-1] {
			return keys[i], true
		}
	}
	return "", false
}

// decoder parses JSON text strictly: RFC 8259 syntax, valid UTF-8, no lone
// surrogate escapes, no duplicate member names, finite numbers, bounded depth.
type decoder struct {
	src      string
	pos      int
	maxDepth int
	values   int // values decoded, for the node limit
	maxVals  int
	stack    []jv   // scratch for array items and object members
	sbuf     []byte // scratch for strings with escapes
	arena    *arena[jv]
}

func (d *decoder) fail(code, format string, args ...any) error {
	return &Error{Code: code, Path: fmt.Sprintf("@%d", d.pos), Message: fmt.Sprintf(format, args...)}
}

func (d *decoder) decode() (jv, error) {
	d.skip()
	var v jv
	if err := d.value(0, &v); err != nil {
		return jv{}, err
	}
	d.skip()
	if d.pos != len(d.src) {
		return jv{}, d.fail(CodeInvalidJSON, "unexpected data after the JSON value")
	}
	return v, nil
}

func (d *decoder) skip() {
	for d.pos < len(d.src) {
		switch d.src[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value decodes a value into *dst. dst may point into d.stack, which the
// value's own items may grow, so it is written only once they are done.
func (d *decoder) value(depth int, dst *jv) error {
	if d.pos >= len(d.src) {
		return d.fail(CodeInvalidJSON, "unexpected end of JSON input")
	}
	d.values++
	if d.maxVals > 0 && d.values > d.maxVals {
		return d.fail(CodeLimit, "more than %d JSON values", d.maxVals)
	}
	var v jv
	var err error
	switch c := d.src[d.pos]; c {
	case '{', '[':
		if depth >= d.maxDepth {
			return d.fail(CodeLimit, "JSON nested deeper than %d", d.maxDepth)
		}
		idx := -1
		if len(d.stack) > 0 && dst == &d.stack[len(d.stack)-1] {
			idx = len(d.stack) - 1
		}
		if c == '{' {
			v, err = d.object(depth + 1)
		} else {
			v, err = d.array(depth + 1)
		}
		if err != nil {
			return err
		}
		if idx >= 0 {
			dst = &d.stack[idx] // the stack may have moved
		}
		*dst = v
		return nil
	case '"':
		s, err := d.str()
		if err != nil {
			return err
		}
		dst.k, dst.s = kStr, s
		return nil
	case 't':
		v, err = d.lit("true", jv{k: kBool, b: true})
	case 'f':
		v, err = d.lit("false", jv{k: kBool})
	case 'n':
		v, err = d.lit("null", jv{})
	default:
		if c == '-' || c >= '0' && c <= '9' {
			v, err = d.number()
		} else {
			return d.fail(CodeInvalidJSON, "unexpected character %q", c)
		}
	}
	if err != nil {
		return err
	}
	dst.k, dst.b, dst.n = v.k, v.b, v.n
	return nil
}

func (d *decoder) lit(word string, v jv) (jv, error) {
	if !strings.HasPrefix(d.src[d.pos:], word) {
		return jv{}, d.fail(CodeInvalidJSON, "invalid literal")
	}
	d.pos += len(word)
	return v, nil
}

func (d *decoder) object(depth int) (jv, error) {
	d.pos++ // '{'
	base := len(d.stack)
	d.skip()
	if d.pos < len(d.src) && d.src[d.pos] == '}' {
		d.pos++
		return jv{k: kObj, a: []jv{}}, nil
	}
	for {
		d.skip()
		if d.pos >= len(d.src) || d.src[d.pos] != '"' {
			return jv{}, d.fail(CodeInvalidJSON, "expected a member name")
		}
		key, err := d.str()
		if err != nil {
			return jv{}, err
		}
		d.skip()
		if d.pos >= len(d.src) || d.src[d.pos] != ':' {
			return jv{}, d.fail(CodeInvalidJSON, "expected ':' after a member name")
		}
		d.pos++
		d.skip()
		d.stack = append(d.stack, jv{})
		i := len(d.stack) - 1
		if err := d.value(depth, &d.stack[i]); err != nil {
			return jv{}, err
		}
		d.stack[i].key = key
		d.skip()
		if d.pos >= len(d.src) {
			return jv{}, d.fail(CodeInvalidJSON, "unexpected end of JSON input")
		}
		if d.src[d.pos] == ',' {
			d.pos++
			continue
		}
		if d.src[d.pos] != '}' {
			return jv{}, d.fail(CodeInvalidJSON, "expected ',' or '}'")
		}
		d.pos++
		break
	}
	m := d.take(len(d.stack) - base)
	copy(m, d.stack[base:])
	d.stack = d.stack[:base]
	if k, dup := duplicateKey(m); dup {
		return jv{}, d.fail(CodeInvalidJSON, "duplicate member name %q", k)
	}
	return jv{k: kObj, a: m}, nil
}

func (d *decoder) array(depth int) (jv, error) {
	d.pos++ // '['
	base := len(d.stack)
	d.skip()
	if d.pos < len(d.src) && d.src[d.pos] == ']' {
		d.pos++
		return jv{k: kArr, a: []jv{}}, nil
	}
	for {
		d.skip()
		d.stack = append(d.stack, jv{})
		if err := d.value(depth, &d.stack[len(d.stack)-1]); err != nil {
			return jv{}, err
		}
		d.skip()
		if d.pos >= len(d.src) {
			return jv{}, d.fail(CodeInvalidJSON, "unexpected end of JSON input")
		}
		if d.src[d.pos] == ',' {
			d.pos++
			continue
		}
		if d.src[d.pos] != ']' {
			return jv{}, d.fail(CodeInvalidJSON, "expected ',' or ']'")
		}
		d.pos++
		break
	}
	a := d.take(len(d.stack) - base)
	copy(a, d.stack[base:])
	d.stack = d.stack[:base]
	return jv{k: kArr, a: a}, nil
}

// take returns room for n items or members.
func (d *decoder) take(n int) []jv {
	if d.arena == nil {
		return make([]jv, n)
	}
	return d.arena.take(n)
}

func (d *decoder) number() (jv, error) {
	start := d.pos
	s := d.src
	i := d.pos
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		d.pos = i
		return jv{}, d.fail(CodeInvalidJSON, "invalid number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			d.pos = i
			return jv{}, d.fail(CodeInvalidJSON, "invalid number")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			d.pos = i
			return jv{}, d.fail(CodeInvalidJSON, "invalid number")
		}
	}
	d.pos = i
	f, err := strconv.ParseFloat(s[start:i], 64)
	if err != nil || math.IsInf(f, 0) {
		d.pos = start
		return jv{}, d.fail(CodeInvalidNumber, "number %s is out of the range of IEEE 754 doubles", s[start:i])
	}
	return jv{k: kNum, n: f}, nil
}

// str decodes a string starting at the opening quote. Strings without escapes
// share the source's memory.
func (d *decoder) str() (string, error) {
	d.pos++ // '"'
	start := d.pos
	s := d.src
	i := start
	ascii := true
	for i < len(s) {
		c := s[i]
		if !strSpecial[c] {
			i++
			continue
		}
		if c == '"' {
			if !ascii && !utf8.ValidString(s[start:i]) {
				d.pos = start
				return "", d.fail(CodeInvalidJSON, "string is not valid UTF-8")
			}
			d.pos = i + 1
			return s[start:i], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			d.pos = i
			return "", d.fail(CodeInvalidJSON, "unescaped control character in string")
		}
		ascii = false // c >= 0x80
		i++
	}
	if i >= len(s) {
		d.pos = i
		return "", d.fail(CodeInvalidJSON, "unterminated string")
	}
	// Slow path with escapes.
	b := append(d.sbuf[:0], s[start:i]...)
	for {
		if i >= len(s) {
			d.pos = i
			return "", d.fail(CodeInvalidJSON, "unterminated string")
		}
		c := s[i]
		switch {
		case c == '"':
			if !ascii && !utf8.Valid(b) {
				d.pos = start
				return "", d.fail(CodeInvalidJSON, "string is not valid UTF-8")
			}
			d.pos = i + 1
			d.sbuf = b
			return string(b), nil
		case c < 0x20:
			d.pos = i
			return "", d.fail(CodeInvalidJSON, "unescaped control character in string")
		case c != '\\':
			if c >= 0x80 {
				ascii = false
			}
			b = append(b, c)
			i++
			continue
		}
		i++
		if i >= len(s) {
			d.pos = i
			return "", d.fail(CodeInvalidJSON, "unterminated string")
		}
		e := s[i]
		i++
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(s, i)
			if !ok {
				d.pos = i
				return "", d.fail(CodeInvalidJSON, "invalid \\u escape")
			}
			i += 4
			if r >= 0xD800 && r < 0xDC00 {
				if i+6 > len(s) || s[i] != '\\' || s[i+1] != 'u' {
					d.pos = i
					return "", d.fail(CodeInvalidJSON, "lone surrogate in \\u escape")
				}
				r2, ok := hex4(s, i+2)
				if !ok || r2 < 0xDC00 || r2 > 0xDFFF {
					d.pos = i
					return "", d.fail(CodeInvalidJSON, "lone surrogate in \\u escape")
				}
				i += 6
				r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
			} else if r >= 0xDC00 && r <= 0xDFFF {
				d.pos = i
				return "", d.fail(CodeInvalidJSON, "lone surrogate in \\u escape")
			}
			b = utf8.AppendRune(b, r)
		default:
			d.pos = i - 1
			return "", d.fail(CodeInvalidJSON, "invalid escape \\%c", e)
		}
	}
}

// strSpecial marks the bytes the string scanner must look at.
var strSpecial = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// fromAny converts an already decoded value (the types encoding/json produces,
// plus json.Number, integers and float32) to a jv.
func fromAny(v any, depth, maxDepth int, count *int, maxCount int, path pathRef) (jv, error) {
	*count++
	if maxCount > 0 && *count > maxCount {
		return jv{}, newError(CodeLimit, path, "more than %d JSON values", maxCount)
	}
	switch x := v.(type) {
	case nil:
		return jv{}, nil
	case bool:
		return jv{k: kBool, b: x}, nil
	case string:
		if !utf8.ValidString(x) {
			return jv{}, newError(CodeInvalidJSON, path, "string is not valid UTF-8")
		}
		return jv{k: kStr, s: x}, nil
	case float64:
		return numberValue(x, path)
	case float32:
		return numberValue(float64(x), path)
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || !validJSONNumber(string(x)) {
			return jv{}, newError(CodeInvalidNumber, path, "invalid number %q", string(x))
		}
		return numberValue(f, path)
	case int:
		return jv{k: kNum, n: float64(x)}, nil
	case int64:
		return jv{k: kNum, n: float64(x)}, nil
	case int32:
		return jv{k: kNum, n: float64(x)}, nil
	case uint64:
		return jv{k: kNum, n: float64(x)}, nil
	case uint32:
		return jv{k: kNum, n: float64(x)}, nil
	case uint:
		return jv{k: kNum, n: float64(x)}, nil
	case []any:
		if depth >= maxDepth {
			return jv{}, newError(CodeLimit, path, "JSON nested deeper than %d", maxDepth)
		}
		a := make([]jv, len(x))
		for i, e := range x {
			var err error
			a[i], err = fromAny(e, depth+1, maxDepth, count, maxCount, path.index(i))
			if err != nil {
				return jv{}, err
			}
		}
		return jv{k: kArr, a: a}, nil
	case map[string]any:
		if depth >= maxDepth {
			return jv{}, newError(CodeLimit, path, "JSON nested deeper than %d", maxDepth)
		}
		m := make([]jv, 0, len(x))
		for k, e := range x {
			if !utf8.ValidString(k) {
				return jv{}, newError(CodeInvalidJSON, path, "member name is not valid UTF-8")
			}
			val, err := fromAny(e, depth+1, maxDepth, count, maxCount, path.key(k))
			if err != nil {
				return jv{}, err
			}
			val.key = k
			m = append(m, val)
		}
		return jv{k: kObj, a: m}, nil
	}
	return jv{}, newError(CodeInvalidJSON, path, "unsupported Go type %s", reflect.TypeOf(v))
}

func numberValue(f float64, path pathRef) (jv, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return jv{}, newError(CodeInvalidNumber, path, "number %v is not finite", f)
	}
	return jv{k: kNum, n: f}, nil
}

// validJSONNumber reports whether s has the syntax of a JSON number.
func validJSONNumber(s string) bool {
	d := decoder{src: s, maxDepth: 1}
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return false
	}
	_, err := d.number()
	return err == nil && d.pos == len(s)
}

// clone returns a deep copy of v that shares no memory with it.
func (v *jv) clone() jv {
	c := jv{k: v.k, b: v.b, n: v.n, s: strings.Clone(v.s), key: strings.Clone(v.key)}
	if v.a != nil {
		c.a = make([]jv, len(v.a))
		for i := range v.a {
			c.a[i] = v.a[i].clone()
		}
	}
	return c
}

// toAny converts v to the values encoding/json produces (numbers as float64).
func (v *jv) toAny() any {
	switch v.k {
	case kNull:
		return nil
	case kBool:
		return v.b
	case kNum:
		return v.n
	case kStr:
		return v.s
	case kArr:
		a := make([]any, len(v.a))
		for i := range v.a {
			a[i] = v.a[i].toAny()
		}
		return a
	}
	m := make(map[string]any, len(v.a))
	for i := range v.a {
		m[v.a[i].key] = v.a[i].toAny()
	}
	return m
}

// appendCanonical appends the RFC 8785 (JCS) form of v: what the
// canonicalize package used by jsonld.js writes for an rdf:JSON literal.
func (v *jv) appendCanonical(b []byte) []byte {
	switch v.k {
	case kNull:
		return append(b, "null"...)
	case kBool:
		if v.b {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case kNum:
		return jcs.AppendNumber(b, v.n)
	case kStr:
		return jcs.AppendString(b, v.s)
	case kArr:
		b = append(b, '[')
		for i := range v.a {
			if i > 0 {
				b = append(b, ',')
			}
			b = v.a[i].appendCanonical(b)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	for i, m := range sortedMembers(v) {
		if i > 0 {
			b = append(b, ',')
		}
		b = jcs.AppendString(b, m.key)
		b = append(b, ':')
		b = m.appendCanonical(b)
	}
	return append(b, '}')
}

// equal reports deep equality, comparing @container arrays as sets the way
// jsonld.js compares protected term definitions.
func (v *jv) equal(w *jv) bool {
	if v.k != w.k {
		return false
	}
	switch v.k {
	case kNull:
		return true
	case kBool:
		return v.b == w.b
	case kNum:
		return v.n == w.n
	case kStr:
		return v.s == w.s
	case kArr:
		if len(v.a) != len(w.a) {
			return false
		}
		for i := range v.a {
			if !v.a[i].equal(&w.a[i]) {
				return false
			}
		}
		return true
	}
	if len(v.a) != len(w.a) {
		return false
	}
	for i := range v.a {
		a := &v.a[i]
		b, ok := w.get(a.key)
		if !ok {
			return false
		}
		if a.key == "@container" && a.k == kArr && b.k == kArr {
			if !sameStringSet(a, b) {
				return false
			}
			continue
		}
		if !a.equal(b) {
			return false
		}
	}
	return true
}

func sameStringSet(a, b *jv) bool {
	if len(a.a) != len(b.a) {
		return false
	}
	x := make([]string, 0, len(a.a))
	y := make([]string, 0, len(b.a))
	for i := range a.a {
		if a.a[i].k != kStr || b.a[i].k != kStr {
			return a.equal(b)
		}
		x = append(x, a.a[i].s)
		y = append(y, b.a[i].s)
	}
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
