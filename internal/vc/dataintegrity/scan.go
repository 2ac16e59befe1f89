package dataintegrity

import (
	"bytes"
	"encoding/json"
	"errors"
)

// member is the byte span of a top-level member of a JSON object: from the
// opening quote of its name to the end of its value.
type member struct {
	start, end         int // the whole member
	valueStart, valEnd int // its value
}

// topMembers finds the top-level members named in names in the JSON object
// doc, without decoding it. The document's full validity is checked later by
// the JSON-LD or JCS processor; this scan only needs to be exact about where
// values begin and end, which it is for any valid JSON.
func topMembers(doc []byte, names ...string) (map[string]member, error) {
	s := scanner{b: doc}
	s.space()
	if !s.eat('{') {
		return nil, errors.New("not a JSON object")
	}
	found := map[string]member{}
	s.space()
	if s.eat('}') {
		return found, nil
	}
	for {
		s.space()
		start := s.i
		name, err := s.str()
		if err != nil {
			return nil, err
		}
		s.space()
		if !s.eat(':') {
			return nil, errors.New("expected ':' after a member name")
		}
		s.space()
		vs := s.i
		if err := s.value(0); err != nil {
			return nil, err
		}
		if bytes.IndexByte(name, '\\') >= 0 {
			// An escaped name may spell a name looked for: decode it.
			var dec string
			if err := json.Unmarshal(doc[start:start+len(name)+2], &dec); err != nil {
				return nil, err
			}
			name = []byte(dec)
		}
		for _, n := range names {
			if n == string(name) {
				if _, dup := found[n]; dup {
					return nil, errors.New("duplicate member " + n)
				}
				found[n] = member{start, s.i, vs, s.i}
			}
		}
		s.space()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			return found, nil
		}
		return nil, errors.New("expected ',' or '}' in an object")
	}
}

// without returns doc with the member m removed, and the comma that
// separated it from its neighbour.
func without(doc []byte, m member) []byte {
	start, end := m.start, m.end
	// Remove a following comma, or else a preceding one.
	j := end
	for j < len(doc) && isSpace(doc[j]) {
		j++
	}
	if j < len(doc) && doc[j] == ',' {
		end = j + 1
	} else {
		i := start - 1
		for i >= 0 && isSpace(doc[i]) {
			i--
		}
		if i >= 0 && doc[i] == ',' {
			start = i
		}
	}
	out := make([]byte, 0, len(doc)-(end-start))
	out = append(out, doc[:start]...)
	return append(out, doc[end:]...)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) && isSpace(s.b[s.i]) {
		s.i++
	}
}

func (s *scanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

var errSyntax = errors.New("invalid JSON")

// str reads a string and returns its raw bytes between the quotes.
func (s *scanner) str() ([]byte, error) {
	if !s.eat('"') {
		return nil, errSyntax
	}
	start := s.i
	for {
		// Jump to the next quote or backslash.
		j := bytes.IndexAny(s.b[s.i:], "\"\\")
		if j < 0 {
			return nil, errSyntax
		}
		s.i += j
		if s.b[s.i] == '"' {
			s.i++
			return s.b[start : s.i-1], nil
		}
		s.i += 2 // an escape: skip the escaped character
		if s.i > len(s.b) {
			return nil, errSyntax
		}
	}
}

const maxScanDepth = 128

func (s *scanner) value(depth int) error {
	if depth > maxScanDepth {
		return errors.New("JSON nested too deeply")
	}
	if s.i >= len(s.b) {
		return errSyntax
	}
	switch c := s.b[s.i]; c {
	case '"':
		_, err := s.str()
		return err
	case '{', '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		s.i++
		s.space()
		if s.eat(closer) {
			return nil
		}
		for {
			s.space()
			if c == '{' {
				if _, err := s.str(); err != nil {
					return err
				}
				s.space()
				if !s.eat(':') {
					return errSyntax
				}
				s.space()
			}
			if err := s.value(depth + 1); err != nil {
				return err
			}
			s.space()
			if s.eat(',') {
				continue
			}
			if s.eat(closer) {
				return nil
			}
			return errSyntax
		}
	default:
		start := s.i
		for s.i < len(s.b) {
			c := s.b[s.i]
			if c == ',' || c == '}' || c == ']' || isSpace(c) {
				break
			}
			s.i++
		}
		if s.i == start {
			return errSyntax
		}
		return nil
	}
}
